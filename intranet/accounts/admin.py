"""Staff manage agents' accounts in the admin."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from intranet.accounts.models import User


@admin.register(User)
class AgentAdmin(UserAdmin):
    list_display = ["username", "last_name", "first_name", "department", "source", "is_active"]
    list_filter = ["source", "is_active", "is_staff", "department"]
    search_fields = ["username", "sort_name", "email"]
    list_select_related = ["department"]
    raw_id_fields = ["manager", "department"]
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
