from django.urls import path

from countries import apis

urlpatterns = [
    path("countries/", apis.CountryListApi.as_view(), name="country-list"),
    path("countries/<str:code>/", apis.CountryDetailApi.as_view(), name="country-detail"),
    path("agencies/", apis.AgencyListApi.as_view(), name="agency-list"),
    path("agencies/<str:agency_id>/", apis.AgencyDetailApi.as_view(), name="agency-detail"),
    path("credentials/", apis.CredentialListApi.as_view(), name="credential-list"),
    path(
        "credentials/<int:credential_id>/",
        apis.CredentialDetailApi.as_view(),
        name="credential-detail",
    ),
    path(
        "credentials/<int:credential_id>/revoke/",
        apis.CredentialRevokeApi.as_view(),
        name="credential-revoke",
    ),
    path("classifications/", apis.ClassificationListApi.as_view(), name="classification-list"),
    path(
        "classifications/<str:classification_id>/concordance/",
        apis.ConcordanceApi.as_view(),
        name="concordance",
    ),
]
