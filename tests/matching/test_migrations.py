"""Les données que remplissent les migrations de la mise en relation."""

import datetime
import importlib

import pytest
from django.db import connection

from matching import indexes, rules
from matching.models import CandidateTradeIndex
from tests.matching.factories import CandidateProfileFactory, TradeFactory, commune_at

pytestmark = pytest.mark.django_db

migration = importlib.import_module("matching.migrations.0004_index_age_at_availability_job_seeker")


class _Editor:
    """Ce que la migration utilise de l'éditeur de schéma (celui de SQLite ne s'ouvre pas dans un test)."""

    connection = connection

    def execute(self, sql):
        with connection.cursor() as cursor:
            cursor.execute(sql)


@pytest.mark.parametrize(
    ("birth", "available"),
    [
        (datetime.date(2008, 2, 29), datetime.date(2026, 2, 28)),
        (datetime.date(2008, 2, 29), datetime.date(2026, 3, 1)),
        (datetime.date(2008, 2, 29), datetime.date(2028, 2, 29)),
        (datetime.date(1997, 1, 15), datetime.date(2027, 1, 14)),
        (datetime.date(1997, 1, 15), datetime.date(2027, 1, 15)),
        (datetime.date(2010, 12, 31), datetime.date(2027, 1, 1)),
    ],
)
def test_the_age_at_availability_of_existing_index_rows_is_the_age_of_the_rules(birth, available):
    profile = CandidateProfileFactory(
        trades=[TradeFactory()], commune=commune_at(0), birth_date=birth, available_from=available
    )
    indexes.candidate_index_sync(profile=profile, trade_ids=[profile.trades.get().pk], searching=True)
    CandidateTradeIndex.objects.update(availability_age=0)
    migration.fill_availability_age(None, _Editor())
    assert CandidateTradeIndex.objects.get().availability_age == rules.age_on(birth, available)
