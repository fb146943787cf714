"""Staff edit the organisation's branding here."""

from django.contrib import admin

from intranet.core.models import Branding


@admin.register(Branding)
class BrandingAdmin(admin.ModelAdmin):
    list_display = ["name", "primary_color", "updated_at"]

    def has_add_permission(self, request):
        return not Branding.objects.exists()
