"""H6's kept means carry the digest of what else their chain was computed from (members, weights,
minimum coverage, reference year: publish/services/chains.py `ChainInputs`). The means kept
before have none, and are not gone on from: each group's next computation in full keeps them
anew."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("indices", "0022_aggregate_chain"),
    ]

    operations = [
        migrations.AddField(
            model_name="aggregatechainyear",
            name="inputs",
            field=models.CharField(default="", max_length=64),
        ),
    ]
