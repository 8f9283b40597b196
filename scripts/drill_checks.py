"""Exercice de pannes : le bilan. Attend que le travail confié au service soit fini, puis vérifie que rien n'est
perdu ni doublé, que les 5xx tiennent dans le redémarrage de PostgreSQL et que le service est revenu seul.

Chargé après `django.setup()` (voir scripts/drill.py).
"""

import datetime
import time

import httpx
from django.conf import settings
from django.db import close_old_connections
from django.db.models import Count
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from accounts.models import User
from matching import rule_facts, search
from matching.models import Match
from notifications.delivery import message_id
from notifications.enums import OutboxStatus
from notifications.models import OutboxEmail, UndeliverableAddress
from offers.models import Offer
from scripts.drill_processes import log


def wait_for_drain(drill) -> bool:
    """Attend que le travail confié au service soit fini : plus aucune tâche de fond en file ou en cours
    (inscriptions, recalculs, envois ; les tâches périodiques exceptées, qui reviennent sans cesse) et
    plus aucun e-mail à envoyer. Au plus `drain_timeout` secondes ; affiche l'avancement."""
    log(f"Attente : file des tâches et outbox vides, {drill.plan.drain_timeout:.0f} s au plus")
    started = time.monotonic()
    deadline = started + drill.plan.drain_timeout
    last_report = 0.0
    while time.monotonic() < deadline:
        try:
            close_old_connections()
            pending = OutboxEmail.objects.filter(status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING]).count()
            queued = dict(
                DBTaskResult.objects.filter(status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING])
                .exclude(task_path__in=list(settings.PERIODIC_TASKS))
                .values_list("task_path")
                .annotate(n=Count("pk"))
            )
        except Exception as error:  # (la base peut encore redémarrer : on réessaie)
            log(f"Attente : base indisponible ({type(error).__name__})")
            time.sleep(1)
            continue
        if pending == 0 and not queued:
            drill.figures["drain_seconds"] = round(time.monotonic() - started)
            log(f"Tâches et outbox vides en {drill.figures['drain_seconds']} s")
            return True
        if time.monotonic() - last_report >= 15:
            last_report = time.monotonic()
            tasks = ", ".join(f"{path.rsplit('.', 1)[-1]} {n}" for path, n in sorted(queued.items())) or "aucune"
            log(f"Attente : {pending} e-mail(s) à envoyer ; tâches en file : {tasks}")
        time.sleep(1)
    drill.figures["drain_seconds"] = f"plus de {drill.plan.drain_timeout:.0f}"
    return False


def failed_tasks() -> dict:
    failed = DBTaskResult.objects.filter(status=TaskResultStatus.FAILED)
    counts = {}
    for path, exception in failed.values_list("task_path", "exception_class_path"):
        key = f"{path} ({exception.rsplit('.', 1)[-1]})"
        counts[key] = counts.get(key, 0) + 1
    return counts


def lost_signups(confirmed: list[str]) -> list[str]:
    """Ce qu'est devenue la tâche de chaque inscription confirmée sans compte à la fin."""
    missing = set(confirmed) - set(User.objects.filter(email__in=confirmed).values_list("email", flat=True))
    tasks = DBTaskResult.objects.filter(task_path="candidates.tasks.candidate_signup")
    fates = {}
    for args, status, exception in tasks.values_list("args_kwargs", "status", "exception_class_path"):
        if args["kwargs"].get("email") in missing:
            missing.discard(args["kwargs"]["email"])
            fate = f"tâche {status} {exception.rsplit('.', 1)[-1]}".strip()
            fates[fate] = fates.get(fate, 0) + 1
    if missing:
        fates["aucune tâche en file"] = len(missing)
    return [f"inscriptions confirmées sans compte : {fates}"]


