from django.contrib import admin

from accounts.models import Membership, Organisation, PublicKey, User
from core.admin import ReadOnlyAdmin


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    list_display = ["username", "full_name", "email", "is_active", "last_login"]
    search_fields = ["username", "full_name", "email"]
    exclude = ["password"]


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    list_display = ["name", "credit_code", "kind", "status", "region", "created_at"]
    list_filter = ["kind", "status"]
    search_fields = ["name", "credit_code"]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["user", "organisation", "role", "is_active"]
    list_filter = ["role"]


@admin.register(PublicKey)
class PublicKeyAdmin(ReadOnlyAdmin):
    list_display = ["label", "organisation", "purpose", "algorithm", "fingerprint", "status"]
    list_filter = ["purpose", "status"]
