"""Un vrai serveur SMTP (aiosmtpd) pour les tests et l'exercice de pannes (`scripts/drill.py`).

Il écoute sur 127.0.0.1, sur un port libre choisi au démarrage (ou sur `port`), avec STARTTLS si on lui
donne un certificat. On règle à chaud ce qu'il fait :

- `refuse_all = (451, "…")` : refuse tout message (code 4xx ou 5xx) à la commande RCPT ;
- `refuse[adresse] = (550, "…")` : refuse un seul destinataire ;
- `hang = secondes` : ne répond pas à la fin du DATA (le client abandonne sur délai) ;
- `drop = True` : coupe la connexion à la fin du DATA, avant d'accepter le message ;
- `on_accept = fonction` : appelée pour chaque message accepté, avant la réponse 250.

Les messages acceptés sont gardés dans `messages` ; `message_ids()` donne leurs Message-ID ; `connections`
compte les connexions ouvertes par les clients.
"""

import asyncio
import datetime
import email
import email.policy
import ipaddress
import ssl
import threading
from dataclasses import dataclass
from pathlib import Path

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Received:
    sender: str
    recipients: tuple[str, ...]
    message_id: str
    subject: str
    body: str
    tls: bool
    raw: bytes = b""  # le message tel que reçu (en-têtes compris)


class Handler:
    def __init__(self, server: "SmtpServer"):
        self.server = server

    async def handle_EHLO(self, smtp, session, envelope, hostname, responses):
        # Une fois par connexion (et encore après STARTTLS : la session chiffrée ne compte pas à part).
        if session.ssl is None:
            with self.server.lock:
                self.server.connections += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, smtp, session, envelope, address, rcpt_options):
        refusal = self.server.refuse_all or self.server.refuse.get(address.lower())
        if refusal:
            code, text = refusal
            self.server.count_refusal(code)
            return f"{code} {text}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, smtp, session, envelope):
        if self.server.drop:
            self.server.count_refusal("drop")
            smtp.transport.close()
            return "421 connexion coupée"
        if self.server.hang:
            self.server.count_refusal("hang")
            await asyncio.sleep(self.server.hang)
            return "451 trop tard"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        received = Received(
            sender=envelope.mail_from,
            recipients=tuple(envelope.rcpt_tos),
            message_id=str(message["Message-ID"] or ""),
            subject=str(message["Subject"] or ""),
            body=message.get_body(("plain",)).get_content() if message.get_body(("plain",)) else "",
            tls=session.ssl is not None,
            raw=envelope.content,
        )
        with self.server.lock:
            self.server.messages.append(received)
        if self.server.on_accept is not None:
            self.server.on_accept(received)
        return "250 Message accepté"


class _Controller(Controller):
    """Le contrôleur d'aiosmtpd, sur le port que le système a choisi (port 0)."""

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class SmtpServer:
    def __init__(self, *, tls_context: ssl.SSLContext | None = None, port: int = 0):
        self.messages: list[Received] = []
        self.connections = 0
        self.refusals: dict[object, int] = {}
        self.refuse: dict[str, tuple[int, str]] = {}
        self.refuse_all: tuple[int, str] | None = None
        self.hang = 0.0
        self.drop = False
        self.on_accept = None  # appelé pour chaque message accepté, juste avant de répondre 250
        self.lock = threading.Lock()
        self._controller = _Controller(
            Handler(self),
            hostname="127.0.0.1",
            port=port,
            tls_context=tls_context,
            require_starttls=tls_context is not None,
            # Le serveur n'impose pas de délai au client : un client lent reste servi.
            timeout=60,
        )

    @property
    def port(self) -> int:
        return self._controller.port

    def start(self) -> "SmtpServer":
        self._controller.start()
        return self

    def stop(self):
        self.hang = 0.0  # libère les réponses en attente
        self._controller.stop()

    def reset(self):
        self.refuse.clear()
        self.refuse_all = None
        self.hang = 0.0
        self.drop = False

    def count_refusal(self, kind):
        with self.lock:
            self.refusals[kind] = self.refusals.get(kind, 0) + 1

    def message_ids(self) -> list[str]:
        with self.lock:
            return [message.message_id for message in self.messages]

    def mailer_options(self, *, timeout: float = 5, use_tls: bool = False) -> dict:
        return {"host": "127.0.0.1", "port": self.port, "use_tls": use_tls, "timeout": timeout}


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """Un certificat auto-signé pour 127.0.0.1 et localhost ; renvoie (certificat, clé)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "smtp-cert.pem", directory / "smtp-key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def server_tls_context(cert_path: Path, key_path: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    return context
