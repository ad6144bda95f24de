"""The national store's index on submission goes: no reader looks values up by submission.

It cost a million-row release 0.5-0.9 s of its store step and 6.5 bytes per stored value, and a
revision, which sets a value's submission, could never be a HOT update (one written without
touching any index). What it served was the refusal to delete a submission that values point
at (migration 0015): the refusal stands, and now scans the store; the service never deletes a
submission.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("indices", "0018_stores_keyed_by_their_identity"),
    ]

    operations = [
        migrations.AlterField(
            model_name="nationalobservation",
            name="submission",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="indices.submission",
            ),
        ),
    ]
