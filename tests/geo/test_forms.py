import pytest
from django import forms
from django.core.exceptions import ValidationError

from geo.forms import CommuneField
from tests.geo.factories import CommuneFactory, DepartementFactory


class CommuneForm(forms.Form):
    commune = CommuneField()


class OptionalCommuneForm(forms.Form):
    commune = CommuneField(required=False)


@pytest.fixture
def communes(db):
    calvados = DepartementFactory(code="14", name="Calvados")
    somme = DepartementFactory(code="80", name="Somme")
    return {
        "saint_omer": CommuneFactory(code="62765", name="Saint-Omer", postal_codes=["62500"], population=14661),
        "tilques": CommuneFactory(code="62817", name="Tilques", postal_codes=["62500"], population=1100),
        "saint_omer_14": CommuneFactory(
            code="14642", name="Saint-Omer", departement=calvados, postal_codes=["14220"], population=180
        ),
        "capelle": CommuneFactory(code="62758", name="Saint-Omer-Capelle", postal_codes=["62162"], population=1500),
        "amiens": CommuneFactory(
            code="80021", name="Amiens", departement=somme, postal_codes=["80000", "80080", "80090"], population=133625
        ),
        # Son code INSEE est aussi le code postal d'Amiens.
        "homonym": CommuneFactory(code="80080", name="Code-Trompeur", departement=somme, postal_codes=["80300"]),
    }


def clean(value, field=None):
    return (field or CommuneField()).clean(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("62765", "saint_omer"),  # code INSEE
        ("Saint-Omer (62500)", "saint_omer"),  # libellé de l'autocomplétion
        ("saint omer (62500)", "saint_omer"),
        ("Saint-Omer (14220)", "saint_omer_14"),
        ("Saint-Omer (14)", "saint_omer_14"),  # libellé avec le département
        ("Amiens (80090)", "amiens"),
        ("amiens", "amiens"),  # nom qui ne désigne qu'une commune
        ("Saint-Omer-Capelle", "saint_omer_capelle"),
        ("62162", "saint_omer_capelle"),  # code postal d'une seule commune
        ("80000", "amiens"),
    ],
)
def test_clean_resolves(communes, value, expected):
    communes["saint_omer_capelle"] = communes["capelle"]
    assert clean(value) == communes[expected]


def test_clean_accepts_a_commune(communes):
    assert clean(communes["amiens"]) == communes["amiens"]


def test_clean_unknown_with_suggestions(communes):
    with pytest.raises(ValidationError) as error:
        clean("Xyzzy")
    assert error.value.code == "unknown"
    assert error.value.messages == ["Commune inconnue. Vérifiez l'orthographe ou essayez le code postal."]

    with pytest.raises(ValidationError) as error:
        clean("Saint-Omar")  # faute de frappe : on cherche aussi « saint om »
    assert error.value.messages == [
        "Commune inconnue. Vouliez-vous dire : Saint-Omer (62500), Saint-Omer-Capelle (62162), Saint-Omer (14220) ?"
    ]

    with pytest.raises(ValidationError) as error:
        clean("Saint")
    assert error.value.messages == [
        "Commune inconnue. Vouliez-vous dire : Saint-Omer (62500), Saint-Omer-Capelle (62162), Saint-Omer (14220) ?"
    ]
    assert error.value.code == "suggestions"


def test_clean_unknown_label_suggests_the_name(communes):
    with pytest.raises(ValidationError) as error:
        clean("Amiens (62500)")
    assert error.value.messages == ["Commune inconnue. Vouliez-vous dire : Amiens (80000) ?"]


def test_clean_suggestions_are_limited_to_five(db):
    for n in range(8):
        CommuneFactory(name=f"Villeneuve-{n}", population=100 + n)
    with pytest.raises(ValidationError) as error:
        clean("villeneuve")
    assert error.value.messages[0].count("Villeneuve-") == 5


def test_clean_ambiguous_postal_code(communes):
    with pytest.raises(ValidationError) as error:
        clean("62500")
    assert error.value.code == "ambiguous_postal_code"
    assert error.value.messages == [
        "Le code postal 62500 correspond à plusieurs communes, précisez laquelle : Saint-Omer (62500), Tilques (62500)."
    ]


def test_clean_postal_code_that_is_also_an_insee_code(communes):
    with pytest.raises(ValidationError) as error:
        clean("80080")
    assert error.value.messages == [
        "Le code postal 80080 correspond à plusieurs communes, précisez laquelle : "
        "Amiens (80080), Code-Trompeur (80300)."
    ]


def test_clean_ambiguous_name(communes):
    with pytest.raises(ValidationError) as error:
        clean("saint omer")
    assert error.value.code == "ambiguous"
    assert error.value.messages == [
        "Plusieurs communes correspondent, précisez laquelle : Saint-Omer (62500), Saint-Omer (14220)."
    ]


def test_clean_required_and_optional(communes):
    with pytest.raises(ValidationError) as error:
        clean("  ")
    assert error.value.code == "required"
    assert clean("", CommuneField(required=False)) is None


def test_form_cleaned_data_and_rendering(communes):
    form = CommuneForm(data={"commune": "Saint-Omer (62500)"})
    assert form.is_valid()
    assert form.cleaned_data["commune"] == communes["saint_omer"]

    html = str(CommuneForm(initial={"commune": communes["saint_omer"]})["commune"])
    assert 'value="Saint-Omer (62500)"' in html
    assert 'list="id_commune-communes"' in html
    assert '<datalist id="id_commune-communes"><option value="Saint-Omer (62500)"></option></datalist>' in html
    assert 'data-commune-search-url="/communes/recherche"' in html
    assert 'autocomplete="off"' in html


def test_form_initial_insee_code_is_shown_as_label(communes):
    # Un ModelForm passe le code INSEE de la clé étrangère en valeur initiale.
    html = str(CommuneForm(initial={"commune": "80021"})["commune"])
    assert 'value="Amiens (80000)"' in html


def test_form_redisplays_what_was_typed(communes):
    form = CommuneForm(data={"commune": "80080"})
    assert not form.is_valid()
    assert 'value="80080"' in str(form["commune"])  # pas remplacé par la commune de code INSEE 80080


def test_form_has_changed(communes):
    assert not CommuneForm(initial={"commune": "62765"}, data={"commune": "Saint-Omer (62500)"}).has_changed()
    assert not CommuneForm(initial={"commune": communes["saint_omer"]}, data={"commune": "62765"}).has_changed()
    assert CommuneForm(initial={"commune": "62765"}, data={"commune": "Amiens (80000)"}).has_changed()
    assert OptionalCommuneForm(initial={"commune": None}, data={"commune": "amiens"}).has_changed()
    assert not OptionalCommuneForm(initial={"commune": None}, data={"commune": ""}).has_changed()
