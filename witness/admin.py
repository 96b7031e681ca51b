from django.contrib import admin

from core.admin import ReadOnlyAdmin
from witness.models import Event


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["seq", "created_at", "actor_name", "organisation_name", "role", "action", "subject_type",
                    "subject_id"]
    list_filter = ["action", "role"]
    search_fields = ["action", "subject_id", "actor_name", "organisation_name"]
