import json

import pytest
from django.core.management import call_command

from core.storage import StaticFilesStorage, exports_storage
from tests.offers.factories import OfferFactory
from tests.s3 import s3_bucket, s3_endpoint, s3_storage_options  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def test_exports_are_written_to_and_served_from_s3(client, settings, s3_endpoint, s3_bucket):  # noqa: F811
    s3, bucket = s3_bucket
    settings.STORAGES = {
        **settings.STORAGES,
        "exports": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": s3_storage_options(s3_endpoint, bucket, "exports"),
        },
    }
    assert client.get("/api/v1/exports/offres.jsonl").status_code == 404
    first, second = OfferFactory(), OfferFactory()
    call_command("export_offers")
    stored = s3.get_object(Bucket=bucket, Key="exports/offres.jsonl")["Body"].read().decode()
    assert [json.loads(line)["id"] for line in stored.splitlines()] == [first.pk, second.pk]
    response = client.get("/api/v1/exports/offres.jsonl")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).decode() == stored
    second.delete()
    call_command("export_offers")  # le fichier de la veille est remplacé, pas doublé
    keys = [item["Key"] for item in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert keys == ["exports/offres.jsonl"]
    assert len(b"".join(client.get("/api/v1/exports/offres.jsonl").streaming_content).splitlines()) == 1


def test_local_exports_are_replaced_whole(settings, tmp_path):
    from django.core.files.base import ContentFile

    settings.EXPORTS_DIR = tmp_path / "exports"
    storage = exports_storage()
    assert storage.save("offres.jsonl", ContentFile(b"ancien\n")) == "offres.jsonl"
    with storage.open("offres.jsonl", "rb") as reader:
        assert storage.save("offres.jsonl", ContentFile(b"nouveau\n")) == "offres.jsonl"
        assert reader.read() == b"ancien\n"  # qui lisait pendant l'export garde l'ancien fichier, entier
    with storage.open("offres.jsonl", "rb") as reader:
        assert reader.read() == b"nouveau\n"
    assert sorted(path.name for path in (tmp_path / "exports").iterdir()) == ["offres.jsonl"]


def test_static_urls_are_computed_once_per_process(tmp_path, monkeypatch):
    """En production, l'adresse hachée d'un fichier statique est lue une fois dans le manifeste : une page en
    demande une quinzaine."""
    (tmp_path / "staticfiles.json").write_text(
        json.dumps({"version": "1.1", "hash": "x", "paths": {"core/site.css": "core/site.0123abcd.css"}})
    )
    storage = StaticFilesStorage(location=tmp_path, base_url="/static/")
    lookups = []
    stored_name = storage.stored_name
    monkeypatch.setattr(storage, "stored_name", lambda name: lookups.append(name) or stored_name(name))
    assert storage.url("core/site.css") == "/static/core/site.0123abcd.css"
    assert storage.url("core/site.css") == "/static/core/site.0123abcd.css"
    assert lookups == ["core/site.css"]
    with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
        storage.url("absent.css")
