"""Staff manage agents' accounts in the admin."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from intranet.accounts.models import User
from intranet.accounts.services import agents_deactivate


@admin.register(User)
class AgentAdmin(UserAdmin):
    list_display = ["username", "last_name", "first_name", "department", "source", "is_active"]
    list_filter = ["source", "is_active", "is_staff", "department"]
    search_fields = ["username", "sort_name", "email"]
    list_select_related = ["department"]
    raw_id_fields = ["manager", "department"]
    actions = ["deactivate_selected"]
    fieldsets = (
        *UserAdmin.fieldsets,
        (
            _("Profile"),
            {
                "fields": (
                    "title",
                    "phone",
                    "office",
                    "department",
                    "manager",
                    "about",
                    "photo",
                    "language",
                )
            },
        ),
        (_("Directory"), {"fields": ("source", "directory_dn", "directory_fields", "left_at")}),
    )

    @admin.action(description=_("Deactivate the selected agents"), permissions=["change"])
    def deactivate_selected(self, request, queryset):
        # A queryset update would send no signal: the service ends sessions and sockets.
        count = agents_deactivate(None, queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext("%(count)d agent deactivated.", "%(count)d agents deactivated.", count)
            % {"count": count},
            messages.SUCCESS,
        )
