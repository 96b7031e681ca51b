"""Evaluation pages: a member's workspace, the progress page watchers follow live, the operator's scheme form,
the list of one's evaluations, and the witnessed download of a bid's file."""

from __future__ import annotations

import json
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bidding.models import Lot
from bidding.permissions import is_operator, is_party
from core import clock
from core.errors import DomainError, NotFound, PermissionDenied
from evaluation import selectors
from evaluation.models import (Committee, CriterionKind, Method, ProcurementKind, Publicity, RequirementKind, ScoredBy,
                               TieRule)
from evaluation.permissions import EvalAction, committee_can, member_of
from evaluation.progress import progress_state
from evaluation.scoring import PRICE_FORMULAS
from evaluation.services import committees, work
from evaluation.services.schemes import CriterionInput, RequirementInput, SchemeInput, scheme_set


def _lot(lot_id: int) -> Lot:
    lot = Lot.objects.select_related("tender").filter(pk=lot_id).first()
    if lot is None:
        raise Http404(_("No such lot."))
    return lot


@login_required
@require_GET
def mine(request):
    actor = request.actor
    return render(request, "evaluation/mine.html", {
        "seats": selectors.committees_of(request.user),
        "operated": selectors.committees_for_operator(actor) if actor.role == "agency" else [],
        "questions": selectors.questions_for_bidder(actor),
        "now": clock.now(),
    })


@login_required
@require_GET
def progress(request, lot_id: int):
    from evaluation.services import award as award_svc

    lot = _lot(lot_id)
    actor = request.actor
    award_svc.gp_award_advance(lot.pk)
    committee = Committee.objects.filter(lot=lot).select_related("lot__tender").first()
    if committee is None:
        if not is_operator(actor, lot.tender):
            raise Http404(_("No evaluation committee for this lot, or it is not open to you."))
        return render(request, "evaluation/progress.html", {"lot": lot, "committee": None, "can_form": True})
    try:
        state = selectors.progress_for(actor=actor, lot_id=lot.pk)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    return render(request, "evaluation/progress.html", {
        "lot": lot, "committee": committee, "state": state, "is_member": member_of(actor, committee) is not None,
        "can_publish": is_operator(actor, lot.tender), "absence": selectors.absence_recording(actor, committee),
        "gp_decision": award_svc.gp_decision_for(actor, committee),
        "report_ready": committee.stage in {"reported", "publicity", "awarded"} and (
            committee_can(actor, committee, EvalAction.SEE_NAMES) or is_party(actor, lot.tender)),
        "see_names": committee_can(actor, committee, EvalAction.SEE_NAMES)})


@login_required
@require_POST
def form_committee(request, lot_id: int):
    lot = _lot(lot_id)
    rep = request.POST.get("tenderer_user") or None
    try:
        committees.committee_form(actor=request.actor, lot_id=lot.pk, tenderer_user_id=int(rep) if rep else None)
        messages.success(request, _("The evaluation committee is formed; its members have been told."))
    except (DomainError, ValueError) as exc:
        messages.error(request, str(exc))
    return redirect("evaluation:progress", lot_id=lot.pk)


@login_required
@require_GET
def workspace(request, lot_id: int):
    try:
        data = selectors.workspace(actor=request.actor, lot_id=lot_id)
    except (NotFound, PermissionDenied) as exc:
        raise Http404(str(exc)) from exc
    committee = data["committee"]
    config = {"lot": lot_id, "stage": committee.stage, "ws": f"/ws/evaluation/{lot_id}/", "labels": {
        "failNeedsReason": _("A fail needs its reason: write it and the fail is saved."),
        "saved": _("Saved"),
        "notSaved": _("Not saved"),
        "reviewUnsaved": _("Some fails have no reason yet and are not saved: give each its reason before submitting."),
        "scoresInvalid": _("Some scores are marked in red and are not saved: correct them before submitting."),
    }}
    return render(request, "evaluation/workspace.html", {**data, "config": config,
                                                         "state": progress_state(committee, names=True)})


