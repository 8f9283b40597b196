from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from offers.api import offer_payload, public_offers


@require_GET
def offer_detail(request, pk):
    """La page publique d'une offre publiée (lien de l'API et de l'export) : aucune donnée personnelle."""
    offer = get_object_or_404(public_offers(), pk=pk)
    payload = offer_payload(offer)
    return render(
        request,
        "partners/offer_detail.html",
        {"title": f"{payload['metier']['libelle']} à {payload['commune']['nom']}", "offer": payload},
    )


METHODS = ("get", "post", "put", "patch", "delete")
LOCATIONS = {"query": "paramètre d'URL", "path": "dans le chemin", "header": "en-tête"}


def _type(schema: dict) -> str:
    """Le type d'un paramètre, en mots courts (« entier », « texte », « liste de texte »…)."""
    if "anyOf" in schema:
        return " ou ".join(_type(option) for option in schema["anyOf"] if option.get("type") != "null")
    names = {"integer": "entier", "string": "texte", "number": "nombre", "boolean": "oui/non", "array": "liste"}
    kind = names.get(schema.get("type", ""), schema.get("type", "objet"))
    if schema.get("type") == "array" and "items" in schema:
        kind = f"liste de {_type(schema['items'])}"
    if "enum" in schema:
        kind += " parmi " + ", ".join(str(value) for value in schema["enum"])
    return kind


@require_GET
def api_docs(request):
    """La documentation de l'API publique, lue dans son schéma OpenAPI, dans la mise en page du site."""
    from config.api import api  # l'assemblage de l'API est au-dessus des applications

    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    operations = []
    for path, methods in schema["paths"].items():
        for method in METHODS:
            operation = methods.get(method)
            if operation is None:
                continue
            operations.append(
                {
                    "id": operation.get("operationId", f"{method}-{path}").replace("_", "-"),
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary") or path,
                    "description": operation.get("description", ""),
                    "parameters": [
                        {
                            "name": parameter["name"],
                            "where": LOCATIONS.get(parameter.get("in"), parameter.get("in")),
                            "required": parameter.get("required", False),
                            "type": _type(parameter.get("schema", {})),
                            "description": parameter.get("description")
                            or parameter.get("schema", {}).get("description", ""),
                        }
                        for parameter in operation.get("parameters", [])
                    ],
                    "responses": [
                        {"code": str(code), "description": response.get("description", "")}
                        for code, response in sorted(operation.get("responses", {}).items(), key=lambda r: str(r[0]))
                    ],
                }
            )
    return render(
        request,
        "partners/api_docs.html",
        {"title": "Documentation de l'API", "info": schema["info"], "operations": operations},
    )
