import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The factories set a password on every user; the real PBKDF2 cost makes
    # the 200-mentor directory test take minutes. Hashing is not under test here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
