from django.test import RequestFactory, SimpleTestCase
from rest_framework.test import APIClient

from ipi_exchange.http.problems import flatten_errors, problem_exception_handler
from tests.base import PersonaTestCase


class ProblemJsonTests(PersonaTestCase):
    def test_unknown_api_address_is_problem_json(self):
        self.assertProblem(APIClient().get("/api/v1/no-such-thing/"), 404, "not_found")

    def test_wrong_method_is_405_problem_json(self):
        self.assertProblem(self.our.client().delete("/api/v1/codelists/"), 405)

    def test_invalid_input_lists_each_field(self):
        response = self.secretariat.client().post(
            "/api/v1/agencies/", {"id": "bad id", "role": "king"}, format="json"
        )
        body = self.assertProblem(response, 400, "invalid")
        self.assertEqual({e["field"] for e in body["errors"]}, {"id", "name", "role"})
        self.assertTrue(all(e["message"] and e["code"] for e in body["errors"]))

    def test_malformed_json_is_400_not_500(self):
        response = self.secretariat.client().post(
            "/api/v1/agencies/", data="{not json", content_type="application/json"
        )
        self.assertProblem(response, 400, "parse_error")


class HandlerUnitTests(SimpleTestCase):
    def test_an_unexpected_exception_becomes_a_500_problem_without_internals(self):
        request = RequestFactory().get("/api/v1/")
        with self.assertLogs("ipi_exchange.http.problems", level="ERROR"):
            response = problem_exception_handler(
                RuntimeError("secret internals"), {"view": object(), "request": request}
            )
        self.assertEqual(response.status_code, 500)
        self.assertEqual(response["Content-Type"], "application/problem+json")
        self.assertNotIn(b"secret internals", response.content)

    def test_nested_errors_are_flattened_with_paths(self):
        errors = flatten_errors({"entries": [{"weight": ["bad"]}, {}], "name": ["required"]})
        self.assertEqual(
            [(e["field"], e["message"]) for e in errors],
            [("entries[0].weight", "bad"), ("name", "required")],
        )


class DjangoLevelErrorTests(SimpleTestCase):
    def test_a_disallowed_host_is_a_400_problem(self):
        response = self.client.get("/api/v1/", HTTP_HOST="evil.example")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response["Content-Type"], "application/problem+json")
