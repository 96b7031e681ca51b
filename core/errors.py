"""Domain errors. Services raise them; the edges (views, API, commands) turn them
into a clear message in the user's language and a 4xx status."""

from __future__ import annotations

from django.utils.functional import Promise


class DomainError(Exception):
    """A rule of the platform refused the request. Nothing was changed."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str | Promise, *, field: str | None = None, code: str | None = None,
                 fields: dict[str, list[str]] | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field
        if code:
            self.code = code
        self._fields = fields

    @property
    def fields(self) -> dict[str, list[str]]:
        if self._fields is not None:
            return {k: [str(m) for m in v] for k, v in self._fields.items()}
        return {self.field or "non_field_errors": [str(self.message)]}

    def __str__(self) -> str:
        return str(self.message)

    def document(self) -> dict:
        """The API's error shape: {"code", "detail", "fields"}."""
        return {"code": self.code, "detail": str(self.message), "fields": self.fields}


class PermissionDenied(DomainError):
    status_code = 403
    code = "permission_denied"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class IllegalTransition(DomainError):
    status_code = 409
    code = "illegal_transition"
