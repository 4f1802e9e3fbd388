"""What conversations adds to other apps' pages through their extension points."""

from django.urls import reverse
from django.utils.translation import gettext as _

from scheduling.page_links import PageLink


def session_message_link(session, user):
    """"Message your mentor" (or student) on a session page, naming the session."""
    if user.pk == session.student_id:
        other, label = session.mentor_id, _("Message your mentor")
    elif user.pk == session.mentor_id:
        # Translators: a link to write to the student, "Message Ana".
        other, label = session.student_id, _("Message %(name)s") % {"name": session.student.get_short_name()}
    else:
        return []
    url = f"{reverse('conversations:with', args=[other])}?session={session.pk}"
    return [PageLink(label=label, url=url, testid="message-link")]
