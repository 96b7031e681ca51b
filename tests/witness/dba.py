"""What a database administrator can do that the application cannot: switch off the ledger's triggers.

Used by the tamper tests (to prove witness_verify catches what the triggers no longer stop) and by the test
suite's flush between transactional tests (which empties every table, the ledger included)."""

from __future__ import annotations

import importlib
from contextlib import contextmanager

from django.db import connection as default_connection

from witness.chain import GENESIS_HASH

_append_only = importlib.import_module("witness.migrations.0002_append_only")
SQLITE_TRIGGERS = ("witness_event_no_update", "witness_event_no_delete")


# PostgreSQL will not ALTER a table with deferred foreign-key checks still queued in the transaction
# ("pending trigger events"), so those run first; the checks are deferred again afterwards, as Django has them.
def disable_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return ["SET CONSTRAINTS ALL IMMEDIATE", "ALTER TABLE witness_event DISABLE TRIGGER USER"]
    return [f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS]


def enable_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return ["SET CONSTRAINTS ALL IMMEDIATE", "ALTER TABLE witness_event ENABLE TRIGGER USER",
                "SET CONSTRAINTS ALL DEFERRED"]
    return list(_append_only.SQLITE_UP)


@contextmanager
def triggers_disabled(connection=default_connection):
    """Inside: raw UPDATE and DELETE on witness_event go through. PostgreSQL: DISABLE TRIGGER USER (needs the
    table's owner or a superuser); SQLite: drop the triggers and create them again on the way out."""
    vendor = connection.vendor
    with connection.cursor() as cursor:
        for sql in disable_sql(vendor):
            cursor.execute(sql)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for sql in enable_sql(vendor):
                cursor.execute(sql)


def flush_through_triggers(original):
    """Wrap DatabaseOperations.execute_sql_flush so a flush of every table (between transactional tests) gets
    past the append-only triggers and leaves the genesis chain head, as migrating a fresh database does."""

    def execute_sql_flush(self, sql_list):
        if not any("witness_event" in sql for sql in sql_list):
            return original(self, sql_list)
        vendor = self.connection.vendor
        head = []
        if any("witness_chainhead" in sql for sql in sql_list):
            head = [f"INSERT INTO witness_chainhead (id, seq, hash) VALUES (1, 0, '{GENESIS_HASH}')"]
        return original(self, [*disable_sql(vendor), *sql_list, *enable_sql(vendor), *head])

    execute_sql_flush.wrapped = original
    return execute_sql_flush
