"""API publique : recherche de communes (le sélecteur de geo, celui du formulaire)."""

from ninja import Field, Query, Router, Schema

from geo.selectors import MAX_QUERY_LENGTH, commune_search

router = Router(tags=["Référentiels"])


class CommuneQuery(Schema):
    q: str = Field(
        min_length=1,
        max_length=MAX_QUERY_LENGTH,
        description="Début du nom, nom complet, code postal (2 à 5 chiffres) ou code INSEE.",
    )


class CommuneOut(Schema):
    code: str = Field(description="Code INSEE.")
    nom: str = Field(description="Nom de la commune.")
    departement: str = Field(description="Code du département.")
    codes_postaux: list[str] = Field(description="Codes postaux de la commune.")
    libelle: str = Field(description="« Nom (code postal) », à afficher.")


@router.get("/communes", response=list[CommuneOut], summary="Chercher une commune")
def commune_list(request, filters: Query[CommuneQuery]):
    """Les communes qui correspondent à `q` (au plus 20), les plus peuplées d'abord."""
    return [
        {
            "code": commune.code,
            "nom": commune.name,
            "departement": commune.departement_id,
            "codes_postaux": commune.postal_code_list,
            "libelle": commune.label,
        }
        for commune in commune_search(filters.q, limit=20)
    ]
