"""Chiffre les secrets TOTP encore en clair (clé : réglage TOTP_ENCRYPTION_KEY, hors de la base)."""

from django.db import migrations


def encrypt_secrets(apps, schema_editor):
    from backoffice import crypto

    AdvisorProfile = apps.get_model("backoffice", "AdvisorProfile")
    for profile in AdvisorProfile.objects.exclude(totp_secret="").only("pk", "totp_secret").iterator():
        if not crypto.is_encrypted(profile.totp_secret):
            AdvisorProfile.objects.filter(pk=profile.pk).update(totp_secret=crypto.encrypt(profile.totp_secret))


def decrypt_secrets(apps, schema_editor):
    from backoffice import crypto

    AdvisorProfile = apps.get_model("backoffice", "AdvisorProfile")
    for profile in AdvisorProfile.objects.exclude(totp_secret="").only("pk", "totp_secret").iterator():
        if crypto.is_encrypted(profile.totp_secret):
            AdvisorProfile.objects.filter(pk=profile.pk).update(totp_secret=crypto.decrypt(profile.totp_secret))


class Migration(migrations.Migration):
    dependencies = [("backoffice", "0002_second_factor_lockout")]

    operations = [migrations.RunPython(encrypt_secrets, decrypt_secrets)]
