"""Exercice de pannes : la charge continue (inscriptions, offres, réponses) et ce que le service lui a confirmé."""

import random
import re
import threading
import time
from dataclasses import dataclass, field

import httpx


@dataclass
class Ledger:
    """Ce que le service a confirmé à la charge, et ses échecs, datés."""

    signups: list = field(default_factory=list)
    offers: list = field(default_factory=list)
    answers: list = field(default_factory=list)
    requests: int = 0
    server_errors: list = field(default_factory=list)  # (instant, code, chemin)
    connection_errors: list = field(default_factory=list)  # (instant, erreur)
    lock: threading.Lock = field(default_factory=threading.Lock)


CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class LoadUser:
    def __init__(self, ports, ledger: Ledger, ip: str, session: str | None = None):
        self.ports, self.ledger, self.ip = ports, ledger, ip
        self.client = httpx.Client(timeout=15, follow_redirects=False, headers={"X-Forwarded-For": ip})
        if session:
            self.client.cookies.set("sessionid", session, domain="127.0.0.1")

    def url(self, path):
        return f"http://127.0.0.1:{random.choice(self.ports)}{path}"

    def request(self, method, path, **kwargs):
        with self.ledger.lock:
            self.ledger.requests += 1
        started = time.time()  # les échecs sont datés du début de la requête
        try:
            response = self.client.request(method, self.url(path), **kwargs)
        except httpx.HTTPError as error:
            with self.ledger.lock:
                self.ledger.connection_errors.append((started, type(error).__name__))
            return None
        if response.status_code >= 500:
            with self.ledger.lock:
                self.ledger.server_errors.append((started, time.time(), response.status_code, path))
            return None
        return response

    def post_form(self, path, data):
        page = self.request("GET", path)
        if page is None or page.status_code != 200:
            return None
        token = CSRF.search(page.text)
        if token is None:
            return None
        return self.request("POST", path, data={**data, "csrfmiddlewaretoken": token.group(1)})


def load(ports, ledger, stop: threading.Event, world: dict, worker_number: int):
    rng = random.Random(worker_number)
    anonymous = LoadUser(ports, ledger, f"10.{worker_number}.0.1")
    employer = LoadUser(ports, ledger, f"10.{worker_number}.0.2", session=world["employer_session"])
    answers = list(world["answers"][worker_number :: world["load_threads"]])
    n = 0
    while not stop.is_set():
        n += 1
        action = rng.choice(["signup", "signup", "offer", "answer", "answer"])
        if action == "signup":
            email = f"charge{worker_number}-{n}@example.org"
            response = anonymous.post_form(
                "/candidat/inscription",
                {"email": email, "first_name": "Charge", "last_name": f"N{n}", "birth_date": "2007-05-14"},
            )
            if response is not None and response.status_code == 302 and "verifiez" in response.headers["location"]:
                with ledger.lock:
                    ledger.signups.append(email)
            anonymous.client.cookies.clear()
        elif action == "offer":
            response = employer.post_form(
                "/employeur/offres/nouvelle",
                {
                    "company": world["company"],
                    "trade": world["load_trade"],
                    "levels": ["3"],
                    "contract_types": ["apprentissage"],
                    "start_asap": "on",
                    "positions": "1",
                    "commune": world["commune"],
                    "description": f"Offre de la charge {worker_number}-{n}",
                    "working_hours": "Du lundi au vendredi",
                },
            )
            location = response.headers.get("location", "") if response is not None else ""
            found = re.search(r"/employeur/offres/(\d+)/en-ligne", location)
            if found:
                with ledger.lock:
                    ledger.offers.append(int(found.group(1)))
        elif answers:
            match_id, session = answers.pop()
            candidate = LoadUser(ports, ledger, f"10.{worker_number}.1.{n % 250}", session=session)
            home = candidate.request("GET", "/candidat/")
            token = CSRF.search(home.text) if home is not None and home.status_code == 200 else None
            if token:
                response = candidate.request(
                    "POST",
                    f"/candidat/mises-en-relation/{match_id}/reponse",
                    data={"interested": "oui", "csrfmiddlewaretoken": token.group(1)},
                )
                if response is not None and response.status_code == 302:
                    with ledger.lock:
                        ledger.answers.append(match_id)
                else:
                    answers.insert(0, (match_id, session))
            else:
                answers.insert(0, (match_id, session))
            candidate.client.close()
        stop.wait(rng.uniform(0.05, 0.3))
