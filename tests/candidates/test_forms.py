import datetime

import pytest
from django.utils import timezone

from candidates.enums import AgeException
from candidates.forms import ProfileForm, SignupForm, WhenHowForm, WhereWhatForm
from tests.candidates.factories import CandidateProfileFactory, CommuneFactory, TradeFactory


def birthday(age: int, days: int = 0) -> str:
    """Date de naissance de qui a `age` ans aujourd'hui (`days` : décalage, négatif = plus vieux)."""
    today = timezone.localdate()
    try:
        day = today.replace(year=today.year - age)
    except ValueError:  # 29 février
        day = today.replace(year=today.year - age, day=28)
    return (day + datetime.timedelta(days=days)).isoformat()


def signup_data(**overrides):
    data = {
        "first_name": "Inès",
        "last_name": "Martin",
        "birth_date": birthday(17),
        "email": "Ines.Martin@Example.org",
    }
    data.update(overrides)
    return data


def test_signup_form_accepts_a_17_year_old_and_normalises_the_email():
    form = SignupForm(signup_data())
    assert form.is_valid(), form.errors
    assert form.cleaned_data["email"] == "ines.martin@example.org"
    assert form.cleaned_data["age_exception"] == ""


def test_signup_form_refuses_14_year_olds_in_plain_words():
    form = SignupForm(signup_data(birth_date=birthday(15, days=1)))  # 15 ans demain : 14 ans aujourd'hui
    assert not form.is_valid()
    assert "Il faut avoir au moins 15 ans" in form.errors["birth_date"][0]
    assert "Tu as 14 ans" in form.errors["birth_date"][0]


def test_signup_form_at_15_requires_the_college_checkbox():
    form = SignupForm(signup_data(birth_date=birthday(15)))
    assert not form.is_valid()
    assert "terminé le collège" in form.errors["finished_college"][0]
    form = SignupForm(signup_data(birth_date=birthday(15), finished_college="on"))
    assert form.is_valid(), form.errors


def test_signup_form_at_29_needs_no_exception_and_drops_one_given():
    form = SignupForm(signup_data(birth_date=birthday(30, days=1), age_exception=AgeException.RQTH))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["age_exception"] == ""


def test_signup_form_at_30_explains_the_exceptions_and_accepts_one():
    form = SignupForm(signup_data(birth_date=birthday(30)))
    assert not form.is_valid()
    message = form.errors["age_exception"][0]
    assert "Tu as 30 ans" in message
    assert "reconnaissance de la qualité de travailleur handicapé" in message
    assert "sportif ou sportive de haut niveau" in message
    assert "création ou de reprise d'entreprise" in message
    form = SignupForm(signup_data(birth_date=birthday(30), age_exception=AgeException.BUSINESS))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["age_exception"] == AgeException.BUSINESS


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ((timezone.localdate() + datetime.timedelta(days=1)).isoformat(), "ne peut pas être dans le futur"),
        ("1850-01-01", "semble erronée"),
        ("1900-01-01", "semble erronée"),
        ("31/02/2008", "n'est pas valide"),
        ("", "Indique ta date de naissance"),
    ],
)
def test_signup_form_rejects_future_absurd_or_invalid_birth_dates(value, message):
    form = SignupForm(signup_data(birth_date=value))
    assert not form.is_valid()
    assert message in form.errors["birth_date"][0]


