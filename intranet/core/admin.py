"""Staff edit the organisation's branding and the public site pages here."""

from django.contrib import admin

from intranet.core.models import Branding, SitePage, WorkerHeartbeat


@admin.register(Branding)
class BrandingAdmin(admin.ModelAdmin):
    list_display = ["name", "primary_color", "updated_at"]

    def has_add_permission(self, request):
        return not Branding.objects.exists()


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    """Read only: which workers beat, and when they last did (docs/deploy.md)."""

    list_display = ["worker_id", "hostname", "pid", "started_at", "beat_at"]
    ordering = ["-beat_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SitePage)
class SitePageAdmin(admin.ModelAdmin):
    """The accessibility statement, the legal notice and the personal-data page: created
    with default texts by a migration, edited here (Markdown), never added nor deleted,
    since every page's footer links to them."""

    list_display = ["title_fr", "slug", "updated_at"]
    readonly_fields = ["slug", "updated_at"]
    fields = ["slug", "title_fr", "body_fr", "title_en", "body_en", "updated_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
