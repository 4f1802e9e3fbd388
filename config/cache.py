"""Redis cache that degrades to a per-process memory cache when Redis is unreachable.

The cache holds rate-limit counters (allauth's login, signup and reset limits)
and other throw-away data. If Redis goes away, logging in must still work —
and still be limited: every operation falls back to a local-memory cache in
this process, so the limits keep counting per web process (with N processes an
address gets at most N times the limit, never unlimited). After a failure the
cache skips Redis for RETRY_AFTER seconds rather than paying a connect timeout
on every call; counters start afresh when Redis is back.
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
RETRY_AFTER = 15.0  # seconds


class FailOpenRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._fallback = LocMemCache(f"redis-fallback:{server}", {
            "TIMEOUT": params.get("TIMEOUT", 300), "KEY_PREFIX": params.get("KEY_PREFIX", ""),
            "VERSION": params.get("VERSION", 1), "OPTIONS": {"MAX_ENTRIES": 10_000},
        })
        self._down_until = 0.0

    def _call(self, operation, *args, **kwargs):
        fallback = getattr(self._fallback, operation)
        if time.monotonic() < self._down_until:
            return fallback(*args, **kwargs)
        try:
            return getattr(super(), operation)(*args, **kwargs)
        except UNREACHABLE as exc:
            self._down_until = time.monotonic() + RETRY_AFTER
            log.warning("Cache unavailable during %s (%s); using this process's memory for %s s.",
                        operation, exc, RETRY_AFTER)
            return fallback(*args, **kwargs)

    def get(self, key, default=None, version=None):
        return self._call("get", key, default, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", keys, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None, **kwargs):
        return self._call("set", key, value, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", key, value, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", key, version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, delta, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, timeout, version)

    def clear(self):
        self._fallback.clear()
        return self._call("clear")
