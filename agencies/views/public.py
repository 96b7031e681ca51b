"""Pages anyone may open: the directory (晾晒), an intermediary's page, its published notices."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from agencies.forms import DirectoryFilterForm
from agencies.permissions import may_edit_profile
from agencies.selectors import agency_for_page, agency_page, card_for_notice, directory, notice_visible, today
from core.errors import NotFound

PER_PAGE = 25


@require_GET
def agency_list(request):
    form = DirectoryFilterForm(request.GET or None)
    page = Paginator(directory(**form.values()), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "agencies/agency_list.html", {"form": form, "page": page, "today": today()})


@require_GET
def agency_detail(request, pk: int):
    try:
        agency = agency_for_page(pk)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    context = agency_page(agency, request.actor)
    context["may_edit"] = may_edit_profile(request.actor, agency.pk)
    return render(request, "agencies/agency_detail.html", context)


@require_GET
def notice_download(request, card_id: int):
    try:
        card = card_for_notice(card_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    if not notice_visible(card, request.actor):
        raise Http404("expired")
    response = FileResponse(card.notice_file.open("rb"), content_type="application/pdf",
                            filename=f"{card.notice_number}.pdf")
    response["X-Content-Type-Options"] = "nosniff"
    return response
