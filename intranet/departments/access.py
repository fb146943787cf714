"""Who may see departments. The organisation chart is open to every signed-in agent."""

from django.db.models import QuerySet
from django.http import Http404

from intranet.departments.models import Department


def visible_departments(actor) -> QuerySet[Department]:
    if not (actor and actor.is_authenticated and actor.is_active):
        return Department.objects.none()
    return Department.objects.filter(is_active=True)


def access_department(actor, department_id: int) -> Department:
    department = (
        visible_departments(actor).select_related("parent", "head").filter(pk=department_id).first()
    )
    if department is None:
        raise Http404
    return department
