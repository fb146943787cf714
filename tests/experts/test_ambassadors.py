"""Themes and ambassadors: who designates, the agent's consent, mandate dates, ending."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from intranet.experts import services
from intranet.experts.models import Ambassador
from intranet.experts.selectors import (
    agent_ambassador_roles,
    serving_ambassadors,
    theme_ambassadors_by_department,
)

TODAY = datetime.date.today()


def invite(actor, theme, agent, department=None, **dates):
    dates.setdefault("starts_on", TODAY)
    return services.ambassador_invite(
        actor, theme=theme, department=department or agent.department, agent=agent, **dates
    )


def test_animator_of_the_department_group_invites(bob, alice, rgpd_theme):
    ambassador = invite(bob, rgpd_theme, alice)
    assert (ambassador.status, ambassador.invited_by) == (Ambassador.Status.INVITED, bob)


def test_invitation_is_not_a_mandate_until_accepted(bob, alice, rgpd_theme):
    ambassador = invite(bob, rgpd_theme, alice)
    assert not serving_ambassadors(rgpd_theme).exists()
    services.ambassador_respond(alice, ambassador.pk, accept=True)
    assert list(serving_ambassadors(rgpd_theme)) == [ambassador]
    assert agent_ambassador_roles(alice) == [ambassador]


def test_declined_invitation_never_serves(bob, alice, rgpd_theme):
    ambassador = invite(bob, rgpd_theme, alice)
    services.ambassador_respond(alice, ambassador.pk, accept=False)
    ambassador.refresh_from_db()
    assert ambassador.status == Ambassador.Status.DECLINED
    assert not serving_ambassadors(rgpd_theme).exists()


def test_nobody_consents_for_the_agent(bob, alice, staff, rgpd_theme):
    ambassador = invite(bob, rgpd_theme, alice)
    with pytest.raises(PermissionDenied):
        services.ambassador_respond(bob, ambassador.pk, accept=True)
    with pytest.raises(PermissionDenied):
        services.ambassador_respond(staff, ambassador.pk, accept=True)


def test_outsider_does_not_even_see_an_invitation(bob, alice, carol, rgpd_theme):
    ambassador = invite(bob, rgpd_theme, alice)
    with pytest.raises(Http404):
        services.ambassador_respond(carol, ambassador.pk, accept=True)


def test_answering_twice_is_refused(bob, alice, rgpd_theme, english):
    ambassador = invite(bob, rgpd_theme, alice)
    services.ambassador_respond(alice, ambassador.pk, accept=True)
    with pytest.raises(ValidationError) as error:
        services.ambassador_respond(alice, ambassador.pk, accept=False)
    assert error.value.messages == ["This invitation has already been answered."]


def test_plain_member_and_other_department_cannot_designate(bob, alice, dave, carol, rgpd_theme):
    with pytest.raises(PermissionDenied):
        invite(dave, rgpd_theme, alice)
    with pytest.raises(PermissionDenied):
        invite(carol, rgpd_theme, alice)
    assert not Ambassador.objects.exists()


def test_staff_designate_anywhere(staff, carol, rgpd_theme):
    assert invite(staff, rgpd_theme, carol).department == carol.department


def test_agent_of_another_department_is_refused(bob, carol, finance, rgpd_theme, english):
    with pytest.raises(ValidationError) as error:
        invite(bob, rgpd_theme, carol, department=finance)
    assert error.value.messages == ["Carol N'Diaye does not work in Direction des finances."]


def test_end_before_start_is_refused(bob, alice, rgpd_theme, english):
    with pytest.raises(ValidationError) as error:
        invite(bob, rgpd_theme, alice, ends_on=TODAY - datetime.timedelta(days=1))
    assert error.value.messages == ["The end date must come after the start date."]


def test_second_open_invitation_is_refused(bob, alice, rgpd_theme):
    invite(bob, rgpd_theme, alice)
    with pytest.raises(ValidationError):
        invite(bob, rgpd_theme, alice)
    assert Ambassador.objects.count() == 1


def test_mandate_dates_bound_serving(bob, alice, dave, rgpd_theme):
    later = invite(bob, rgpd_theme, alice, starts_on=TODAY + datetime.timedelta(days=10))
    over = invite(
        bob,
        rgpd_theme,
        dave,
        starts_on=TODAY - datetime.timedelta(days=30),
        ends_on=TODAY - datetime.timedelta(days=1),
    )
    for ambassador, agent in ((later, alice), (over, dave)):
        services.ambassador_respond(agent, ambassador.pk, accept=True)
    assert not serving_ambassadors(rgpd_theme).exists()
    assert list(serving_ambassadors(rgpd_theme, on=TODAY + datetime.timedelta(days=10))) == [later]


def test_agent_or_animator_ends_a_mandate_others_cannot(bob, alice, dave, rgpd_theme):
    ambassador = invite(bob, rgpd_theme, alice)
    services.ambassador_respond(alice, ambassador.pk, accept=True)
    with pytest.raises(PermissionDenied):
        services.ambassador_end(dave, ambassador.pk)
    services.ambassador_end(bob, ambassador.pk)
    ambassador.refresh_from_db()
    assert (ambassador.status, ambassador.ends_on) == (Ambassador.Status.ENDED, TODAY)
    assert not serving_ambassadors(rgpd_theme).exists()
    # After a mandate ended, a new invitation is possible.
    assert invite(bob, rgpd_theme, alice).status == Ambassador.Status.INVITED


def test_theme_page_groups_ambassadors_by_department(bob, alice, staff, carol, rgpd_theme):
    for agent, actor in ((alice, bob), (carol, staff)):
        services.ambassador_respond(agent, invite(actor, rgpd_theme, agent).pk, accept=True)
    grouped = theme_ambassadors_by_department(rgpd_theme)
    assert [(d.name, [a.agent.username for a in ambassadors]) for d, ambassadors in grouped] == [
        ("Direction des finances", ["alice"]),
        ("Direction des ressources humaines", ["carol"]),
    ]


def test_themes_are_for_staff_only(alice, english):
    with pytest.raises(PermissionDenied):
        services.theme_create(alice, name="Numérique")


def test_theme_names_are_unique_whatever_the_accents(staff, english):
    services.theme_create(staff, name="Marchés publics")
    with pytest.raises(ValidationError) as error:
        services.theme_create(staff, name="MARCHES PUBLICS")
    assert error.value.messages == ["A theme called “MARCHES PUBLICS” already exists."]


def test_hostile_theme_name_is_kept_as_text(staff):
    theme = services.theme_create(staff, name="=cmd|' /C calc'!A0 <b>\x00" + "x" * 300)
    assert "\x00" not in theme.name and len(theme.name) == 120
    assert theme.slug


def test_invited_agent_is_notified_while_the_invitation_waits(bob, alice, rgpd_theme, english):
    from intranet.notifications.selectors import notification_list, visible_notifications

    ambassador = invite(bob, rgpd_theme, alice)
    (item,) = notification_list(alice)
    assert item.text.startswith("Bob Martin invites you to be an ambassador: RGPD")
    assert item.url == "/experts/ambassadors/invitations/"
    services.ambassador_respond(alice, ambassador.pk, accept=True)
    assert not visible_notifications(alice).exists()  # answered: nothing left to act on
