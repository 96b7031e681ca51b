"""Notifications, sent after commit by id. Idempotent enough: a repeat sends the same mail again."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.models import Organisation, User


@shared_task
def notify_organisation(organisation_id: int, kind: str) -> int:
    org = Organisation.objects.filter(pk=organisation_id).first()
    if org is None or not org.contact_email:
        return 0
    with override(settings.LANGUAGE_CODE):
        if kind == "approved":
            subject = _("Your registration on %(platform)s is approved") % {"platform": settings.PLATFORM_NAME}
            body = _("“%(org)s” has been approved by the trading centre and can now take part in tenders.") % {
                "org": org.name}
        else:
            subject = _("Your registration on %(platform)s was not approved") % {"platform": settings.PLATFORM_NAME}
            body = _("“%(org)s” was not approved. Reason given by the trading centre: %(note)s") % {
                "org": org.name, "note": org.review_note}
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [org.contact_email])


@shared_task
def send_welcome(user_id: int) -> int:
    user = User.objects.filter(pk=user_id).first()
    if user is None or not user.email:
        return 0
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = settings.SITE_URL.rstrip("/") + reverse("accounts:password_reset_confirm", args=[uid, token])
    with override(settings.LANGUAGE_CODE):
        subject = _("Your account on %(platform)s") % {"platform": settings.PLATFORM_NAME}
        body = _("An account “%(username)s” was created for you. Set your password here: %(link)s") % {
            "username": user.username, "link": link}
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
