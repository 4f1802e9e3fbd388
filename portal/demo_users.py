"""The demo people every app's demo data hangs off."""

from dataclasses import dataclass

from accounts.models import Role


@dataclass(frozen=True)
class DemoUser:
    role: str
    email: str
    full_name: str
    timezone: str


DEMO_USERS = [
    DemoUser(Role.MANAGER, "manager@example.com", "Maya Okafor", "Europe/London"),
    DemoUser(Role.MENTOR, "ada@example.com", "Ada Lovelace", "America/New_York"),
    DemoUser(Role.MENTOR, "grace@example.com", "Grace Hopper", "Europe/London"),
    DemoUser(Role.MENTOR, "ravi@example.com", "Ravi Menon", "Asia/Kolkata"),
    DemoUser(Role.STUDENT, "sam@example.com", "Sam Rivera", "America/New_York"),
    DemoUser(Role.STUDENT, "olivia@example.com", "Olivia Brown", "Europe/London"),
    DemoUser(Role.STUDENT, "priya@example.com", "Priya Sharma", "Asia/Kolkata"),
    DemoUser(Role.STUDENT, "lucas@example.com", "Lucas Martin", "America/Los_Angeles"),
    DemoUser(Role.STUDENT, "mia@example.com", "Mia Chen", "Australia/Sydney"),
]
