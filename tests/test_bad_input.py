"""Input no endpoint can store or parse, sent to every operation of the OpenAPI schema and to
the SDMX paths (issue #19): NUL characters and lone surrogates in the path, the query, a header,
a form field, a file name or a JSON string; JSON nested too deep; too many multipart parts.

Each must be refused with a 4xx in the address's error format (problem+json under /api/, an
SDMX error message under /sdmx/), never a 500, and nothing may be logged at ERROR (no
traceback). The operations come from /api/schema/, so a new endpoint is covered on arrival.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from unittest import mock
from urllib.parse import urlencode

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from indices.receive.models import Submission
from ipi_exchange.http.schema import FREE_TEXT_PATTERN, INSTANT_PATTERN
from tests.base import PersonaTestCase
from tests.factories import ClassificationFactory

NUL = "a\x00b"
DEEP = 1000  # levels: well past Python's recursion limit for the C JSON decoder
SDMX_PATHS = [
    "/sdmx/data/MKG,DF_IPI,1.0/M.T%00H.C.N.IX",
    "/sdmx/data/MKG,DF_IPI%00,1.0/all",
    "/sdmx/availableconstraint/MKG,DF_IPI,1.0/M.T%00H.C.N.IX",
    "/sdmx/codelist/MKG/CL_AREA%00",
    "/sdmx/dataflow/MKG/DF_IPI/1.0%00",
    "/sdmx/nosuchresource%00",
]
ERROR_CODES = {"invalid_text", "too_deep", "too_many_files", "too_many_fields", "not_an_object"}


def _operations(schema: dict) -> Iterator[tuple[str, str, dict]]:
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield method, path, operation


def _deep_json() -> str:
    return "[" * DEEP + "]" * DEEP


def _many_files(count: int) -> dict:
    return {"file": [SimpleUploadedFile(f"f{n}.csv", b"x") for n in range(count)]}


class EveryOperationTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.classification = ClassificationFactory(id="TSIC_BAD_INPUT", country_id="TH")

    def setUp(self) -> None:
        response = self.client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
        self.schema = json.loads(response.content)
        self.operations = list(_operations(self.schema))
        self.assertGreater(len(self.operations), 30)

    def _persona(self, path: str):
        return self.our if path.startswith("/api/v1/submissions") else self.secretariat

    def _url(self, path: str, operation: dict, *, bad: str | None = None) -> str:
        """The path with each path parameter filled in (with `bad` in the first if given, or
        at the end if it has none)."""
        url = path
        names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]
        for index, name in enumerate(names):
            value = bad if bad is not None and index == 0 else self._path_value(name)
            url = url.replace("{" + name + "}", value)
        if bad is not None and not names:
            url += bad
        return url

    def _path_value(self, name: str) -> str:
        return {
            "classification_id": self.classification.pk,
            "agency_id": "TH_OIE",
            "code": "TH",
            "codelist_id": "CL_AREA",
            "key": "M.TH.C.N.IX",
        }.get(name, "1")

    def _check(self, response, label: str, codes: set[str] | None = None) -> None:
        self.assertGreaterEqual(response.status_code, 400, label)
        self.assertLess(response.status_code, 500, label)
        self.assertEqual(response["Content-Type"], "application/problem+json", label)
        if codes is not None:
            body = response.json()
            found = {error["code"] for error in body.get("errors", [])} | {body["code"]}
            self.assertTrue(found & codes, (label, body))

    def _send(self, method: str, url: str, **kwargs):
        with self.assertNoLogs(level="ERROR"):
            return getattr(self._client, method)(url, **kwargs)

    def test_bad_text_in_the_address_or_a_header_is_refused_by_every_operation(self):
        for method, path, operation in self.operations:
            self._client = self._persona(path).client()
            query = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
            name = query[0] if query else "q"
            cases = {
                "path": (self._url(path, operation, bad="%00"), {}),
                "query value": (f"{self._url(path, operation)}?{name}=a%00b", {}),
                "query name": (f"{self._url(path, operation)}?a%00b=1", {}),
                "header": (self._url(path, operation), {"headers": {"X-Note": NUL}}),
            }
            for case, (url, kwargs) in cases.items():
                with self.subTest(operation=f"{method.upper()} {path}", case=case):
                    response = self._send(method, url, **kwargs)
                    self._check(response, f"{method} {url}", {"invalid_text"})

    def test_bad_bodies_are_refused_by_every_operation_that_takes_a_body(self):
        reached: dict[str, int] = {}
        for method, path, operation in self.operations:
            content = operation.get("requestBody", {}).get("content", {})
            if not content:
                continue
            self._client = self._persona(path).client()
            url = self._url(path, operation)
            cases = {
                "form field": {"data": {"comment": NUL, "file": SimpleUploadedFile("a.csv", b"x")}},
                "form field name": {"data": {NUL: "1"}},
                # Django's multipart parser drops a NUL from a file's name: the name of a raw
                # body (`?filename=`) and its Content-Disposition are where one can arrive.
                "file name": {
                    "query": "?filename=a%00b.csv",
                    "data": b"x",
                    "content_type": "text/csv",
                },
                "Content-Disposition": {
                    "data": b"x",
                    "content_type": "text/csv",
                    "headers": {"Content-Disposition": "attachment; filename=a\x00b.csv"},
                },
                "too many files": {"data": _many_files(1000)},
                "too many fields": {"data": {f"f{n}": "1" for n in range(1001)}},
                "JSON string": {
                    "data": json.dumps({"comment": NUL}),
                    "content_type": "application/json",
                },
                "JSON member name": {
                    "data": json.dumps({NUL: "x"}),
                    "content_type": "application/json",
                },
                "lone surrogate": {
                    "data": '{"comment": "\\ud800", "name": "\\udfff"}',
                    "content_type": "application/json",
                },
                "deep nesting": {"data": _deep_json(), "content_type": "application/json"},
                "deep nesting in a member": {
                    "data": '{"entries": ' + _deep_json() + "}",
                    "content_type": "application/json",
                },
            }
            for case, kwargs in cases.items():
                with self.subTest(operation=f"{method.upper()} {path}", case=case):
                    query = kwargs.pop("query", "")
                    response = self._send(method, url + query, **kwargs)
                    self._check(response, f"{case}: {method} {path}")
                    if response.json()["code"] != "permission_denied":
                        self._check(response, f"{case}: {method} {path}", ERROR_CODES)
                        reached[case] = reached.get(case, 0) + 1
        # Every class reached the guard of several operations (not only permission refusals).
        self.assertEqual(set(reached), set(cases))
        self.assertTrue(all(count >= 5 for count in reached.values()), reached)

    def test_the_sdmx_paths_answer_an_sdmx_error(self):
        client = self.reader.client()
        for url in SDMX_PATHS:
            for accept, content_type in (
                ("application/xml", "application/xml; charset=utf-8"),
                ("application/vnd.sdmx.data+json;version=1.0.0", "application/json; charset=utf-8"),
            ):
                with self.subTest(url=url, accept=accept):
                    with self.assertNoLogs(level="ERROR"):
                        response = client.get(url, HTTP_ACCEPT=accept)
                    self.assertEqual(response.status_code, 400, response.content[:300])
                    self.assertEqual(response["Content-Type"], content_type)
                    self.assertIn(b"140", response.content)
                    self.assertIn(b"NUL", response.content)
        with self.assertNoLogs(level="ERROR"):
            response = client.get("/sdmx/data/MKG,DF_IPI,1.0/all?startPeriod=20%0024")
        self.assertEqual(response.status_code, 400)


class EdgeLimitTests(PersonaTestCase):
    def test_the_field_is_named_and_printable(self):
        response = self.secretariat.client().get("/api/v1/agencies/?a%00b=1")
        body = self.assertProblem(response, 400, "invalid")
        (error,) = body["errors"]
        self.assertEqual((error["field"], error["code"]), ("a\\u0000b", "invalid_text"))
        self.assertIn("NUL", error["message"])

    def test_a_json_string_names_its_path(self):
        response = self.secretariat.client().post(
            "/api/v1/webhooks/",
            {"url": "https://example.org/hook", "entries": [{"name": "x"}, {"name": NUL}]},
            format="json",
        )
        body = self.assertProblem(response, 400, "invalid")
        self.assertEqual(body["errors"][0]["field"], "entries[1].name")

    def test_a_too_long_query_string_is_400_not_500(self):
        query = "&".join(f"p{n}=1" for n in range(1001))
        with self.assertNoLogs(level="ERROR"):
            response = self.reader.client().get(f"/api/v1/series/?{query}")
        self.assertProblem(response, 400, "invalid")

    @override_settings(IPI_MAX_JSON_DEPTH=3)
    def test_the_depth_limit_counts_levels_not_brackets_in_strings(self):
        classification = ClassificationFactory(id="TSIC_DEPTH", country_id="TH")
        client = self.secretariat.client()
        url = f"/api/v1/classifications/{classification.pk}/concordance/"
        # Three levels (object, list, object), brackets inside a string: at the limit.
        entry = {"national_code": "10", "isic_code": "C", "national_name": "[[[[{{{{"}
        ok = client.post(url, {"entries": [entry]}, format="json")
        self.assertEqual(ok.status_code, 201, ok.content[:300])
        deep = {"entries": [{**entry, "national_name": ["x"]}]}
        body = self.assertProblem(client.post(url, deep, format="json"), 400, "invalid")
        self.assertEqual(body["errors"][0]["code"], "too_deep")

    def test_a_nul_in_a_file_name_is_refused_but_not_in_the_file(self):
        """The bytes of an uploaded file are the validation's business (E01/E02)."""
        content = b"REF_AREA,TIME_PERIOD\x00\nTH,2024-01\n"
        client = self.our.client()
        named = client.post(
            "/api/v1/submissions/?filename=a%00b.csv", data=content, content_type="text/csv"
        )
        self.assertEqual(self.assertProblem(named, 400)["errors"][0]["field"], "filename")
        upload = SimpleUploadedFile("th.csv", content)
        response = client.post("/api/v1/submissions/", {"file": upload})
        self.assertEqual(response.status_code, 202, response.content[:300])

    def test_a_concordance_csv_with_a_nul_in_a_cell_is_refused_with_its_row(self):
        classification = ClassificationFactory(id="TSIC_NUL", country_id="TH")
        csv = b"national_code,isic_code,national_name\nA\x001,C,Food\n10,C,Fo\x00od\n"
        with self.assertNoLogs(level="ERROR"):
            response = self.secretariat.client().post(
                f"/api/v1/classifications/{classification.pk}/concordance/",
                {"file": SimpleUploadedFile("c.csv", csv)},
            )
        body = self.assertProblem(response, 400, "concordance_invalid")
        self.assertEqual(
            [(p["row"], p["column"]) for p in body["problems"]],
            [(2, "national_code"), (3, "national_name")],
        )


