"""What the agency, the tenderer, the regulator and the centre watch live: the stage and who has submitted each
step — never a score before the summary, never a name before the award except to those entitled (the
regulator, the members). The broadcast carries the nameless form; pages entitled to names re-read the API."""

from __future__ import annotations

from evaluation.models import Committee, Sheet, Step


def group_name(lot_id: int) -> str:
    return f"evaluation-{lot_id}"


def progress_state(committee: Committee, *, names: bool = False) -> dict:
    members = list(committee.members.order_by("position"))
    submitted = {(s.member_id, s.step): s.submitted_at for s in
                 Sheet.objects.filter(member__committee=committee, submitted_at__isnull=False)}
    report = getattr(committee, "report", None) if hasattr(committee, "report") else None
    rows = []
    for m in members:
        row = {"position": m.position, "kind": m.kind, "leader": m.is_leader, "voted": m.vote_id is not None,
               "review": submitted.get((m.pk, Step.REVIEW)) is not None,
               "scoring": submitted.get((m.pk, Step.SCORING)) is not None}
        if names:
            row["name"] = m.name
        if report is not None:
            signature = getattr(m, "signature", None) if hasattr(m, "signature") else None
            row["signed"] = signature.kind if signature is not None else ""
        rows.append(row)
    return {
        "lot": committee.lot_id, "stage": committee.stage, "members": rows,
        "counts": {step: sum(r[step] for r in rows) for step in ("review", "scoring")} | {"members": len(rows)},
        "questions": committee.questions.count(),
        "open_questions": committee.questions.filter(answered_at__isnull=True).count(),
        "summarised": committee.summarised_at is not None,
        "failure_reason": committee.failure_reason,
    }


def progress_broadcast(lot_id: int) -> None:
    """After a committed change: the progress state, coalesced per lot as the hall's is (witness.feed)."""
    from witness.feed import publish_latest

    publish_latest(f"progress:{lot_id}", lambda: progress_publish(lot_id))


def progress_publish(lot_id: int) -> None:
    from witness.feed import publish_group

    committee = Committee.objects.select_related("lot").filter(lot_id=lot_id).first()
    if committee is not None:
        publish_group(group_name(lot_id), {"type": "progress.state", "state": progress_state(committee)},
                      label=lot_id)
