"""factory_boy factories for the models tests need beyond the seeded members."""

from __future__ import annotations

import factory

from countries.models import Agency, ApiCredential, Country, NationalClassification
from countries.services import credential_create


class CountryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Country
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"Q{chr(ord('A') + n % 26)}")
    name = factory.LazyAttribute(lambda o: f"Testland {o.code}")
    aggregates = factory.LazyFunction(lambda: ["MKG", "MKG_JP"])


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("id",)

    id = factory.Sequence(lambda n: f"TEST_AGENCY_{n}")
    name = factory.LazyAttribute(lambda o: f"Agency {o.id}")
    role = Agency.Role.REPORTER
    country = factory.SubFactory(CountryFactory)


class ReaderAgencyFactory(AgencyFactory):
    id = factory.Sequence(lambda n: f"TEST_READER_{n}")
    role = Agency.Role.READER
    country = None


class ClassificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NationalClassification
        django_get_or_create = ("id",)

    id = factory.Sequence(lambda n: f"TESTCLASS{n}")
    name = "Test classification"
    country = factory.SubFactory(CountryFactory)


def credential_for(agency: Agency, *, scopes=("submit", "read", "admin"), name="test", **kwargs):
    """A credential and its clear token (factories cannot return both)."""
    allowed = [s for s in scopes if agency.role != Agency.Role.READER or s == "read"]
    credential, token = credential_create(agency=agency, name=name, scopes=list(allowed), **kwargs)
    return credential, token


__all__ = [
    "AgencyFactory",
    "ApiCredential",
    "ClassificationFactory",
    "CountryFactory",
    "ReaderAgencyFactory",
    "credential_for",
]
