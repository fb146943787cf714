"""The demo is what the README says it is: titles in words a screen reader reads (no
median dots), personas with the expertise and roles given them, and content for every page
(images described, comments, reactions, chat, followed topics); loaded once."""

import io

from django.core.management import call_command

from intranet.accounts.models import User
from intranet.chat.models import Conversation, Message
from intranet.departments.models import Department
from intranet.experts.models import Ambassador
from intranet.people.demo import head_title, title_for
from intranet.skills.models import SkillClaim
from intranet.stream.models import Comment, Post, Reaction
from intranet.topics.models import TopicFollow


def test_titles_take_the_person_form_or_a_neutral_one():
    forms = ("Chargée de mission", "Chargé de mission")
    assert title_for("Fatou", forms) == "Chargée de mission"
    assert title_for("Julien", forms) == "Chargé de mission"
    assert title_for("Camille", forms) == ""  # no guess: a neutral title instead
    assert title_for("Camille", ("Juriste",)) == "Juriste"
    dae = Department(name="Direction de l'aménagement et de l'environnement")
    assert head_title(dae, "Hugo") == "Directeur de l'aménagement et de l'environnement"
    assert head_title(Department(name="Service formation"), "Léa") == "Cheffe du service formation"


def test_the_demo_matches_the_readme(settings, db):
    settings.TRANSVERSE_DEMO = True
    call_command("seed_demo", no_progress=True, stdout=io.StringIO())
    titles = list(User.objects.values_list("title", flat=True))
    assert titles and not any("·" in title for title in titles)

    fndiaye = User.objects.get(username="fndiaye")
    claim = SkillClaim.objects.get(agent=fndiaye, skill__label="Marchés publics")
    assert claim.level == 3 and claim.accepts_requests
    assert Ambassador.objects.filter(
        agent=fndiaye, theme__name="Marchés publics", status=Ambassador.Status.ACTIVE
    ).exists()

    amartin = User.objects.get(username="amartin")
    assert Department.objects.get(name="Service formation").head == amartin
    dae = Department.objects.get(acronym="DAE")
    assert dae.head.title.startswith(("Directeur de l'aménagement", "Directrice de l'aménagement"))
    for department in Department.objects.exclude(head=None).select_related("head"):
        title = department.head.title
        assert title.startswith(("Direct", "Chef", "Responsable")), (department.name, title)

    described = Post.objects.exclude(image="").exclude(image_alt="")
    assert described.count() >= 3 and Post.objects.filter(image_decorative=True).exists()
    assert Comment.objects.count() >= 15 and Reaction.objects.count() >= 15
    assert Message.objects.filter(conversation__kind=Conversation.Kind.GROUP).count() >= 6
    assert Message.objects.exclude(conversation__kind=Conversation.Kind.GROUP).exists()
    assert TopicFollow.objects.count() > 10
    persona = User.objects.get(username="jlefevre")
    newcomer = User.objects.filter(is_superuser=False).order_by("-pk").first()
    assert persona.welcomed_at is not None and newcomer.welcomed_at is None

    counts = (Post.objects.count(), Message.objects.count(), Ambassador.objects.count())
    call_command("seed_demo", no_progress=True, stdout=io.StringIO())
    assert (Post.objects.count(), Message.objects.count(), Ambassador.objects.count()) == counts
