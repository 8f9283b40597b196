"""L'administration technique montre les rattachements sans permettre d'en créer ni d'en changer : un
rattachement s'accorde depuis l'espace employeur ou le back-office, et passe au journal."""

import pytest
from django.contrib import admin
from django.urls import reverse

from employers.admin import MembershipInline
from employers.models import Company
from tests.backoffice.factories import AdvisorFactory, advisor_login
from tests.offers.factories import CompanyFactory

pytestmark = pytest.mark.django_db


def test_memberships_are_read_only_in_the_technical_admin(client, rf, settings):
    settings.ADMIN_ENABLED = True
    superuser = AdvisorFactory(admin=True)
    inline = MembershipInline(Company, admin.site)
    request = rf.get("/")
    request.user = superuser.user
    assert not inline.has_add_permission(request)
    assert not inline.can_delete
    assert set(inline.readonly_fields) == set(inline.fields)
    company = CompanyFactory()
    advisor_login(client, superuser)
    page = client.get(reverse("admin:employers_company_change", args=[company.pk])).content.decode()
    assert 'name="memberships-0-status"' not in page and "Approuvé" in page
