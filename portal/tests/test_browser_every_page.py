"""Every page of every role, judged by tools no one on the project wrote.

A real Chromium signs in as the demo student, mentor and success manager and walks
the site the way they would: every link it finds on a page (the navigation, the
admin's model lists, each page's own links), plus the main action pages that only a
button or a form leads to (booking, cancelling, rescheduling, notes, feedback...).
Each page is opened at a desktop (1280 x 800) and a phone (390 x 844) size and must

- load without an error status and without a console error,
- not scroll sideways (the document is no wider than the viewport),
- have no serious or critical axe-core violation (axe from npm, `node_modules/`),

and every page's HTML, as served, goes through the Nu Html Checker (vnu.jar from npm,
run once over all pages with Java) which must report no error.

Then the same people switch to Spanish and the crawl goes again, at both sizes
(longer Spanish words are what breaks a phone layout first): the same checks, plus
`<html lang="es">`, and no line of English UI left. A line the Spanish page shows
exactly as the English page showed it, that still reads as English once the demo's
own data (names, bios, service names, messages) is taken out, is a string someone
forgot to mark or translate.

The crawl is generic: a page another part of the product adds is covered as soon as a
link to it appears in the navigation or on a page the crawl reaches.
"""

import json
import re
import shutil
import subprocess
from collections import deque
from io import StringIO
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError

from conftest import CHROMIUM_ARGS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
LOCALES = {"en": "en-GB", "es": "es-ES"}
# Words that make a line English (not Spanish): the crawl's test for untranslated UI.
ENGLISH = re.compile(r"\b(the|your|you|and|with|for|this|that|are|is|will|can|have|has|from|session|sessions|"
                     r"book|booked|cancel|hours?|week|credits?|sign|settings|save|show|students?|nothing|yet|"
                     r"upcoming|past|left|free|until|before|after|when|what|who|how|more|only|each|every)\b",
                     re.IGNORECASE)

# Links the crawl does not follow: leaving (sign out), files that are not pages,
# and the admin's screens that only repeat a page it already saw.
SKIP = re.compile(
    r"(/accounts/logout/|\.ics$|/photo/|/static/|/media/|/admin/logout/|/admin/jsi18n/|/history/$|/delete/$"
    r"|/admin/r/|/password/$|/admin/password_change/)"
)
# At most this many pages of one shape (digits replaced) per role: one session page
# per state comes from the main actions; links would add only more of the same.
PER_SHAPE = 1
MAX_PAGES_PER_ROLE = 70


def shape(path: str) -> str:
    return re.sub(r"\d+", "N", path)


def main_actions(role: str) -> list[str]:
    """Pages reached by buttons and forms rather than plain links, for one demo person."""
    from accounts.models import User
    from mentorship.models import MentorAssignment
    from scheduling.models import ServiceType, Session, SessionStatus

    try:
        urls = []
        if role == "student":
            sam = User.objects.get(email="sam@example.com")
            assignment = MentorAssignment.objects.filter(student=sam, ended_at__isnull=True).first()
            if assignment:
                mentor = assignment.mentor
                urls += [reverse("portal:mentor-detail", args=[mentor.pk]),
                         reverse("scheduling:book-mentor", args=[mentor.pk]),
                         reverse("scheduling:flash-new", args=[mentor.pk])]
                service = ServiceType.objects.filter(is_active=True, mentors=mentor).first()
                if service:
                    urls.append(reverse("scheduling:book-slots", args=[mentor.pk, service.pk]))
            for status in SessionStatus.values:
                session = Session.objects.filter(student=sam, status=status).order_by("-starts_at").first()
                if session:
                    urls.append(reverse("scheduling:session-detail", args=[session.pk]))
            upcoming = Session.objects.filter(student=sam, status=SessionStatus.SCHEDULED).order_by("-starts_at")
            if upcoming.exists():
                urls += [reverse("scheduling:session-cancel", args=[upcoming[0].pk]),
                         reverse("scheduling:session-reschedule", args=[upcoming[0].pk])]
            urls += [reverse("mentorship:interests"), reverse("scheduling:pause-requests")]
        elif role == "mentor":
            ada = User.objects.get(email="ada@example.com")
            for status in SessionStatus.values:
                session = Session.objects.filter(mentor=ada, status=status).order_by("-starts_at").first()
                if session:
                    urls.append(reverse("scheduling:session-detail", args=[session.pk]))
            upcoming = Session.objects.filter(mentor=ada, status=SessionStatus.SCHEDULED).first()
            if upcoming:
                urls.append(reverse("scheduling:session-cancel", args=[upcoming.pk]))
            urls += [reverse("scheduling:time-off"), reverse("scheduling:offered-services")]
        else:
            sam = User.objects.get(email="sam@example.com")
            urls += [reverse("admin:mentorship_studentaccount_changelist"), reverse("admin:portal_students_at_risk"),
                     reverse("admin:mentorship_studentaccount_change", args=[sam.pk]),
                     reverse("admin:mentorship_reassign", args=[sam.pk])]
        return urls
    finally:
        connection.close()


