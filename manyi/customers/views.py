from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from manyi.accounts import permissions
from manyi.accounts.decorators import capability_required
from manyi.organisation.access import unit_condition

from .forms import ContactFormSet, CustomerFilterForm, CustomerForm, ProductForm, PurchaseForm
from .models import Customer, Product, Purchase
from .timeline import timeline_for


@capability_required(permissions.VIEW_CUSTOMERS)
def customer_list(request):
    form = CustomerFilterForm(request.GET or None, user=request.user)
    customers = Customer.objects.for_user(request.user).select_related("owner", "unit")
    if form.is_bound and form.is_valid():
        customers = form.filter(customers)
        per_page = form.cleaned_data.get("per_page") or 25
    else:
        customers = customers.order_by("code")
        per_page = 25
    page = Paginator(customers, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "show_personal": request.user.can(permissions.VIEW_PERSONAL_DATA),
    }
    if request.htmx and request.htmx.target == "customer-results":
        return render(request, "customers/_customer_table.html", context)
    return render(request, "customers/customer_list.html", context)


@capability_required(permissions.VIEW_CUSTOMERS)
def customer_detail(request, pk):
    customer = get_object_or_404(
        Customer.objects.for_user(request.user).select_related("owner", "unit"), pk=pk
    )
    return render(
        request,
        "customers/customer_detail.html",
        {
            "customer": customer,
            "contacts": customer.contacts.all(),
            "purchases": customer.purchases.select_related("product"),
            "timeline": timeline_for(customer, request.user),
            "show_personal": request.user.can(permissions.VIEW_PERSONAL_DATA),
        },
    )


def _save_customer(request, customer, template):
    """Shared by create and edit: the customer form, its contacts and the duplicate check."""
    form = CustomerForm(request.POST or None, instance=customer, user=request.user)
    contacts = ContactFormSet(request.POST or None, instance=customer, prefix="contacts")
    if request.method == "POST" and form.is_valid() and contacts.is_valid():
        kept = [f.cleaned_data for f in contacts.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        if form.check_duplicates(
            contact_phones=[c.get("phone") for c in kept], contact_emails=[c.get("email") for c in kept]
        ):
            with transaction.atomic():
                customer = form.save()
                contacts.instance = customer
                contacts.save()
                customer.refresh_search_text()
            messages.success(request, _("Customer %(name)s saved.") % {"name": customer.name})
            return redirect(customer)
    return render(
        request,
        template,
        {
            "form": form,
            "contacts": contacts,
            "customer": customer,
            "duplicates": form.duplicates,
            "show_personal": request.user.can(permissions.VIEW_PERSONAL_DATA),
        },
    )


@capability_required(permissions.EDIT_CUSTOMERS)
def customer_create(request):
    return _save_customer(request, Customer(owner=request.user), "customers/customer_form.html")


@capability_required(permissions.EDIT_CUSTOMERS)
def customer_edit(request, pk):
    customer = get_object_or_404(Customer.objects.for_user(request.user), pk=pk)
    return _save_customer(request, customer, "customers/customer_form.html")


@capability_required(permissions.EDIT_CUSTOMERS)
def purchase_create(request, pk):
    customer = get_object_or_404(Customer.objects.for_user(request.user), pk=pk)
    return _save_purchase(request, customer, Purchase(customer=customer))


@capability_required(permissions.EDIT_CUSTOMERS)
def purchase_edit(request, pk, purchase_pk):
    customer = get_object_or_404(Customer.objects.for_user(request.user), pk=pk)
    purchase = get_object_or_404(Purchase, pk=purchase_pk, customer=customer)
    return _save_purchase(request, customer, purchase)


def _save_purchase(request, customer, purchase):
    form = PurchaseForm(request.POST or None, instance=purchase)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            customer.refresh_purchase_summary()
        messages.success(request, _("Purchase saved."))
        return redirect(customer)
    return render(request, "customers/purchase_form.html", {"form": form, "customer": customer})


@require_POST
@capability_required(permissions.EDIT_CUSTOMERS)
def purchase_delete(request, pk, purchase_pk):
    customer = get_object_or_404(Customer.objects.for_user(request.user), pk=pk)
    purchase = get_object_or_404(Purchase, pk=purchase_pk, customer=customer)
    with transaction.atomic():
        purchase.delete()
        customer.refresh_purchase_summary()
    messages.success(request, _("Purchase deleted."))
    return redirect(customer)


@require_POST
@capability_required(permissions.DELETE_CUSTOMERS)
def customer_erase(request, pk):
    """Erase a customer's personal data on their request (the record stays for statistics)."""
    customer = get_object_or_404(Customer.objects.for_user(request.user), pk=pk, erased_at__isnull=True)
    if request.POST.get("confirm_code", "").strip() != customer.code:
        messages.error(request, _("Type the customer code to confirm the erasure."))
        return redirect(customer)
    customer.erase_personal_data()
    messages.success(request, _("The personal data of %(code)s has been erased.") % {"code": customer.code})
    return redirect(customer)


@capability_required(permissions.VIEW_CUSTOMERS)
def product_list(request):
    # The purchases counted are those of the customers the user sees by unit (organisation/access.py).
    bought = unit_condition(request.user, "purchases__customer__unit")
    products = Product.objects.annotate(purchase_count=Count("purchases", filter=bought)).order_by("code")
    return render(request, "customers/product_list.html", {"products": products})


@capability_required(permissions.EDIT_CUSTOMERS)
def product_edit(request, pk=None):
    product = get_object_or_404(Product, pk=pk) if pk else Product()
    form = ProductForm(request.POST or None, instance=product)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Product %(name)s saved.") % {"name": form.instance.name})
        return redirect("customers:products")
    return render(request, "customers/product_form.html", {"form": form, "product": product})
