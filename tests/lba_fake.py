"""Un faux serveur de l'API de La bonne alternance (api.apprentissage.beta.gouv.fr), écrit d'après son schéma
publié (mission-apprentissage/api-apprentissage, `sdk/src/models/job/job.model.ts` et
`sdk/src/routes/jobs/job.routes.openapi.ts`) :

- `POST /job/v1/offer` : corps `JobOfferWrite` validé, répond 200 `{"id": "..."}` ;
- `PUT /job/v1/offer/{id}` : même corps, répond 204 (404 si l'offre est inconnue) ;
- `GET /job/v1/offer/{id}` : l'offre gardée ;
- `Authorization: Bearer <clé>` (401 sinon) ;
- (partenaire, `identifier.partner_job_id`) unique, comme l'index unique de la collection `jobs_partners` de
  La bonne alternance : une seconde création avec le même identifiant est refusée (409) au lieu d'un doublon.

`fail_next(n, status)` fait échouer les n requêtes suivantes (pour les nouveaux essais).
"""

import json
import re
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SIRET = re.compile(r"^\d{14}$")
ROME = re.compile(r"^[A-Z]\d{4}$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
LEVELS = {"3", "4", "5", "6", "7"}
CONTRACT_TYPES = {"Apprentissage", "Professionnalisation"}
REMOTE = {"onsite", "remote", "hybrid"}


def _nullable_date(value) -> bool:
    return value is None or (isinstance(value, str) and bool(DATE.match(value)))


def validate_job_offer_write(body) -> list[str]:
    """Les erreurs du corps `JobOfferWrite` (vide : valide)."""
    errors = []
    if not isinstance(body, dict):
        return ["body: object attendu"]
    allowed = {"identifier", "workplace", "apply", "contract", "offer"}
    errors += [f"{name}: champ inconnu" for name in set(body) - allowed]
    identifier = body.get("identifier", {})
    if not isinstance(identifier, dict) or not isinstance(identifier.get("partner_job_id", ""), str | None):
        errors.append("identifier.partner_job_id: chaîne attendue")
    workplace = body.get("workplace")
    if not isinstance(workplace, dict) or not SIRET.match(str(workplace.get("siret", ""))):
        errors.append("workplace.siret: 14 chiffres attendus")
    elif workplace.get("location") is not None and not isinstance(workplace["location"].get("address"), str):
        errors.append("workplace.location.address: chaîne attendue")
    apply = body.get("apply")
    if not isinstance(apply, dict):
        errors.append("apply: objet attendu")
    elif apply.get("url") is not None and not str(apply["url"]).startswith(("http://", "https://")):
        errors.append("apply.url: adresse attendue")
    contract = body.get("contract", {})
    if not isinstance(contract, dict):
        errors.append("contract: objet attendu")
    else:
        if not _nullable_date(contract.get("start")):
            errors.append("contract.start: date attendue")
        if not set(contract.get("type", [])) <= CONTRACT_TYPES:
            errors.append("contract.type: Apprentissage ou Professionnalisation")
        if contract.get("remote") not in REMOTE | {None}:
            errors.append("contract.remote: onsite, remote ou hybrid")
    offer = body.get("offer")
    if not isinstance(offer, dict):
        return [*errors, "offer: objet attendu"]
    if not isinstance(offer.get("title"), str) or len(offer["title"]) < 3:
        errors.append("offer.title: au moins 3 caractères")
    if not isinstance(offer.get("description"), str):
        errors.append("offer.description: chaîne attendue")
    if not all(isinstance(code, str) and ROME.match(code) for code in offer.get("rome_codes", [])):
        errors.append("offer.rome_codes: codes ROME attendus")
    if not isinstance(offer.get("opening_count", 1), int):
        errors.append("offer.opening_count: nombre attendu")
    diploma = offer.get("target_diploma")
    if diploma is not None and (not isinstance(diploma, dict) or diploma.get("european") not in LEVELS):
        errors.append("offer.target_diploma.european: 3 à 7")
    publication = offer.get("publication", {})
    if not all(_nullable_date(publication.get(name)) for name in ("creation", "expiration")):
        errors.append("offer.publication: dates attendues")
    if not isinstance(offer.get("multicast", True), bool):
        errors.append("offer.multicast: booléen attendu")
    return errors


class FakeLba:
    def __init__(self, *, api_key: str = "cle-de-test", port: int = 0):
        self.api_key = api_key
        self.offers: dict[str, dict] = {}
        self.requests: list[tuple[str, str]] = []
        self._failures: list[int] = []
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, status, payload=None):
                data = b"" if payload is None else json.dumps(payload).encode()
                self.send_response(status)
                if payload is not None:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _handle(self, method):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                status, payload = fake.handle(method, self.path, self.headers.get("Authorization", ""), raw)
                self._answer(status, payload)

            def do_POST(self):
                self._handle("POST")

            def do_PUT(self):
                self._handle("PUT")

            def do_GET(self):
                self._handle("GET")

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> "FakeLba":
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fail_next(self, count: int = 1, status: int = 503) -> None:
        with self._lock:
            self._failures += [status] * count

    def handle(self, method: str, path: str, authorization: str, raw: bytes):
        with self._lock:
            self.requests.append((method, path))
            if self._failures:
                return self._failures.pop(0), {"error": "indisponible"}
            if authorization != f"Bearer {self.api_key}":
                return 401, {"error": "Unauthorized"}
            match = re.fullmatch(r"/job/v1/offer(?:/([0-9a-f]+))?", path)
            if match is None:
                return 404, {"error": "Not Found"}
            lba_id = match.group(1)
            if method == "GET":
                return (200, self.offers[lba_id]) if lba_id in self.offers else (404, {"error": "Not Found"})
            try:
                body = json.loads(raw or b"null")
            except ValueError:
                return 400, {"error": "Bad Request", "message": "JSON invalide"}
            errors = validate_job_offer_write(body)
            if errors:
                return 400, {"error": "Bad Request", "message": "; ".join(errors)}
            partner_job_id = (body.get("identifier") or {}).get("partner_job_id")
            if method == "POST" and lba_id is None:
                if partner_job_id and any(
                    (offer.get("identifier") or {}).get("partner_job_id") == partner_job_id
                    for offer in self.offers.values()
                ):
                    return 409, {"error": "Conflict", "message": "partner_job_id déjà utilisé"}
                new_id = uuid.uuid4().hex[:24]
                self.offers[new_id] = body
                return 200, {"id": new_id}
            if method == "PUT" and lba_id is not None:
                if lba_id not in self.offers:
                    return 404, {"error": "Not Found"}
                self.offers[lba_id] = body
                return 204, None
            return 405, {"error": "Method Not Allowed"}
