"""Public intermediary directory benchmark: 70 intermediaries, 1,000 findings (most decided with a card).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ebid BENCH_DATABASE=ebid_bench .venv/bin/python bench/agencies_directory.py

Creates its own database (BENCH_DATABASE), bulk-loads the directory (profiles, 5 staff with 2 certificates
each, findings and cards spread over the last two years so that some are in force and most expired), then
requests the public page /agencies/ (sorted by score, searched, a later page) and GET /api/agencies/ through
Django's test client. Prints median and p95 time per request and the SQL query count, at 10 and 70
intermediaries, to show the count stays constant."""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("BENCH_DATABASE", "ebid_bench")

from bench._common import fresh_django_database, server_facts  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "50"))
FINDINGS = 1000


def load(count: int, findings: int, rng: random.Random) -> None:
    from django.utils import timezone

    from accounts.credit_code import complete
    from accounts.models import Organisation, User
    from agencies.models import AgencyProfile, Card, Certificate, Finding, FindingStatus, StaffMember
    from agencies.rules import add_months, violation_types

    user = User.objects.create(username=f"reg{count}", full_name="监管员")
    regulator = Organisation.objects.create(name=f"发改局{count}", credit_code=complete(f"11330599{count:09d}"),
                                            kind="regulator", status="approved")
    base = Organisation.objects.filter(kind="agency").count()
    orgs = Organisation.objects.bulk_create([
        Organisation(name=f"浙江第{base + i}工程咨询有限公司", credit_code=complete(f"91330599MA{base + i:07d}"),
                     kind="agency", status="approved") for i in range(count)])
    AgencyProfile.objects.bulk_create([AgencyProfile(organisation=o, service_kinds=["tendering", "cost"],
                                                     registered_capital=rng.randint(100, 5000) * 10000) for o in orgs])
    staff = StaffMember.objects.bulk_create([
        StaffMember(agency=o, name=f"员工{o.pk}-{k}", id_number=f"33052319{o.pk:06d}{k:03d}X"[:18], role="technical")
        for o in orgs for k in range(5)])
    Certificate.objects.bulk_create([Certificate(staff=s, name="一级造价工程师", number=f"C{s.pk}-{k}")
                                     for s in staff for k in range(2)])
    types = violation_types()
    today = timezone.localdate()
    rows = []
    for n in range(findings):
        vt = rng.choice(types)
        day = today - timedelta(days=rng.randint(0, 720))
        at = timezone.make_aware(datetime.combine(day, datetime.min.time()))
        rows.append(Finding(agency=rng.choice(orgs), violation_type=vt.code, description="事实", recorded_by=user,
                            recorded_for=regulator, recorded_at=at, response_due=day + timedelta(days=7),
                            decision_due=day + timedelta(days=21), status=FindingStatus.CARDED, decided_at=at,
                            decided_by=user))
    made = Finding.objects.bulk_create(rows)
    Card.objects.bulk_create([
        Card(agency=f.agency, finding=f, violation_type=f.violation_type, colour=vt.colour, decided_colour=vt.colour,
             deduction=vt.deduction, issued_at=f.recorded_at, issued_on=f.recorded_at.date(),
             effective_on=f.recorded_at.date() + timedelta(days=1),
             expires_on=add_months(f.recorded_at.date(), {"blue": 3, "yellow": 6, "red": 12}[vt.colour]),
             notice_number=f"B{count}-{f.pk}")
        for f in made for vt in [next(t for t in types if t.code == f.violation_type)]])


def measure(client, path: str, params: dict) -> tuple[float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    queries = 0
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(path, params)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
        queries = len(ctx.captured_queries)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], queries


def main() -> None:
    url = fresh_django_database()
    from django.test import Client

    print(f"# {server_facts(url)}; {RUNS} requests each")
    rng = random.Random(8)
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    cases = [("page, by score", "/agencies/", {}), ("page, search", "/agencies/", {"q": "第1"}),
             ("page 3, by name", "/agencies/", {"sort": "name", "page": 3}),
             ("API list", "/api/agencies/", {})]
    for total, findings in ((10, FINDINGS // 7), (70, FINDINGS)):
        from accounts.models import Organisation

        load(total - Organisation.objects.filter(kind="agency").count(), findings - _findings(), rng)
        print(f"\n{total} intermediaries, {_findings()} findings/cards")
        print(f"{'request':<20} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
        for label, path, params in cases:
            med, p95, queries = measure(client, path, params)
            print(f"{label:<20} {med:>10.1f} {p95:>8.1f} {queries:>8}")


def _findings() -> int:
    from agencies.models import Finding

    return Finding.objects.count()


if __name__ == "__main__":
    main()
