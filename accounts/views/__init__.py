"""Server-rendered pages for people and organisations."""

from accounts.views.auth import (  # noqa: F401
    LoginView,
    LogoutView,
    PasswordResetCompleteView,
    PasswordResetConfirmView,
    PasswordResetDoneView,
    PasswordResetView,
    register,
    registered,
)
from accounts.views.home_page import home  # noqa: F401
from accounts.views.organisation_page import (  # noqa: F401
    key_register,
    key_revoke,
    member_add,
    organisation,
    switch_organisation,
)
from accounts.views.review import organisation_review, review_queue  # noqa: F401
