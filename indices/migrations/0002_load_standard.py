from django.db import migrations


def load(apps, schema_editor):
    from indices.services.standard import standard_load

    standard_load(model_source=apps)


def unload(apps, schema_editor):
    apps.get_model("indices", "StandardVersion").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("indices", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
