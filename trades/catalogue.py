"""Catalogue des métiers de l'artisanat proposés sur C'est ma chance.

Chaque métier porte un code stable (slug), un libellé, une famille et un ou plusieurs codes ROME
(référentiel ROME 4.0 de France Travail, version 60). Les métiers retenus sont des métiers de
l'artisanat accessibles par l'apprentissage (CAP, BP, Bac pro, BTM, BMA, BTS...).

Source des codes ROME : ROME 4.0, version 60 (France Travail, data.gouv.fr, Licence Ouverte).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class CatalogueTrade:
    code: str  # slug stable, ex. "boulanger"
    label: str  # libellé affiché, ex. "Boulanger / Boulangère"
    family: str  # code de famille (voir FAMILIES)
    rome_codes: tuple[str, ...]  # ex. ("D1102",)


FAMILIES = (  # (code, libellé), dans l'ordre d'affichage
    ("alimentation", "Alimentation"),
    ("batiment", "Bâtiment"),
    ("beaute_soins", "Beauté et soins"),
    ("automobile_mecanique", "Automobile et mécanique"),
    ("bois_ameublement", "Bois et ameublement"),
    ("textile_mode", "Textile, mode et cuir"),
    ("fabrication_art", "Fabrication et métiers d'art"),
    ("sante_hygiene", "Santé et appareillage"),
    ("services", "Services"),
)

FAMILY_LABELS = dict(FAMILIES)

T = CatalogueTrade

TRADES = (
    # --- Alimentation ---
    T("boulanger", "Boulanger / Boulangère", "alimentation", ("D1102",)),
    T("patissier", "Pâtissier / Pâtissière", "alimentation", ("D1104",)),
    T("boucher", "Boucher / Bouchère", "alimentation", ("D1101",)),
    T("charcutier_traiteur", "Charcutier-traiteur / Charcutière-traiteuse", "alimentation", ("D1103",)),
    T("poissonnier", "Poissonnier / Poissonnière", "alimentation", ("D1105",)),
    T("chocolatier", "Chocolatier / Chocolatière", "alimentation", ("D1115",)),
    T("confiseur", "Confiseur / Confiseuse", "alimentation", ("D1115", "D1104")),
    T("glacier", "Glacier / Glacière", "alimentation", ("D1118",)),
    T("cuisinier_traiteur", "Cuisinier / Cuisinière traiteur", "alimentation", ("G1609", "D1103")),
    T("fromager", "Fromager / Fromagère", "alimentation", ("A1412",)),
    T("torrefacteur", "Torréfacteur / Torréfactrice", "alimentation", ("D1114",)),
    T("brasseur", "Brasseur / Brasseuse", "alimentation", ("A1413",)),
    T("vendeur_alimentation", "Vendeur / Vendeuse en boulangerie, pâtisserie ou boucherie", "alimentation", ("D1106",)),
    # --- Bâtiment ---
    T("macon", "Maçon / Maçonne", "batiment", ("F1703",)),
    T("couvreur", "Couvreur / Couvreuse", "batiment", ("F1619",)),
    T("charpentier", "Charpentier / Charpentière bois", "batiment", ("F1503", "F1501")),
    T("plombier", "Plombier / Plombière", "batiment", ("F1603",)),
    T("chauffagiste", "Chauffagiste", "batiment", ("F1620", "I1308")),
    T("frigoriste", "Frigoriste", "batiment", ("I1306",)),
    T("electricien", "Électricien / Électricienne", "batiment", ("F1602",)),
    T(
        "installateur_energies_renouvelables",
        "Installateur / Installatrice en énergies renouvelables",
        "batiment",
        ("F1610",),
    ),
    T("plaquiste", "Plaquiste", "batiment", ("F1604",)),
    T("platrier", "Plâtrier / Plâtrière", "batiment", ("F1601",)),
    T("peintre_batiment", "Peintre en bâtiment", "batiment", ("F1606",)),
    T("carreleur", "Carreleur / Carreleuse", "batiment", ("F1608",)),
    T("solier", "Solier-moquettiste / Solière-moquettiste", "batiment", ("F1609",)),
    T("etancheur", "Étancheur / Étancheuse", "batiment", ("F1613",)),
    T("facadier", "Façadier / Façadière", "batiment", ("F1611",)),
    T("tailleur_pierre", "Tailleur / Tailleuse de pierre", "batiment", ("F1612",)),
    T("serrurier_metallier", "Serrurier-métallier / Serrurière-métallière", "batiment", ("H2911",)),
    T("menuisier_aluminium", "Menuisier / Menuisière aluminium-verre", "batiment", ("F1607",)),
    T("poseur_menuiseries", "Poseur / Poseuse de menuiseries extérieures", "batiment", ("F1616", "F1614")),
    T("ramoneur", "Ramoneur / Ramoneuse", "batiment", ("F1621",)),
    T("paysagiste", "Paysagiste (maçonnerie paysagère)", "batiment", ("F1707", "A1208")),
    # --- Beauté et soins ---
    T("coiffeur", "Coiffeur / Coiffeuse", "beaute_soins", ("D1202",)),
    T("barbier", "Barbier / Barbière", "beaute_soins", ("D1216",)),
    T("estheticien", "Esthéticien / Esthéticienne", "beaute_soins", ("D1208",)),
    T("prothesiste_ongulaire", "Prothésiste ongulaire", "beaute_soins", ("D1240",)),
    T("maquilleur", "Maquilleur / Maquilleuse professionnel(le)", "beaute_soins", ("L1501",)),
    T("spa_praticien", "Spa praticien / Spa praticienne", "beaute_soins", ("D1231",)),
    T("masseur_bien_etre", "Praticien / Praticienne en massage bien-être", "beaute_soins", ("D1222",)),
    T("perruquier_posticheur", "Perruquier-posticheur / Perruquière-posticheuse", "beaute_soins", ("D1215",)),
    # --- Automobile et mécanique ---
    T("mecanicien_auto", "Mécanicien / Mécanicienne automobile", "automobile_mecanique", ("I1604",)),
    T("carrossier", "Carrossier / Carrossière", "automobile_mecanique", ("I1606", "I1621")),
    T("peintre_automobile", "Peintre automobile", "automobile_mecanique", ("I1609", "I1614")),
    T("mecanicien_moto", "Mécanicien / Mécanicienne motocycles", "automobile_mecanique", ("I1607",)),
    T("mecanicien_cycles", "Mécanicien / Mécanicienne cycles", "automobile_mecanique", ("I1619",)),
    T("mecanicien_agricole", "Mécanicien / Mécanicienne de matériels agricoles", "automobile_mecanique", ("I1603",)),
    T("mecanicien_poids_lourds", "Mécanicien / Mécanicienne poids lourds", "automobile_mecanique", ("I1613",)),
    T(
        "mecanicien_engins_chantier",
        "Mécanicien / Mécanicienne d'engins de chantier",
        "automobile_mecanique",
        ("I1616",),
    ),
    T(
        "mecanicien_parcs_jardins",
        "Mécanicien / Mécanicienne de matériels de parcs et jardins",
        "automobile_mecanique",
        ("I1618",),
    ),
    T("mecanicien_nautique", "Mécanicien / Mécanicienne nautique", "automobile_mecanique", ("I1605",)),
    T("depanneur_remorqueur", "Dépanneur-remorqueur / Dépanneuse-remorqueuse", "automobile_mecanique", ("I1615",)),
    T(
        "vendeur_pieces_auto",
        "Conseiller / Conseillère de vente en pièces automobiles",
        "automobile_mecanique",
        ("D1223",),
    ),
    T("chaudronnier", "Chaudronnier / Chaudronnière", "automobile_mecanique", ("H2902",)),
    T("soudeur", "Soudeur / Soudeuse", "automobile_mecanique", ("H2913",)),
    # --- Bois et ameublement ---
    T("menuisier", "Menuisier / Menuisière", "bois_ameublement", ("H2206",)),
    T("ebeniste", "Ébéniste", "bois_ameublement", ("H2207",)),
    T("agenceur", "Menuisier agenceur / Menuisière agenceuse", "bois_ameublement", ("F1625", "H2206")),
    T("tapissier", "Tapissier / Tapissière d'ameublement", "bois_ameublement", ("B1806",)),
    T("tonnelier", "Tonnelier / Tonnelière", "bois_ameublement", ("H2210",)),
    T("sculpteur_bois", "Sculpteur / Sculptrice sur bois", "bois_ameublement", ("H2208",)),
    T("tourneur_bois", "Tourneur / Tourneuse sur bois", "bois_ameublement", ("H2208",)),
    T("marqueteur", "Marqueteur / Marqueteuse", "bois_ameublement", ("H2207",)),
    T("charpentier_marine", "Charpentier / Charpentière de marine", "bois_ameublement", ("F1504",)),
    T("canneur_rempailleur", "Canneur-rempailleur / Canneuse-rempailleuse", "bois_ameublement", ("B1404",)),
    # --- Textile, mode et cuir ---
    T("couturier", "Couturier / Couturière", "textile_mode", ("B1803",)),
    T("retoucheur", "Retoucheur / Retoucheuse", "textile_mode", ("D1207",)),
    T("tailleur", "Tailleur / Tailleuse", "textile_mode", ("B1813",)),
    T("modiste", "Modiste", "textile_mode", ("B1801",)),
    T("maroquinier", "Maroquinier / Maroquinière", "textile_mode", ("B1802",)),
    T("cordonnier", "Cordonnier / Cordonnière", "textile_mode", ("D1206",)),
    T("sellier", "Sellier / Sellière", "textile_mode", ("B1809",)),
    T("sellier_garnisseur", "Sellier-garnisseur / Sellière-garnisseuse", "textile_mode", ("B1811",)),
    T("brodeur", "Brodeur / Brodeuse", "textile_mode", ("B1804",)),
    T("fourreur", "Fourreur / Fourreuse", "textile_mode", ("B1810",)),
    # --- Fabrication et métiers d'art ---
    T("bijoutier", "Bijoutier / Bijoutière", "fabrication_art", ("B1605",)),
    T("joaillier", "Joaillier / Joaillière", "fabrication_art", ("B1606",)),
    T("sertisseur", "Sertisseur / Sertisseuse", "fabrication_art", ("B1610",)),
    T("orfevre", "Orfèvre", "fabrication_art", ("B1613",)),
    T("horloger", "Horloger / Horlogère", "fabrication_art", ("B1604",)),
    T("ceramiste", "Céramiste", "fabrication_art", ("B1201",)),
    T("souffleur_verre", "Souffleur / Souffleuse de verre", "fabrication_art", ("B1602",)),
    T("vitrailliste", "Vitrailliste", "fabrication_art", ("B1602",)),
    T("luthier", "Luthier / Luthière", "fabrication_art", ("B1505",)),
    T("facteur_pianos", "Facteur / Factrice de pianos", "fabrication_art", ("B1501",)),
    T("relieur", "Relieur / Relieuse", "fabrication_art", ("B1402",)),
    T("graveur", "Graveur / Graveuse", "fabrication_art", ("B1303",)),
    T("doreur", "Doreur / Doreuse", "fabrication_art", ("B1302",)),
    T("encadreur", "Encadreur / Encadreuse", "fabrication_art", ("B1302",)),
    T("ferronnier_art", "Ferronnier / Ferronnière d'art", "fabrication_art", ("B1601",)),
    T("coutelier", "Coutelier / Coutelière", "fabrication_art", ("B1601",)),
    T("marechal_ferrant", "Maréchal-ferrant / Maréchale-ferrante", "fabrication_art", ("A1502",)),
    T("imprimeur", "Imprimeur / Imprimeuse", "fabrication_art", ("E1301",)),
    T("serigraphe", "Sérigraphe", "fabrication_art", ("E1301", "H2408")),
    T("enseigniste", "Enseigniste", "fabrication_art", ("E1205", "I1201")),
    # --- Santé et appareillage ---
    T("prothesiste_dentaire", "Prothésiste dentaire", "sante_hygiene", ("J1410",)),
    T("opticien", "Opticien-lunetier / Opticienne-lunetière", "sante_hygiene", ("J1405",)),
    T("orthoprothesiste", "Orthoprothésiste", "sante_hygiene", ("J1411",)),
    T("podo_orthesiste", "Podo-orthésiste", "sante_hygiene", ("J1411",)),
    T("ambulancier", "Ambulancier / Ambulancière", "sante_hygiene", ("J1305",)),
    # --- Services ---
    T("fleuriste", "Fleuriste", "services", ("D1209",)),
    T("toiletteur", "Toiletteur canin / Toiletteuse canine", "services", ("A1503",)),
    T("photographe", "Photographe", "services", ("E1201",)),
    T("pressing", "Teinturier-blanchisseur / Teinturière-blanchisseuse", "services", ("D1205",)),
    T("reparateur_electromenager", "Réparateur / Réparatrice en électroménager", "services", ("I1402",)),
    T("reparateur_smartphones", "Réparateur / Réparatrice de smartphones et multimédia", "services", ("I1407",)),
    T("antenniste", "Antenniste", "services", ("I1307",)),
    T("taxi", "Chauffeur / Chauffeuse de taxi", "services", ("N4102",)),
    T("conseiller_funeraire", "Conseiller / Conseillère funéraire", "services", ("K2602",)),
)

del T


def trades_by_family() -> dict[str, list[CatalogueTrade]]:
    """Métiers regroupés par code de famille, dans l'ordre d'affichage des familles."""
    grouped: dict[str, list[CatalogueTrade]] = {code: [] for code, _label in FAMILIES}
    for trade in TRADES:
        grouped[trade.family].append(trade)
    return grouped
