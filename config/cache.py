"""Redis cache that fails open when Redis is unreachable.

The cache only holds rate-limit counters and other throw-away data. If Redis
goes away, logging in must still work: reads miss, writes are dropped and
`add` reports success (allauth's rate limiter spins on `add` for a lock).
"""

import logging

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


class FailOpenRedisCache(RedisCache):
    def _degraded(self, operation, exc, fallback):
        log.warning("Cache unavailable during %s (%s); continuing without it.", operation, exc)
        return fallback

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except UNREACHABLE as exc:
            return self._degraded("get", exc, default)

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except UNREACHABLE as exc:
            return self._degraded("get_many", exc, {})

    def set(self, key, value, timeout=None, version=None, **kwargs):
        try:
            return super().set(key, value, timeout if timeout is not None else self.default_timeout, version)
        except UNREACHABLE as exc:
            return self._degraded("set", exc, None)

    def add(self, key, value, timeout=None, version=None):
        try:
            return super().add(key, value, timeout if timeout is not None else self.default_timeout, version)
        except UNREACHABLE as exc:
            return self._degraded("add", exc, True)

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except UNREACHABLE as exc:
            return self._degraded("delete", exc, False)

    def clear(self):
        try:
            return super().clear()
        except UNREACHABLE as exc:
            return self._degraded("clear", exc, False)
