"""The published store's values carry their series' 4-byte number, not its key's text, as the
national store's do since migration 0020.

At a first load a published value took 302 bytes: a 116-byte row and 186 bytes of indexes, two
of which (the primary key and the current values' one_current_value) begin with the key's text.
With the number in its place, and the table's columns ordered widest first so that none is
padded to its alignment, the same rows take 161 bytes, and a first load's vintages about a
third less time (docs/benchmarks.md).

- `indices_publishedseries.number`: the next value of a sequence of its own, numbered here in
  the order of the keys.
- `indices_publishedobservation.series_no` in place of `series_key`. The primary key is
  (series_no, period_start, valid_from, release_id); one_current_value (series_no,
  period_start) where valid_to is NULL.
- Integrity stays per statement (migration 0015): the rows a statement writes must point at
  stored series as well as at releases; a series that values point at cannot be deleted, and
  no series is renumbered.

Rebuilds the store under the lock of both tables (17-21 s on a store of 3.3 million published
values); a value whose key has no series, which the service never writes, stops it with an
error rather than being lost.
"""

import django.db.models.deletion
from django.db import migrations, models

PUBLISHED = "indices_publishedobservation"
SERIES = "indices_publishedseries"
SEQUENCE = f"{SERIES}_number_seq"

INDEXES = f"""
CREATE UNIQUE INDEX one_current_value ON {PUBLISHED} ({{key}}, period_start)
    WHERE valid_to IS NULL;
CREATE INDEX published_opened ON {PUBLISHED} (valid_from);
CREATE INDEX published_closed ON {PUBLISHED} (valid_to) WHERE valid_to IS NOT NULL;
ALTER TABLE {PUBLISHED} ADD CONSTRAINT {PUBLISHED}_pkey
    PRIMARY KEY ({{key}}, period_start, valid_from, release_id);
ANALYZE {PUBLISHED};
"""
TRIGGERS = f"""
CREATE TRIGGER {PUBLISHED}_refs_inserted AFTER INSERT ON {PUBLISHED}
    REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION indices_refs_exist_published();
CREATE TRIGGER {PUBLISHED}_refs_updated AFTER UPDATE ON {PUBLISHED}
    REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION indices_refs_exist_published();
"""
# The distinct references of the rows a statement wrote, gathered in one pass, must all exist;
# FOR KEY SHARE, as a foreign key's check (migration 0015).
ONE_CHECK = f"""
    SELECT count(*) INTO found FROM (
        SELECT 1 FROM {{parent}} WHERE {{key}} = ANY({{column}}s) FOR KEY SHARE
    ) AS locked;
    IF found < coalesce(cardinality({{column}}s), 0) THEN
        RAISE EXCEPTION 'insert or update on table "{PUBLISHED}" violates the reference '
            '{{column}} to {{parent}}: a row points at nothing'
            USING ERRCODE = 'foreign_key_violation';
    END IF;"""


def _check(references: list[tuple[str, str, str, str]]) -> str:
    """The statement trigger's function over `references`: (column, its type, parent, key)."""
    columns = [column for column, _, _, _ in references]
    return f"""
CREATE OR REPLACE FUNCTION indices_refs_exist_published() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
{"".join(f"    {column}s {kind}[];{chr(10)}" for column, kind, _, _ in references)}    found bigint;
BEGIN
    SELECT {", ".join(f"array_agg(DISTINCT {column})" for column in columns)}
        INTO {", ".join(f"{column}s" for column in columns)}
    FROM (SELECT DISTINCT {", ".join(columns)} FROM written) AS refs;
{"".join(ONE_CHECK.format(column=c, parent=p, key=k) for c, _, p, k in references)}
    RETURN NULL;
END $$;
"""


RELEASE = ("release_id", "bigint", "indices_release", "id")
CHECK = _check([RELEASE, ("series_no", "integer", SERIES, "number")])
BACKWARD_CHECK = _check([RELEASE])  # migration 0015's, of the release only
# A series cannot go while a value points at it (a foreign key's NO ACTION), and never changes
# its number: values may point at it, and an UPDATE of a series not loaded from the database
# (its number left to the default) would otherwise give it a new one.
KEEP = f"""
CREATE FUNCTION indices_refs_keep_{SERIES}_series_no() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.number = OLD.number THEN
            RETURN NULL;
        END IF;
        RAISE EXCEPTION 'UPDATE on table "{SERIES}": series % keeps its number %',
            OLD.series_key, OLD.number USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF EXISTS (SELECT 1 FROM {PUBLISHED} WHERE series_no = OLD.number) THEN
        RAISE EXCEPTION '% on table "{SERIES}" violates the reference series_no of '
            '"{PUBLISHED}": rows still point at %', TG_OP, OLD.series_key
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER {SERIES}_keeps_series_no AFTER DELETE OR UPDATE OF number ON {SERIES}
    FOR EACH ROW EXECUTE FUNCTION indices_refs_keep_{SERIES}_series_no();
"""

LOCK = f"LOCK TABLE {PUBLISHED}, {SERIES} IN ACCESS EXCLUSIVE MODE;"

