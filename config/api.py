"""L'API publique v1 : chaque application déclare son routeur dans `<app>/api.py`."""

from ninja import NinjaAPI

from trades.api import router as trades_router

api = NinjaAPI(
    title="API C'est ma chance",
    version="1.0.0",
    description="Offres d'alternance dans l'artisanat, données de référence et statistiques publiques.",
    urls_namespace="api",
)
api.add_router("/", trades_router)
