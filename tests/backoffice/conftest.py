import pytest

from tests.backoffice.factories import AdvisorFactory, advisor_login


@pytest.fixture
def advisor(db):
    return AdvisorFactory()


@pytest.fixture
def advisor_client(client, advisor):
    return advisor_login(client, advisor)
