"""Limites des demandes de lien de connexion (/connexion et les deux inscriptions).

Par adresse IP, (essais, secondes) : une classe ou un lycée entier passe souvent par une seule adresse
(NAT) ; 60 demandes par minute et 300 par heure laissent passer une classe qui se connecte d'un coup.
Il n'y a pas de secret à deviner (pas de mot de passe ; un jeton de lien fait 256 bits et son ouverture
est limitée à part, `settings.RATE_LIMITS`) : ce plafond borne l'envoi d'e-mails en masse depuis une
même adresse et le passage en revue d'adresses, et répond par un message clair.

Par adresse e-mail : 5 demandes par heure depuis une même adresse IP, 20 toutes adresses IP confondues.
Au-delà, plus rien n'est envoyé, sans message (la page est la même que d'habitude) : un tiers ne
peut ni deviner où en est le compteur, ni empêcher la personne de recevoir son lien depuis chez elle
(ses demandes ont leur propre compteur) ; le plafond global borne les e-mails envoyés en masse à une
même personne depuis plusieurs adresses IP.
"""

from core import ratelimit

LOGIN_LIMITS_PER_IP = ((60, 60), (300, 3600))
# L'inscription employeur crée un compte et un établissement : elle garde un plafond bas par adresse IP.
EMPLOYER_SIGNUP_LIMITS_PER_IP = ((20, 3600),)
LOGIN_LIMITS_PER_ADDRESS = ((5, 3600),)  # pour une adresse e-mail et une adresse IP
LOGIN_LIMITS_PER_ADDRESS_ALL_IPS = ((20, 3600),)


def ip_wait(request, scope: str, limits=LOGIN_LIMITS_PER_IP) -> int | None:
    """Compte une demande de l'adresse IP du client ; renvoie les secondes à attendre si elle dépasse."""
    ip = ratelimit.client_ip(request)
    for limit, period in limits:
        wait = ratelimit.hit(f"{scope}-ip:{period}", ip, limit=limit, period=period)
        if wait:
            return wait
    return None


def address_allowed(request, email: str) -> bool:
    """Compte une demande pour `email` ; False s'il ne faut plus rien lui envoyer pour l'instant."""
    ip = ratelimit.client_ip(request)
    allowed = True
    for limit, period in LOGIN_LIMITS_PER_ADDRESS:
        allowed &= ratelimit.hit(f"login-email-ip:{period}", f"{email}|{ip}", limit=limit, period=period) is None
    for limit, period in LOGIN_LIMITS_PER_ADDRESS_ALL_IPS:
        allowed &= ratelimit.hit(f"login-email:{period}", email, limit=limit, period=period) is None
    return allowed
