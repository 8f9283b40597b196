import functools

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


def employer_required(view):
    """Réservé aux comptes employeurs connectés ; les autres vont à la connexion."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_employer:
            raise PermissionDenied("Cet espace est réservé aux employeurs.")
        return view(request, *args, **kwargs)

    return wrapper
