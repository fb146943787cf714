"""Staff read the audit trail in the admin: filtered by actor, kind, object and period,
and exported as CSV (the list as filtered). Nobody adds, edits or deletes an entry there:
the retention task alone removes old entries."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from intranet.audit.kinds import kind_label
from intranet.audit.models import AuditEntry
from intranet.core.spreadsheets import csv_response

# Rows in one CSV export; a longer period is exported in several.
MAX_EXPORT_ROWS = 100_000


class KindFilter(admin.SimpleListFilter):
    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        kinds = AuditEntry.objects.order_by("kind").values_list("kind", flat=True).distinct()
        return [(kind, kind_label(kind)) for kind in kinds]

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind_name", "actor_link", "address", "target_link"]
    list_filter = [KindFilter, "created_at", "target_type"]
    search_fields = ["actor_label", "target_label", "=target_id", "=address"]
    date_hierarchy = "created_at"
    list_select_related = ["target_type"]
    show_full_result_count = False
    readonly_fields = [field.name for field in AuditEntry._meta.fields]

    @admin.display(description=_("kind"), ordering="kind")
    def kind_name(self, entry):
        return kind_label(entry.kind)

    @admin.display(description=_("actor"), ordering="actor_label")
    def actor_link(self, entry):
        # Filtering by actor: a link to the entries of the same account (a list of every
        # agent who ever acted would not fit in the side bar).
        if entry.actor_id is None:
            return entry.actor_label
        return format_html(
            '<a href="?actor__id__exact={}">{}</a>', entry.actor_id, entry.actor_label
        )

    @admin.display(description=_("object"))
    def target_link(self, entry):
        if entry.target_type_id is None:
            return entry.target_label
        return format_html(
            '<a href="?target_type__id__exact={}&amp;target_id={}">{}</a>',
            entry.target_type_id,
            entry.target_id,
            entry.target_label,
        )

    def lookup_allowed(self, lookup, value, request=None):
        if lookup in {"actor__id__exact", "target_id", "target_type__id__exact"}:
            return True
        return super().lookup_allowed(lookup, value, request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        export = self.admin_site.admin_view(self.export_csv)
        return [path("export/", export, name="audit_auditentry_export"), *super().get_urls()]

    def export_csv(self, request):
        """The list as filtered on the page, as CSV."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        entries = changelist.get_queryset(request).select_related("target_type")
        header = [
            _("when"),
            _("kind"),
            _("actor (login)"),
            _("actor id"),
            _("address"),
            _("object type"),
            _("object id"),
            _("object"),
            _("details"),
        ]
        rows = [[str(title) for title in header]]
        for entry in entries[:MAX_EXPORT_ROWS].iterator(chunk_size=2000):
            rows.append(
                [
                    entry.created_at.isoformat(),
                    entry.kind,
                    entry.actor_label,
                    entry.actor_id or "",
                    entry.address,
                    entry.target_type.model if entry.target_type else "",
                    entry.target_id,
                    entry.target_label,
                    _details_text(entry.details),
                ]
            )
        return csv_response(rows, filename="audit.csv")


def _details_text(details: dict) -> str:
    return "; ".join(f"{name}={value}" for name, value in sorted((details or {}).items()))
