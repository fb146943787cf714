"""Questions' sections on other apps' pages (intranet.core.sections): the accepted answers
an agent wrote, on their profile."""

from intranet.core.sections import Section, section_register
from intranet.questions.selectors import agent_accepted_answers


def accepted_answers(request, agent) -> dict | None:
    """Only the answers the viewer may see (visible_answers); nothing when there is none."""
    answers = list(agent_accepted_answers(request.user, agent))
    return {"accepted_answers": answers} if answers else None


section_register(
    Section(
        slot="profile.expertise",
        template="questions/_agent_accepted_answers.html",
        context=accepted_answers,
        order=60,
    )
)
