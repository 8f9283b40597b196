"""Index : types de contrat et niveaux en bits (filtrés en SQL), index couvrants ; les raisons d'une paire ne
sont plus enregistrées, elles se calculent à l'affichage."""

from django.db import migrations, models

CONTRACT_BITS = {"apprentissage": 1, "professionnalisation": 2}


def _bits(values, bit):
    mask = 0
    for value in values or ():
        mask |= bit(value)
    return mask


def fill_bits(apps, schema_editor):
    """Une mise à jour par valeur distincte (quelques-unes) plutôt qu'une par ligne."""
    CandidateTradeIndex = apps.get_model("matching", "CandidateTradeIndex")
    OfferIndex = apps.get_model("matching", "OfferIndex")
    for model in (CandidateTradeIndex, OfferIndex):
        for value in model.objects.values_list("contract_types", flat=True).distinct():
            model.objects.filter(contract_types=value).update(contracts=_bits(value, CONTRACT_BITS.get))
    for value in OfferIndex.objects.values_list("old_levels", flat=True).distinct():
        OfferIndex.objects.filter(old_levels=value).update(levels=_bits(value, lambda level: 1 << int(level)))
    if schema_editor.connection.vendor == "postgresql":
        # Les clés étrangères différées des lignes modifiées sont vérifiées maintenant : PostgreSQL refuse de
        # modifier une table qui en attend encore (les colonnes retirées ensuite).
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [("matching", "0002_candidatetradeindex_offerindex_and_more")]

    operations = [
        migrations.RemoveIndex(model_name="candidatetradeindex", name="candidate_index_lookup"),
        migrations.RemoveIndex(model_name="offerindex", name="offer_index_lookup"),
        migrations.RemoveIndex(model_name="match", name="match_candidate_score"),
        migrations.RemoveField(model_name="match", name="reasons"),
        migrations.AddField(
            model_name="candidatetradeindex",
            name="contracts",
            field=models.PositiveSmallIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.RenameField(model_name="offerindex", old_name="levels", new_name="old_levels"),
        migrations.AddField(
            model_name="offerindex",
            name="levels",
            field=models.PositiveSmallIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="offerindex",
            name="contracts",
            field=models.PositiveSmallIntegerField(default=0),
            preserve_default=False,
        ),
        migrations.RunPython(fill_bits, migrations.RunPython.noop),
        migrations.RemoveField(model_name="candidatetradeindex", name="contract_types"),
        migrations.RemoveField(model_name="offerindex", name="contract_types"),
        migrations.RemoveField(model_name="offerindex", name="old_levels"),
        # Index couvrants : la recherche lit tout dans l'index.
        migrations.AddIndex(
            model_name="candidatetradeindex",
            index=models.Index(
                fields=[
                    "trade", "radius_band", "cell", "level", "available_from", "birth_date", "contracts",
                    "age_exception", "commune_code", "radius_km", "candidate",
                ],
                name="candidate_index_lookup",
            ),
        ),
        migrations.AddIndex(
            model_name="offerindex",
            index=models.Index(
                fields=[
                    "trade", "cell", "levels", "contracts", "start_date", "accepts_minors", "commune_code",
                    "published_at", "offer",
                ],
                name="offer_index_lookup",
            ),
        ),
    ]  # fmt: skip
