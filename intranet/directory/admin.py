"""Staff read the history of directory syncs in the admin (the sync itself writes it)."""

from django.contrib import admin

from intranet.directory.models import SyncRun


@admin.register(SyncRun)
class SyncRunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "mode", "status", "finished_at"]
    list_filter = ["mode", "status"]
    readonly_fields = [f.name for f in SyncRun._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
