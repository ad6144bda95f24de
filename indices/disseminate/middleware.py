"""A repeated read answered before its URL is resolved.

Once a web process has answered a request of a shape (path, query string, Accept, Host) through
the data views (indices/disseminate/apis/base.py `StoredAnswers`), it knows which view answers
it; the next one is answered from the process's memory here, innermost, without resolving the
URL or building the view: what it costs beside what every answer costs is the answer's own
checks (indices/disseminate/answers.py `answer_from_memory`). The outer middleware still adds
its headers, as to every answer. Anything not known goes on to the view.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

from indices.disseminate.answers import answer_from_memory


class RepeatedAnswersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        answer = answer_from_memory(request)
        return answer if answer is not None else self.get_response(request)
