"""Mentor photos: huge images are refused plainly; stored photos are small JPEGs."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from mentorship.models import MentorProfile
from mentorship.photos import STORED_SIZE

from .factories import make_mentor
from .test_views_mentor_pages import PROFILE_URL, profile_data

pytestmark = pytest.mark.django_db


def upload(width, height, fmt="PNG", mode="RGB", name="me.png", **save):
    buffer = BytesIO()
    Image.new(mode, (width, height), "white" if mode != "1" else 1).save(buffer, fmt, **save)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def test_a_12000_by_12000_png_is_refused_with_a_clear_message(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    mentor = make_mentor()
    client.force_login(mentor)
    bomb = upload(12_000, 12_000, mode="1")  # a few kilobytes on disk, 144 megapixels in memory
    assert bomb.size < 2 * 1024 * 1024
    response = client.post(PROFILE_URL, {**profile_data(), "photo": bomb})
    assert response.status_code == 400
    assert "please choose one under 25 megapixels" in response.content.decode()
    assert not MentorProfile.objects.get(user=mentor).photo
    assert not list(tmp_path.rglob("*.*"))


def test_a_stored_photo_is_re_encoded_and_resized_to_what_pages_show(client, settings, tmp_path, student):
    settings.MEDIA_ROOT = tmp_path
    mentor = make_mentor()
    client.force_login(mentor)
    photo = upload(3000, 2000, fmt="PNG", mode="RGBA", name="portrait.png")
    assert client.post(PROFILE_URL, {**profile_data(), "photo": photo}).status_code == 302
    stored = MentorProfile.objects.get(user=mentor).photo
    assert stored.name.endswith(".jpg") and "portrait" not in stored.name
    with Image.open(stored.path) as image:
        assert image.format == "JPEG" and image.size == STORED_SIZE
    client.force_login(student)
    served = client.get(reverse("mentorship:mentor-photo", args=[mentor.pk]))
    assert served.status_code == 200 and len(b"".join(served.streaming_content)) < 50_000
