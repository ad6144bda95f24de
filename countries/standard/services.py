"""Copy the standard definition into the database, idempotently (a data migration and the
`load_standard` command both call this)."""

from __future__ import annotations

from django.db import transaction

from countries.standard import CURRENT_VERSION, load_definition


def standard_load(
    *, version: str = CURRENT_VERSION, model_source=None, app_label: str = "countries"
) -> dict[str, int]:
    """Upsert the definition's version, codelists and codes; make it the current version.

    Codes are never deleted: published data may reference them, and countries added later
    extend CL_AREA in the database. `model_source` is a Django `apps` registry (historical
    models, for migrations, with the `app_label` the models had then); by default the real
    models are used.
    """
    if model_source is None:
        from django.apps import apps as model_source
    StandardVersion = model_source.get_model(app_label, "StandardVersion")
    Codelist = model_source.get_model(app_label, "Codelist")
    Code = model_source.get_model(app_label, "Code")

    definition = load_definition(version)
    counts = {"codelists": 0, "codes": 0}
    with transaction.atomic():
        StandardVersion.objects.exclude(version=definition.version).update(is_current=False)
        standard, _ = StandardVersion.objects.update_or_create(
            version=definition.version,
            defaults={
                "title": definition.title,
                "ref_year": definition.ref_year,
                "thresholds": definition.thresholds,
                "rules": definition.rules,
                "is_current": True,
            },
        )
        for codelist_id, codes in definition.codelists.items():
            codelist, _ = Codelist.objects.update_or_create(
                standard=standard,
                codelist_id=codelist_id,
                defaults={"name": definition.codelist_names[codelist_id]},
            )
            counts["codelists"] += 1
            for position, code in enumerate(codes):
                Code.objects.update_or_create(
                    codelist=codelist,
                    code=code.code,
                    defaults={"name": code.name, "parent": code.parent, "position": position},
                )
                counts["codes"] += 1
    return counts


def area_code_add(*, code: str, name: str) -> None:
    """Add a new member's code to CL_AREA of the current standard (members are data)."""
    from countries.standard.models import Code, Codelist

    codelist = Codelist.objects.get(standard__is_current=True, codelist_id="CL_AREA")
    position = codelist.codes.count()
    Code.objects.update_or_create(
        codelist=codelist, code=code, defaults={"name": name, "position": position}
    )