def test_signup_form_accepts_french_date_format():
    form = SignupForm(signup_data(birth_date="14/05/2008"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["birth_date"] == datetime.date(2008, 5, 14)


def test_signup_form_errors_are_french_and_keep_what_was_typed():
    form = SignupForm(signup_data(first_name="", email="pas-une-adresse"))
    assert not form.is_valid()
    assert form.errors["first_name"] == ["Indique ton prénom."]
    assert "n'est pas valide" in form.errors["email"][0]
    html = str(form)
    assert 'value="pas-une-adresse"' in html
    assert 'value="Martin"' in html


@pytest.fixture
def commune(db):
    return CommuneFactory()


def where_what_data(place, trades, **overrides):
    data = {"commune": place.code, "radius_km": "30", "trades": [t.pk for t in trades], "level": "3"}
    data.update(overrides)
    return data


def make_trades(n):
    return [TradeFactory(code=f"metier-{i}", label=f"Métier {i}") for i in range(n)]


def test_where_what_form_accepts_one_to_three_trades(commune):
    trades = make_trades(3)
    form = WhereWhatForm(where_what_data(commune, trades, has_driving_licence="on"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["commune"] == commune
    assert form.cleaned_data["radius_km"] == 30
    assert form.cleaned_data["has_driving_licence"] is True
    assert len(form.cleaned_data["trades"]) == 3


def test_where_what_form_refuses_zero_and_four_trades(commune):
    trades = make_trades(4)
    form = WhereWhatForm(where_what_data(commune, []))
    assert not form.is_valid()
    assert form.errors["trades"] == ["Choisis au moins un métier."]
    form = WhereWhatForm(where_what_data(commune, trades))
    assert not form.is_valid()
    assert form.errors["trades"] == ["Choisis au plus 3 métiers (tu en as coché 4)."]


def test_where_what_form_refuses_inactive_trades_and_unknown_radius(commune):
    inactive = TradeFactory(code="ancien", is_active=False)
    form = WhereWhatForm(where_what_data(commune, [inactive], radius_km="25"))
    assert not form.is_valid()
    assert "trades" in form.errors
    assert "radius_km" in form.errors


def test_where_what_form_unknown_commune_keeps_the_text(commune):
    form = WhereWhatForm(where_what_data(commune, make_trades(1), commune="Zzzzville"))
    assert not form.is_valid()
    assert "Commune inconnue" in form.errors["commune"][0]
    assert 'value="Zzzzville"' in str(form)


def test_where_what_form_groups_trades_by_family(commune):
    TradeFactory(code="coiffeur", label="Coiffeur / Coiffeuse", family="beaute_soins")
    TradeFactory(code="boulanger", label="Boulanger / Boulangère", family="alimentation")
    form = WhereWhatForm()
    families = form["trades"].families
    assert [family["label"] for family in families] == ["Alimentation", "Beauté et soins"]
    html = str(form)
    assert "<details" in html and "Coiffeur / Coiffeuse" in html


def when_how_data(**overrides):
    year = timezone.localdate().year + 1
    data = {
        "contract_types": ["apprentissage"],
        "start_month": "9",
        "start_year": str(year),
        "has_training_place": "non",
        "phone": "",
        "presentation": "",
    }
    data.update(overrides)
    return data


def test_when_how_form_builds_the_start_date():
    form = WhenHowForm(when_how_data())
    assert form.is_valid(), form.errors
    assert form.cleaned_data["available_from"] == datetime.date(timezone.localdate().year + 1, 9, 1)
    assert form.cleaned_data["has_training_place"] is False


@pytest.mark.parametrize(
    ("raw", "e164"),
    [("06 12 34 56 78", "+33612345678"), ("+33 1 23 45 67 89", "+33123456789"), ("+262 692 12 34 56", "+262692123456")],
)
def test_when_how_form_stores_french_phones_in_e164(raw, e164):
    form = WhenHowForm(when_how_data(phone=raw))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["phone"] == e164


@pytest.mark.parametrize("raw", ["06 12", "12345678901234", "+44 20 7946 0958", "téléphone"])
def test_when_how_form_refuses_invalid_or_foreign_phones(raw):
    form = WhenHowForm(when_how_data(phone=raw))
    assert not form.is_valid()
    assert "numéro de téléphone français n'est pas valide" in form.errors["phone"][0]


def test_when_how_form_presentation_500_ok_501_refused():
    assert WhenHowForm(when_how_data(presentation="a" * 500)).is_valid()
    form = WhenHowForm(when_how_data(presentation="a" * 501))
    assert not form.is_valid()
    assert form.errors["presentation"] == ["500 caractères au plus (tu en as écrit 501)."]


def test_when_how_form_requires_contract_type_and_training_centre_when_yes():
    form = WhenHowForm(when_how_data(contract_types=[], has_training_place="oui", training_centre=""))
    assert not form.is_valid()
    assert form.errors["contract_types"] == ["Coche au moins un type de contrat."]
    assert form.errors["training_centre"] == ["Indique le nom de ton CFA."]


def test_when_how_form_requires_month_and_year():
    form = WhenHowForm(when_how_data(start_month="", start_year="1999"))
    assert not form.is_valid()
    assert form.errors["start_month"] == ["Choisis le mois où tu peux commencer."]
    assert form.errors["start_year"] == ["Choisis une année dans la liste."]


@pytest.mark.django_db
def test_profile_form_is_prefilled_and_locks_verified_identity():
    profile = CandidateProfileFactory(user__phone="+33612345678", presentation="J'aime le pain.")
    form = ProfileForm(profile=profile, identity_verified=True)
    assert form["first_name"].value() == profile.user.first_name
    assert form["phone"].value() == "06 12 34 56 78"
    assert form.fields["birth_date"].disabled and form.fields["last_name"].disabled
    assert "email" not in form.fields
    data = {
        "first_name": "Autre",
        "last_name": "Nom",
        "birth_date": "2001-01-01",
        **where_what_data(profile.commune, list(profile.trades.all())),
        **when_how_data(),
    }
    form = ProfileForm(data, profile=profile, identity_verified=True)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["first_name"] == profile.user.first_name  # champ verrouillé : valeur initiale
    assert form.cleaned_data["birth_date"] == profile.birth_date


def test_a_start_month_in_the_past_is_refused_with_what_was_typed():
    today = timezone.localdate()
    last_month = today.replace(day=1) - datetime.timedelta(days=1)
    form = WhenHowForm(when_how_data(start_month=str(last_month.month), start_year=str(last_month.year)))
    assert not form.is_valid()
    assert form.errors["start_month"] == ["Ce mois est déjà passé : choisis le mois en cours ou un mois à venir."]
    assert form["start_month"].value() == str(last_month.month)
    this_month = WhenHowForm(when_how_data(start_month=str(today.month), start_year=str(today.year)))
    assert this_month.is_valid(), this_month.errors


def test_job_seeker_question_is_on_the_when_how_screen():
    form = WhenHowForm(when_how_data(job_seeker="on"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["job_seeker"] is True
    assert "inscrit·e à France Travail" in form["job_seeker"].as_field_group()
