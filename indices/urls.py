from django.urls import path

from indices.apis.standard import CodelistDetailApi, CodelistListApi, StandardCurrentApi

urlpatterns = [
    path("standard/", StandardCurrentApi.as_view(), name="standard"),
    path("codelists/", CodelistListApi.as_view(), name="codelist-list"),
    path("codelists/<str:codelist_id>/", CodelistDetailApi.as_view(), name="codelist-detail"),
]
