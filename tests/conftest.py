from __future__ import annotations

import pytest
from django.conf import settings

from tests.factories import actor_of, make_tender


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DEMO_KEYS_DIR = tmp_path / "demo-keys"
    # Password hashing at production strength costs ~0.3 s a user; the suite makes thousands.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def _test_ca() -> tuple[str, str]:
    from core.pdfsign import ca_create

    return ca_create(common_name="测试平台 CA", organisation_name="测试公共资源交易中心")


@pytest.fixture(autouse=True)
def _platform_ca(settings, _test_ca):
    """pytest-django runs with DEBUG off, where the platform insists on a configured CA: give it one."""
    if not settings.PLATFORM_CA_KEY:
        settings.PLATFORM_CA_KEY, settings.PLATFORM_CA_CERT = _test_ca


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (with REDIS_URL it lives in Redis and would outlast the run)."""
    from django.core.cache import cache

    cache.clear()


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


@pytest.fixture(scope="session", autouse=True)
def _flush_through_ledger_triggers():
    """Transactional tests (transaction=True, live_server) end with a flush of every table. The ledger's
    append-only triggers refuse it, and it removes the chain head row a migration made; let the flush
    through and put the genesis head back (tests only: see tests/witness/dba.py)."""
    from django.db.backends.base.operations import BaseDatabaseOperations

    from tests.witness.dba import flush_through_triggers

    original = BaseDatabaseOperations.execute_sql_flush
    BaseDatabaseOperations.execute_sql_flush = flush_through_triggers(original)
    yield
    BaseDatabaseOperations.execute_sql_flush = original


@pytest.fixture(autouse=True, scope="session")
def _celery_inline():
    """No worker runs beside the tests: tasks run inline even when REDIS_URL names a broker."""
    from config.celery import app

    conf = app.conf
    before = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager, conf.task_eager_propagates = True, True
    yield
    conf.task_always_eager, conf.task_eager_propagates = before


@pytest.fixture
def specialties_seeded(transactional_db):
    """A transactional test's database was flushed by an earlier one, taking the data migrations' rows with it:
    put the specialty tree (experts/migrations/0002) back."""
    import importlib

    from django.apps import apps
    from experts.models import Specialty

    if not Specialty.objects.exists():
        importlib.import_module("experts.migrations.0002_seed_specialties").seed(apps, None)
