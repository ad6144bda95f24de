"""Integrity per statement, not per row: the national store's references to its agency and
submission, and the published store's to its release, were foreign keys, checked at commit by
one index lookup per row (a million-row release spent 20 s of its commit on them). A release
writes a million rows that point at one submission, one agency and one release: the database
now checks the distinct references of the rows a statement wrote, once, after the statement
(a trigger over its transition table), and locks the referenced rows as a foreign key does.
Deleting (or renumbering) a referenced agency, submission or release is refused, as before.
"""

import django.db.models.deletion
from django.db import migrations, models

# The rows a statement inserted or updated (`written`): the distinct references, gathered in
# one pass, must all exist. FOR KEY SHARE, as a foreign key's check: a concurrent delete of a
# referenced row waits for this transaction, then finds the rows that point at it (refused
# below).
CHECK = """
CREATE FUNCTION indices_refs_exist_{name}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
{declarations}
    found bigint;
BEGIN
    SELECT {aggregates} INTO {variables}
    FROM (SELECT DISTINCT {columns} FROM written) AS refs;
{checks}
    RETURN NULL;
END $$;
"""
ONE_CHECK = """
    SELECT count(*) INTO found FROM (
        SELECT 1 FROM {parent} WHERE {key} = ANY({column}s) FOR KEY SHARE
    ) AS locked;
    IF found < coalesce(cardinality({column}s), 0) THEN
        RAISE EXCEPTION 'insert or update on table "{table}" violates the reference {column} '
            'to {parent}: a row points at nothing' USING ERRCODE = 'foreign_key_violation';
    END IF;
"""
TRIGGERS = """
CREATE TRIGGER {table}_refs_inserted AFTER INSERT ON {table}
    REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION indices_refs_exist_{name}();
CREATE TRIGGER {table}_refs_updated AFTER UPDATE ON {table}
    REFERENCING NEW TABLE AS written
    FOR EACH STATEMENT EXECUTE FUNCTION indices_refs_exist_{name}();
"""
# A referenced row cannot go while a row points at it (foreign keys' NO ACTION).
REFUSE = """
CREATE FUNCTION indices_refs_keep_{parent}_{column}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.{key} = OLD.{key} THEN
        RETURN NULL;
    END IF;
    IF EXISTS (SELECT 1 FROM {table} WHERE {column} = OLD.{key}) THEN
        RAISE EXCEPTION '% on table "{parent}" violates the reference {column} of "{table}": '
            'rows still point at %', TG_OP, OLD.{key} USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER {parent}_keeps_{column} AFTER DELETE OR UPDATE OF {key} ON {parent}
    FOR EACH ROW EXECUTE FUNCTION indices_refs_keep_{parent}_{column}();
"""
NATIONAL = "indices_nationalobservation"
PUBLISHED = "indices_publishedobservation"
REFERENCES = [
    # (table, column, its type, parent, parent's key)
    (NATIONAL, "agency_id", "varchar", "countries_agency", "id"),
    (NATIONAL, "submission_id", "uuid", "indices_submission", "id"),
    (PUBLISHED, "release_id", "bigint", "indices_release", "id"),
]


def _forward() -> str:
    sql = []
    for name, table in (("national", NATIONAL), ("published", PUBLISHED)):
        refs = [(c, t, p, k) for child, c, t, p, k in REFERENCES if child == table]
        sql.append(
            CHECK.format(
                name=name,
                declarations="\n".join(f"    {c}s {t}[];" for c, t, _, _ in refs),
                aggregates=", ".join(f"array_agg(DISTINCT {c})" for c, _, _, _ in refs),
                variables=", ".join(f"{c}s" for c, _, _, _ in refs),
                columns=", ".join(c for c, _, _, _ in refs),
                checks="".join(
                    ONE_CHECK.format(table=table, column=c, parent=p, key=k) for c, _, p, k in refs
                ),
            )
        )
        sql.append(TRIGGERS.format(table=table, name=name))
    for table, column, _, parent, key in REFERENCES:
        sql.append(REFUSE.format(table=table, column=column, parent=parent, key=key))
    return "".join(sql)


def _backward() -> str:
    sql = []
    for _, column, _, parent, _ in REFERENCES:
        sql.append(f"DROP TRIGGER {parent}_keeps_{column} ON {parent};")
        sql.append(f"DROP FUNCTION indices_refs_keep_{parent}_{column}();")
    for name, table in (("national", NATIONAL), ("published", PUBLISHED)):
        sql.append(f"DROP TRIGGER {table}_refs_inserted ON {table};")
        sql.append(f"DROP TRIGGER {table}_refs_updated ON {table};")
        sql.append(f"DROP FUNCTION indices_refs_exist_{name}();")
    return "\n".join(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("countries", "0004_standard_revision_1_1"),
        ("indices", "0014_seasonal_adjustment"),
    ]

    operations = [
        migrations.AlterField(
            model_name="nationalobservation",
            name="agency",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="countries.agency",
            ),
        ),
        migrations.AlterField(
            model_name="nationalobservation",
            name="submission",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="indices.submission",
            ),
        ),
        migrations.AlterField(
            model_name="publishedobservation",
            name="release",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="indices.release",
            ),
        ),
        migrations.RunSQL(_forward(), _backward()),
    ]
