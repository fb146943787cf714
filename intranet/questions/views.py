"""Question pages: lists, asking, a question with its answers, accepting, editing, the FAQ."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from intranet.moderation.services import charter_accept
from intranet.questions import access, selectors, services
from intranet.questions.forms import (
    AnswerEditForm,
    AnswerForm,
    ListFilterForm,
    QuestionEditForm,
    QuestionForm,
)


def _theme(slug):
    return get_object_or_404(selectors.active_themes(), slug=str(slug)[:120])


def _accept_charter_if_asked(request, form) -> None:
    if form.cleaned_data.get("accept_charter"):
        charter_accept(request.user, version_id=form.cleaned_data["charter_version"])


@require_GET
def question_list(request):
    form = ListFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    show = data.get("show") or "all"
    theme = _theme(data["theme"]) if data.get("theme") else None
    questions = selectors.question_list(request.user, show=show, theme=theme)
    page = Paginator(questions, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    query = {"show": show, **({"theme": theme.slug} if theme else {})}
    context = {
        "questions": page.object_list,
        "page": page,
        "query_string": urlencode(query),
        "show": show,
        "theme": theme,
        "themes": selectors.active_themes(),
    }
    return render(request, "questions/question_list.html", context)


def question_ask(request):
    initial = {}
    if request.method == "GET" and request.GET.get("theme"):
        initial["theme"] = selectors.active_themes().filter(slug=request.GET["theme"][:120]).first()
    data = request.POST if request.method == "POST" else None
    form = QuestionForm(data, actor=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            _accept_charter_if_asked(request, form)
            question = services.question_ask(
                request.user,
                theme=data["theme"],
                title=data["title"],
                body=data["body"],
                group=data["group"],
                idempotency_key=data["idempotency_key"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your question has been sent."))
            return redirect("questions:question-detail", question_id=question.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "questions/question_form.html", {"form": form}, status=status)


@require_GET
def question_detail(request, question_id):
    question = access.access_question(request.user, question_id)
    return render(request, "questions/question_detail.html", _detail_context(request, question))


def _detail_context(request, question, answer_form=None):
    user = request.user
    return {
        "question": question,
        "answers": selectors.question_answers(user, question),
        "answer_form": answer_form or AnswerForm(actor=user),
        "can_answer": access.can_answer_question(user, question),
        "can_accept": access.can_accept_answer(user, question),
        "can_edit": access.can_edit_question(user, question),
        "can_delete": access.can_delete_question(user, question),
        "can_moderate": access.can_moderate_question(user, question),
    }


@require_POST
def answer_create(request, question_id):
    question = access.access_question(request.user, question_id)
    form = AnswerForm(request.POST, actor=request.user)
    if form.is_valid():
        try:
            _accept_charter_if_asked(request, form)
            answer = services.answer_create(
                request.user,
                question.pk,
                body=form.cleaned_data["body"],
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
        except ValidationError as error:
            form.add_error("body", error)
        else:
            messages.success(request, _("Your answer has been published."))
            url = reverse("questions:question-detail", args=[question.pk])
            return redirect(f"{url}#answer-{answer.pk}")
    context = _detail_context(request, question, answer_form=form)
    return render(request, "questions/question_detail.html", context, status=400)


@require_POST
def answer_accept(request, answer_id):
    if request.POST.get("accepted") == "0":
        answer = services.answer_unaccept(request.user, answer_id)
        messages.success(request, _("The answer is no longer marked as accepted."))
    else:
        answer = services.answer_accept(request.user, answer_id)
        messages.success(request, _("The answer is marked as accepted."))
    url = reverse("questions:question-detail", args=[answer.question_id])
    return redirect(f"{url}#answer-{answer.pk}")


def question_edit(request, question_id):
    question = access.access_question(request.user, question_id, for_write=True)
    data = request.POST if request.method == "POST" else None
    form = QuestionEditForm(data, initial={"title": question.title, "body": question.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.question_edit(request.user, question.pk, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your question has been updated."))
            return redirect("questions:question-detail", question_id=question.pk)
    return render(request, "questions/question_edit.html", {"form": form, "question": question})


@require_POST
def question_delete(request, question_id):
    services.question_delete(request.user, question_id)
    messages.success(request, _("The question has been deleted."))
    return redirect("questions:question-list")


def answer_edit(request, answer_id):
    answer = access.access_answer(request.user, answer_id, for_write=True)
    data = request.POST if request.method == "POST" else None
    form = AnswerEditForm(data, initial={"body": answer.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_edit(request.user, answer.pk, body=form.cleaned_data["body"])
        except ValidationError as error:
            form.add_error("body", error)
        else:
            messages.success(request, _("Your answer has been updated."))
            url = reverse("questions:question-detail", args=[answer.question_id])
            return redirect(f"{url}#answer-{answer.pk}")
    return render(request, "questions/answer_edit.html", {"form": form, "answer": answer})


@require_POST
def answer_delete(request, answer_id):
    answer = services.answer_delete(request.user, answer_id)
    messages.success(request, _("The answer has been deleted."))
    return redirect("questions:question-detail", question_id=answer.question_id)


@require_GET
def theme_faq(request, slug):
    theme = _theme(slug)
    if not access.group_access.is_active_agent(request.user):
        raise Http404
    context = {"theme": theme, "questions": selectors.theme_faq(request.user, theme)}
    return render(request, "questions/theme_faq.html", context)
