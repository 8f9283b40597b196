"""Les limites de débit tiennent dans Redis : deux serveurs (deux clients de cache) partagent le compte."""

import uuid

import pytest
import redis
from django.core.cache import caches
from django_redis.cache import RedisCache as DjangoRedisCache

from core import ratelimit

REDIS_URL = "redis://127.0.0.1:6379/15"


def redis_available() -> bool:
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


pytestmark = pytest.mark.skipif(not redis_available(), reason="pas de serveur Redis local")


def make_server_cache():
    """Un cache neuf, comme celui d'un autre processus web (settings.CACHES quand REDIS_URL est réglée)."""
    return DjangoRedisCache(REDIS_URL, {"OPTIONS": {}})


@pytest.fixture
def two_servers(monkeypatch):
    first, second = make_server_cache(), make_server_cache()
    assert first is not second
    yield first, second
    first.clear()


def test_two_servers_share_the_count(two_servers, monkeypatch):
    first, second = two_servers
    ident = f"lea-{uuid.uuid4()}@example.org"
    monkeypatch.setattr(ratelimit, "cache", first)
    assert ratelimit.hit("login-email", ident, limit=3, period=3600) is None
    assert ratelimit.hit("login-email", ident, limit=3, period=3600) is None
    monkeypatch.setattr(ratelimit, "cache", second)
    assert ratelimit.hit("login-email", ident, limit=3, period=3600) is None
    wait = ratelimit.hit("login-email", ident, limit=3, period=3600)
    assert wait is not None and 0 < wait <= 3601
    monkeypatch.setattr(ratelimit, "cache", first)
    assert ratelimit.hit("login-email", ident, limit=3, period=3600) is not None


def test_redis_keys_hold_no_personal_data(two_servers, monkeypatch):
    first, _ = two_servers
    monkeypatch.setattr(ratelimit, "cache", first)
    ratelimit.hit("login-email", "secret-person@example.org", limit=3, period=60)
    keys = [k.decode() for k in redis.Redis.from_url(REDIS_URL).keys("*")]
    assert keys and not any("secret-person" in k for k in keys)


def test_settings_switch_to_redis_with_redis_url(monkeypatch):
    """En production, REDIS_URL fait du cache par défaut un cache Redis (partagé par les serveurs)."""
    import importlib

    import config.settings

    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    try:
        reloaded = importlib.reload(config.settings)
        cache_settings = reloaded.CACHES["default"]
        assert (cache_settings["BACKEND"], cache_settings["LOCATION"]) == ("django_redis.cache.RedisCache", REDIS_URL)
    finally:
        monkeypatch.delenv("REDIS_URL")
        importlib.reload(config.settings)
    assert caches["default"].__class__.__name__ == "LocMemCache"
