from . import permissions


class _Capabilities:
    """Lets templates write {% if can.customers_edit %}."""

    def __init__(self, user):
        self._user = user

    def __getattr__(self, name):
        capability = name.replace("_", ".", 1)
        return bool(self._user.is_authenticated and self._user.can(capability))


def role(request):
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {"can": _Capabilities(user), "capabilities": permissions}
