"""The six members and the secretariat (STANDARD.md section 1), seeded idempotently."""

from __future__ import annotations

COUNTRIES = [
    # code, name, aggregates it counts in
    ("KH", "Cambodia", ["MKG", "MKG_JP"]),
    ("LA", "Lao PDR", ["MKG", "MKG_JP"]),
    ("MM", "Myanmar", ["MKG", "MKG_JP"]),
    ("TH", "Thailand", ["MKG", "MKG_JP"]),
    ("VN", "Viet Nam", ["MKG", "MKG_JP"]),
    ("JP", "Japan", ["MKG_JP"]),
]
AGENCIES = [
    ("KH_NIS", "National Institute of Statistics, Cambodia", "KH", "reporter"),
    ("LA_LSB", "Lao Statistics Bureau", "LA", "reporter"),
    ("MM_CSO", "Central Statistical Organization, Myanmar", "MM", "reporter"),
    ("TH_OIE", "Office of Industrial Economics, Thailand", "TH", "reporter"),
    ("VN_NSO", "National Statistics Office, Viet Nam", "VN", "reporter"),
    ("JP_METI", "Ministry of Economy, Trade and Industry, Japan", "JP", "reporter"),
    ("MKG_SEC", "Mekong IPI regional secretariat", None, "secretariat"),
]
CLASSIFICATIONS = [
    ("TSIC2009", "Thailand Standard Industrial Classification 2009", "TH"),
    ("VSIC2018", "Viet Nam Standard Industrial Classification 2018", "VN"),
    ("JP_IIP_GROUPS", "Japan Index of Industrial Production industry groups", "JP"),
]
# Only in embedded / demo mode: a reader, to try the read-only side.
DEMO_READER = ("DEMO_READER", "Demonstration reader (research pipeline)", None, "reader")


def seed_members(model_source=None, *, with_demo_reader: bool = False) -> None:
    if model_source is None:
        from django.apps import apps as model_source
    Country = model_source.get_model("countries", "Country")
    Agency = model_source.get_model("countries", "Agency")
    Classification = model_source.get_model("countries", "NationalClassification")
    for code, name, aggregates in COUNTRIES:
        Country.objects.update_or_create(
            code=code, defaults={"name": name, "aggregates": aggregates}
        )
    agencies = AGENCIES + ([DEMO_READER] if with_demo_reader else [])
    for agency_id, name, country, role in agencies:
        Agency.objects.update_or_create(
            id=agency_id, defaults={"name": name, "country_id": country, "role": role}
        )
    for class_id, name, country in CLASSIFICATIONS:
        Classification.objects.update_or_create(
            id=class_id, defaults={"name": name, "country_id": country}
        )


def unseed_members(model_source) -> None:
    model_source.get_model("countries", "NationalClassification").objects.filter(
        id__in=[c[0] for c in CLASSIFICATIONS]
    ).delete()
    model_source.get_model("countries", "Agency").objects.filter(
        id__in=[a[0] for a in AGENCIES]
    ).delete()
    model_source.get_model("countries", "Country").objects.filter(
        code__in=[c[0] for c in COUNTRIES]
    ).delete()