class InstantSpellingTests(PersonaTestCase):
    """Issue #19: every instant, in a query, a form or JSON, takes exactly what the schema's
    pattern says (a date, or a date and a time apart by `T` or a space, with an optional
    offset; years 1900-2999).
    Python's parser takes more, and the upload and credential bodies used it: a request the
    schema calls invalid was accepted."""

    SPELLINGS = [
        "20300101",
        "20300101T000000",
        "2030-W01-1",
        "2030-01-01T00",
        "2030-01-01T00:00:00,5Z",
        "2030-01-01T00:00:00.1234567Z",
        "0030-01-01",
        " 2030-01-01",
    ]

    def _refused(self, response, field: str, label: str) -> None:
        self.assertEqual(response.status_code, 400, (label, response.content[:300]))
        body = response.json()
        self.assertIn(field, [error["field"] for error in body["errors"]], label)

    def test_other_spellings_are_refused_everywhere(self):
        pattern = re.compile(INSTANT_PATTERN)
        our, secretariat, reader = (
            self.our.client(),
            self.secretariat.client(),
            self.reader.client(),
        )
        for text in self.SPELLINGS:
            self.assertIsNone(pattern.fullmatch(text), text)
            with self.subTest(text=text):
                self._refused(reader.get("/api/v1/releases/", {"before": text}), "before", "rel")
                self._refused(reader.get("/api/v1/data/", {"asOf": text}), "asOf", "data")
                self._refused(
                    our.get("/api/v1/submissions/", {"received_after": text}),
                    "received_after",
                    "list",
                )
                self._refused(
                    our.post(
                        f"/api/v1/submissions/?{urlencode({'release_at': text})}",
                        data=b"a,b\n1,2\n",
                        content_type="text/csv",
                    ),
                    "release_at",
                    "upload query",
                )
                upload = SimpleUploadedFile("th.csv", b"a,b\n1,2\n")
                self._refused(
                    our.post("/api/v1/submissions/", {"file": upload, "release_at": text}),
                    "release_at",
                    "upload form",
                )
                for form in ("json", None):
                    data = {"name": "t", "scopes": ["read"], "expires_at": text}
                    response = secretariat.post("/api/v1/credentials/", data, format=form)
                    self._refused(response, "expires_at", f"credential {form}")
        self.assertFalse(Submission.objects.exists())

    def test_the_schema_spellings_are_taken(self):
        client = self.our.client()
        for text in (
            "2030-01-01",
            "2030-01-01T09:00",
            "2030-01-01T09:00:00.5+07",
            "2030-01-01T02:00:00Z",
        ):
            with self.subTest(text=text):
                upload = SimpleUploadedFile("th.csv", f"a,b\n1,{text}\n".encode())
                with mock.patch("indices.validate.tasks.validate_submission.delay"):
                    response = client.post(
                        "/api/v1/submissions/",
                        {"file": upload, "release_at": text, "dry_run": "true"},
                    )
                self.assertEqual(response.status_code, 202, response.content[:300])
        # An unencoded `+` in a query string arrives as a space: still the offset.
        for query in ("before=2030-01-01T09:00+07:00", "before=2030-01-01+09:00:00.5+0700"):
            response = self.reader.client().get(f"/api/v1/releases/?{query}")
            self.assertEqual(response.status_code, 200, (query, response.content[:300]))


