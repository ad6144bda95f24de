"""The standard's codelists and the audit log now belong to the countries app (its migration
0003); in Django's state only: the tables stay as they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("indices", "0012_published_comment"),
        ("countries", "0003_standard_and_audit_from_indices"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="AuditEvent"),
                migrations.RemoveField(model_name="codelist", name="standard"),
                migrations.DeleteModel(name="Code"),
                migrations.DeleteModel(name="Codelist"),
                migrations.DeleteModel(name="StandardVersion"),
            ],
        )
    ]
