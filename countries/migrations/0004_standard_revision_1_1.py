"""The standard's revision 1.1 (COVERAGE rounding, H6): its title and thresholds in the
database, under the same version key "1" (so its codelists, and members added as data, stay)."""

from django.db import migrations


def load(apps, schema_editor):
    from countries.standard.services import standard_load

    standard_load(model_source=apps)


class Migration(migrations.Migration):
    dependencies = [("countries", "0003_standard_and_audit_from_indices")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
