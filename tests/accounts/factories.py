import factory

from accounts.enums import Role
from accounts.models import User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@example.org")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    role = Role.CANDIDATE
    password = factory.django.Password(None)

    class Params:
        candidate = factory.Trait(role=Role.CANDIDATE)
        employer = factory.Trait(role=Role.EMPLOYER)
        advisor = factory.Trait(role=Role.ADVISOR)
        admin = factory.Trait(role=Role.ADMIN, is_staff=True, is_superuser=True)
