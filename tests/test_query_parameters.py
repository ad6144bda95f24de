"""Query parameters every API view shares, refused the same way everywhere: `format`
(content negotiation), the Accept header, `limit`/`offset`, and unknown parameters on lists.
Each refusal is a problem+json naming the parameter, never a silent default or a bare 404."""

from __future__ import annotations

from urllib.parse import quote

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.base import PersonaTestCase


class FormatParameterTests(PersonaTestCase):
    def test_an_unknown_format_is_400_naming_format_and_the_formats_offered(self):
        cases = [
            (self.reader, "/api/v1/data/M.TH.C.N.IX?format=xml", ("json", "csv")),
            (self.reader, "/api/v1/series/?format=csv", ("json",)),
            (self.our, "/api/v1/submissions/templates/?format=pdf", ("xlsx", "csv")),
            (self.our, "/api/v1/submissions/?format=CSV", ("json",)),
        ]
        for persona, url, offered in cases:
            with self.subTest(url=url):
                body = self.assertProblem(persona.client().get(url), 400, "invalid")
                (error,) = body["errors"]
                self.assertEqual((error["field"], error["code"]), ("format", "invalid_choice"))
                for name in offered:
                    self.assertIn(name, error["message"])

    def test_known_formats_still_negotiate(self):
        response = self.our.client().get("/api/v1/submissions/templates/?format=csv")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response["Content-Type"].startswith("text/csv"))

    def test_an_accept_header_no_renderer_satisfies_is_406_problem_json(self):
        for url in ("/api/v1/series/", "/api/v1/data/M.TH.C.N.IX", "/api/v1/codelists/"):
            with self.subTest(url=url):
                response = self.reader.client().get(url, HTTP_ACCEPT="application/pdf")
                body = self.assertProblem(response, 406, "not_acceptable")
                self.assertIn("application/json", body["detail"])


class PaginationParameterTests(PersonaTestCase):
    def test_malformed_limit_or_offset_is_400_naming_it(self):
        urls = ["/api/v1/series/", "/api/v1/releases/", "/api/v1/countries/"]
        cases = [
            ("limit=abc", "limit"),
            ("limit=0", "limit"),
            ("limit=-5", "limit"),
            ("limit=1.5", "limit"),
            ("limit=99999999999999999999", "limit"),
            ("offset=-1", "offset"),
            ("offset=x", "offset"),
        ]
        for url in urls:
            for query, field in cases:
                with self.subTest(url=url, query=query):
                    response = self.reader.client().get(f"{url}?{query}")
                    body = self.assertProblem(response, 400, "invalid")
                    (error,) = body["errors"]
                    self.assertEqual((error["field"], error["code"]), (field, "invalid_number"))

    def test_valid_limit_and_offset_page_as_before(self):
        client = self.reader.client()
        first = client.get("/api/v1/countries/?limit=1").json()
        self.assertEqual(len(first["results"]), 1)
        self.assertIn("offset=1", first["next"])
        second = client.get("/api/v1/countries/?limit=1&offset=1").json()
        self.assertNotEqual(second["results"], first["results"])
        # Empty means the default, as DRF does.
        everything = client.get("/api/v1/countries/?limit=&offset=").json()
        self.assertEqual(len(everything["results"]), min(everything["count"], 100))


class UnknownListParameterTests(PersonaTestCase):
    def test_the_submission_list_refuses_unknown_parameters(self):
        client = self.our.client()
        for query, field in (("dry_run=false", "dry_run"), ("satus=ACCEPTED", "satus")):
            with self.subTest(query=query):
                body = self.assertProblem(client.get(f"/api/v1/submissions/?{query}"), 400)
                self.assertEqual(
                    [(e["field"], e["code"]) for e in body["errors"]],
                    [(field, "unknown_parameter")],
                )
        known = "status=ACCEPTED&status=REJECTED&country=TH&limit=5&offset=0&format=json"
        self.assertEqual(client.get(f"/api/v1/submissions/?{known}").status_code, 200)


class PeriodParameterTests(PersonaTestCase):
    def test_a_period_that_does_not_exist_says_what_to_write(self):
        for value in ("2024-13", "2024-02-30"):
            with self.subTest(value=value):
                response = self.reader.client().get(f"/api/v1/data/M.TH.C.N.IX?startPeriod={value}")
                body = self.assertProblem(response, 400, "invalid")
                (error,) = body["errors"]
                self.assertEqual((error["field"], error["code"]), ("startPeriod", "invalid_period"))
                self.assertIn("is not a real period", error["message"])
                self.assertIn("use YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD", error["message"])


