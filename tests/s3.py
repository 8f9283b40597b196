"""Un vrai serveur compatible S3 sur la machine (moto en mode serveur, port libre) pour les stockages."""

import uuid

import boto3
import pytest
from moto.server import ThreadedMotoServer

S3_REGION = "eu-west-3"
S3_KEYS = {"access_key": "cle-de-test", "secret_key": "secret-de-test"}


@pytest.fixture(scope="session")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_bucket(s3_endpoint):
    """Un seau neuf ; renvoie (client boto3, nom du seau)."""
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name=S3_REGION,
        aws_access_key_id=S3_KEYS["access_key"],
        aws_secret_access_key=S3_KEYS["secret_key"],
    )
    name = f"cestmachance-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": S3_REGION})
    return client, name


def s3_storage_options(endpoint: str, bucket: str, location: str) -> dict:
    return {
        "bucket_name": bucket,
        "endpoint_url": endpoint,
        "region_name": S3_REGION,
        **S3_KEYS,
        "default_acl": None,
        "file_overwrite": True,
        "addressing_style": "path",
        "location": location,
    }
