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
