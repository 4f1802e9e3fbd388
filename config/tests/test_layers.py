"""Dependencies point one way (docs/architecture.md):
portal → conversations → scheduling → credits, mentorship → accounts."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# What each layer may use besides itself; the same table as the import contracts in pyproject.toml.
MAY_USE = {
    "accounts": set(),
    "mentorship": {"accounts"},
    "credits": {"accounts"},
    "scheduling": {"accounts", "mentorship", "credits"},
    "conversations": {"accounts", "mentorship", "credits", "scheduling"},
    "portal": {"accounts", "mentorship", "credits", "scheduling", "conversations"},
}
# {% url 'app:name' %}, {% include "app/..." %}, {% extends "app/..." %}
REFERENCE = re.compile(r"""\{%\s*(?:url\s+['"](?P<namespace>\w+):|(?:include|extends)\s+['"](?P<folder>\w+)/)""")


def test_import_contracts_hold():
    # import-linter reads the contracts from pyproject.toml: no domain app imports portal, credits and
    # mentorship never import scheduling, accounts imports none of the others.
    result = subprocess.run([Path(sys.executable).parent / "lint-imports", "--no-cache"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_templates_never_point_up():
    violations = []
    for app, allowed in MAY_USE.items():
        # An app's templates live in templates/<app>/ and, for its admin pages, templates/admin/<app>/.
        for folder in (ROOT / "templates" / app, ROOT / "templates" / "admin" / app):
            for template in sorted(folder.rglob("*")) if folder.exists() else []:
                if not template.is_file():
                    continue
                for match in REFERENCE.finditer(template.read_text()):
                    used = match["namespace"] or match["folder"]
                    if used in MAY_USE and used != app and used not in allowed:
                        violations.append(f"{template.relative_to(ROOT)}: {match.group(0)}")
    assert not violations, "templates pointing up a layer:\n" + "\n".join(violations)


def test_the_template_check_sees_a_link_up():
    assert REFERENCE.search("""<a href="{% url 'portal:overview' %}">""")["namespace"] == "portal"
    assert REFERENCE.search("""{% include "scheduling/_row.html" with x=1 %}""")["folder"] == "scheduling"
