"""Redis arrêté : le site répond (cache « ouvert ») et les limites de débit laissent passer ; elles
reprennent quand Redis revient. Un vrai redis-server, lancé sur un port libre."""

import shutil
import socket
import subprocess
import time

import pytest
from django.core.cache import cache

from core import ratelimit

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server absent"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Redis:
    def __init__(self):
        self.port = free_port()
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server ne démarre pas")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def redis(settings):
    server = Redis()
    server.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{server.port}/0",
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
        }
    }
    yield server
    if server.process.poll() is None:
        server.stop()


def test_rate_limits_fail_open_while_redis_is_down_then_come_back(client, redis, caplog):
    assert [ratelimit.hit("essai", "1.2.3.4", limit=2, period=60) is None for _ in range(3)] == [True, True, False]

    redis.stop()
    started = time.monotonic()
    assert [ratelimit.hit("essai", "1.2.3.4", limit=2, period=60) for _ in range(3)] == [None, None, None]
    assert cache.get("quelque-chose") is None
    assert client.post("/connexion", {"email": "lea@example.org"}).status_code == 302  # pas de 500
    assert time.monotonic() - started < 10

    redis.start()
    cache.clear()
    assert [ratelimit.hit("essai", "1.2.3.4", limit=2, period=60) is None for _ in range(3)] == [True, True, False]
