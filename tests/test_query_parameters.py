"""Query parameters every API view shares, refused the same way everywhere: `format`
(content negotiation), the Accept header, `limit`/`offset`, and unknown parameters on lists.
Each refusal is a problem+json naming the parameter, never a silent default or a bare 404."""

from __future__ import annotations

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
