"""Company setup (公司设置) and the complaint category tree: administrators' pages."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from manyi.accounts import permissions
from manyi.accounts.decorators import capability_required
from manyi.surveys import loader

from . import category_tree, company, industries
from .choices import Industry
from .forms import CategoryAddForm, CategoryEditForm, CategoryMoveForm, CompanyForm
from .models import Company


def _preview_industry(request, current):
    """The industry whose lists the page shows: ?industry= when it names one, else the company's,
    else manufacturing."""
    asked = request.GET.get("industry", "")
    if asked in Industry.values:
        return asked
    return current.industry if current else Industry.MANUFACTURING


def _templates(profile):
    """The questionnaire templates the industry offers first, as the template library lists them."""
    by_key = {template.key: template for template in loader.list_templates()}
    return [by_key[key] for key in profile.templates if key in by_key]


@capability_required(permissions.SET_UP_COMPANY)
def company_setup(request):
    current = Company.current()
    if request.method == "POST":
        form = CompanyForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            _company, applied = company.set_up_company(
                data["name"], data["industry"], by=request.user, reapply=data["reapply"]
            )
            if applied is None:
                messages.success(request, _("Company setup saved."))
            else:
                messages.success(
                    request,
                    _(
                        "Company setup saved: %(created)s categories and %(scripts)s call scripts created, "
                        "%(deactivated)s categories deactivated because they are in use, %(removed)s removed."
                    )
                    % {
                        "created": len(applied.created),
                        "scripts": len(applied.scripts_created),
                        "deactivated": len(applied.deactivated),
                        "removed": len(applied.removed),
                    },
                )
            return redirect("operations:company")
        industry = form.data.get("industry") if form.data.get("industry") in Industry.values else None
        status = 400
    else:
        industry = _preview_industry(request, current)
        initial = {"name": current.name, "industry": current.industry} if current else {"industry": industry}
        initial["industry"] = industry
        form = CompanyForm(initial=initial)
        status = 200
    industry = industry or _preview_industry(request, current)
    return render(
        request,
        "operations/company.html",
        {
            "form": form,
            "company": current,
            "industry": industry,
            "profile": industries.profile(industry),
            "plan": company.plan(industry),
            "changes_industry": current is None or current.industry != industry,
            "industries": Industry.choices,
            "templates": _templates(industries.profile(industry)),
        },
        status=status,
    )


def _tree_page(request, add_form=None, status=200):
    return render(
        request,
        "operations/categories.html",
        {"tree": category_tree.tree(), "add_form": add_form or CategoryAddForm()},
        status=status,
    )


@capability_required(permissions.SET_UP_COMPANY)
def category_list(request):
    return _tree_page(request)


@require_POST
@capability_required(permissions.SET_UP_COMPANY)
def category_add(request):
    form = CategoryAddForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            category = category_tree.add_category(data["name"], parent=data["parent"], code=data["code"])
        except category_tree.CategoryError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Category “%(name)s” added.") % {"name": category})
            return redirect("operations:categories")
    return _tree_page(request, add_form=form, status=400)


def _refuse(request, form_or_message):
    """Back to the tree with the reason; nothing changed."""
    if isinstance(form_or_message, str):
        messages.error(request, form_or_message)
    else:
        for errors in form_or_message.errors.values():
            for error in errors:
                messages.error(request, error)
    return _tree_page(request, status=400)


@require_POST
@capability_required(permissions.SET_UP_COMPANY)
def category_save(request):
    form = CategoryEditForm(request.POST)
    if not form.is_valid():
        return _refuse(request, form)
    data = form.cleaned_data
    try:
        category = category_tree.update_category(data["category"], data["name"], data["is_active"])
    except category_tree.CategoryError as error:
        return _refuse(request, str(error))
    messages.success(request, _("Category “%(name)s” saved.") % {"name": category})
    return redirect("operations:categories")


@require_POST
@capability_required(permissions.SET_UP_COMPANY)
def category_move(request):
    form = CategoryMoveForm(request.POST)
    if not form.is_valid():
        return _refuse(request, form)
    category_tree.move_category(form.cleaned_data["category"], form.cleaned_data["direction"])
    return redirect("operations:categories")
