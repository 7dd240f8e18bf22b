"""Helpers for the case API tests: token-authenticated clients and URLs by case code."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from corett.accounts.models import ApiToken
from corett.cases.models import Case

JSON = "application/json"


def token_for(user: Any) -> str:
    raw = ApiToken.generate()
    ApiToken.objects.create(user=user, name="tests", digest=ApiToken.digest_of(raw), hint=raw[:8])
    return raw


class Api:
    """A test client that sends ``Authorization: Bearer <personal token>`` and JSON bodies."""

    def __init__(self, user: Any, language: str = "en") -> None:
        self.user = user
        self.client = Client(
            HTTP_AUTHORIZATION=f"Bearer {token_for(user)}", HTTP_ACCEPT_LANGUAGE=language
        )

    def get(self, url: str, params: dict | None = None, **extra: Any):
        return self.client.get(url, params or {}, **extra)

    def post(self, url: str, data: dict | None = None, **extra: Any):
        return self.client.post(url, data or {}, content_type=JSON, **extra)

    def patch(self, url: str, data: dict, **extra: Any):
        return self.client.patch(url, data, content_type=JSON, **extra)


def case_url(name: str, case: Case | str, **kwargs: Any) -> str:
    """``case_url("detail", case)`` -> /api/v1/cases/RP-…/ ; ``case_url("request-origin", case)``."""
    code = case if isinstance(case, str) else case.code
    return reverse(f"api:case-{name}", kwargs={"code": code, **kwargs})


LIST_URL = "/api/v1/cases/"
FUNDING_URL = "/api/v1/funding-requests/"

# Every GET endpoint under one case, and every POST (transitions and sub-resources), by URL name.
CASE_GETS = ["detail", "consents", "related-people", "approvals", "funding-requests", "stage-history", "tasks", "follow-ups"]
CASE_POSTS = ["consents", "related-people", "approvals", "funding-requests"]