class FormTextTests(PersonaTestCase):
    """Issue #19: text fields take what the schema says, in a form as in JSON. The deep run
    had `POST /credentials/` accept `agency=` (DRF reads a blank optional form field as left
    out) and a name of 102 characters whose white space at the ends DRF trimmed before
    measuring it against maxLength 100."""

    def _codes(self, data: dict, form: str | None) -> list[tuple[str, str]]:
        response = self.our.client().post("/api/v1/credentials/", data, format=form)
        self.assertEqual(response.status_code, 400, (data, form, response.content[:300]))
        return [(error["field"], error["code"]) for error in response.json()["errors"]]

    def test_blank_padded_and_python_white_space_are_what_the_schema_says(self):
        pattern = re.compile(FREE_TEXT_PATTERN)
        for form in ("json", "multipart", None):
            with self.subTest(form=form):
                base = {"name": "key", "scopes": ["read"]}
                self.assertEqual(self._codes({**base, "agency": ""}, form), [("agency", "blank")])
                padded = {**base, "name": "\x0b" + "n" * 100 + "\x1d"}
                self.assertEqual(self._codes(padded, form), [("name", "max_length")])
                for blank in ("\x1d", "\x85 ", "\u3000"):
                    self.assertIsNone(pattern.fullmatch(blank))
                    self.assertEqual(
                        self._codes({**base, "name": blank}, form), [("name", "blank")]
                    )
        # U+FEFF is white space to ECMA's `\s`, not to Python: the schema takes it, so must we.
        self.assertTrue(pattern.fullmatch("\ufeff"))
        response = self.our.client().post(
            "/api/v1/credentials/", {"name": "\ufeff", "scopes": ["read"]}, format="json"
        )
        self.assertEqual(response.status_code, 201, response.content[:300])
