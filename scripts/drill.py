"""Exercice de pannes : la disposition de la production sur cette machine, sous charge, pendant qu'on casse.

Lancé par `make drill` (durées réelles) ou `make drill-short` (CI, durées réduites, environ 5 minutes).
Il démarre SES services, sur des ports libres, sans toucher à ceux de la machine : un PostgreSQL
(`initdb` + `pg_ctl` dans un dossier temporaire), un Redis (`redis-server --save ''`), un serveur SMTP
(aiosmtpd, tests/smtpserver.py), deux processus web (`gunicorn config.wsgi`, DEBUG=0) et deux workers
(`manage.py worker`). Il sème 1 000 alertes à envoyer, lance une charge continue (inscriptions, offres,
réponses) et, pendant ce temps :

- tue un worker (SIGKILL) 10 fois à des moments tirés au hasard, puis le relance (comme un PaaS) ;
- redémarre PostgreSQL une fois ;
- arrête Redis 30 s ;
- fait répondre 4xx au serveur SMTP pendant 2 min, puis 5xx pour une adresse ;
- tue un processus web pendant des requêtes (gunicorn le relance).

À la fin, sans intervention : chaque e-mail arrivé une seule fois au serveur SMTP (compté par Message-ID),
aucune inscription, offre, paire ou réponse confirmée à la charge n'est perdue, les réponses 5xx tiennent
dans les secondes du redémarrage de PostgreSQL, et le service est revenu à la normale. Il affiche les
chiffres et sort avec le code 1 si une de ces conditions manque.

Une seule limite connue, mesurée : un worker tué entre l'acceptation d'un e-mail par le serveur SMTP et
l'écriture « envoyé » en base (quelques millisecondes par e-mail) ferait partir cet e-mail deux fois (la
reprise ne peut pas savoir que le serveur l'a accepté). Comme tests/matching/test_worker_kill.py, l'exercice
gèle le worker (SIGSTOP) au moment tiré, regarde s'il est dans cette fenêtre et, si oui, le laisse avancer de
quelques millisecondes avant de le tuer ; il affiche combien de fois.

Les pièces : scripts/drill_processes.py (ports, PostgreSQL, Redis, processus du service, plan),
scripts/drill_load.py (la charge), scripts/drill_scenario.py (préparation et pannes), scripts/drill_checks.py
(le bilan). Les réglages du service se lisent au chargement de Django : les ports sont choisis d'abord, puis
Django est chargé, puis les pièces qui lisent la base.
"""

import argparse
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.drill_load import load
from scripts.drill_processes import PORT_RANGE, Plan, Ports, log, port_range, service_env


def parse_options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Exercice de pannes (voir le début du fichier).")
    parser.add_argument("--short", action="store_true", help="durées réduites (CI, environ 5 minutes)")
    parser.add_argument("--keep", action="store_true", help="garder le dossier temporaire (journaux)")
    parser.add_argument(
        "--ports",
        default=os.environ.get("DRILL_PORTS", ""),
        help="plage de ports des services lancés, par exemple 9300-9399 (défaut : DRILL_PORTS, sinon ports libres)",
    )
    return parser.parse_args()


OPTIONS = parse_options()
if OPTIONS.ports:
    PORT_RANGE[:] = port_range(OPTIONS.ports)
PORTS = Ports.choose()
os.environ.update(service_env(PORTS))  # l'exercice lit la même base que le service
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from scripts.drill_checks import check, wait_for_drain  # noqa: E402
from scripts.drill_scenario import Drill  # noqa: E402


def main() -> int:
    plan = Plan.short() if OPTIONS.short else Plan.full()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # arrêté : on éteint quand même tout ce qu'on a lancé
    root = Path(tempfile.mkdtemp(prefix="drill-"))
    os.chmod(root, 0o755)  # noqa: S103 (l'utilisateur postgres doit pouvoir y entrer)
    drill = Drill(plan, root, PORTS)
    started = time.monotonic()
    try:
        drill.start_services()
        drill.seed()
        drill.start_app()
        drill.wait_ready()
        stop_load = threading.Event()
        loaders = [
            threading.Thread(target=load, args=([w.port for w in drill.webs], drill.ledger, stop_load, drill.world, n))
            for n in range(drill.world["load_threads"])
        ]
        for thread in loaders:
            thread.start()
        log(f"Charge lancée pour {plan.load_seconds:.0f} s ; pannes en cours")
        try:
            drill.run_faults(stop_load)
        finally:
            stop_load.set()
            for thread in loaders:
                thread.join()
        log("Charge arrêtée ; attente de la fin des envois")
        drained = wait_for_drain(drill)
        problems = check(drill)
        if not drained:
            problems.insert(0, f"l'outbox ou les recalculs ne se vident pas en {plan.drain_timeout:.0f} s")
    finally:
        drill.stop_everything()
        if not OPTIONS.keep:
            shutil.rmtree(root, ignore_errors=True)
        else:
            log(f"Journaux dans {root}")
    drill.figures["total_seconds"] = round(time.monotonic() - started)
    print("\nChiffres de l'exercice :")
    for key, value in drill.figures.items():
        print(f"  {key} : {value}")
    if problems:
        print("\nÉCHEC :")
        for problem in problems:
            print(f"  - {problem}")
        return 1
    print("\nExercice réussi : rien de perdu, rien de doublé, service revenu seul.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
