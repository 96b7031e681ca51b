from django.contrib import admin

from bidding.models import Clarification, Lot, Tender, TenderDocument
from core.admin import ReadOnlyAdmin


class LotInline(admin.TabularInline):
    model = Lot
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Tender)
class TenderAdmin(ReadOnlyAdmin):
    list_display = ["reference", "title", "category", "method", "status", "budget", "bid_deadline"]
    list_filter = ["status", "category", "method"]
    search_fields = ["reference", "title"]
    inlines = [LotInline]


@admin.register(TenderDocument)
class TenderDocumentAdmin(ReadOnlyAdmin):
    list_display = ["tender", "version", "title", "size", "sha256", "uploaded_at"]


@admin.register(Clarification)
class ClarificationAdmin(ReadOnlyAdmin):
    list_display = ["tender", "number", "title", "published_at"]
