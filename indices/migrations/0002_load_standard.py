from django.db import migrations


def load(apps, schema_editor):
    from countries.standard.services import standard_load

    # The standard's models belonged to this app until migration 0013.
    standard_load(model_source=apps, app_label="indices")


def unload(apps, schema_editor):
    apps.get_model("indices", "StandardVersion").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("indices", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
