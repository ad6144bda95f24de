from django.urls import path

from countries.apis import audit, classifications, credentials, members
from countries.standard import apis as standard

urlpatterns = [
    path("countries/", members.CountryListApi.as_view(), name="country-list"),
    path("countries/<str:code>/", members.CountryDetailApi.as_view(), name="country-detail"),
    path("agencies/", members.AgencyListApi.as_view(), name="agency-list"),
    path("agencies/<str:agency_id>/", members.AgencyDetailApi.as_view(), name="agency-detail"),
    path("credentials/", credentials.CredentialListApi.as_view(), name="credential-list"),
    path(
        "credentials/<int:credential_id>/",
        credentials.CredentialDetailApi.as_view(),
        name="credential-detail",
    ),
    path(
        "credentials/<int:credential_id>/revoke/",
        credentials.CredentialRevokeApi.as_view(),
        name="credential-revoke",
    ),
    path(
        "classifications/",
        classifications.ClassificationListApi.as_view(),
        name="classification-list",
    ),
    path(
        "classifications/<str:classification_id>/concordance/",
        classifications.ConcordanceApi.as_view(),
        name="concordance",
    ),
    path("audit/", audit.AuditEventListApi.as_view(), name="audit-list"),
    path("standard/", standard.StandardCurrentApi.as_view(), name="standard"),
    path("codelists/", standard.CodelistListApi.as_view(), name="codelist-list"),
    path(
        "codelists/<str:codelist_id>/", standard.CodelistDetailApi.as_view(), name="codelist-detail"
    ),
]
