"""Requesting and running a draw for a lot (RULES X3, X4, X6)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connections, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bidding.hooks import known_bidders
from bidding.models import Lot
from bidding.models import TenderStatus as TS
from bidding.services.tenders import Errors
from core import clock, lottery
from core.actor import Actor
from core.errors import DomainError, NotFound, PermissionDenied
from experts import eligibility, identity
from experts.lifecycle import draw_transition
from experts.models import Draw, DrawBucket, DrawStatus, Selection, Specialty
from experts.notify import notify
from experts.rules import committed_rules, committee_errors, timing_errors
from witness.services import event_record

DRAWABLE_TENDER_STATES = {TS.PUBLISHED, TS.OPENING, TS.OPENED}


@dataclass
class BucketInput:
    specialty_id: int | None
    count: int | None


@dataclass
class DrawInput:
    lot_id: int
    evaluation_at: datetime | None
    committee_size: int | None
    buckets: list[BucketInput] = field(default_factory=list)
    evaluation_place: str = ""
    remote: bool = False
    allowed_regions: list[str] = field(default_factory=list)


def _lot_for_operator(actor: Actor, lot_id: int) -> Lot:
    lot = Lot.objects.select_related("tender").filter(pk=lot_id).first()
    if lot is None:
        raise NotFound(_("No such lot."))
    tender = lot.tender
    if actor.role not in {"agency", "tenderer"} or actor.organisation is None \
            or actor.organisation_id != tender.operator_id or not actor.organisation.is_approved:
        raise PermissionDenied(_("Only the agency running this tender (or the tenderer, when it runs the tender "
                                 "itself) can request an expert draw."))
    return lot


def draw_request(*, actor: Actor, data: DrawInput) -> Draw:
    lot = _lot_for_operator(actor, data.lot_id)
    tender = lot.tender
    errors = Errors()
    now = clock.now()
    if tender.status not in DRAWABLE_TENDER_STATES:
        errors.add("lot", _("Experts are drawn for a published tender before its evaluation; this one is %(s)s.")
                   % {"s": tender.get_status_display()})
    if Draw.objects.filter(lot=lot).exclude(status=DrawStatus.STOPPED).exists():
        errors.add("lot", _("This lot already has an expert draw."))
    specialties = {s.pk: s for s in Specialty.objects.filter(
        pk__in=[b.specialty_id for b in data.buckets if b.specialty_id], is_active=True)}
    buckets: list[BucketInput] = []
    for index, bucket in enumerate(data.buckets, start=1):
        if bucket.specialty_id is None and not bucket.count:
            continue
        if bucket.specialty_id not in specialties:
            errors.add(f"buckets.{index}.specialty", _("Unknown specialty: choose one from the specialty tree."))
        elif any(b.specialty_id == bucket.specialty_id for b in buckets):
            errors.add(f"buckets.{index}.specialty", _("Each specialty may appear in one line only."))
        if not isinstance(bucket.count, int) or bucket.count < 1:
            errors.add(f"buckets.{index}.count", _("Enter how many experts to draw, at least 1."))
        buckets.append(bucket)
    if not buckets:
        errors.add("buckets", _("Ask for experts from at least one specialty."))
    size = data.committee_size
    if not isinstance(size, int) or size < 1:
        errors.add("committee_size", _("Enter the committee size."))
    else:
        for message in committee_errors(tender, size, sum(b.count or 0 for b in buckets)):
            errors.add("committee_size", message)
    if data.evaluation_at is None:
        errors.add("evaluation_at", _("Enter the evaluation date and time."))
    else:
        for message in timing_errors(data.evaluation_at, now):
            errors.add("evaluation_at", message)
    if not data.remote and not data.evaluation_place.strip():
        errors.add("evaluation_place", _("Enter the evaluation place, or choose remote off-site evaluation."))
    if data.remote and not [r for r in data.allowed_regions if r.strip()]:
        errors.add("allowed_regions", _("For remote off-site evaluation, list the regions to draw from."))
    errors.raise_if_any()
    with transaction.atomic():
        draw = Draw.objects.create(
            tender=tender, lot=lot, requested_by=actor.organisation, evaluation_at=data.evaluation_at,
            evaluation_place=data.evaluation_place.strip()[:200], remote=data.remote,
            allowed_regions=[r.strip() for r in data.allowed_regions if r.strip()] if data.remote else [],
            committee_size=size, created_by=actor.user, created_at=now)
        DrawBucket.objects.bulk_create([DrawBucket(draw=draw, position=i, specialty_id=b.specialty_id, count=b.count)
                                        for i, b in enumerate(buckets, start=1)])
        event_record(actor=actor, action="draw.requested", subject=draw, tender_id=tender.pk, data={
            "lot": lot.pk, "committee_size": size, "evaluation_at": data.evaluation_at.isoformat(),
            "buckets": [[specialties[b.specialty_id].code, b.count] for b in buckets]})
    return draw


def _criteria(draw: Draw, now: datetime) -> eligibility.Criteria:
    tender = draw.tender
    parties = sorted({tender.tenderer_id, *([tender.agency_id] if tender.agency_id else []),
                      *known_bidders(draw.lot)})
    return eligibility.Criteria(
        day=timezone.localtime(draw.evaluation_at).date(), now=now, party_ids=parties,
        project_region=tender.region, exclude_own_county=settings.DRAW_EXCLUDE_OWN_COUNTY and not draw.remote,
        allowed_regions=list(draw.allowed_regions), penalty_years=settings.DRAW_PENALTY_YEARS,
        relationship_years=settings.DRAW_RELATIONSHIP_YEARS, max_selections=settings.DRAW_MAX_SELECTIONS,
        selection_window_days=settings.DRAW_SELECTION_WINDOW_DAYS, max_age=settings.EXPERT_MAX_AGE,
        exclude_draw_id=draw.pk)


def shortage_message(bucket: DrawBucket, needed: int, available: int) -> str:
    reasons = Counter({reason: len(ids) for reason, ids in (bucket.excluded or {}).items()})
    main = "; ".join(f"{n} {eligibility.REASONS.get(r, r)}" for r, n in reasons.most_common(3))
    return _("Bucket %(pos)d (%(spec)s) needs %(needed)d experts but only %(avail)d are eligible. Main reasons "
             "others were excluded: %(reasons)s.") % {
        "pos": bucket.position, "spec": bucket.specialty.name, "needed": needed, "avail": available,
        "reasons": main or _("none recorded (too few experts hold this specialty)")}


def _snapshot_save(buckets: list[DrawBucket]) -> None:
    """Store each bucket's eligible ids and exclusions: one UPDATE per bucket, sent together (psycopg pipelines
    executemany). The ORM's bulk_update writes one CASE per field and cost more to compose than to run."""
    table = DrawBucket._meta.db_table
    with connections[DrawBucket.objects.db].cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET eligible = %s, excluded = %s WHERE id = %s",
                           [(json.dumps(b.eligible), json.dumps(b.excluded), b.pk) for b in buckets])


