import factory
from allauth.account.models import EmailAddress

from accounts.models import Role, User
from accounts.services import user_set_role

PASSWORD = "correct-horse-battery-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Faker("name")
    timezone = "Europe/London"
    role = Role.STUDENT

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])

    @factory.post_generation
    def setup_access(self, create, extracted, **kwargs):
        if create:
            user_set_role(user=self, role=self.role)
            EmailAddress.objects.create(user=self, email=self.email, primary=True, verified=True)


class StudentFactory(UserFactory):
    role = Role.STUDENT


class MentorFactory(UserFactory):
    role = Role.MENTOR


class ManagerFactory(UserFactory):
    role = Role.MANAGER


__all__ = ["PASSWORD", "UserFactory", "StudentFactory", "MentorFactory", "ManagerFactory"]
