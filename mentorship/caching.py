"""What many pages read and few requests change: people's grids, the skill and language lists.

Kept in the shared cache (Redis in production, so every web process sees the
same), keyed by database (a benchmark's throwaway database never reads the
real one's entries), and dropped when a row is saved or deleted — at once and
again after commit, so a value read inside a transaction that then rolls back
does not outlive it. Bulk writes skip signals: call `forget_grids` after them.
"""

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save

from . import weekgrid
from .models import AvailabilityGrid, Language, Skill

TTL = 24 * 3600


def _key(*parts) -> str:
    return ":".join(["mentorship", connection.settings_dict["NAME"] or "", *map(str, parts)])


def _drop(key: str) -> None:
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def grid_cells(user_id: int) -> str:
    """The user's grid (an empty one when they have none)."""
    key = _key("grid", user_id)
    cells = cache.get(key)
    if cells is None:
        cells = AvailabilityGrid.objects.filter(user_id=user_id).values_list("cells", flat=True).first()
        cells = cells or weekgrid.EMPTY
        cache.set(key, cells, TTL)
    return cells


def forget_grids(user_ids) -> None:
    cache.delete_many([_key("grid", pk) for pk in user_ids])


def choices(model) -> list[tuple[int, str]]:
    """(id, name) of every Skill or Language, in name order."""
    return choices_of(model)[0]


def choices_of(*models) -> list[list[tuple[int, str]]]:
    """`choices` of each model, read from the cache in one round trip."""
    keys = [_key("choices", model._meta.model_name) for model in models]
    found = cache.get_many(keys)
    result = []
    for model, key in zip(models, keys, strict=True):
        if key not in found:
            found[key] = list(model.objects.order_by("name").values_list("pk", "name"))
            cache.set(key, found[key], TTL)
        result.append(found[key])
    return result


def _grid_changed(sender, instance, **kwargs):
    _drop(_key("grid", instance.user_id))


def _list_changed(sender, instance, **kwargs):
    _drop(_key("choices", sender._meta.model_name))


post_save.connect(_grid_changed, sender=AvailabilityGrid, dispatch_uid="grid-cache")
post_delete.connect(_grid_changed, sender=AvailabilityGrid, dispatch_uid="grid-cache-del")
for _model in (Skill, Language):
    post_save.connect(_list_changed, sender=_model, dispatch_uid=f"{_model.__name__}-choices")
    post_delete.connect(_list_changed, sender=_model, dispatch_uid=f"{_model.__name__}-choices-del")
