"""Read-only lists of exports and of anonymisations and erasures, for staff."""

from django.contrib import admin

from intranet.privacy.models import DataExport, Erasure


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DataExport)
class DataExportAdmin(ReadOnlyAdmin):
    list_display = ("agent", "requested_by", "status", "size", "created_at", "expires_at")
    list_filter = ("status",)
    list_select_related = ("agent", "requested_by")
    exclude = ("file_name",)  # where it lies on disk is no business of the admin's


@admin.register(Erasure)
class ErasureAdmin(ReadOnlyAdmin):
    list_display = ("agent", "kind", "performed_by", "created_at")
    list_filter = ("kind",)
    list_select_related = ("agent", "performed_by")
