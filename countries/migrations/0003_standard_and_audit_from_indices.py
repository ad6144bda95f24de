"""The standard's codelists and the audit log move from the indices app to this one, in
Django's state only: their tables keep their names (and the audit log its append-only
trigger), so nothing in the database changes."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("countries", "0002_seed_members"),
        ("indices", "0012_published_comment"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="AuditEvent",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("agency", models.CharField(blank=True, max_length=32)),
                        ("actor", models.CharField(blank=True, max_length=150)),
                        ("action", models.CharField(max_length=40)),
                        ("object_type", models.CharField(blank=True, max_length=40)),
                        ("object_id", models.CharField(blank=True, max_length=64)),
                        ("details", models.JSONField(blank=True, default=dict)),
                    ],
                    options={
                        "db_table": "indices_auditevent",
                        "ordering": ["-at", "-id"],
                        "indexes": [models.Index(fields=["action", "at"], name="audit_action_at")],
                    },
                ),
                migrations.CreateModel(
                    name="StandardVersion",
                    fields=[
                        (
                            "version",
                            models.CharField(max_length=16, primary_key=True, serialize=False),
                        ),
                        ("title", models.CharField(max_length=200)),
                        ("ref_year", models.PositiveSmallIntegerField()),
                        ("thresholds", models.JSONField()),
                        ("rules", models.JSONField()),
                        ("is_current", models.BooleanField(default=False)),
                        ("loaded_at", models.DateTimeField(default=django.utils.timezone.now)),
                    ],
                    options={
                        "db_table": "indices_standardversion",
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("is_current", True)),
                                fields=("is_current",),
                                name="one_current_standard",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Codelist",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("codelist_id", models.CharField(max_length=32)),
                        ("name", models.CharField(max_length=200)),
                        (
                            "standard",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="codelists",
                                to="countries.standardversion",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "indices_codelist",
                        "ordering": ["codelist_id"],
                    },
                ),
                migrations.CreateModel(
                    name="Code",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("code", models.CharField(max_length=16)),
                        ("name", models.CharField(max_length=300)),
                        ("parent", models.CharField(blank=True, max_length=16)),
                        ("position", models.PositiveIntegerField(default=0)),
                        (
                            "codelist",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="codes",
                                to="countries.codelist",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "indices_code",
                        "ordering": ["codelist_id", "position"],
                        "constraints": [
                            models.UniqueConstraint(fields=("codelist", "code"), name="code_once")
                        ],
                    },
                ),
                migrations.AddConstraint(
                    model_name="codelist",
                    constraint=models.UniqueConstraint(
                        fields=("standard", "codelist_id"), name="codelist_once"
                    ),
                ),
            ],
        )
    ]
