"""H6's chain kept between releases (publish/services/chains.py): a group's mean, in chain units,
of the reference year and of each year of its chain that every member with weight reports
whole. Empty at first: each group's next computation in full fills it."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("indices", "0021_published_series_numbered"),
    ]

    operations = [
        migrations.CreateModel(
            name="AggregateChainYear",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "ref_area",
                        "activity",
                        "adjustment",
                        "year",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("ref_area", models.CharField(max_length=8)),
                ("activity", models.CharField(max_length=8)),
                ("adjustment", models.CharField(max_length=1)),
                ("year", models.PositiveSmallIntegerField()),
                ("mean", models.FloatField()),
            ],
        ),
    ]
