"""Model and field names in the managers' admin: translatable, the English unchanged, Spanish for a Spanish manager."""

import pytest
from django.apps import apps
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import PermissionsMixin
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise

# Fields Django's own base classes declare (already translated by Django), and the automatic primary key.
DJANGO_FIELDS = {f.name for f in AbstractBaseUser._meta.get_fields()} | {
    f.name for f in PermissionsMixin._meta.get_fields()} | {"id"}


def declared_fields(model):
    for field in model._meta.get_fields():
        if field.auto_created and not field.concrete:
            continue  # reverse relations: named on the other side
        if field.name not in DJANGO_FIELDS:
            yield field


@pytest.fixture(autouse=True)
def _english_afterwards():
    # A request by a Spanish speaker leaves Spanish active in this thread: don't let it leak.
    yield
    translation.deactivate()


@pytest.mark.parametrize("app_label", ["accounts", "mentorship", "conversations"])
def test_every_model_and_field_has_a_translatable_name(app_label):
    untranslatable = []
    for model in apps.get_app_config(app_label).get_models():
        for name in ("verbose_name", "verbose_name_plural"):
            if not isinstance(getattr(model._meta, name), Promise):
                untranslatable.append(f"{model.__name__} {name}")
        for field in declared_fields(model):
            if not isinstance(field.verbose_name, Promise):
                untranslatable.append(f"{model.__name__}.{field.name}")
            if field.help_text and not isinstance(field.help_text, Promise):
                untranslatable.append(f"{model.__name__}.{field.name} help_text")
    assert untranslatable == []


def test_the_english_names_are_the_ones_django_derived():
    profile = apps.get_model("mentorship", "MentorProfile")._meta
    thread = apps.get_model("conversations", "Thread")._meta
    with translation.override("en"):
        assert (str(profile.verbose_name), str(profile.verbose_name_plural)) == ("mentor profile", "mentor profiles")
        assert str(profile.get_field("accepting_new_students").verbose_name) == "accepting new students"
        assert str(thread.get_field("last_message_at").verbose_name) == "last message at"
    with translation.override("es"):
        assert (str(profile.verbose_name), str(profile.verbose_name_plural)) == ("perfil de mentor", "perfiles de mentor")
        assert str(profile.get_field("accepting_new_students").verbose_name) == "acepta nuevos estudiantes"
        assert str(thread.get_field("last_message_at").verbose_name) == "fecha del último mensaje"


@pytest.mark.django_db
def test_a_spanish_manager_reads_the_user_list_columns_in_spanish(client, manager):
    manager.language = "es"
    manager.save(update_fields=["language"])
    client.force_login(manager)
    html = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert "Nombre completo" in html and "Zona horaria" in html and "Activo" in html
    assert "Full name" not in html and "Is active" not in html
