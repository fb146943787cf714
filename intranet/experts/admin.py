"""Themes and ambassador mandates in the admin, read-mostly (pages: /experts/themes/)."""

from django.contrib import admin

from intranet.experts.models import Ambassador, Theme


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_active"]
    search_fields = ["name"]
    filter_horizontal = ["skills", "topics"]


@admin.register(Ambassador)
class AmbassadorAdmin(admin.ModelAdmin):
    list_display = ["agent", "theme", "department", "status", "starts_on", "ends_on"]
    list_filter = ["status", "theme"]
    search_fields = ["agent__username", "agent__last_name", "department__name"]
    raw_id_fields = ["agent", "department", "invited_by"]
    readonly_fields = ["status", "responded_at", "invited_by"]
