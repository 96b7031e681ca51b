"""The Django admin is a read-only window for platform operators.

Every change goes through the services, which check the rules and write the ledger;
an admin that could edit rows would go around both."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
