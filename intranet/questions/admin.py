"""Staff review questions in the admin, read-only: every change goes through the pages and
their services (routing, notifications, search queue)."""

from django.contrib import admin

from intranet.questions.models import Answer, Question, Route


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    fields = ["author", "body", "is_accepted", "created_at", "deleted_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class RouteInline(admin.TabularInline):
    model = Route
    extra = 0
    fields = ["agent", "stage", "as_ambassador", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Question)
class QuestionAdmin(ReadOnlyAdmin):
    list_display = ["title", "theme", "author", "group", "created_at", "first_answer_at"]
    list_filter = ["theme", "escalation_stage"]
    search_fields = ["title"]
    list_select_related = ["theme", "author", "group"]
    inlines = [AnswerInline, RouteInline]