FORWARD = f"""
{LOCK}
CREATE SEQUENCE {SEQUENCE} AS integer;
ALTER TABLE {SERIES} ADD COLUMN number integer;
UPDATE {SERIES} AS s SET number = numbered.number
FROM (SELECT series_key, row_number() OVER (ORDER BY series_key) AS number FROM {SERIES})
    AS numbered
WHERE s.series_key = numbered.series_key;
SELECT setval('{SEQUENCE}', coalesce(max(number), 0) + 1, false) FROM {SERIES};
ALTER TABLE {SERIES} ALTER COLUMN number SET DEFAULT nextval('{SEQUENCE}'),
    ALTER COLUMN number SET NOT NULL;
ALTER SEQUENCE {SEQUENCE} OWNED BY {SERIES}.number;
ALTER TABLE {SERIES} ADD CONSTRAINT {SERIES}_number_key UNIQUE (number);
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM {PUBLISHED} AS o
               WHERE NOT EXISTS (SELECT 1 FROM {SERIES} AS s WHERE s.series_key = o.series_key))
    THEN
        RAISE EXCEPTION 'published values of a series that is not stored: not rebuilt';
    END IF;
END $$;
CREATE TABLE {PUBLISHED}_numbered (
    value double precision NOT NULL,
    coverage double precision NULL,
    valid_from timestamp with time zone NOT NULL,
    valid_to timestamp with time zone NULL,
    release_id bigint NOT NULL,
    series_no integer NOT NULL,
    period_start date NOT NULL,
    time_period varchar(8) NOT NULL,
    status varchar(1) NOT NULL,
    comment text NOT NULL DEFAULT ''
);
INSERT INTO {PUBLISHED}_numbered
    SELECT o.value, o.coverage, o.valid_from, o.valid_to, o.release_id, s.number,
           o.period_start, o.time_period, o.status, o.comment
    FROM {PUBLISHED} AS o JOIN {SERIES} AS s ON s.series_key = o.series_key
    ORDER BY s.number, o.period_start, o.valid_from;
DROP TABLE {PUBLISHED};
ALTER TABLE {PUBLISHED}_numbered RENAME TO {PUBLISHED};
{INDEXES.format(key="series_no")}
{CHECK}
{TRIGGERS}
{KEEP}
"""

BACKWARD = f"""
{LOCK}
DROP TRIGGER {SERIES}_keeps_series_no ON {SERIES};
DROP FUNCTION indices_refs_keep_{SERIES}_series_no();
{BACKWARD_CHECK}
CREATE TABLE {PUBLISHED}_keyed (
    series_key varchar(40) NOT NULL,
    period_start date NOT NULL,
    time_period varchar(8) NOT NULL,
    value double precision NOT NULL,
    status varchar(1) NOT NULL,
    coverage double precision NULL,
    valid_from timestamp with time zone NOT NULL,
    valid_to timestamp with time zone NULL,
    release_id bigint NOT NULL,
    comment text NOT NULL DEFAULT ''
);
INSERT INTO {PUBLISHED}_keyed
    SELECT s.series_key, o.period_start, o.time_period, o.value, o.status, o.coverage,
           o.valid_from, o.valid_to, o.release_id, o.comment
    FROM {PUBLISHED} AS o JOIN {SERIES} AS s ON s.number = o.series_no
    ORDER BY s.series_key, o.period_start, o.valid_from;
DROP TABLE {PUBLISHED};
ALTER TABLE {PUBLISHED}_keyed RENAME TO {PUBLISHED};
{INDEXES.format(key="series_key")}
{TRIGGERS}
ALTER TABLE {SERIES} DROP COLUMN number;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("indices", "0020_national_series"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(FORWARD, BACKWARD)],
            state_operations=[
                migrations.AddField(
                    model_name="publishedseries",
                    name="number",
                    field=models.IntegerField(
                        db_default=models.Func(
                            models.Value(SEQUENCE),
                            function="nextval",
                            output_field=models.IntegerField(),
                        ),
                        editable=False,
                        unique=True,
                    ),
                ),
                migrations.RemoveConstraint(
                    model_name="publishedobservation",
                    name="one_current_value",
                ),
                migrations.RemoveField(
                    model_name="publishedobservation",
                    name="series_key",
                ),
                migrations.AddField(
                    model_name="publishedobservation",
                    name="series",
                    field=models.ForeignKey(
                        db_column="series_no",
                        db_constraint=False,
                        db_index=False,
                        default=None,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="indices.publishedseries",
                        to_field="number",
                    ),
                    preserve_default=False,
                ),
                migrations.AlterField(
                    model_name="publishedobservation",
                    name="pk",
                    field=models.CompositePrimaryKey(
                        "series",
                        "period_start",
                        "valid_from",
                        "release",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                migrations.AddConstraint(
                    model_name="publishedobservation",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("valid_to__isnull", True)),
                        fields=("series", "period_start"),
                        name="one_current_value",
                    ),
                ),
            ],
        ),
    ]
