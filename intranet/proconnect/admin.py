from django.contrib import admin

from intranet.proconnect.models import DepartmentMapping, Identity


@admin.register(Identity)
class IdentityAdmin(admin.ModelAdmin):
    list_display = ("user", "sub", "siret", "organizational_unit", "linked_at", "last_sign_in")
    search_fields = ("sub", "user__username", "user__email", "siret")
    raw_id_fields = ("user",)
    readonly_fields = ("sub", "linked_at", "last_sign_in")


@admin.register(DepartmentMapping)
class DepartmentMappingAdmin(admin.ModelAdmin):
    list_display = ("siret", "organizational_unit", "department")
    search_fields = ("siret", "organizational_unit", "department__name")
    raw_id_fields = ("department",)
