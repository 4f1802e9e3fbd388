"""Links other apps add to scheduling's pages, without scheduling knowing them.

The session page says "Message your mentor", but conversations is an app
beside scheduling (it imports scheduling, never the other way round), so
scheduling can neither import it nor name its URLs. Instead an app registers
a function here from its AppConfig.ready(); the session page renders
whatever links those functions return. No registered app, no link.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class PageLink:
    label: str
    url: str
    testid: str = ""


SessionLinkProvider = Callable[..., Iterable[PageLink]]
_session_links: list[SessionLinkProvider] = []


def register_session_link(provider: SessionLinkProvider) -> None:
    """`provider(session, user)` returns the links that user sees on that session's page."""
    if provider not in _session_links:
        _session_links.append(provider)


def session_links(session, user) -> list[PageLink]:
    return [link for provider in _session_links for link in provider(session, user)]
