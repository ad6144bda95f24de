"""The national store's series in a table of their own: each stored value carries its series'
4-byte number, not its agency, key, frequency, area, national code and adjustment, nor its
period's label (which its period and frequency give), nor the time it was written (its
submission's release was published then: going back, updated_at is that instant).

A value took 184 bytes at a first load (a 134-byte row, a 49-byte primary key), of which those
repetitions were about 70: the agency and key (about 27) in both the row and the primary key,
the rest in the row. The table is rebuilt with its columns ordered widest first, so that no
column is padded to its alignment: a row of 72 bytes. The primary key is (series_no,
period_start, base_year), 31 bytes per value.

Integrity stays per statement (migration 0015): the rows a statement writes must point at
stored series and submissions; a series or submission that values point at cannot be deleted.
The series point at their agency through an ordinary foreign key (a few thousand rows).

Rebuilds the store under its lock: 38-42 s on a store of 10 million values, about a minute
back.
"""

import django.db.models.deletion
from django.db import migrations, models

NATIONAL = "indices_nationalobservation"
SERIES = "indices_nationalseries"

NATIONAL_CHECK = """
CREATE OR REPLACE FUNCTION indices_refs_exist_national() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    {first}s {first_type}[];
    submission_ids uuid[];
    found bigint;
BEGIN
    SELECT array_agg(DISTINCT {first}), array_agg(DISTINCT submission_id)
        INTO {first}s, submission_ids
    FROM (SELECT DISTINCT {first}, submission_id FROM written) AS refs;
    SELECT count(*) INTO found FROM (
        SELECT 1 FROM {parent} WHERE id = ANY({first}s) FOR KEY SHARE
    ) AS locked;
    IF found < coalesce(cardinality({first}s), 0) THEN
        RAISE EXCEPTION 'insert or update on table "{table}" violates the reference {first} '
            'to {parent}: a row points at nothing' USING ERRCODE = 'foreign_key_violation';
    END IF;
    SELECT count(*) INTO found FROM (
        SELECT 1 FROM indices_submission WHERE id = ANY(submission_ids) FOR KEY SHARE
    ) AS locked;
    IF found < coalesce(cardinality(submission_ids), 0) THEN
        RAISE EXCEPTION 'insert or update on table "{table}" violates the reference '
            'submission_id to indices_submission: a row points at nothing'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;
"""
TRIGGERS = f"""
CREATE TRIGGER {NATIONAL}_refs_inserted AFTER INSERT ON {NATIONAL}
    REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION indices_refs_exist_national();
CREATE TRIGGER {NATIONAL}_refs_updated AFTER UPDATE ON {NATIONAL}
    REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION indices_refs_exist_national();
"""
# A referenced row cannot go while a value points at it (a foreign key's NO ACTION).
KEEP = """
CREATE FUNCTION indices_refs_keep_{parent}_{column}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN
        RETURN NULL;
    END IF;
    IF EXISTS (SELECT 1 FROM {table} WHERE {column} = OLD.id) THEN
        RAISE EXCEPTION '% on table "{parent}" violates the reference {column} of "{table}": '
            'rows still point at %', TG_OP, OLD.id USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER {parent}_keeps_{column} AFTER DELETE OR UPDATE OF id ON {parent}
    FOR EACH ROW EXECUTE FUNCTION indices_refs_keep_{parent}_{column}();
"""
DROP_KEEP = """
DROP TRIGGER {parent}_keeps_{column} ON {parent};
DROP FUNCTION indices_refs_keep_{parent}_{column}();
"""

FORWARD = f"""
INSERT INTO {SERIES} (agency_id, series_id, freq, ref_area, nat_code, adjustment)
    SELECT DISTINCT ON (agency_id, series_id)
           agency_id, series_id, freq, split_part(series_id, '.', 2), nat_code, adjustment
    FROM {NATIONAL}
    ORDER BY agency_id, series_id;
CREATE TABLE {NATIONAL}_lean (
    value double precision NULL,
    submission_id uuid NOT NULL,
    series_no integer NOT NULL,
    period_start date NOT NULL,
    row_no integer NOT NULL,
    base_year smallint NOT NULL,
    status varchar(1) NOT NULL,
    activity varchar(8) NOT NULL,
    comment text NOT NULL
);
INSERT INTO {NATIONAL}_lean
    SELECT n.value, n.submission_id, s.id, n.period_start, n.row_no, n.base_year,
           n.status, n.activity, n.comment
    FROM {NATIONAL} AS n
    JOIN {SERIES} AS s ON s.agency_id = n.agency_id AND s.series_id = n.series_id
    ORDER BY s.id, n.period_start, n.base_year;
DROP TABLE {NATIONAL};
ALTER TABLE {NATIONAL}_lean RENAME TO {NATIONAL};
ALTER TABLE {NATIONAL} ADD CONSTRAINT {NATIONAL}_pkey
    PRIMARY KEY (series_no, period_start, base_year);
ANALYZE {NATIONAL};
{NATIONAL_CHECK.format(first="series_no", first_type="integer", parent=SERIES, table=NATIONAL)}
{TRIGGERS}
{DROP_KEEP.format(parent="countries_agency", column="agency_id")}
{KEEP.format(parent=SERIES, column="series_no", table=NATIONAL)}
"""

