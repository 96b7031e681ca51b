"""Sign-in, sign-out, self-registration and the four password-reset steps."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import services
from accounts.forms import RegistrationForm, add_domain_error
from accounts.middleware import ACTING_SESSION_KEY, client_ip
from core.errors import DomainError


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        services.user_signed_in(user=form.get_user(), ip=client_ip(self.request))
        return response

    def form_invalid(self, form):
        services.user_sign_in_failed(username=self.request.POST.get("username", ""), ip=client_ip(self.request))
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    """Sign-out by POST only (Django's LogoutView refuses GET)."""

    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            services.user_signed_out(user=request.user, ip=client_ip(request))
        return super().post(request, *args, **kwargs)


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        self.extra_email_context = {"site_name": settings.PLATFORM_NAME}
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.user_password_set(user=form.user, ip=client_ip(self.request))
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"


@require_http_methods(["GET", "POST"])
def register(request):
    if request.user.is_authenticated:
        messages.info(request, _("You are already signed in. Sign out first to register another organisation."))
        return redirect("home")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            org = services.organisation_register(
                kind=data["kind"], name=data["name"], credit_code_value=data["credit_code"],
                region=data["region"], address=data["address"],
                legal_representative=data["legal_representative"], contact_phone=data["contact_phone"],
                username=data["username"], full_name=data["full_name"], email=data["email"],
                password=data["password1"], ip=client_ip(request),
            )
        except DomainError as exc:
            add_domain_error(form, exc, RegistrationForm.FIELD_MAP)
        else:
            user = org.memberships.get().user
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            request.session[ACTING_SESSION_KEY] = org.pk
            return redirect("accounts:registered")
    return render(request, "accounts/register.html", {"form": form})


@login_required
def registered(request):
    return render(request, "accounts/registered.html", {"organisation": request.actor.organisation})
