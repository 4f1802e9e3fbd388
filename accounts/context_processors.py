from django.conf import settings


def site(request):
    return {"SITE_NAME": "Mentorship", "SITE_URL": settings.SITE_URL}