class EmptyParameterTests(PersonaTestCase):
    """`name=` with no value was read as if absent: the default, in silence."""

    def test_an_empty_parameter_is_400_naming_it(self):
        cases = [
            (self.reader, "/api/v1/series/?format=", "format"),
            (self.reader, "/api/v1/codelists/?format=", "format"),
            (self.our, "/api/v1/submissions/templates/?layout=", "layout"),
            (self.our, "/api/v1/submissions/templates/?months=", "months"),
            (self.reader, "/api/v1/releases/?status=", "status"),
            (self.our, "/api/v1/submissions/?status=", "status"),
            (self.reader, "/api/v1/data/M.TH.C.N.IX?includeHistory=", "includeHistory"),
            (self.reader, "/api/v1/data/M.TH.C.N.IX?lastNObservations=", "lastNObservations"),
            (self.reader, "/api/v1/data/M.TH.C.N.IX?startPeriod=", "startPeriod"),
        ]
        for persona, url, field in cases:
            with self.subTest(url=url):
                body = self.assertProblem(persona.client().get(url), 400, "invalid")
                self.assertEqual(
                    [(e["field"], e["code"]) for e in body["errors"]], [(field, "blank")]
                )

    def test_empty_sdmx_switches_are_sdmx_syntax_errors(self):
        for query in ("includeHistory=", "lastNObservations="):
            with self.subTest(query=query):
                response = self.reader.client().get(f"/sdmx/data/MKG,DF_IPI,1.0/all?{query}")
                self.assertEqual(response.status_code, 400, response.content[:300])
                self.assertIn(query.rstrip("="), response.content.decode())


# 2024 in the digits of other scripts: Arabic-Indic, fullwidth, Devanagari, Thai.
OTHER_DIGITS = ("\u0662\u0660\u0662\u0664", "\uff12\uff10\uff12\uff14", "२०२४", "๒๐๒๔")


class NonAsciiDigitTests(PersonaTestCase):
    """Python's int() and regex \\d read other scripts' digits as 0-9, so some parameters took
    "٢٠٢٤" for 2024 while others refused it: every parameter refuses them now."""

    def test_every_numeric_parameter_refuses_other_digits_naming_it(self):
        cases = [
            (self.reader, "/api/v1/data/M.TH.C.N.IX", "startPeriod", "{}"),
            (self.reader, "/api/v1/data/M.TH.C.N.IX", "asOf", "{}-01-01"),
            (self.reader, "/api/v1/data/M.TH.C.N.IX", "lastNObservations", "{}"),
            (self.reader, "/api/v1/series/", "limit", "{}"),
            (self.reader, "/api/v1/releases/", "after", "{}-01-01"),
            (self.reader, "/api/v1/bulk/data.csv", "endPeriod", "{}"),
            (self.our, "/api/v1/submissions/", "received_after", "{}-01-01T00:00:00Z"),
            (self.our, "/api/v1/submissions/templates/", "months", "1{}"),
            (self.secretariat, "/api/v1/weights/", "year", "{}"),
            (self.reader, "/api/v1/classifications/TSIC2009/concordance/", "version", "{}"),
        ]
        for digits in OTHER_DIGITS:
            for persona, url, name, template in cases:
                value = template.format(digits)
                with self.subTest(url=url, name=name, digits=digits):
                    response = persona.client().get(url, {name: value})
                    body = self.assertProblem(response, 400, "invalid")
                    self.assertEqual(
                        [(e["field"], e["code"]) for e in body["errors"]],
                        [(name, "invalid_digits")],
                    )
        # Free text may hold any digits.
        upload = SimpleUploadedFile("th.csv", b"REF_AREA\nTH\n", "text/csv")
        response = self.our.client().post(
            "/api/v1/submissions/?comment=" + quote("ข้อมูล ๒๕๖๗"), {"file": upload}
        )
        self.assertEqual(response.status_code, 202, response.content[:300])
        self.assertEqual(response.json()["comment"], "ข้อมูล ๒๕๖๗")

    def test_sdmx_parameters_refuse_them_too(self):
        for digits in OTHER_DIGITS:
            with self.subTest(digits=digits):
                response = self.reader.client().get(
                    "/sdmx/data/MKG,DF_IPI,1.0/all", {"startPeriod": digits}
                )
                self.assertEqual(response.status_code, 400, response.content[:300])
                self.assertIn("ASCII digits", response.content.decode())
