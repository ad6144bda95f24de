"""Indexes a release pays for on every row it writes, and that no query needs: the published
store's `published_current` (the same columns and condition as the unique constraint
one_current_value, whose index serves the same queries), its index on release (no reader looks
values up by release), and the national store's index on agency (the unique constraint's index
begins with agency)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("countries", "0004_standard_revision_1_1"),
        ("indices", "0015_integrity_per_statement"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="publishedobservation",
            name="published_current",
        ),
        migrations.AlterField(
            model_name="nationalobservation",
            name="agency",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="countries.agency",
            ),
        ),
        migrations.AlterField(
            model_name="publishedobservation",
            name="release",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="indices.release",
            ),
        ),
    ]
