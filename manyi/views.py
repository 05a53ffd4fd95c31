from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from manyi.customers.models import Customer


@login_required
def home(request):
    """The overview: the customers the user sees by organisation unit (a region's staff count
    their region's; organisation/access.py), by lifecycle stage."""
    customers = Customer.objects.for_user(request.user)
    return render(
        request,
        "home.html",
        {"lifecycle_counts": customers.lifecycle_counts(), "total": customers.count()},
    )


def health(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def bad_request(request, exception):
    """400: a parameter that does not parse (manyi.forms.BadParameter) says which, in the
    user's language; other bad requests (Django's own) keep its plain page."""
    from django.views import defaults

    from manyi.forms import BadParameter

    if not isinstance(exception, BadParameter):
        return defaults.bad_request(request, exception)
    return render(request, "400.html", {"message": str(exception)}, status=400)
