from django.db import migrations


def seed(apps, schema_editor):
    from countries.seed import seed_members

    seed_members(apps)


def unseed(apps, schema_editor):
    from countries.seed import unseed_members

    unseed_members(apps)


class Migration(migrations.Migration):
    dependencies = [("countries", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
