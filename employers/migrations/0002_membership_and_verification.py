"""Rattachements explicites (avec un état) à la place de la table `members`, et vérification des entreprises.

Les membres déjà là sont approuvés ; les entreprises déjà là sont vérifiées (leurs offres restent mises en
relation) : la vérification s'applique aux nouvelles entreprises.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def copy_members(apps, schema_editor):
    Company = apps.get_model("employers", "Company")
    Membership = apps.get_model("employers", "Membership")
    through = Company.members.through
    rows = through.objects.values_list("company_id", "user_id").iterator(chunk_size=2000)
    batch = []
    for company_id, user_id in rows:
        batch.append(Membership(company_id=company_id, user_id=user_id, status="approuve"))
        if len(batch) >= 2000:
            Membership.objects.bulk_create(batch)
            batch = []
    Membership.objects.bulk_create(batch)
    Company.objects.update(verification_status="verifiee")


class Migration(migrations.Migration):
    dependencies = [
        ("employers", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Membership",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("en_attente", "En attente"),
                            ("approuve", "Approuvé"),
                            ("refuse", "Refusé"),
                            ("retire", "Retiré"),
                        ],
                        default="en_attente",
                        max_length=12,
                        verbose_name="état",
                    ),
                ),
                (
                    "source",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("inscription", "Inscription employeur"),
                            ("ajout", "Ajout d'un établissement"),
                            ("proconnect", "Connexion ProConnect"),
                            ("demo", "Données de démonstration"),
                            ("admin", "Administration technique"),
                        ],
                        max_length=12,
                        verbose_name="origine",
                    ),
                ),
                ("requested_at", models.DateTimeField(auto_now_add=True, verbose_name="demandé le")),
                ("decided_at", models.DateTimeField(blank=True, null=True, verbose_name="décidé le")),
                (
                    "company",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="memberships", to="employers.company"
                    ),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="memberships",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "rattachement",
                "indexes": [models.Index(fields=["user", "status"], name="membership_user_status")],
                "constraints": [models.UniqueConstraint(fields=("company", "user"), name="membership_company_user")],
            },
        ),
        migrations.AddField(
            model_name="company",
            name="craft_activity_code",
            field=models.CharField(
                blank=True, help_text="Vide : pas artisan.", max_length=10, verbose_name="activité au répertoire des métiers"
            ),
        ),
        migrations.AddField(
            model_name="company",
            name="idcc_codes",
            field=models.JSONField(blank=True, default=list, verbose_name="conventions collectives (IDCC)"),
        ),
        migrations.AddField(model_name="company", name="latitude", field=models.FloatField(blank=True, null=True)),
        migrations.AddField(model_name="company", name="longitude", field=models.FloatField(blank=True, null=True)),
        migrations.AddField(
            model_name="company",
            name="established_on",
            field=models.DateField(blank=True, null=True, verbose_name="création de l'établissement"),
        ),
        migrations.AddField(
            model_name="company",
            name="directory_checked_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="vérifié dans l'annuaire le"),
        ),
        migrations.AddField(
            model_name="company",
            name="verification_status",
            field=models.CharField(
                choices=[("a_verifier", "À vérifier"), ("verifiee", "Vérifiée"), ("refusee", "Refusée")],
                default="a_verifier",
                max_length=12,
                verbose_name="vérification",
            ),
        ),
        migrations.AddField(
            model_name="company",
            name="verification_reasons",
            field=models.JSONField(blank=True, default=list, verbose_name="raisons de la vérification"),
        ),
        migrations.AddField(
            model_name="company",
            name="verification_source",
            field=models.CharField(
                blank=True,
                choices=[
                    ("annuaire", "Répertoire des métiers (API Recherche d'entreprises)"),
                    ("proconnect", "Connexion ProConnect"),
                    ("conseiller", "Conseiller·e CMA"),
                    ("demo", "Données de démonstration"),
                ],
                max_length=12,
                verbose_name="vérifiée par",
            ),
        ),
        migrations.AddField(
            model_name="company",
            name="verified_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="vérifiée le"),
        ),
        migrations.RunPython(copy_members, migrations.RunPython.noop),
        migrations.RemoveField(model_name="company", name="members"),
        migrations.AddIndex(
            model_name="company",
            index=models.Index(fields=["verification_status"], name="company_verification"),
        ),
    ]
