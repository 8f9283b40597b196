import html


def text(response) -> str:
    """Le contenu d'une réponse, entités HTML décodées, pour chercher des phrases françaises."""
    return html.unescape(response.content.decode())
