"""Stockages : les fichiers écrits pendant l'exécution (exports) et les fichiers statiques de la production.

Le code passe toujours par `django.core.files.storage.storages` : en production un stockage objet
compatible S3 (`settings.STORAGES`), partagé par toutes les instances ; en développement le dossier
`EXPORTS_DIR`.
"""

import os
import tempfile

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from whitenoise.storage import CompressedManifestStaticFilesStorage


class ExportsFileSystemStorage(FileSystemStorage):
    """Le dossier `settings.EXPORTS_DIR`, relu à chaque appel (un test peut le changer). Un fichier du même
    nom est remplacé d'un coup (écrit à côté puis renommé) : qui le lit pendant l'écriture reçoit l'ancien,
    entier, comme avec un stockage objet."""

    @property
    def base_location(self):
        return self._value_or_setting(self._location, settings.EXPORTS_DIR)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def get_available_name(self, name, max_length=None):
        return name

    def _save(self, name, content):
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        os.makedirs(directory, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(descriptor, "wb") as output:
                for chunk in content.chunks():
                    output.write(chunk)
            os.chmod(temporary, 0o644)
            os.replace(temporary, full_path)
        except BaseException:
            os.unlink(temporary)
            raise
        return name


def exports_storage():
    return storages["exports"]


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Les fichiers statiques à noms hachés (`collectstatic`), compressés, servis par WhiteNoise. L'adresse d'un
    fichier est calculée une fois par processus : le manifeste ne change pas tant que le processus vit, et la
    calculer coûte environ 40 µs (une quinzaine de `{% static %}` par page)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name, force=False):
        if force:
            return super().url(name, force)
        if (url := self._urls.get(name)) is None:
            url = self._urls[name] = super().url(name)
        return url
