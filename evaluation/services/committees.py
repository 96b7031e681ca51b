"""Forming a lot's committee from its confirmed draw, and the election of its leader."""

from __future__ import annotations

import hashlib
from collections import Counter

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Membership
from bidding.models import Lot, Opening
from bidding.permissions import is_operator
from core import clock, lottery
from core.actor import Actor
from core.errors import DomainError, IllegalTransition, NotFound, PermissionDenied
from evaluation.models import Committee, Member, MemberKind, Stage
from evaluation.permissions import EvalAction, committee_can, member_of
from evaluation.services.stages import broadcast, stage_move, tender_sync
from experts import identity
from experts.models import Draw, DrawStatus, SelectionState
from witness.services import event_record


def committee_for(*, actor: Actor, lot_id: int, action: EvalAction = EvalAction.WATCH) -> Committee:
    committee = (Committee.objects.select_related("lot__tender", "draw").prefetch_related("members")
                 .filter(lot_id=lot_id).first())
    if committee is None or not committee_can(actor, committee, EvalAction.WATCH):
        raise NotFound(_("No evaluation committee for this lot, or it is not open to you."))
    if action != EvalAction.WATCH and not committee_can(actor, committee, action):
        raise PermissionDenied({
            EvalAction.WORK: _("Only a member of this committee may do this."),
            EvalAction.LEAD: _("Only the committee's leader may do this."),
        }.get(action, _("You may not do this in this evaluation.")))
    return committee


def _seated_draw(lot: Lot) -> Draw:
    draw = Draw.objects.filter(lot=lot).order_by("-created_at").first()
    if draw is None or draw.status != DrawStatus.COMPLETE:
        raise IllegalTransition(_("The expert draw for this lot is not complete yet: every drawn expert must have "
                                  "confirmed."))
    seated = list(draw.selections.filter(state=SelectionState.CONFIRMED).select_related(
        "expert__user", "bucket__specialty", "declaration").order_by("sequence"))
    undeclared = [s.expert.name for s in seated if not hasattr(s, "declaration")]
    if undeclared:
        raise IllegalTransition(_("These experts have not yet seen the bidder list and declared they have no "
                                  "conflict: %(names)s.") % {"names": "、".join(undeclared)}, code="undeclared")
    return draw


def committee_form(*, actor: Actor, lot_id: int, tenderer_user_id: int | None = None) -> Committee:
    """The operator forms the committee once the opening record is published and the draw is seated."""
    lot = Lot.objects.select_related("tender").filter(pk=lot_id).first()
    if lot is None:
        raise NotFound(_("No such lot."))
    if not is_operator(actor, lot.tender):
        raise PermissionDenied(_("Only the agency running the tender forms its evaluation committee."))
    opening = Opening.objects.filter(lot=lot).first()
    if opening is None or opening.record_published_at is None:
        raise IllegalTransition(_("Evaluation starts only after the opening record is published."),
                                code="not_opened")
    if Committee.objects.filter(lot=lot).exists():
        raise IllegalTransition(_("This lot's committee is already formed."))
    draw = _seated_draw(lot)
    seated = [s for s in draw.selections.filter(state=SelectionState.CONFIRMED).select_related(
        "expert__user", "bucket__specialty").order_by("sequence")]
    rep = None
    if tenderer_user_id is not None:
        if not settings.EVALUATION_TENDERER_REP_ALLOWED:
            raise DomainError(_("This platform does not seat a tenderer's representative."), field="tenderer_user")
        rep = Membership.objects.select_related("user").filter(
            organisation=lot.tender.tenderer, user_id=tenderer_user_id, is_active=True).first()
        if rep is None:
            raise DomainError(_("The representative must be a member of the tenderer, %(org)s.")
                              % {"org": lot.tender.tenderer.name}, field="tenderer_user")
        if 3 * 1 > len(seated) + 1:
            raise DomainError(_("A representative may be at most a third of the committee."), field="tenderer_user")
    now = clock.now()
    seed = lottery.new_seed()
    with transaction.atomic():
        committee = Committee.objects.create(
            lot=lot, draw=draw, formed_at=now, formed_by=actor.user, tie_seed_sha256=lottery.seed_hash(seed),
            tie_seed_cipher=identity.encrypt(seed.hex(), purpose=b"tie-seed"))
        members = [Member(committee=committee, user=s.expert.user, expert=s.expert, kind=MemberKind.EXPERT,
                          branch=s.bucket.specialty.branch, name=s.expert.name, position=n)
                   for n, s in enumerate(seated, start=1)]
        if rep is not None:
            members.append(Member(committee=committee, user=rep.user, kind=MemberKind.TENDERER, branch="technical",
                                  name=rep.user.display_name, position=len(members) + 1))
        Member.objects.bulk_create(members)
        # Names stay out of the tender's ledger until the award (experts/lifecycle.py does the same).
        event_record(actor=actor, action="evaluation.committee_formed", subject=committee,
                     tender_id=lot.tender_id, data={"lot": lot.pk, "draw": draw.pk, "members": len(members),
                                                    "tenderer_representative": rep is not None,
                                                    "tie_seed_sha256": committee.tie_seed_sha256})
        tender_sync(actor, lot.tender_id)
        broadcast(committee)
    return committee


def tie_seed(committee: Committee) -> bytes:
    return bytes.fromhex(identity.decrypt(committee.tie_seed_cipher, purpose=b"tie-seed"))


def leader_vote(*, actor: Actor, lot_id: int, candidate_id: int) -> Member:
    """Each member votes once; when all have voted the most-voted expert leads (a tie: the committee's
    lottery ranks the tied candidates). The tenderer's representative cannot lead."""
    committee = committee_for(actor=actor, lot_id=lot_id, action=EvalAction.WORK)
    with transaction.atomic():
        locked = Committee.objects.select_for_update().get(pk=committee.pk)
        if locked.stage != Stage.ELECTING:
            raise IllegalTransition(_("The leader has already been elected."))
        voter = Member.objects.select_for_update().get(pk=member_of(actor, committee).pk)
        if voter.vote_id is not None:
            raise IllegalTransition(_("You have already voted."))
        candidate = Member.objects.filter(committee=locked, pk=candidate_id).first()
        if candidate is None:
            raise DomainError(_("Vote for a member of this committee."), field="candidate")
        if candidate.kind == MemberKind.TENDERER:
            raise DomainError(_("The tenderer's representative cannot lead the committee."), field="candidate")
        voter.vote, voter.voted_at = candidate, clock.now()
        voter.save(update_fields=["vote", "voted_at"])
        event_record(actor=actor, action="evaluation.leader_vote", subject=locked, tender_id=committee.lot.tender_id,
                     data={"voter": voter.position, "candidate": candidate.position})
        votes = list(Member.objects.filter(committee=locked).values_list("vote_id", flat=True))
        if all(votes):
            tally = Counter(votes)
            best = max(tally.values())
            tied = sorted(pk for pk, n in tally.items() if n == best)
            winner_id = lottery.ranking(tie_seed(locked), tied)[0] if len(tied) > 1 else tied[0]
            Member.objects.filter(pk=winner_id).update(is_leader=True)
            winner = Member.objects.get(pk=winner_id)
            stage_move(actor, locked, Stage.REVIEWING, data={
                "leader": winner.position, "votes": {str(k): v for k, v in tally.items()},
                "tie_broken_by_lottery": len(tied) > 1})
        broadcast(locked)
    return voter


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
