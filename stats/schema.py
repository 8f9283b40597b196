"""Schéma des données ouvertes au format Table Schema (frictionless), servi à /stats/schema.json."""

from stats.enums import SECRET, Indicator


def table_schema() -> dict:
    return {
        "name": "cestmachance-statistiques",
        "title": "Statistiques publiques de C'est ma chance",
        "description": "Une ligne par chiffre publié sur la page /stats, pour le périmètre demandé "
        "(paramètres region, departement, famille). Secret statistique : les comptes de 1 à 4, les parts ou "
        "médianes calculées sur moins de 5 offres ou sur un compte masqué, et les comptes masqués en second pour "
        f"qu'on ne retrouve pas les premiers par soustraction, valent « {SECRET} ».",
        "licenses": [{"name": "etalab-2.0", "title": "Licence Ouverte 2.0"}],
        "missingValues": [""],
        "fields": [
            {
                "name": "section",
                "type": "string",
                "description": "total : depuis le début ; mois : série mensuelle ; zone : ventilation par région "
                "ou département ; famille : ventilation par famille de métiers ; parcours : les étapes profils, "
                "mises en relation, contacts, contrats, avec la part de chaque étape et le délai médian pour la "
                "franchir (depuis le début si mois est vide, sinon ce mois-là ; par zone ou par famille selon "
                "zone_code et famille_code) ; carte : chaque département, depuis le début : offres publiées, "
                "candidat·es inscrit·es, contrats signés et population (la carte de la page les rapporte à 10 000 "
                "habitants).",
                "constraints": {"required": True, "enum": ["total", "mois", "zone", "famille", "parcours", "carte"]},
            },
            {
                "name": "mois",
                "type": "string",
                "description": "Mois (AAAA-MM) pour la section mois, vide sinon.",
                "constraints": {"pattern": "[0-9]{4}-[0-9]{2}"},
            },
            {
                "name": "zone_type",
                "type": "string",
                "description": "Niveau géographique : france, region ou departement.",
                "constraints": {"required": True, "enum": ["france", "region", "departement"]},
            },
            {"name": "zone_code", "type": "string", "description": "Code INSEE de la région ou du département."},
            {"name": "zone_nom", "type": "string", "description": "Nom de la zone."},
            {"name": "famille_code", "type": "string", "description": "Famille de métiers (vide : toutes)."},
            {"name": "famille_nom", "type": "string", "description": "Libellé de la famille de métiers."},
            {
                "name": "indicateur",
                "type": "string",
                "description": "Code de l'indicateur (voir la liste « indicateurs » de donnees.json).",
                "constraints": {"required": True, "enum": [indicator.value for indicator in Indicator]},
            },
            {
                "name": "unite",
                "type": "string",
                "description": "nombre, pourcentage ou jours.",
                "constraints": {"required": True, "enum": ["nombre", "pourcentage", "jours"]},
            },
            {
                "name": "valeur",
                "type": "string",
                "description": f"Le chiffre (point décimal), « {SECRET} » s'il est masqué, vide s'il est sans objet.",
                "constraints": {"pattern": rf"[0-9]+(\.[0-9])?|{SECRET}"},
            },
        ],
    }