def draw_run(*, actor: Actor, draw: Draw) -> Draw:
    """Compute the eligible sets, commit to seed, snapshot and rules in the ledger, then draw and notify."""
    now = clock.now()
    with transaction.atomic():
        draw = Draw.objects.select_for_update().select_related("tender", "lot").get(pk=draw.pk)
        if draw.status != DrawStatus.REQUESTED:
            raise DomainError(_("This draw has already run."))
        problems = timing_errors(draw.evaluation_at, now)
        if problems:
            raise DomainError(problems[0], field="evaluation_at")
        buckets = list(draw.buckets.select_related("specialty"))
        found = eligibility.compute([(str(b.position), b.specialty_id) for b in buckets], _criteria(draw, now))
        for bucket in buckets:
            bucket.eligible = found.eligible[str(bucket.position)]
            bucket.excluded = found.excluded_in(str(bucket.position))
        _snapshot_save(buckets)
        short = [b for b in buckets if len(b.eligible) < b.count]
        if short:
            message = " ".join(shortage_message(b, b.count, len(b.eligible)) for b in short)
            return draw_transition(actor=actor, draw=draw, held=True, to=DrawStatus.STOPPED,
                                   changes={"stop_reason": message},
                                   data={"short": [[b.position, b.count, len(b.eligible)] for b in short]})
        lots = [lottery.Bucket.of(str(b.position), b.count, b.eligible) for b in buckets]
        seed = lottery.new_seed()
        rules = committed_rules(tender=draw.tender, draw=draw, buckets=[
            {"key": str(b.position), "specialty": b.specialty.code, "count": b.count} for b in buckets])
        commitment = {"seed_sha256": lottery.seed_hash(seed), "snapshot_sha256": lottery.snapshot_hash(lots),
                      "rules_sha256": lottery.digest(rules)}
        draw_transition(actor=actor, draw=draw, held=True, to=DrawStatus.COMMITTED, data={**commitment, "rules": rules},
                        changes={"seed_cipher": identity.encrypt(seed.hex(), purpose=b"seed"), "rules": rules,
                                 **commitment})
        selection = lottery.draw(seed, lots)
        if selection.short:
            key, (needed, available) = next(iter(selection.short.items()))
            bucket = buckets[int(key) - 1]
            return draw_transition(actor=actor, draw=draw, held=True, to=DrawStatus.STOPPED,
                                   changes={"stop_reason": shortage_message(bucket, needed, available)},
                                   data={"short": [[bucket.position, needed, available]]})
        by_key = {str(b.position): b for b in buckets}
        respond_by = now + timedelta(hours=settings.EXPERT_CONFIRM_HOURS)
        rows = [Selection(draw=draw, bucket=by_key[key], expert_id=expert_id, sequence=n,
                          rank=selection.rank(key, expert_id), notified_at=now, respond_by=respond_by)
                for n, (key, expert_id) in enumerate(selection.taken, start=1)]
        Selection.objects.bulk_create(rows)
        result = lottery.result_hash(selection.taken)
        draw_transition(actor=actor, draw=draw, held=True, to=DrawStatus.DRAWN,
                        changes={"drawn_at": now, "result_sha256": result},
                        data={"result_sha256": result, "selected": len(rows)})
        # Names stay out of the tender's ledger: this event has no tender id (see experts/lifecycle.py).
        event_record(actor=actor, action="draw.selected", subject=draw,
                     data={"draw": draw.pk, "taken": [[k, e] for k, e in selection.taken]})
        invite(draw, rows)
        return draw_transition(actor=actor, draw=draw, held=True, to=DrawStatus.CONFIRMING,
                               data={"respond_by": respond_by.isoformat()})


def invite(draw: Draw, selections: list[Selection]) -> None:
    from experts.models import Expert

    users = dict(Expert.objects.filter(pk__in=[s.expert_id for s in selections]).values_list("pk", "user_id"))
    deadline = timezone.localtime(selections[0].respond_by).strftime("%Y-%m-%d %H:%M") if selections else ""
    when = timezone.localtime(draw.evaluation_at).strftime("%Y-%m-%d %H:%M")
    place = _("remote off-site evaluation") if draw.remote else draw.evaluation_place
    notify(user_ids=[users[s.expert_id] for s in selections],
           subject=_("Invitation to evaluate on %(when)s") % {"when": when},
           body=_("You have been drawn for an evaluation committee on %(when)s (%(place)s). Confirm or decline on "
                  "your expert page by %(deadline)s; without an answer the next expert is called.")
           % {"when": when, "place": place, "deadline": deadline},
           url=reverse("experts:my_page"))


def draw_seed(draw: Draw) -> bytes:
    """The seed: revealed in clear once public, otherwise decrypted with the server's key."""
    if draw.seed_revealed:
        return bytes.fromhex(draw.seed_revealed)
    return bytes.fromhex(identity.decrypt(draw.seed_cipher, purpose=b"seed"))
