"""The national store's unique constraint (one value per agency, series, period and base year)
with its columns in the order the reads need: (agency, series_id, period_start, base_year).

Validation reads a series' stored history from a period on (W01, W04, W06, E09) without knowing
its base years: under the old order (agency, series_id, base_year, period_start) the index
cannot bound `period_start >=` and the planner scanned the whole store. In the new order a
series' periods from a given month are one range of the index, the newest base year of a
period last. Uniqueness is the same, so is every ON CONFLICT on these four columns (a
conflict target names columns, not their order). Rebuilding the index on a store of 10
million values takes about a minute, under the table's lock.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("indices", "0016_lean_indexes"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="nationalobservation",
            name="national_obs_once",
        ),
        migrations.AddConstraint(
            model_name="nationalobservation",
            constraint=models.UniqueConstraint(
                fields=("agency", "series_id", "period_start", "base_year"),
                name="national_obs_once",
            ),
        ),
    ]
