"""Skill pages: an agent's own claims, endorsing a colleague's, and staff curating the
taxonomy. Paths kept from when they lived in people and experts: /people/<login>/skills/
and /experts/skills/."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from intranet.accounts.access import access_agent
from intranet.skills import selectors, services
from intranet.skills.access import access_skill_claim, can_curate_skills
from intranet.skills.forms import (
    SkillClaimForm,
    SkillClaimUpdateForm,
    SkillCurationForm,
    SkillMergeForm,
)
from intranet.skills.models import Skill
from intranet.skills.services import MAX_SKILL_LENGTH, curation


def skill_claims_manage(request, username):
    """An agent's own skills: add one with a level, change or remove the others."""
    agent = access_agent(request.user, username, for_write=True)
    form = SkillClaimForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            claim = services.skill_claim_add(request.user, agent, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("“%(skill)s” is on your profile.") % {"skill": claim.skill.label}
            )
            return redirect("skills:skill-claims", username=agent.username)
    claims = selectors.agent_skill_claims(request.user, agent)
    for claim in claims:
        claim.form = SkillClaimUpdateForm(
            initial={"level": claim.level, "accepts_requests": claim.accepts_requests},
            prefix=f"claim-{claim.pk}",
        )
    context = {"agent": agent, "form": form, "claims": claims}
    return render(request, "skills/skill_claims.html", context)


@require_POST
def skill_claim_update(request, username, pk):
    claim = access_skill_claim(request.user, pk, for_write=True)
    form = SkillClaimUpdateForm(request.POST, prefix=f"claim-{claim.pk}")
    if "remove" in request.POST:
        services.skill_claim_remove(request.user, claim.pk)
        messages.success(
            request, _("“%(skill)s” is no longer on your profile.") % {"skill": claim.skill.label}
        )
    elif form.is_valid():
        services.skill_claim_update(request.user, claim.pk, **form.cleaned_data)
        messages.success(request, _("Your skill has been saved."))
    else:
        messages.error(request, _("Choose a level from the list."))
    return redirect("skills:skill-claims", username=claim.agent.username)


@require_POST
def skill_claim_endorse(request, username, pk):
    claim = access_skill_claim(request.user, pk)
    try:
        if request.POST.get("endorse") == "0":
            services.endorsement_remove(request.user, claim.pk)
        else:
            services.endorsement_add(request.user, claim.pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(f"{resolve_url('people:agent-detail', claim.agent.username)}#skills-heading")


def _require_curator(request):
    if not can_curate_skills(request.user):
        raise PermissionDenied


@require_GET
def skill_list(request):
    """Staff: the taxonomy, proposed skills first."""
    _require_curator(request)
    status = request.GET.get("status", "")
    status = status if status in Skill.Status.values else ""
    query = request.GET.get("q", "")[:MAX_SKILL_LENGTH]
    skills = selectors.skills_for_curation(status=status, query=query)
    page = Paginator(skills, 50).get_page(request.GET.get("page"))
    query_string = request.GET.copy()
    query_string.pop("page", None)
    context = {
        "page": page,
        "status": status,
        "query": query,
        "statuses": Skill.Status.choices,
        "query_string": query_string.urlencode(),
        "form": SkillCurationForm(),
    }
    return render(request, "skills/skill_list.html", context)


@require_POST
def skill_create(request):
    _require_curator(request)
    form = SkillCurationForm(request.POST)
    if form.is_valid():
        try:
            skill = curation.skill_create(
                request.user,
                label=form.cleaned_data["label"],
                synonyms=form.cleaned_data["synonyms"],
            )
            curation.skill_related_set(request.user, skill, skills=form.cleaned_data["related"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The skill has been created."))
            return redirect("skills:skill-edit", pk=skill.pk)
    return render(request, "skills/skill_form.html", {"form": form, "skill": None})


def skill_edit(request, pk):
    """Staff: rename, synonyms, related skills; accept a proposed skill."""
    _require_curator(request)
    skill = get_object_or_404(Skill, pk=pk)
    initial = {
        "label": skill.label,
        "synonyms": ", ".join(a.label for a in skill.aliases.exclude(key=skill.key)),
        "related": ", ".join(s.label for s in skill.related.all()),
    }
    form = SkillCurationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                if data["label"] != skill.label:
                    curation.skill_rename(request.user, skill, label=data["label"])
                curation.skill_synonyms_set(request.user, skill, labels=data["synonyms"])
                curation.skill_related_set(request.user, skill, skills=data["related"])
                if "accept" in request.POST:
                    curation.skill_accept(request.user, skill)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The skill has been saved."))
            return redirect("skills:skill-edit", pk=skill.pk)
    context = {"form": form, "skill": skill, "merge_form": SkillMergeForm()}
    return render(request, "skills/skill_form.html", context)


def skill_merge(request, pk):
    """Staff: merge a skill into another, after an explicit confirmation."""
    _require_curator(request)
    skill = get_object_or_404(Skill, pk=pk)
    form = SkillMergeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            into = curation.skill_merge(request.user, skill, into=form.cleaned_data["into"])
        except ValidationError as error:
            form.add_error("into", error)
        else:
            messages.success(
                request,
                _("“%(source)s” has been merged into “%(target)s”.")
                % {"source": skill.label, "target": into.label},
            )
            return redirect("skills:skill-edit", pk=into.pk)
    n_claims = skill.claims.count()
    return render(
        request, "skills/skill_merge.html", {"form": form, "skill": skill, "n_claims": n_claims}
    )
