"""The OpenAPI schema describes every endpoint, and the docs pages are self-hosted."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db

EXPECTED = {
    "/api/auth/token/": {"post", "delete"},
    "/api/tenders/": {"get"},
    "/api/tenders/{id}/": {"get"},
    "/api/agency/tenders/": {"get", "post"},
    "/api/agency/tenders/{id}/": {"get", "put"},
    "/api/agency/tenders/{id}/documents/": {"post"},
    "/api/agency/tenders/{id}/submit/": {"post"},
    "/api/centre/tenders/{id}/review/": {"post"},
}


def test_schema_lists_every_endpoint_with_its_methods(anon):
    response = anon.get("/api/schema/?format=json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path, methods in EXPECTED.items():
        assert path in schema["paths"], path
        assert methods <= set(schema["paths"][path]), (path, set(schema["paths"][path]))


def test_schema_is_valid_openapi_and_documents_errors():
    schema = SchemaGenerator().get_schema(request=None, public=True)

    validate_schema(schema)
    assert "Error" in schema["components"]["schemas"]
    create = schema["paths"]["/api/agency/tenders/"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/TenderInputRequest")
    for code in ("400", "403"):
        assert create["responses"][code]["content"]["application/json"]["schema"]["$ref"].endswith("/Error")
    assert "409" in schema["paths"]["/api/agency/tenders/{id}/submit/"]["post"]["responses"]
    upload = schema["paths"]["/api/agency/tenders/{id}/documents/"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    listing = schema["paths"]["/api/tenders/"]["get"]
    names = {p["name"] for p in listing["parameters"]}
    assert {"q", "category", "method", "region", "published_from", "published_to", "open_only", "ordering",
            "page"} <= names
    assert listing["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/PaginatedTenderSummaryList")
    header = {p["name"] for p in create["parameters"] if p["in"] == "header"}
    assert header == {"X-Acting-Organisation"}


def _asset_urls(html: str) -> list[str]:
    return re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_docs_pages_render_with_self_hosted_assets_only(anon, path):
    response = anon.get(path)

    assert response.status_code == 200
    html = response.content.decode()
    assert "/api/schema/" in html
    assert not re.search(r"(?:https?:)?//(?!127\.0\.0\.1|localhost|testserver)[a-z0-9.-]+\.[a-z]{2,}", html,
                         re.IGNORECASE), "the page loads something from another site"
    assets = [url for url in _asset_urls(html) if url.startswith("/static/")]
    assert assets, "the page should load its scripts from our own static files"
    for url in assets:
        assert finders.find(url.removeprefix("/static/")), url


def test_swagger_ui_does_not_call_the_online_validator(anon):
    html = (anon.get("/api/docs/")).content.decode()

    assert '"validatorUrl": null' in html
