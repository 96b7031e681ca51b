"""Recompute a draw from its recorded inputs and compare (docs/draws.md): `manage.py draw_verify <id>`
and the regulator's verify page call this."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from core import lottery
from experts.models import Draw
from witness.models import Event


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


@dataclass
class Report:
    draw_id: int
    checks: list[Check] = field(default_factory=list)
    recomputed: list[tuple[str, int]] = field(default_factory=list)
    recorded: list[tuple[str, int]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    def add(self, name: str, ok: bool, detail: str) -> None:
        self.checks.append(Check(name, ok, detail))


def _ledger(draw: Draw, action: str) -> list[dict]:
    return list(Event.objects.filter(subject_type="experts.draw", subject_id=str(draw.pk), action=action)
                .order_by("seq").values_list("data", flat=True))


def draw_verify(draw: Draw, *, seed: bytes | None = None) -> Report:
    from experts.services.draws import draw_seed

    report = Report(draw_id=draw.pk)
    commits = _ledger(draw, "draw.committed")
    if not commits:
        report.add("commitment", False, _("No commitment for this draw in the ledger: it was never drawn."))
        return report
    committed = commits[0]
    seed = seed if seed is not None else draw_seed(draw)
    seed_sha = lottery.seed_hash(seed)
    report.add("seed", seed_sha == committed["seed_sha256"],
               _("SHA-256 of the seed %(got)s; committed before the draw %(want)s.")
               % {"got": seed_sha, "want": committed["seed_sha256"]})
    buckets = [lottery.Bucket.of(str(b.position), b.count, b.eligible) for b in draw.buckets.order_by("position")]
    snap = lottery.snapshot_hash(buckets)
    report.add("snapshot", snap == committed["snapshot_sha256"],
               _("SHA-256 of the recorded eligible sets %(got)s; committed %(want)s.")
               % {"got": snap, "want": committed["snapshot_sha256"]})
    rules = lottery.digest(draw.rules)
    report.add("rules", rules == committed["rules_sha256"] and draw.rules == committed.get("rules", draw.rules),
               _("SHA-256 of the recorded rules %(got)s; committed %(want)s.")
               % {"got": rules, "want": committed["rules_sha256"]})
    selections = list(draw.selections.select_related("bucket", "replaces").order_by("sequence"))
    vacancies = [str(s.bucket.position) for s in selections if s.replaces_id is not None]
    replay = lottery.replay(seed, buckets, vacancies)
    report.recomputed = replay.taken
    report.recorded = [(str(s.bucket.position), s.expert_id) for s in selections]
    differences = []
    for n in range(max(len(report.recomputed), len(report.recorded))):
        want = report.recomputed[n] if n < len(report.recomputed) else None
        got = report.recorded[n] if n < len(report.recorded) else None
        if want != got:
            differences.append(_("seat %(n)d: recomputed %(want)s, recorded %(got)s") % {
                "n": n + 1, "want": f"expert #{want[1]} (bucket {want[0]})" if want else "-",
                "got": f"expert #{got[1]} (bucket {got[0]})" if got else "-"})
    report.add("result", not differences,
               "; ".join(differences) if differences else _("%(n)d selections recomputed and identical.")
               % {"n": len(report.recorded)})
    recorded_hash = lottery.result_hash(report.recorded)
    ledger_hashes = [d["result_sha256"] for d in _ledger(draw, "draw.drawn") + _ledger(draw, "draw.replacement")]
    report.add("ledger", bool(ledger_hashes) and recorded_hash == ledger_hashes[-1],
               _("SHA-256 of the recorded result %(got)s; last recorded in the ledger %(want)s.")
               % {"got": recorded_hash, "want": ledger_hashes[-1] if ledger_hashes else "-"})
    return report
