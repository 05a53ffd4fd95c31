from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from manyi.forms import StyledFormMixin, parse_id
from manyi.tickets.models import Category

from .category_tree import MAX_CODE
from .choices import Industry


class CompanyForm(StyledFormMixin, forms.Form):
    """公司设置: the company's name and industry."""

    name = forms.CharField(label=_("Company name"), max_length=100)
    industry = forms.ChoiceField(
        label=_("Industry"),
        choices=Industry.choices,
        error_messages={"invalid_choice": _("Choose one of the listed industries.")},
        help_text=_(
            "Decides the complaint categories, call scripts and questionnaire templates you start with."
        ),
    )
    reapply = forms.BooleanField(
        label=_("Restore the industry's complaint categories and call scripts"),
        required=False,
        help_text=_(
            "Only needed when the industry stays the same: a new industry is always applied. Names and "
            "script texts you changed are kept."
        ),
    )

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise ValidationError(_("Give the company's name."))
        return name


class _CategoryChoice(forms.CharField):
    """A category by id, given in a hidden field or a select."""

    def __init__(self, *args, queryset=None, **kwargs):
        self.queryset = queryset
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        pk = parse_id(value)
        category = self.queryset.filter(pk=pk).first() if pk is not None else None
        if category is None:
            raise ValidationError(_("Choose one of the listed categories."))
        return category


class CategoryAddForm(StyledFormMixin, forms.Form):
    parent = _CategoryChoice(
        label=_("Under"),
        required=False,
        queryset=Category.objects.filter(parent__isnull=True),
        widget=forms.Select,
    )
    name = forms.CharField(label=_("Name"), max_length=100)
    code = forms.SlugField(
        label=_("Code"),
        max_length=MAX_CODE,
        required=False,
        help_text=_("Optional: letters, digits, - and _ for the API and exports; left empty, one is made."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        roots = Category.objects.filter(parent__isnull=True)
        self.fields["parent"].widget.choices = [
            ("", _("— a main category —")),
            *((r.pk, r.name) for r in roots),
        ]


class CategoryEditForm(forms.Form):
    category = _CategoryChoice(widget=forms.HiddenInput, queryset=Category.objects.all())
    name = forms.CharField(label=_("Name"), max_length=100)
    is_active = forms.BooleanField(label=_("Offered"), required=False)


class CategoryMoveForm(forms.Form):
    category = _CategoryChoice(widget=forms.HiddenInput, queryset=Category.objects.all())
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")])