# Migration 0015's check of the agency and submission, and its refusal to delete an agency.
BACKWARD_CHECK = NATIONAL_CHECK.format(
    first="agency_id", first_type="varchar", parent="countries_agency", table=NATIONAL
)
BACKWARD = f"""
{DROP_KEEP.format(parent=SERIES, column="series_no")}
CREATE TABLE {NATIONAL}_wide (
    series_id varchar(80) NOT NULL,
    freq varchar(1) NOT NULL,
    ref_area varchar(8) NOT NULL,
    activity varchar(8) NOT NULL,
    nat_code varchar(32) NOT NULL,
    adjustment varchar(1) NOT NULL,
    period_start date NOT NULL,
    period_label varchar(8) NOT NULL,
    value double precision NULL,
    status varchar(1) NOT NULL,
    base_year smallint NOT NULL,
    comment text NOT NULL,
    row_no integer NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    agency_id varchar(32) NOT NULL,
    submission_id uuid NOT NULL
);
INSERT INTO {NATIONAL}_wide
    SELECT s.series_id, s.freq, s.ref_area, n.activity, s.nat_code, s.adjustment,
           n.period_start,
           CASE s.freq WHEN 'A' THEN to_char(n.period_start, 'YYYY')
                       WHEN 'Q' THEN to_char(n.period_start, 'YYYY-"Q"Q')
                       ELSE to_char(n.period_start, 'YYYY-MM') END,
           n.value, n.status, n.base_year, n.comment, n.row_no,
           coalesce(release.published_at, now()), s.agency_id, n.submission_id
    FROM {NATIONAL} AS n JOIN {SERIES} AS s ON s.id = n.series_no
    LEFT JOIN indices_release AS release ON release.submission_id = n.submission_id
    ORDER BY s.agency_id, s.series_id, n.period_start, n.base_year;
DROP TABLE {NATIONAL};
ALTER TABLE {NATIONAL}_wide RENAME TO {NATIONAL};
ALTER TABLE {NATIONAL} ADD CONSTRAINT {NATIONAL}_pkey
    PRIMARY KEY (agency_id, series_id, period_start, base_year);
{TRIGGERS}
CREATE FUNCTION indices_refs_keep_countries_agency_agency_id() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN
        RETURN NULL;
    END IF;
    IF EXISTS (SELECT 1 FROM {NATIONAL} WHERE agency_id = OLD.id) THEN
        RAISE EXCEPTION '% on table "countries_agency" violates the reference agency_id of '
            '"{NATIONAL}": rows still point at %', TG_OP, OLD.id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER countries_agency_keeps_agency_id AFTER DELETE OR UPDATE OF id ON countries_agency
    FOR EACH ROW EXECUTE FUNCTION indices_refs_keep_countries_agency_agency_id();
DELETE FROM {SERIES};
"""


class Migration(migrations.Migration):
    dependencies = [
        ("countries", "0004_standard_revision_1_1"),
        ("indices", "0019_national_without_submission_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="NationalSeries",
            fields=[
                ("id", models.AutoField(primary_key=True, serialize=False)),
                ("series_id", models.CharField(max_length=80)),
                ("freq", models.CharField(max_length=1)),
                ("ref_area", models.CharField(max_length=8)),
                ("nat_code", models.CharField(blank=True, max_length=32)),
                ("adjustment", models.CharField(max_length=1)),
                (
                    "agency",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="countries.agency",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("agency", "series_id"), name="national_series_once"
                    )
                ],
            },
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(FORWARD, BACKWARD + BACKWARD_CHECK)],
            state_operations=[
                migrations.DeleteModel(name="NationalObservation"),
                migrations.CreateModel(
                    name="NationalObservation",
                    fields=[
                        (
                            "pk",
                            models.CompositePrimaryKey(
                                "series",
                                "period_start",
                                "base_year",
                                blank=True,
                                editable=False,
                                primary_key=True,
                                serialize=False,
                            ),
                        ),
                        ("value", models.FloatField(null=True)),
                        (
                            "submission",
                            models.ForeignKey(
                                db_constraint=False,
                                db_index=False,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="indices.submission",
                            ),
                        ),
                        (
                            "series",
                            models.ForeignKey(
                                db_column="series_no",
                                db_constraint=False,
                                db_index=False,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="indices.nationalseries",
                            ),
                        ),
                        ("period_start", models.DateField()),
                        ("row_no", models.IntegerField()),
                        ("base_year", models.SmallIntegerField()),
                        ("status", models.CharField(max_length=1)),
                        ("activity", models.CharField(max_length=8)),
                        ("comment", models.TextField(blank=True)),
                    ],
                ),
            ],
        ),
    ]
