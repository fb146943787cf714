"""Staff edit the organisation's branding here."""

from django.contrib import admin

from intranet.core.models import Branding, WorkerHeartbeat


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
