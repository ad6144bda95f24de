"""The audit log is append-only: the database itself refuses UPDATE and DELETE on it, so no
code path can rewrite history. (TRUNCATE stays possible for the database owner: test suites
empty every table between tests with it.)"""

from django.db import migrations

FORWARD = """
CREATE FUNCTION indices_audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % is refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER indices_audit_append_only
    BEFORE UPDATE OR DELETE ON indices_auditevent
    FOR EACH ROW EXECUTE FUNCTION indices_audit_refuse_change();
"""
BACKWARD = """
DROP TRIGGER indices_audit_append_only ON indices_auditevent;
DROP FUNCTION indices_audit_refuse_change();
"""


class Migration(migrations.Migration):
    dependencies = [("indices", "0006_publication")]
    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