class Problems(list):
    """The problems found, also written down as they come (a long crawl can be followed)."""

    def __init__(self, log: Path):
        super().__init__()
        self.log = log

    def append(self, problem: str) -> None:
        super().append(problem)
        with self.log.open("a") as log:
            log.write(problem + "\n")


def data_strings() -> list[str]:
    """Every text the demo data holds (names, emails, bios, titles, messages...): the
    words on a page that are content, not interface, and stay as they were written."""
    from django.apps import apps
    from django.db import models

    found = set()
    try:
        # "admin": the recent-actions list shows each object's name as it was written when changed.
        for app in ("accounts", "mentorship", "credits", "scheduling", "conversations", "portal", "admin"):
            for model in apps.get_app_config(app).get_models():
                fields = [f.name for f in model._meta.concrete_fields
                          if isinstance(f, models.CharField | models.TextField) and not f.choices]
                for row in model._default_manager.values_list(*fields) if fields else ():
                    found.update(v.strip() for v in row if isinstance(v, str) and len(v.strip()) > 2)
    finally:
        connection.close()
    return sorted(found, key=len, reverse=True)


def english_left(es_lines, en_lines, data) -> list[str]:
    """Lines shown identically in English and Spanish that read as English without the data in them."""
    left = []
    for line in sorted(set(es_lines) & set(en_lines)):
        # Part of a stored text (an email body shown in the outbox, a message cut short in a preview "…").
        shown = line.removesuffix("…").strip()
        if any(shown in value for value in data):
            continue
        rest = line
        for value in data:
            if value in rest:
                rest = rest.replace(value, " ")
        if ENGLISH.search(rest):
            left.append(line)
    return left


class Crawl:
    def __init__(self, browser, base_url, html_dir, *, language="en", english=None, data=()):
        self.browser, self.base_url, self.html_dir = browser, base_url, html_dir
        self.language = language
        self.problems = Problems(html_dir.parent / "problems.txt")
        self.pages: dict[str, str] = {}  # file name -> "role url"
        self.axe = AXE_JS.read_text()
        # The English crawl keeps each page's lines; the Spanish one compares against them.
        self.lines: dict[tuple[str, str], list[str]] = {}
        self.english, self.data = english, data

    def visit(self, context, role, url):
        """Load the page once at the desktop size, check it, then at the phone size; return its links."""
        page = context.new_page()
        page.set_viewport_size(VIEWPORTS["desktop"])
        console: list[str] = []
        checking = []  # once axe runs, what it logs (its own CSP-refused style probes) is not the page's
        page.on("console", lambda m: console.append(m.text) if m.type == "error" and not checking else None)
        page.on("pageerror", lambda exc: console.append(str(exc)) if not checking else None)
        try:
            try:
                response = page.goto(url, wait_until="load")
            except PlaywrightError as exc:
                self.problems.append(f"{self.language} {role} {url}: {str(exc).splitlines()[0]}")
                return []
            path = urlsplit(page.url).path
            if response is None or response.status >= 400:
                self.problems.append(f"{self.language} {role} {path}: HTTP {response.status if response else '?'}")
                return []
            name = f"{self.language}-{len(self.pages):03d}.html"
            (self.html_dir / name).write_text(response.text())
            self.pages[name] = f"{self.language} {role} {path}"
            for message in console:
                self.problems.append(f"{self.language} {role} {path}: console error: {message}")
            self.check_language(page, role, path)
            checking.append(True)
            page.evaluate(self.axe)
            for viewport_name, size in VIEWPORTS.items():
                if viewport_name != "desktop":
                    page.set_viewport_size(size)
                    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
                self.check_layout_and_axe(page, f"{role} {viewport_name} {path}")
            links = page.eval_on_selector_all("a[href]:not([download])", "els => els.map(e => e.getAttribute('href'))")
            # Files (CSV exports, calendar files) are downloads, not pages to check.
            return [urljoin(page.url, href) for href in links
                    if not urlsplit(urljoin(page.url, href)).path.endswith((".csv", ".ics"))]
        finally:
            page.close()

    def check_language(self, page, role, path):
        lang = page.evaluate("document.documentElement.lang")
        if lang != self.language:
            self.problems.append(f"{self.language} {role} {path}: <html lang={lang!r}>, not {self.language!r}")
        lines = [line.strip() for line in page.evaluate("document.body.innerText").splitlines() if line.strip()]
        if self.english is None:
            self.lines[(role, path)] = lines
        elif (role, path) in self.english:
            for line in english_left(lines, self.english[(role, path)], self.data):
                self.problems.append(f"{self.language} {role} {path}: English left: {line[:160]!r}")

    def check_layout_and_axe(self, page, where):
        widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if widths[0] > widths[1]:
            wide = page.evaluate(
                """() => [...document.querySelectorAll('body *')]
                    .filter(e => e.getBoundingClientRect().right > window.innerWidth)
                    .slice(-3).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))"""
            )
            self.problems.append(f"{self.language} {where}: scrolls sideways ({widths[0]} > {widths[1]} px): {wide}")
        violations = page.evaluate(
            """async () => (await Promise.race([
                    axe.run(document, {resultTypes: ['violations']}),
                    new Promise((_, fail) => setTimeout(() => fail(new Error('axe took over 30 s')), 30000)),
                ])).violations
                .filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => v.id + ' (' + v.impact + '): ' + v.help + ' — '
                     + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))"""
        )
        for violation in violations:
            self.problems.append(f"{self.language} {where}: axe {violation}")

    def walk(self, role, email, start_urls):
        context = self.browser.new_context(base_url=self.base_url, timezone_id="America/New_York",
                                           locale=LOCALES[self.language])  # the visitor's Accept-Language
        context.set_default_timeout(15_000)
        try:
            if email:
                page = context.new_page()
                page.goto(reverse("account_login"))
                page.fill("input[name=login]", email)
                page.fill("input[name=password]", "mentor-demo-2026")
                page.click("button[type=submit]")
                page.wait_for_load_state("load")
                assert "/accounts/login/" not in page.url, f"{email} could not sign in"
                page.close()
            origin = urlsplit(self.base_url).netloc
            queue = deque(urljoin(self.base_url, u) for u in start_urls)
            must = {urlsplit(u).path for u in queue}  # main actions are visited whatever their shape
            seen_paths, shapes = set(), {}
            visited = 0
            while queue and visited < MAX_PAGES_PER_ROLE:
                url = queue.popleft()
                parts = urlsplit(url)
                if parts.netloc != origin or SKIP.search(parts.path) or parts.path in seen_paths:
                    continue
                if shapes.get(shape(parts.path), 0) >= PER_SHAPE and parts.path not in must:
                    continue
                seen_paths.add(parts.path)
                shapes[shape(parts.path)] = shapes.get(shape(parts.path), 0) + 1
                visited += 1
                links = self.visit(context, role, parts.path + (f"?{parts.query}" if parts.query else ""))
                queue.extend(link.split("#")[0] for link in links)
            return visited
        finally:
            context.close()


