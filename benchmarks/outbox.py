"""Débit de l'outbox vers un vrai serveur SMTP local (script, pas un test).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cm_bench .venv/bin/python benchmarks/outbox.py \
        --emails 2000 [--smtp-port 0]

Migre la base, y écrit `--emails` e-mails dans l'outbox, démarre le serveur SMTP des tests (aiosmtpd,
tests/smtpserver.py) et mesure, en e-mails par seconde, deux façons de les envoyer :

- « tâches » : ce que font les workers en temps normal, une tâche `send_outbox_email` par e-mail ;
- « reprise » : `sweep_outbox` après une panne, quand tout l'arriéré est dû d'un coup.

Affiche aussi le nombre de connexions SMTP ouvertes, le temps de processeur par e-mail (ce processus, serveur
SMTP compris : peu sensible à la charge des autres) et la charge de la machine (`/proc/loadavg`), qui est
partagée : le débit varie avec ce que font les autres processus.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only")
os.environ.setdefault("TOTP_ENCRYPTION_KEY", "ZXhlcmNpY2UtZGUtcGFubmVzLWNsZS10b3RwLTMyb2M=")
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.smtp.EmailBackend"
os.environ.setdefault("LOG_LEVEL", "ERROR")

import django

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--emails", type=int, default=2000)
parser.add_argument("--smtp-port", type=int, default=0, help="port du serveur SMTP (0 : un port libre)")
options = parser.parse_args()

from tests.smtpserver import SmtpServer  # noqa: E402

smtp = SmtpServer(port=options.smtp_port).start()
os.environ["EMAIL_HOST"], os.environ["EMAIL_PORT"] = "127.0.0.1", str(smtp.port)
django.setup()

from django.core.management import call_command  # noqa: E402

from notifications.enums import OutboxStatus  # noqa: E402
from notifications.models import OutboxEmail  # noqa: E402
from notifications.tasks import send_outbox_email, sweep_outbox  # noqa: E402


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def write_emails(label: str) -> list[int]:
    OutboxEmail.objects.all().delete()
    OutboxEmail.objects.bulk_create(
        OutboxEmail(
            key=f"bench-{label}-{n}",
            to=f"jeune{n}@example.org",
            subject="Une offre pour toi",
            body="Bonjour,\n\nUne offre d'apprentissage près de chez toi.\n" * 5,
        )  # fmt: skip
        for n in range(options.emails)
    )
    return list(OutboxEmail.objects.order_by("pk").values_list("pk", flat=True))


def measure(label: str, send) -> None:
    ids = write_emails(label)
    received, connections = len(smtp.messages), smtp.connections
    started, cpu = time.perf_counter(), time.process_time()
    send(ids)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    sent = OutboxEmail.objects.filter(status=OutboxStatus.SENT).count()
    assert sent == len(ids) == len(smtp.messages) - received, (sent, len(ids))
    log(
        f"{label} : {sent} e-mails en {elapsed:.1f} s, {sent / elapsed:.0f} e-mails/s, "
        f"{smtp.connections - connections} connexion(s) SMTP, {1000 * cpu / sent:.1f} ms de processeur par e-mail "
        f"(ce processus, serveur SMTP compris) ; charge {Path('/proc/loadavg').read_text().split()[:3]}"
    )


def by_tasks(ids):
    for pk in ids:
        send_outbox_email.call(pk)


def by_sweep(ids):
    while OutboxEmail.objects.due().exists():
        sweep_outbox.call()


call_command("migrate", verbosity=0)
try:
    measure("tâches", by_tasks)
    measure("reprise", by_sweep)
finally:
    OutboxEmail.objects.all().delete()
    smtp.stop()
