from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from manyi.customers.models import Customer


@login_required
def home(request):
    return render(
        request,
        "home.html",
        {"lifecycle_counts": Customer.objects.lifecycle_counts(), "total": Customer.objects.count()},
    )


def health(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
