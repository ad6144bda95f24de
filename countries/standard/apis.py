"""The standard over HTTP: codelists and the current version's thresholds (any valid token,
counted towards the credential's read limit like every read endpoint)."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from countries.standard.models import Code, Codelist, StandardVersion
from countries.standard.selectors import codelist_list, standard_current


class CodeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Code
        fields = ["code", "name", "parent"]


class CodelistSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="codelist_id")
    standard_version = serializers.CharField(source="standard_id")
    codes = CodeSerializer(many=True)

    class Meta:
        model = Codelist
        fields = ["id", "name", "standard_version", "codes"]


class CodelistListApi(APIView):
    @extend_schema(responses=CodelistSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(CodelistSerializer(codelist_list(), many=True).data)


class CodelistDetailApi(APIView):
    @extend_schema(responses=CodelistSerializer)
    def get(self, request: Request, codelist_id: str) -> Response:
        codelist = codelist_list().filter(codelist_id=codelist_id).first()
        if codelist is None:
            raise Http404
        return Response(CodelistSerializer(codelist).data)


class StandardSerializer(serializers.ModelSerializer):
    class Meta:
        model = StandardVersion
        fields = ["version", "title", "ref_year", "thresholds", "rules", "loaded_at"]


class StandardCurrentApi(APIView):
    @extend_schema(responses=StandardSerializer)
    def get(self, request: Request) -> Response:
        return Response(StandardSerializer(standard_current()).data)
