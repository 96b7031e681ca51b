"""Operator command: enrol an organisation that does not register itself (the trading centre, a regulator)
with its first administrator, who sets a password from an e-mailed link."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Organisation
from accounts.services import organisation_admin_create, organisation_create
from core.actor import Actor
from core.errors import DomainError


class Command(BaseCommand):
    help = "Enrol an organisation (centre, regulator, …) and its first administrator."

    def add_arguments(self, parser):
        parser.add_argument("--kind", required=True, choices=Organisation.Kind.values)
        parser.add_argument("--name", required=True)
        parser.add_argument("--credit-code", required=True, help="统一社会信用代码 (18 characters)")
        parser.add_argument("--region", default="")
        parser.add_argument("--admin-username", required=True)
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-name", required=True, help="the administrator's full name")

    def handle(self, *args, **o):
        try:
            with transaction.atomic():
                org = organisation_create(actor=Actor.system(), name=o["name"], credit_code_value=o["credit_code"],
                                          kind=o["kind"], region=o["region"], contact_name=o["admin_name"],
                                          contact_email=o["admin_email"])
                organisation_admin_create(actor=Actor.system(), organisation=org, username=o["admin_username"],
                                          email=o["admin_email"], full_name=o["admin_name"])
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(
            f"Enrolled {org.name} ({org.get_kind_display()}); {o['admin_email']} receives a link to set the "
            f"password of {o['admin_username']}."))
