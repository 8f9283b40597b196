import html


def text(response) -> str:
    """Le contenu d'une réponse, entités HTML décodées, pour chercher des phrases françaises."""
    return html.unescape(response.content.decode())


def link_page_post(client, path):
    """Ouvre la page d'un lien reçu par e-mail (`path`, jeton compris) et envoie son formulaire, comme le
    bouton : l'adresse du formulaire et ses champs cachés sont lus dans la page."""
    import re

    page = client.get(path)
    if page.status_code != 200:
        return page
    content = page.content.decode()
    form = re.search(r'<form method="post" action="([^"]*)"(.*?)</form>', content, re.S)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(2)))
    fields.pop("csrfmiddlewaretoken", None)
    return client.post(html.unescape(form.group(1)), {k: html.unescape(v) for k, v in fields.items()})
