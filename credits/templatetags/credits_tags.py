from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django import template
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts import datefmt

from ..forms import CreditRequestForm
from ..selectors import UNREAD, credits_summary, current_enrolment, group_summary

register = template.Library()


@register.inclusion_tag("credits/_card.html", takes_context=True)
def credits_card(context, user):
    """The overview's credits card. A page that already read the student's enrolment passes it as
    `credits_enrolment` (None: no current plan), so the card adds no query; otherwise it is read once here."""
    now = timezone.now()
    enrolment = context.get("credits_enrolment", UNREAD)
    if enrolment is UNREAD:
        enrolment = current_enrolment(user)
    return {"summary": credits_summary(user, now=now, enrolment=enrolment),
            "group": group_summary(user, now=now, enrolment=enrolment)}


@register.simple_tag
def ledger_rows(entries):
    """The history table's `<tr>` rows, each built once in Python: per row, the template's `|date` (its format
    translated again each time), three `{% if %}`s and a `{% blocktranslate %}` were most of the page's time.
    Times in the active zone, as `|date` shows them; the words are the template's, looked up once."""
    zone = timezone.get_current_timezone()
    when_format = _("D j M Y, H:i")
    unlimited = escape(_("unlimited"))
    group = _("%(n)s group")
    names = datefmt.day_and_month_names()
    out = []
    for entry in entries:
        amount = entry.amount
        change = f"+{amount}" if amount > 0 else (str(amount) if amount < 0 else "—")
        if entry.is_group:
            balance = escape(group % {"n": entry.balance_after})
        elif entry.enrolment and entry.enrolment.plan.is_unlimited:
            balance = unlimited
        else:
            balance = entry.balance_after
        out.append(
            f'<tr data-kind="{escape(entry.kind)}">\n'
            f'              <td class="text-nowrap">{datefmt.format(entry.created_at.astimezone(zone), when_format, names)}</td>\n'
            f'              <td>{escape(entry.description)}</td>\n'
            f'              <td class="text-end">{change}</td>\n'
            f'              <td class="text-end">{balance}</td>\n'
            '            </tr>'
        )
    return mark_safe("\n            ".join(out))


_BLANK_REQUEST_FORM: dict[str, str] = {}


@register.simple_tag
def request_form(form):
    """`{{ form|crispy }}` for the "get more sessions" form. The blank form (every visit to the page) renders
    the same for everyone in a language, so crispy renders it once per language and process; a form sent back
    with errors is rendered as it is."""
    if form.is_bound or type(form) is not CreditRequestForm:
        return as_crispy_form(form)
    language = get_language()
    html = _BLANK_REQUEST_FORM.get(language)
    if html is None:
        html = _BLANK_REQUEST_FORM[language] = as_crispy_form(CreditRequestForm())
    return html
