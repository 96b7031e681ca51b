"""Make the platform CA for PDF signatures (core/pdfsign.py) and print the settings that use it."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.pdfsign import ca_create


class Command(BaseCommand):
    help = "Write a new platform CA key and certificate into DIR and print PLATFORM_CA_KEY / PLATFORM_CA_CERT."

    def add_arguments(self, parser):
        parser.add_argument("dir", type=Path)
        parser.add_argument("--common-name", default=f"{settings.PLATFORM_NAME} CA")

    def handle(self, *args, dir: Path, common_name: str, **options):
        key_file, cert_file = dir / "ca-key.pem", dir / "ca-cert.pem"
        if key_file.exists() or cert_file.exists():
            raise CommandError(f"{dir} already holds a CA; move it away first.")
        dir.mkdir(parents=True, exist_ok=True)
        key_pem, cert_pem = ca_create(common_name=common_name, organisation_name=settings.PLATFORM_NAME)
        key_file.touch(mode=0o600)
        key_file.write_text(key_pem)
        cert_file.write_text(cert_pem)
        self.stderr.write(f"Wrote {key_file} (keep it private) and {cert_file} (publish it). Environment:")
        for name, pem in (("PLATFORM_CA_KEY", key_pem), ("PLATFORM_CA_CERT", cert_pem)):
            escaped = pem.strip().replace("\n", "\\n")
            self.stdout.write(f'{name}="{escaped}"')
