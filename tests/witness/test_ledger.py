"""The witness ledger: append-only in the ORM and in the database, verifiable end to end, and tampering by
someone who can switch the triggers off is caught by witness_verify, naming the first bad event."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import translation
from django.utils.dateparse import parse_datetime

from accounts.services import organisation_register, organisation_review
from bidding.services import tender_review, tender_submit
from core.actor import Actor
from core.errors import DomainError
from tests.factories import credit_code, make_tender
from tests.witness.dba import triggers_disabled
from witness.chain import GENESIS_HASH
from witness.models import AppendOnlyError, ChainHead, Event
from witness.services import event_record
from witness.verify import chain_verify
from workdays.services import workday_override_set

pytestmark = pytest.mark.django_db
COLUMNS = ("created_at", "actor_id", "actor_name", "organisation_id", "organisation_name", "role", "ip", "action",
           "subject_type", "subject_id", "tender_id", "data", "prev_hash", "hash")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield



def append(n: int, *, actor: Actor | None = None) -> list[Event]:
    actor = actor or Actor.system("test")
    return [event_record(actor=actor, action="test.appended", subject_type="test", subject_id=i,
                         data={"i": i, "amount": Decimal("12.50"), "名称": "见证"}) for i in range(n)]


def verify_command() -> tuple[int, str]:
    """Run witness_verify as an operator would: (exit code, everything it printed)."""
    out, err = StringIO(), StringIO()
    try:
        call_command("witness_verify", stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue() + err.getvalue()


# --- raw SQL, as a DBA would write it ------------------------------------------------------------------------

def _data_placeholder() -> str:
    return "%s::jsonb" if connection.vendor == "postgresql" else "%s"


def raw_read(seq: int) -> dict:
    data_col = "data::text" if connection.vendor == "postgresql" else "data"
    cols = ", ".join(data_col if c == "data" else c for c in COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {cols} FROM witness_event WHERE seq = %s", [seq])
        return dict(zip(COLUMNS, cursor.fetchone()))


def raw_update(seq: int, values: dict) -> None:
    sets = ", ".join(f"{c} = {_data_placeholder() if c == 'data' else '%s'}" for c in values)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE witness_event SET {sets} WHERE seq = %s", [*values.values(), seq])


def raw_delete(seq: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM witness_event WHERE seq = %s", [seq])


# --- the chain holds ------------------------------------------------------------------------------------------

def test_the_chain_verifies_after_a_mix_of_service_calls(agency, centre):
    org = organisation_register(name="湖州某建设有限公司", credit_code_value=credit_code(), kind="bidder",
                                username="lisi", password="Bamboo-Forest-2026", email="lisi@example.cn",
                                full_name="李四", ip="198.51.100.9")
    organisation_review(actor=centre, organisation=org, approve=True)
    tender = make_tender(agency=agency)
    tender_submit(actor=agency, tender=tender)
    tender_review(actor=centre, tender=tender, approve=True)
    workday_override_set(actor=centre, day=date(2026, 12, 31), is_working_day=False, note="年终结算")
    result = chain_verify()
    assert result.ok, result.reason
    assert result.checked == Event.objects.count() >= 7
    assert list(Event.objects.values_list("seq", flat=True)) == list(range(1, result.checked + 1))
    head = ChainHead.objects.get(pk=1)
    assert (head.seq, head.hash) == (result.checked, Event.objects.order_by("-seq").first().hash)


def test_an_empty_ledger_verifies():
    assert chain_verify().ok
    assert verify_command()[0] == 0


def test_events_link_from_genesis():
    events = append(3)
    assert events[0].prev_hash == GENESIS_HASH
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    assert [e.seq for e in events] == [1, 2, 3]


def test_an_auditor_can_recompute_every_hash_from_the_documented_encoding():
    """docs/witness.md, re-implemented here from the page, on rows read with plain SQL."""
    append(3, actor=Actor.system("test"))
    prev = GENESIS_HASH
    for seq in (1, 2, 3):
        row = raw_read(seq)
        created = row["created_at"]
        if isinstance(created, str):
            created = parse_datetime(created)
        if created.tzinfo is None:  # SQLite keeps UTC without an offset
            created = created.replace(tzinfo=UTC)
        record = {
            "v": 1, "seq": seq, "time": created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "actor": row["actor_id"], "actor_name": row["actor_name"], "org": row["organisation_id"],
            "org_name": row["organisation_name"], "role": row["role"], "ip": row["ip"], "action": row["action"],
            "subject_type": row["subject_type"], "subject_id": row["subject_id"], "tender": row["tender_id"],
            "data": json.loads(row["data"]), "prev": prev,
        }
        text = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        assert row["prev_hash"] == prev
        assert digest == row["hash"]
        prev = digest


def test_witness_verify_exits_zero_on_a_good_chain():
    append(5)
    code, output = verify_command()
    assert code == 0
    assert "OK: 5 events verified" in output


# --- the ORM refuses to change the past --------------------------------------------------------------------------

def test_the_orm_refuses_to_save_an_existing_event():
    append(1)
    event = Event.objects.get(seq=1)
    event.action = "forged"
    with pytest.raises(AppendOnlyError):
        event.save()
    assert Event.objects.get(seq=1).action == "test.appended"


def test_the_orm_refuses_to_save_the_event_it_just_recorded():
    event = append(1)[0]
    event.data = {"i": 99}
    with pytest.raises(AppendOnlyError):
        event.save()


def test_the_orm_refuses_to_delete_an_event():
    append(1)
    with pytest.raises(AppendOnlyError):
        Event.objects.get(seq=1).delete()
    assert Event.objects.count() == 1


@pytest.mark.parametrize("operation", [
    pytest.param(lambda qs: qs.update(action="forged"), id="queryset-update"),
    pytest.param(lambda qs: qs.delete(), id="queryset-delete"),
    pytest.param(lambda qs: qs.bulk_update(list(qs), ["action"]), id="bulk-update"),
    pytest.param(lambda qs: Event.objects.all().delete(), id="delete-all"),
])
def test_the_orm_refuses_queryset_changes(operation):
    append(2)
    with pytest.raises(AppendOnlyError):
        operation(Event.objects.filter(seq=1))
    assert Event.objects.count() == 2
    assert chain_verify().ok


# --- the database refuses too -------------------------------------------------------------------------------------

@pytest.mark.parametrize("sql", [
    pytest.param("UPDATE witness_event SET action = 'forged' WHERE seq = 1", id="raw-update"),
    pytest.param("DELETE FROM witness_event WHERE seq = 1", id="raw-delete"),
    pytest.param("DELETE FROM witness_event", id="raw-delete-all"),
])
def test_the_database_trigger_refuses_raw_changes(sql):
    append(2)
    with pytest.raises(DatabaseError) as caught:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert "append-only" in str(caught.value)
    assert Event.objects.count() == 2
    assert chain_verify().ok


def test_on_postgresql_truncate_is_refused():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    append(1)
    with pytest.raises(DatabaseError):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("TRUNCATE witness_event")
    assert Event.objects.count() == 1


def test_triggers_are_back_after_the_dba_helper():
    append(1)
    with triggers_disabled():
        pass
    with pytest.raises(DatabaseError):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM witness_event")


# --- a DBA who switches the triggers off is still caught ---------------------------------------------------------

def tamper_data(n: int) -> int:
    raw_update(3, {"data": json.dumps({"i": 2, "amount": "1250000.00", "名称": "见证"}, ensure_ascii=False)})
    return 3


def tamper_ip(n: int) -> int:
    raw_update(3, {"ip": "10.0.0.66"})
    return 3


def tamper_time(n: int) -> int:
    created = Event.objects.get(seq=4).created_at - timedelta(seconds=1)
    raw_update(4, {"created_at": created})
    return 4


def tamper_rehash(n: int) -> int:
    # change the data and store a fresh hash for it: the next event no longer links to it
    raw_update(3, {"data": json.dumps({"i": 0}), "hash": hashlib.sha256(b"forged").hexdigest()})
    return 3


def delete_middle(n: int) -> int:
    raw_delete(3)
    return 3


def delete_last(n: int) -> int:
    raw_delete(n)
    return n


def swap_rows(n: int) -> int:
    third, fourth = raw_read(3), raw_read(4)
    raw_update(3, fourth)
    raw_update(4, third)
    return 3


@pytest.mark.parametrize("tamper", [tamper_data, tamper_ip, tamper_time, tamper_rehash, delete_middle, delete_last,
                                    swap_rows], ids=lambda f: f.__name__.replace("_", "-"))
def test_tampering_makes_witness_verify_fail_naming_the_first_bad_event(tamper):
    # given a good chain of 6 events
    append(6)
    assert verify_command()[0] == 0
    # when someone with the database switches the triggers off and changes the past
    with triggers_disabled():
        bad = tamper(6)
    # then witness_verify exits non-zero and names the first bad event
    code, output = verify_command()
    assert code != 0
    assert f"FAILED at event #{bad}:" in output
    result = chain_verify()
    assert not result.ok and result.bad_seq == bad


def test_a_forged_event_appended_at_the_end_is_caught():
    append(3)
    last = raw_read(3)
    with connection.cursor() as cursor:
        cols = ", ".join(("seq", *COLUMNS))
        marks = ", ".join(_data_placeholder() if c == "data" else "%s" for c in ("seq", *COLUMNS))
        cursor.execute(f"INSERT INTO witness_event ({cols}) VALUES ({marks})",
                       [4, *{**last, "prev_hash": last["hash"], "hash": "f" * 64}.values()])
    code, output = verify_command()
    assert code != 0 and "#4" in output


# --- rollbacks and bad data ------------------------------------------------------------------------------------

def test_a_rolled_back_transaction_leaves_no_event_and_no_gap():
    append(2)
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            append(3)
            raise RuntimeError("the act failed after recording")
    assert Event.objects.count() == 2
    assert ChainHead.objects.get(pk=1).seq == 2
    assert append(1)[0].seq == 3
    assert chain_verify().ok


def test_a_refused_service_call_leaves_no_event(agency):
    before = Event.objects.count()
    with pytest.raises(DomainError):
        organisation_register(name="x", credit_code_value="bad", username="u", password="p", email="e",
                              full_name="f")
    assert Event.objects.count() == before
    assert chain_verify().ok


@pytest.mark.parametrize("data", [
    pytest.param({"price": 1.5}, id="float"),
    pytest.param({"lots": [{"ceiling": 2850000.0}]}, id="nested-float"),
])
def test_floats_in_data_are_refused(data):
    with pytest.raises(TypeError):
        event_record(actor=Actor.system("test"), action="test.float", subject_type="test", subject_id=1, data=data)
    assert Event.objects.count() == 0
    assert ChainHead.objects.get(pk=1).seq == 0


def test_decimals_and_times_are_stored_as_text():
    event = event_record(actor=Actor.system("test"), action="test.types", subject_type="test", subject_id=1,
                         data={"amount": Decimal("2850000.00"), "day": date(2026, 10, 8)})
    assert Event.objects.get(seq=event.seq).data == {"amount": "2850000.00", "day": "2026-10-08"}


def test_an_event_needs_a_subject():
    with pytest.raises(ValueError):
        event_record(actor=Actor.system("test"), action="test.nothing")
    assert not Event.objects.exists()