@login_required
@require_GET
def bid_file(request, lot_id: int, bid_id: int, part: int):
    try:
        name, size, chunks = work.bid_file_open(actor=request.actor, lot_id=lot_id, bid_id=bid_id, part_index=part)
    except (NotFound, PermissionDenied) as exc:
        raise Http404(str(exc)) from exc
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("evaluation:workspace", lot_id=lot_id)
    response = StreamingHttpResponse(chunks, content_type="application/octet-stream")
    response["Content-Length"] = str(size)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


def _scheme_initial(lot: Lot) -> dict:
    scheme = getattr(lot, "scheme", None) if hasattr(lot, "scheme") else None
    if scheme is None:
        return {"method": Method.COMPREHENSIVE, "procurement_kind": ProcurementKind.WORKS, "price_formula": "gp_lowest",
                "formula_params": {}, "tie_rule": TieRule.LOTTERY, "requirements": [], "criteria": []}
    return {"method": scheme.method, "procurement_kind": scheme.procurement_kind, "price_formula": scheme.price_formula,
            "formula_params": scheme.formula_params, "tie_rule": scheme.tie_rule,
            "requirements": [{"name": r.name, "kind": r.kind} for r in scheme.requirements.order_by("position")],
            "criteria": [{"name": c.name, "max_points": f"{c.max_points:.2f}", "kind": c.kind, "scored_by": c.scored_by}
                         for c in scheme.criteria.order_by("position")]}


def _rows(post, prefix: str, fields: tuple[str, ...]) -> list[dict]:
    rows = []
    for n in range(int(post.get(f"{prefix}-count") or 0)):
        row = {f: (post.get(f"{prefix}-{n}-{f}") or "").strip() for f in fields}
        if row[fields[0]]:
            rows.append(row)
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def scheme_edit(request, lot_id: int):
    lot = _lot(lot_id)
    if not is_operator(request.actor, lot.tender):
        raise Http404(_("Only the agency running the tender sets its evaluation scheme."))
    values, errors = _scheme_initial(lot), {}
    if request.method == "POST":
        params = {}
        for name in request.POST.getlist("param"):
            value = request.POST.get(f"param-{name}", "").strip()
            if value:
                params[name] = value
        values = {"method": request.POST.get("method", ""), "procurement_kind": request.POST.get("procurement_kind", ""),
                  "price_formula": request.POST.get("price_formula", ""), "formula_params": params,
                  "tie_rule": request.POST.get("tie_rule", ""),
                  "requirements": _rows(request.POST, "req", ("name", "kind")),
                  "criteria": _rows(request.POST, "crit", ("name", "max_points", "kind", "scored_by"))}
        try:
            scheme_set(actor=request.actor, lot_id=lot.pk, data=SchemeInput(
                method=values["method"], procurement_kind=values["procurement_kind"],
                price_formula=values["price_formula"], formula_params=params, tie_rule=values["tie_rule"],
                requirements=[RequirementInput(r["name"], r["kind"]) for r in values["requirements"]],
                criteria=[CriterionInput(c["name"], c["max_points"], c["kind"], c["scored_by"] or ScoredBy.ALL)
                          for c in values["criteria"]]))
            messages.success(request, _("The evaluation scheme is saved. It is frozen at the bid deadline."))
            return redirect("bidding:tender_detail", pk=lot.tender_id)
        except DomainError as exc:
            errors = exc.fields or {"__all__": [str(exc)]}
    total = sum((Decimal(c["max_points"]) for c in values["criteria"] if _is_number(c.get("max_points"))), Decimal(0))
    return render(request, "evaluation/scheme.html", {
        "lot": lot, "values": values, "errors": errors, "total": total,
        "methods": Method.choices, "kinds": ProcurementKind.choices, "tie_rules": TieRule.choices,
        "requirement_kinds": RequirementKind.choices, "criterion_kinds": CriterionKind.choices,
        "scored_by": ScoredBy.choices,
        "formulas": [(code, str(f.label), [(p.name, str(p.label), p.default) for p in f.params])
                     for code, f in PRICE_FORMULAS.items()],
        "values_json": json.dumps(values, ensure_ascii=False),
    })


