"""Staff see the organisation chart in the admin (the directory sync maintains it)."""

from django.contrib import admin

from intranet.departments.models import Department


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "acronym", "parent", "is_active"]
    search_fields = ["name", "acronym"]
    readonly_fields = ["path", "depth"]
    raw_id_fields = ["parent", "head"]
    list_select_related = ["parent"]

    def has_add_permission(self, request):
        # Departments are created through services so that their path stays right.
        return False
