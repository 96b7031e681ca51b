"""The API edge shared by every app: who is acting, one error shape, API tokens.

Every API view derives from PlatformAPIView. It builds the Actor from the
authenticated user (token or session) and the optional X-Acting-Organisation
header, and turns every refusal into ``{"code", "detail", "fields"}`` with a 4xx
status, whether a service raised a DomainError or DRF refused the request."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from accounts.middleware import ACTING_SESSION_KEY, actor_for, client_ip
from accounts.selectors import memberships_for
from core.actor import Actor
from core.api import exception_handler as core_exception_handler
from core.errors import DomainError, PermissionDenied

ACTING_HEADER = "X-Acting-Organisation"

# --- errors ---------------------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    """Every 4xx answer of the API has this shape."""

    code = serializers.CharField(help_text=gettext_lazy(
        "Machine-readable reason: invalid, permission_denied, not_found, illegal_transition, "
        "not_authenticated, …"))
    detail = serializers.CharField(help_text=gettext_lazy("What went wrong and what to do, in the user's language."))
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=gettext_lazy("Messages per input field. Nested fields use dotted keys counted from 1, "
                               "such as lots.2.ceiling_price; non_field_errors holds the rest."))


def flatten_errors(errors: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error structure as dotted keys: {"lots": [{}, {"budget": [..]}]} → {"lots.2.budget": [..]}.

    List positions count from 1, as the services number lots. DRF reports a list's errors either as
    a list or as a dict keyed by 0-based int positions (LIST_SERIALIZER_ERRORS_AS_DICT); both come out alike."""
    out: dict[str, list[str]] = {}
    if isinstance(errors, dict):
        for key, value in errors.items():
            if isinstance(key, int):
                key = key + 1
            name = prefix if key in ("non_field_errors", "__all__") and prefix else (
                f"{prefix}.{key}" if prefix else str(key))
            for k, v in flatten_errors(value, name).items():
                out.setdefault(k, []).extend(v)
    elif isinstance(errors, (list, tuple)):
        if all(not isinstance(item, (dict, list, tuple)) for item in errors):
            if errors:
                out.setdefault(prefix or "non_field_errors", []).extend(str(item) for item in errors)
        else:
            for index, item in enumerate(errors, start=1):
                if item:
                    for k, v in flatten_errors(item, f"{prefix}.{index}" if prefix else str(index)).items():
                        out.setdefault(k, []).extend(v)
    elif errors is not None:
        out.setdefault(prefix or "non_field_errors", []).append(str(errors))
    return out


def _error_code(exc: Exception) -> str:
    if isinstance(exc, exceptions.ValidationError):
        return "invalid"
    if isinstance(exc, exceptions.APIException):
        return str(exc.default_code)
    if isinstance(exc, Http404):
        return "not_found"
    if isinstance(exc, DjangoPermissionDenied):
        return "permission_denied"
    return "error"


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    """core.api's handler, then one shape for everything; a lifecycle refusal is 409 Conflict."""
    response = core_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, DomainError):
        return response
    data = response.data
    if isinstance(data, dict) and set(data) == {"detail"}:
        response.data = {"code": _error_code(exc), "detail": str(data["detail"]), "fields": {}}
    else:
        fields = flatten_errors(data)
        first = next(iter(fields.values()))[0] if fields else _("The request is not valid.")
        response.data = {"code": _error_code(exc), "detail": first, "fields": fields}
    return response


# --- the acting organisation ------------------------------------------------------------------


def api_actor(request) -> Actor:
    """The Actor for an API request: request.user, acting for the organisation named by the
    X-Acting-Organisation header (else the one chosen in the session, else the first membership).

    Naming an organisation the user is not an active member of is refused: nobody acts for an
    organisation they do not belong to."""
    raw = request.headers.get(ACTING_HEADER)
    user = request.user
    ip = client_ip(request)
    if raw is None or not raw.strip():
        acting_id = None
        if isinstance(request.successful_authenticator, SessionAuthentication):
            acting_id = request._request.session.get(ACTING_SESSION_KEY)
        return actor_for(user, ip, acting_id)
    raw = raw.strip()
    if not user or not user.is_authenticated:
        raise PermissionDenied(_("Sign in before naming an organisation in the %(header)s header.")
                               % {"header": ACTING_HEADER}, field=ACTING_HEADER)
    acting_id = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 else None
    if acting_id is None or not memberships_for(user).filter(organisation_id=acting_id).exists():
        raise PermissionDenied(
            _("You are not a member of organisation %(id)s, so you cannot act for it. Give the id of one of your "
              "own organisations in the %(header)s header, or leave the header out.")
            % {"id": raw[:20], "header": ACTING_HEADER}, field=ACTING_HEADER)
    return actor_for(user, ip, acting_id)


