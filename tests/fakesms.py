"""Un faux serveur de l'API des SMS transactionnels de Brevo (`POST /transactionalSMS/sms`), d'après sa
documentation publique : 201 et `messageId`, `smsCount`, `usedCredits`, `remainingCredits` ; 400 et `code`,
`message` pour une demande refusée. Il garde les SMS reçus ; `mode` simule les pannes : « ok », « error »
(500), « refuse » (400), « hang » (répond trop tard).

Il écoute sur un port de la plage 9500-9599 (le premier libre)."""

import json
import math
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORTS = range(9500, 9600)


@dataclass(frozen=True)
class ReceivedSms:
    recipient: str
    content: str
    tag: str
    sender: str
    api_key: str
    web_url: str
    message_id: str


def sms_count(content: str) -> int:
    """Segments facturés : 160 caractères (GSM) ou 70 (Unicode) pour un SMS seul, 153 ou 67 au-delà."""
    single, multi = (160, 153) if content.isascii() else (70, 67)
    return 1 if len(content) <= single else math.ceil(len(content) / multi)


class FakeBrevoSms:
    def __init__(self):
        self.received: list[ReceivedSms] = []
        self.mode = "ok"
        self.hang_seconds = 3.0
        self.lock = threading.Lock()
        self._next_id = 1000
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # pas de bruit dans la sortie des tests
                pass

            def _answer(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                if self.path.rstrip("/") != "/v3/transactionalSMS/sms":
                    return self._answer(404, {"code": "not_found", "message": "Route inconnue"})
                if not self.headers.get("api-key"):
                    return self._answer(401, {"code": "unauthorized", "message": "Key not found"})
                if fake.mode == "error":
                    return self._answer(500, {"code": "internal_error", "message": "Erreur interne"})
                if fake.mode == "hang":
                    time.sleep(fake.hang_seconds)
                try:
                    payload = json.loads(raw)
                    recipient, content, sender = payload["recipient"], payload["content"], payload["sender"]
                except (ValueError, KeyError):
                    return self._answer(400, {"code": "missing_parameter", "message": "Paramètre manquant"})
                if fake.mode == "refuse" or not str(recipient).isdigit():
                    return self._answer(400, {"code": "invalid_parameter", "message": "Invalid phone number"})
                with fake.lock:
                    fake._next_id += 1
                    message_id = str(fake._next_id)
                    fake.received.append(
                        ReceivedSms(
                            recipient=str(recipient),
                            content=content,
                            tag=str(payload.get("tag", "")),
                            sender=sender,
                            api_key=self.headers["api-key"],
                            web_url=str(payload.get("webUrl", "")),
                            message_id=message_id,
                        )
                    )
                count = sms_count(content)
                return self._answer(
                    201,
                    {
                        "reference": f"ref-{message_id}",
                        "messageId": int(message_id),
                        "smsCount": count,
                        "usedCredits": count,
                        "remainingCredits": 1000,
                    },
                )

        for port in PORTS:
            try:
                self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
                break
            except OSError:
                continue
        else:
            raise RuntimeError("aucun port libre dans 9500-9599")
        self.server.daemon_threads = True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v3"

    def start(self) -> "FakeBrevoSms":
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def tags(self) -> list[str]:
        with self.lock:
            return [sms.tag for sms in self.received]