def _is_number(value) -> bool:
    try:
        Decimal(str(value))
        return True
    except Exception:
        return False


# --- publicity, objections, award -------------------------------------------------------------------------


def _back(lot_id: int):
    return redirect("evaluation:publicity", lot_id=lot_id)


def _act(request, lot_id: int, fn, done: str):
    try:
        fn()
        messages.success(request, done)
    except DomainError as exc:
        messages.error(request, str(exc))
    return _back(lot_id)


@require_GET
def publicity(request, lot_id: int):
    from evaluation.services import award as award_svc

    actor = request.actor
    award_svc.gp_award_advance(lot_id)
    try:
        data = award_svc.publicity_for(actor=actor, lot_id=lot_id)
        objections = award_svc.objections_for(actor=actor, lot_id=lot_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    lot = _lot(lot_id)
    tender = lot.tender
    now = clock.now()
    award = getattr(lot, "award", None) if hasattr(lot, "award") else None
    in_lot = actor.role == "bidder" and lot.bids.filter(bidder_id=actor.organisation_id, status="submitted").exists()
    return render(request, "evaluation/publicity.html", {
        "lot": lot, "data": data, "objections": objections, "award": award,
        "can_object": in_lot and data["running"] and not data["gp"],
        "can_answer": is_operator(actor, tender),
        "can_award": award is None and award_svc.is_tenderer(actor, tender) and now >= data["ends_at"]
        and data["objections"]["open"] == 0,
        "notice_visible": award is not None and award.notice and (
            is_operator(actor, tender) or award_svc.is_tenderer(actor, tender)
            or actor.organisation_id == award.bid.bidder_id or actor.role in {"regulator", "centre"}),
    })


@login_required
@require_POST
def publicity_start(request, lot_id: int):
    from evaluation.services.award import publicity_start as start

    try:
        start(actor=request.actor, lot_id=lot_id)
        messages.success(request, _("The candidates are published."))
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("evaluation:progress", lot_id=lot_id)
    return _back(lot_id)


@login_required
@require_POST
def objection_raise(request, lot_id: int):
    from evaluation.services.award import objection_raise as raise_

    return _act(request, lot_id, lambda: raise_(actor=request.actor, lot_id=lot_id, text=request.POST.get("text", "")),
                _("Your objection is recorded; the agency answers it within the time limit."))


@login_required
@require_POST
def objection_answer(request, lot_id: int, pk: int):
    from evaluation.services.award import objection_answer as answer

    return _act(request, lot_id, lambda: answer(actor=request.actor, objection_id=pk,
                                                answer=request.POST.get("answer", "")),
                _("The answer is recorded and sent."))


@login_required
@require_POST
def award_confirm(request, lot_id: int):
    from evaluation.services.award import award_confirm as confirm

    passed = [{"bid": key.split("-", 1)[1], "reason": value} for key, value in request.POST.items()
              if key.startswith("pass-") and value.strip()]
    bid = request.POST.get("bid") or None
    response = _act(request, lot_id, lambda: confirm(actor=request.actor, lot_id=lot_id, bid_id=bid,
                                                     passed_over=passed),
                    _("The winner is confirmed. The award notice is being issued and every bidder is told its result."))
    if not Publicity.objects.filter(lot_id=lot_id).exists():  # government procurement, not decided yet
        return redirect("evaluation:progress", lot_id=lot_id)
    return response


@require_GET
def award_notice(request, lot_id: int):
    from django.http import FileResponse

    lot = _lot(lot_id)
    award = getattr(lot, "award", None) if hasattr(lot, "award") else None
    actor = request.actor
    from evaluation.services.award import is_tenderer

    allowed = award is not None and award.notice and (
        is_operator(actor, lot.tender) or is_tenderer(actor, lot.tender) or actor.organisation_id == award.bid.bidder_id
        or (actor.role in {"regulator", "centre"} and actor.organisation is not None and actor.organisation.is_approved))
    if not allowed:
        raise Http404(_("No award notice for you here."))
    return FileResponse(award.notice.open("rb"), content_type="application/pdf",
                        filename=f"通知书-{lot.tender.reference}-{lot.number}.pdf")


# --- the report and its signatures --------------------------------------------------------------------------


def _to_workspace(lot_id: int):
    return redirect("evaluation:workspace", lot_id=lot_id)


@login_required
@require_POST
def report_generate_view(request, lot_id: int):
    from evaluation.services.reports import report_generate

    try:
        report_generate(actor=request.actor, lot_id=lot_id)
        messages.success(request, _("The evaluation report is generated. Every member now signs it."))
    except DomainError as exc:
        messages.error(request, str(exc))
    return _to_workspace(lot_id)


@login_required
@require_POST
def signing_code(request, lot_id: int):
    from evaluation.services.reports import signing_code_send

    try:
        signing_code_send(actor=request.actor, lot_id=lot_id)
        messages.success(request, _("A one-time code has been sent to your e-mail address."))
    except DomainError as exc:
        messages.error(request, str(exc))
    return _to_workspace(lot_id)


@login_required
@require_POST
def report_sign_view(request, lot_id: int):
    from evaluation.services.reports import report_sign

    kind = request.POST.get("kind", "agree")
    try:
        report_sign(actor=request.actor, lot_id=lot_id, code=request.POST.get("code", ""), kind=kind,
                    dissent=request.POST.get("dissent", ""))
        messages.success(request, _("Your signature is on the report.") if kind != "refused"
                         else _("Your refusal to sign is recorded."))
    except DomainError as exc:
        messages.error(request, str(exc))
    return _to_workspace(lot_id)


@login_required
@require_POST
def signature_absence(request, lot_id: int, member_id: int):
    from evaluation.services.reports import signature_absence_record

    try:
        signature = signature_absence_record(actor=request.actor, lot_id=lot_id, member_id=member_id)
        messages.success(request, _("Recorded: member %(n)d did not sign the report or give reasons in time, which "
                                    "is taken as agreement with the result.") % {"n": signature.member.position})
    except DomainError as exc:
        messages.error(request, str(exc))
    if request.POST.get("back") == "progress":
        return redirect("evaluation:progress", lot_id=lot_id)
    return _to_workspace(lot_id)


@login_required
@require_GET
def report_file(request, lot_id: int):
    from django.http import FileResponse

    from evaluation.services.reports import report_document

    try:
        report, document, named = report_document(request.actor, lot_id)
    except (NotFound, PermissionDenied) as exc:
        raise Http404(str(exc)) from exc
    lot = report.committee.lot
    name = f"评标报告-{lot.tender.reference}-{lot.number}" + ("" if named else "-副本")
    return FileResponse(document.open("rb"), content_type="application/pdf", filename=f"{name}.pdf")


@login_required
@require_POST
def score_correct_view(request, lot_id: int):
    from evaluation.models import Score
    from evaluation.services.summary import score_correct

    score = Score.objects.filter(sheet__member__committee__lot_id=lot_id, sheet__step="scoring",
                                 sheet__member__position=request.POST.get("member") or 0,
                                 bid_id=request.POST.get("bid") or 0,
                                 criterion_id=request.POST.get("criterion") or 0).first()
    if score is None:
        messages.error(request, _("That member gave no score for this bid on this criterion."))
        return _to_workspace(lot_id)
    try:
        score_correct(actor=request.actor, lot_id=lot_id, score_id=score.pk, kind=request.POST.get("kind", ""),
                      points=request.POST.get("points", ""), reason=request.POST.get("reason", ""))
        messages.success(request, _("The correction is recorded and the results are recomputed."))
    except DomainError as exc:
        messages.error(request, str(exc))
    return _to_workspace(lot_id)