def test_every_page_of_every_role_is_accessible_valid_and_fits_a_phone(live_server, tmp_path, monkeypatch):
    from playwright.sync_api import sync_playwright

    assert AXE_JS.exists() and VNU_JAR.exists(), "run `npm ci` (bin/test does) to install axe-core and vnu-jar"
    assert shutil.which("java"), "the Nu Html Checker needs Java (bin/test installs default-jre-headless)"
    call_command("seed_demo", stdout=StringIO())
    actions = {role: main_actions(role) for role in ("student", "mentor", "manager")}
    connection.close()

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    html_dir = tmp_path / "html"
    html_dir.mkdir()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        try:
            crawl = Crawl(browser, live_server.url, html_dir)
            counts = walk_every_role(crawl, actions)
            # Everyone reads Spanish now (visitors by their browser's Accept-Language).
            from accounts.models import User

            User.objects.update(language="es")
            spanish = Crawl(browser, live_server.url, html_dir, language="es", english=crawl.lines,
                            data=data_strings())
            spanish.pages, spanish.problems = crawl.pages, crawl.problems  # one verdict for both
            counts_es = walk_every_role(spanish, actions)
        finally:
            browser.close()
            connection.close()

    # Enough of the site was reached for the verdict to mean something, in both languages.
    for reached in (counts, counts_es):
        assert reached["student"] >= 15 and reached["mentor"] >= 12 and reached["manager"] >= 15, reached

    result = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--format", "json", "--stdout", "--errors-only",
         *sorted(str(p) for p in html_dir.glob("*.html"))],
        capture_output=True, text=True, timeout=300, check=False,  # vnu exits 1 when it finds errors
    )
    for message in json.loads(result.stdout or '{"messages": []}')["messages"]:
        if message.get("type") == "error" or message.get("subType") == "fatal":
            page = crawl.pages.get(Path(message.get("url", "")).name, message.get("url"))
            crawl.problems.append(f"{page}: vnu line {message.get('lastLine')}: {message['message']}"
                                  f" — {message.get('extract', '').strip()[:120]}")

    total = sum(counts.values()) + sum(counts_es.values())
    assert not crawl.problems, f"{len(crawl.problems)} problems on {total} pages:\n" + "\n".join(crawl.problems)


def walk_every_role(crawl, actions) -> dict[str, int]:
    return {
        "visitor": crawl.walk("visitor", None, ["/", reverse("account_login"), reverse("account_signup"),
                                                reverse("account_reset_password")]),
        "student": crawl.walk("student", "sam@example.com", ["/"] + actions["student"]),
        "mentor": crawl.walk("mentor", "ada@example.com", ["/"] + actions["mentor"]),
        "manager": crawl.walk("manager", "manager@example.com", ["/", "/admin/"] + actions["manager"]),
    }
