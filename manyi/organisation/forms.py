from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from manyi.forms import StyledFormMixin

from .models import Unit


class UnitChoiceField(forms.ModelChoiceField):
    """A unit chosen from the tree: each name indented by its depth, so the list reads as the tree."""

    def label_from_instance(self, obj):
        return "\u3000" * max(obj.depth, 0) + obj.name


class UnitForm(StyledFormMixin, forms.ModelForm):
    """Create, rename, move (a new parent) or deactivate a unit. The cycle check is Unit.clean;
    a unit is never deleted (customers, tickets and staff keep it), only deactivated."""

    parent = UnitChoiceField(
        label=_("Parent unit"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("(none: a top unit, the group)"),
    )

    class Meta:
        model = Unit
        fields = ["name", "code", "kind", "parent", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        parents = Unit.objects.filter(is_active=True)
        if self.instance.pk:
            # Not itself nor one of its own units (the model's clean says why, if posted anyway).
            parents = Unit.objects.exclude(path__startswith=self.instance.path).filter(is_active=True)
            if self.instance.parent_id:
                parents = parents | Unit.objects.filter(pk=self.instance.parent_id)
        self.fields["parent"].queryset = parents.order_by("path")
        self.fields["parent"].error_messages["invalid_choice"] = _("Choose an active unit of the tree.")

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise ValidationError(_("Give the unit's name."))
        return name

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not code:
            raise ValidationError(_("Give the unit's code."))
        if any(ch.isspace() for ch in code):
            raise ValidationError(_("A unit code has no spaces."))
        clash = Unit.objects.filter(code__iexact=code).exclude(pk=self.instance.pk)
        if clash.exists():
            raise ValidationError(_("Another unit already has the code %(code)s."), params={"code": code})
        return code

    def clean(self):
        data = super().clean()
        parent = data.get("parent")
        if self.instance.pk and parent is not None and parent.path.startswith(self.instance.path):
            self.add_error("parent", _("A unit cannot be placed under itself or one of its own units."))
        deactivating = self.instance.pk and self.instance.is_active and data.get("is_active") is False
        below = Unit.objects.within(self.instance).exclude(pk=self.instance.pk) if self.instance.pk else None
        if deactivating and below.filter(is_active=True).exists():
            self.add_error(
                "is_active", _("Deactivate the units below this one first, or move them to another unit.")
            )
        return data