def check(drill) -> list[str]:
    close_old_connections()
    problems = []
    ledger = drill.ledger

    # E-mails : une fois chacun, comptés par Message-ID sur le serveur SMTP.
    received = drill.smtp.message_ids()
    emails = list(OutboxEmail.objects.values_list("key", "to", "status"))
    expected = {message_id(key) for key, to, _ in emails if to != drill.bounce_address}
    duplicates = len(received) - len(set(received))
    missing = expected - set(received)
    statuses = {}
    for _, _to, status in emails:
        statuses[status] = statuses.get(status, 0) + 1
    drill.figures.update(
        emails_written=len(emails),
        emails_received=len(received),
        emails_duplicated=duplicates,
        emails_missing=len(missing),
        smtp_refusals=dict(drill.smtp.refusals),
        outbox_statuses=statuses,
    )
    if duplicates:
        problems.append(f"{duplicates} e-mail(s) reçu(s) deux fois")
    if missing:
        problems.append(f"{len(missing)} e-mail(s) jamais arrivé(s)")
    if not drill.smtp.refusals.get(451):
        problems.append("le refus 4xx n'a visé aucun envoi : la panne SMTP n'a rien exercé")
    if not UndeliverableAddress.objects.filter(email=drill.bounce_address).exists():
        problems.append("l'adresse refusée (550) n'est pas notée")
    # Avant le 550, l'adresse recevait normalement (une machine peu chargée envoie tout de suite) : seuls
    # comptent les e-mails partis après, ou encore en attente.
    refused_since = datetime.datetime.fromtimestamp(drill.windows["smtp_4xx"][1], datetime.UTC)
    refused = OutboxEmail.objects.filter(to=drill.bounce_address)
    late = refused.filter(status=OutboxStatus.PENDING) | refused.filter(
        status=OutboxStatus.SENT, sent_at__gte=refused_since
    )
    if late.exists():
        problems.append("un e-mail vers l'adresse refusée est parti ou attend encore")

    # Rien de ce que la charge a vu confirmé n'est perdu.
    signups = User.objects.filter(email__in=ledger.signups).count()
    offers = Offer.objects.filter(pk__in=ledger.offers).count()
    answered = Match.objects.filter(pk__in=ledger.answers, candidate_answered_at__isnull=False).count()
    pairs_missing = 0
    pairs = 0
    for offer in Offer.objects.filter(pk__in=ledger.offers).select_related("trade"):
        expected_pairs = set(search.offer_candidate_pool(rule_facts.offer_facts(offer)))
        stored = set(Match.objects.filter(offer=offer, is_active=True).values_list("candidate_id", flat=True))
        pairs += len(expected_pairs)
        pairs_missing += len(expected_pairs - stored)
    drill.figures.update(
        signups_confirmed=len(ledger.signups),
        signups_found=signups,
        offers_confirmed=len(ledger.offers),
        offers_found=offers,
        answers_confirmed=len(ledger.answers),
        answers_found=answered,
        pairs_expected=pairs,
        pairs_missing=pairs_missing,
    )
    for what, confirmed, found in [
        ("inscription", len(ledger.signups), signups),
        ("offre", len(ledger.offers), offers),
        ("réponse", len(ledger.answers), answered),
    ]:
        if found != confirmed:
            problems.append(f"{confirmed - found} {what}(s) confirmée(s) puis perdue(s)")
    if signups != len(ledger.signups):
        problems.extend(lost_signups(ledger.signups))
    if pairs_missing:
        problems.append(f"{pairs_missing} paire(s) jamais calculée(s)")
    # Une tâche de fond en échec est du travail perdu (les tâches périodiques reviennent d'elles-mêmes).
    failed = failed_tasks()
    drill.figures["tasks_failed"] = failed
    lost = {path: n for path, n in failed.items() if path.split(" ")[0] not in settings.PERIODIC_TASKS}
    if lost:
        problems.append(f"tâches de fond en échec, jamais refaites : {lost}")
    if not (ledger.signups and ledger.offers and ledger.answers):
        problems.append("la charge n'a pas tout exercé (inscriptions, offres, réponses)")

    # Les 5xx : seulement pendant le redémarrage de PostgreSQL.
    pg_start, pg_end = drill.windows["postgres"]
    # Une requête en cours pendant le redémarrage (début avant, fin pendant) compte dans ses secondes.
    outside = [e for e in ledger.server_errors if not (e[0] <= pg_end + 5 and e[1] >= pg_start - 1)]
    web_start, web_end = drill.windows["web_kill"]
    cut_outside = [e for e in ledger.connection_errors if not (web_start - 1 <= e[0] <= web_end + 2)]
    drill.figures.update(
        requests=ledger.requests,
        http_5xx=len(ledger.server_errors),
        http_5xx_outside_postgres_restart=len(outside),
        postgres_restart_seconds=round(pg_end - pg_start, 1),
        connections_cut=len(ledger.connection_errors),
        connections_cut_outside_web_kill=len(cut_outside),
    )
    if outside:
        problems.append(f"{len(outside)} réponse(s) 5xx hors du redémarrage de PostgreSQL : {outside[:3]}")
    if cut_outside:
        problems.append(f"{len(cut_outside)} connexion(s) coupée(s) hors de l'arrêt du web : {cut_outside[:3]}")

    # Revenu à la normale, sans intervention.
    for web in drill.webs:
        health = httpx.get(f"http://127.0.0.1:{web.port}/healthz", timeout=10)
        if health.status_code != 200 or health.json().get("worker") != "ok":
            problems.append(f"{web.name} : /healthz répond {health.status_code} {health.text[:100]}")
    return problems