ACTING_PARAMETER = OpenApiParameter(
    name=ACTING_HEADER, type=int, location=OpenApiParameter.HEADER, required=False,
    description=gettext_lazy("Id of the organisation you act for, among your own memberships. Without it you act "
                             "for the organisation chosen on the website, else your first one. Any other id: 403."))


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    descriptions = {
        400: gettext_lazy("Invalid input; `fields` names each problem (dotted keys for nested input). "
                          "Nothing was saved."),
        401: gettext_lazy("Not signed in: send `Authorization: Token <key>`."),
        403: gettext_lazy("Your role or organisation may not do this, or the acting-organisation header names an "
                          "organisation you are not a member of."),
        404: gettext_lazy("No such object, or you may not see it (drafts stay hidden)."),
        409: gettext_lazy("The object's state does not allow this move. Nothing was changed."),
        429: gettext_lazy("Too many attempts; wait and retry."),
    }
    return {code: OpenApiResponse(ErrorSerializer, description=descriptions[code]) for code in codes}


class PlatformAPIView(APIView):
    """Base of every API view: the acting organisation and the platform's error shape."""

    def get_exception_handler(self):
        return api_exception_handler

    @property
    def actor(self) -> Actor:
        cached = getattr(self.request, "_platform_actor", None)
        if cached is None:
            cached = api_actor(self.request)
            self.request._platform_actor = cached
        return cached

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # Resolve the header before the view runs, so a bad one is refused on every endpoint alike.
        if request.headers.get(ACTING_HEADER):
            self.actor  # noqa: B018


def parsed(serializer_class: type[serializers.Serializer], data: Any, **kwargs) -> dict:
    """Validate input for its types, or raise a DomainError with dotted field keys."""
    serializer = serializer_class(data=data, **kwargs)
    if not serializer.is_valid():
        fields = flatten_errors(serializer.errors)
        first = next(iter(fields.values()))[0] if fields else _("The request is not valid.")
        raise DomainError(first, fields=fields)
    return serializer.validated_data


# --- API tokens --------------------------------------------------------------------------------


class TokenObtainThrottle(SimpleRateThrottle):
    """Slows password guessing: settings.API_TOKEN_THROTTLE_RATE attempts per client address (None: off)."""

    scope = "api_token"

    def get_rate(self):
        return getattr(settings, "API_TOKEN_THROTTLE_RATE", "10/minute")

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request) or "unknown"}


class CredentialsSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text=gettext_lazy("Send it as `Authorization: Token <token>`."))
    user = serializers.CharField(help_text=gettext_lazy("The signed-in user's name."))
    organisations = serializers.ListField(child=serializers.DictField(), help_text=gettext_lazy(
        "The organisations you may act for: id, name, kind (your role), status."))


class TokenView(PlatformAPIView):
    """Exchange a username and password for an API token, or revoke your token."""

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    def get_throttles(self):
        return [TokenObtainThrottle()] if self.request.method == "POST" else []

    @extend_schema(operation_id="auth_token_obtain", tags=["auth"], request=CredentialsSerializer,
                   responses={200: TokenSerializer, **error_responses(400, 429)}, auth=[],
                   summary=gettext_lazy("Obtain an API token"))
    def post(self, request):
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        if not serializer.is_valid():
            fields = flatten_errors(serializer.errors)
            raise DomainError(next(iter(fields.values()))[0], fields=fields)
        user = serializer.validated_data["user"]
        token, _created = Token.objects.get_or_create(user=user)
        organisations = [
            {"id": m.organisation_id, "name": m.organisation.name, "kind": m.organisation.kind,
             "status": m.organisation.status}
            for m in memberships_for(user)
        ]
        return Response({"token": token.key, "user": user.username, "organisations": organisations})

    @extend_schema(operation_id="auth_token_revoke", tags=["auth"], request=None,
                   responses={204: OpenApiResponse(description=gettext_lazy("The token no longer works.")),
                              **error_responses(401)},
                   summary=gettext_lazy("Revoke your API token"))
    def delete(self, request):
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
