"""Staff can review the skills taxonomy in the admin (curation pages: /experts/skills/)."""

from django.contrib import admin

from intranet.skills.models import Skill, SkillAlias


class SkillAliasInline(admin.TabularInline):
    model = SkillAlias
    extra = 0
    readonly_fields = ["label", "key"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # synonyms go through the curation page, which refuses collisions


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["label", "key", "status"]
    list_filter = ["status"]
    search_fields = ["label", "key", "aliases__key"]
    readonly_fields = ["key", "proposed_by"]
    inlines = [SkillAliasInline]
