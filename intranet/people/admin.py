"""Staff can review skill tags in the admin."""

from django.contrib import admin

from intranet.people.models import Skill


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["label", "key"]
    search_fields = ["label", "key"]
