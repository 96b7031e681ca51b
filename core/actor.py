"""Who is acting: the user, the organisation they act for, the role, the client IP.

Every service takes an Actor, checks what it may do, and hands it to the ledger."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from accounts.models import Organisation, User


@dataclass(frozen=True)
class Actor:
    user: "User | None"
    organisation: "Organisation | None"
    role: str
    ip: str | None = None

    @classmethod
    def system(cls, label: str = "system") -> "Actor":
        return cls(user=None, organisation=None, role=label, ip=None)

    @property
    def is_authenticated(self) -> bool:
        return self.user is not None

    @property
    def organisation_id(self) -> Any:
        return self.organisation.pk if self.organisation is not None else None

    def is_role(self, *roles: str) -> bool:
        return self.role in roles
