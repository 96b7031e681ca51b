"""The chain head's first row, and database triggers that refuse UPDATE and DELETE on the ledger.

The ORM refuses them too (witness.models); the triggers stop anyone going around the ORM.
A database superuser can still disable a trigger: that is what witness_verify is for."""

from django.db import migrations

GENESIS = "0" * 64

PG_UP = """
CREATE OR REPLACE FUNCTION witness_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'witness_event is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER witness_event_no_update BEFORE UPDATE OR DELETE ON witness_event
    FOR EACH ROW EXECUTE FUNCTION witness_event_append_only();
CREATE TRIGGER witness_event_no_truncate BEFORE TRUNCATE ON witness_event
    FOR EACH STATEMENT EXECUTE FUNCTION witness_event_append_only();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS witness_event_no_update ON witness_event;
DROP TRIGGER IF EXISTS witness_event_no_truncate ON witness_event;
DROP FUNCTION IF EXISTS witness_event_append_only();
"""
SQLITE_UP = [
    "CREATE TRIGGER witness_event_no_update BEFORE UPDATE ON witness_event "
    "BEGIN SELECT RAISE(ABORT, 'witness_event is append-only: UPDATE refused'); END;",
    "CREATE TRIGGER witness_event_no_delete BEFORE DELETE ON witness_event "
    "BEGIN SELECT RAISE(ABORT, 'witness_event is append-only: DELETE refused'); END;",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS witness_event_no_update;", "DROP TRIGGER IF EXISTS witness_event_no_delete;"]


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_UP, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_UP:
            schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DOWN, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_DOWN:
            schema_editor.execute(statement)


def create_head(apps, schema_editor):
    ChainHead = apps.get_model("witness", "ChainHead")
    ChainHead.objects.get_or_create(pk=1, defaults={"seq": 0, "hash": GENESIS})


class Migration(migrations.Migration):
    dependencies = [("witness", "0001_initial")]

    operations = [
        migrations.RunPython(create_head, migrations.RunPython.noop),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
