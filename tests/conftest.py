from __future__ import annotations

import pytest
from django.conf import settings

from tests.factories import actor_of, make_tender


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def centre(db):
    return actor_of("centre")


@pytest.fixture
def regulator(db):
    return actor_of("regulator")


@pytest.fixture
def agency(db):
    return actor_of("agency")


@pytest.fixture
def tenderer(db):
    return actor_of("tenderer")


@pytest.fixture
def bidder(db):
    return actor_of("bidder")


@pytest.fixture
def draft_tender(agency, tenderer):
    return make_tender(agency=agency, tenderer=tenderer.organisation)


def is_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
