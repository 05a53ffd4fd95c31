from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


def capability_required(*capabilities):
    """Anonymous users go to the login page; signed-in users without every one of the
    capabilities get 403.

    The wrapped view carries them as ``required_capabilities``: the security suite
    (tests/security/test_routes.py) reads it to prove that every route is guarded and to ask
    each role for each route."""
    if not capabilities:
        raise TypeError("capability_required needs at least one capability")

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not all(request.user.can(capability) for capability in capabilities):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.required_capabilities = frozenset(capabilities)
        return wrapped

    return decorator
