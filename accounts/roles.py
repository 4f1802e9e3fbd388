"""The "Success managers" group and how roles map to admin access.

Each app declares the admin permissions success managers need on its
AppConfig (`success_manager_permissions = ["app_label.codename", ...]`);
after every migrate the group is set to exactly the union of those, so the
group can never drift into holding more than the product intends.
"""

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db import transaction

SUCCESS_MANAGERS_GROUP = "Success managers"


def success_manager_permission_names() -> list[str]:
    names: set[str] = set()
    for config in apps.get_app_configs():
        names.update(getattr(config, "success_manager_permissions", []))
    return sorted(names)


def sync_success_managers_group(**kwargs) -> Group:
    with transaction.atomic():
        group, _ = Group.objects.get_or_create(name=SUCCESS_MANAGERS_GROUP)
        wanted = []
        for name in success_manager_permission_names():
            app_label, codename = name.split(".", 1)
            perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if perm is not None:  # created by the post_migrate of its own app
                wanted.append(perm)
        group.permissions.set(wanted)
    return group
