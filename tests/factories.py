"""factory_boy factories: minimal valid objects, built through the same paths as the app."""

import factory
from django.contrib.auth.hashers import make_password

from intranet.accounts.models import User
from intranet.departments.services import department_create

PASSWORD = "correct horse battery staple"
_PASSWORD_HASH = make_password(PASSWORD)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"agent{n}")
    first_name = factory.Sequence(lambda n: f"Prénom{n}")
    last_name = factory.Sequence(lambda n: f"Nom{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@exemple.gouv.fr")
    password = _PASSWORD_HASH  # hashed once: hashing per agent would slow every test down


def make_department(name="Direction des finances", parent=None, **fields):
    return department_create(name=name, parent=parent, **fields)
