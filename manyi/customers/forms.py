from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from manyi.accounts import permissions
from manyi.accounts.models import User
from manyi.forms import LabelledRowsInlineFormSet, StyledFormMixin
from manyi.organisation.access import assignable_units, sees_everything, visible_people
from manyi.organisation.forms import UnitChoiceField
from manyi.organisation.models import Unit

from .choices import CustomerKind, CustomerType, Lifecycle
from .models import Contact, Customer, Product, Purchase, Tag
from .validators import normalize_phone


def split_tags(text):
    """'VIP客户, 华东；老客户' -> ['VIP客户', '华东', '老客户'] (ASCII or Chinese separators)."""
    for separator in "，;；、":
        text = text.replace(separator, ",")
    names = []
    for name in text.split(","):
        name = name.strip()
        if name and name not in names:
            names.append(name)
    return names


class CustomerForm(StyledFormMixin, forms.ModelForm):
    tag_names = forms.CharField(
        label=_("Tags"),
        required=False,
        help_text=_("Separate tags with commas."),
        max_length=500,
    )
    confirm_duplicates = forms.BooleanField(
        label=_("Save anyway: this is not the same customer"), required=False
    )

    class Meta:
        model = Customer
        fields = [
            "kind",
            "code",
            "name",
            "customer_type",
            "industry",
            "phone",
            "email",
            "region",
            "province",
            "city",
            "address",
            "owner",
            "unit",
            "preferred_contact_method",
            "preferences",
            "consent_to_contact",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
        field_classes = {"unit": UnitChoiceField}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Staff of the editor's units and the group's, never another region's; the current
        # owner stays listed so the customer saves unchanged.
        self.fields["owner"].queryset = visible_people(user, keep=self.instance.owner_id)
        # The units the editor may give: those they see; a region's staff must give one (a
        # customer of no unit would be out of their sight once saved).
        unit = self.fields["unit"]
        unit.queryset = assignable_units(user).order_by("path") if user is not None else Unit.objects.none()
        unit.error_messages["invalid_choice"] = _("Choose one of the listed organisation units.")
        if self.instance.unit_id and not unit.queryset.filter(pk=self.instance.unit_id).exists():
            unit.queryset = (unit.queryset | Unit.objects.filter(pk=self.instance.unit_id)).order_by("path")
        if user is not None and not sees_everything(user):
            unit.required = True
            if not self.instance.pk:
                unit.initial = user.unit_id
        self.user = user
        self.duplicates = []
        if self.instance.pk:
            self.fields["tag_names"].initial = ", ".join(t.name for t in self.instance.tags.all())

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        clash = Customer.objects.filter(code__iexact=code)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(
                _("Another customer already has the code %(code)s."), params={"code": code}
            )
        return code

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Please enter the name."))
        return name

    def clean_phone(self):
        return normalize_phone(self.cleaned_data["phone"])

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean_tag_names(self):
        names = split_tags(self.cleaned_data["tag_names"])
        if any(len(name) > 50 for name in names):
            raise forms.ValidationError(_("A tag may have at most 50 characters."))
        return names

    def check_duplicates(self, contact_phones=(), contact_emails=()):
        """Warn (not refuse) when another customer shares a phone number or e-mail."""
        data = self.cleaned_data
        customers = Customer.objects.for_user(self.user) if self.user is not None else Customer.objects
        self.duplicates = list(
            customers.possible_duplicates(
                phones=[data.get("phone", "")] + list(contact_phones),
                emails=[data.get("email", "")] + list(contact_emails),
                exclude_pk=self.instance.pk,
            )[:10]
        )
        if self.duplicates and not data.get("confirm_duplicates"):
            self.add_error(
                None,
                _(
                    "Another customer has the same phone number or e-mail address. "
                    "Check the list below; tick “Save anyway” if this is a different customer."
                ),
            )
            return False
        return True

    def save(self, commit=True):
        customer = super().save(commit=False)
        if "consent_to_contact" in self.changed_data and self.instance.pk:
            customer.consent_changed_at = timezone.now()
        if commit:
            customer.save()
            customer.tags.set(
                [Tag.objects.get_or_create(name=name)[0] for name in self.cleaned_data["tag_names"]]
            )
        return customer


class ContactForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "title", "phone", "email", "is_primary"]

    def clean_phone(self):
        return normalize_phone(self.cleaned_data["phone"])

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


ContactFormSet = forms.inlineformset_factory(
    Customer,
    Contact,
    form=ContactForm,
    formset=LabelledRowsInlineFormSet,
    extra=1,
    can_delete=True,
    max_num=50,
    absolute_max=50,  # else a posted TOTAL_FORMS makes up to 1,050 forms (Django's default)
    validate_max=True,
)


class PurchaseForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Purchase
        fields = [
            "product",
            "order_number",
            "purchased_on",
            "quantity",
            "amount",
            "delivered_on",
            "warranty_end",
        ]
        widgets = {
            "purchased_on": forms.DateInput(attrs={"type": "date"}),
            "delivered_on": forms.DateInput(attrs={"type": "date"}),
            "warranty_end": forms.DateInput(attrs={"type": "date"}),
        }

    def clean_quantity(self):
        quantity = self.cleaned_data["quantity"]
        if quantity is not None and quantity <= 0:
            raise forms.ValidationError(_("The quantity must be greater than zero."))
        return quantity

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount is not None and amount < 0:
            raise forms.ValidationError(_("The amount cannot be negative."))
        return amount

    def clean(self):
        data = super().clean()
        purchased, delivered, warranty = (
            data.get("purchased_on"),
            data.get("delivered_on"),
            data.get("warranty_end"),
        )
        if purchased and purchased > timezone.localdate():
            self.add_error("purchased_on", _("The purchase date cannot be in the future."))
        if purchased and delivered and delivered < purchased:
            self.add_error("delivered_on", _("The delivery date cannot be before the purchase date."))
        start = delivered or purchased
        if start and warranty and warranty < start:
            self.add_error("warranty_end", _("The warranty cannot end before delivery."))
        return data


class CustomerFilterForm(StyledFormMixin, forms.Form):
    SORTS = [
        ("code", _("Code")),
        ("name", _("Name")),
        ("-last_purchase_on", _("Last purchase (newest first)")),
        ("-purchase_total", _("Business volume (largest first)")),
        ("-created_at", _("Created (newest first)")),
    ]
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds"))] + CustomerKind.choices
    )
    customer_type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All types"))] + CustomerType.choices
    )
    lifecycle = forms.ChoiceField(
        label=_("Lifecycle"), required=False, choices=[("", _("All stages"))] + Lifecycle.choices
    )
    region = forms.ChoiceField(label=_("Region"), required=False)
    unit = UnitChoiceField(
        label=_("Organisation unit"),
        required=False,
        queryset=Unit.objects.none(),
        empty_label=_("All units"),
        help_text=_("The unit and the units below it."),
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"), required=False, queryset=User.objects.none(), empty_label=_("Everyone")
    )
    tag = forms.ModelChoiceField(
        label=_("Tag"),
        required=False,
        queryset=Tag.objects.all(),
        to_field_name="name",
        empty_label=_("All tags"),
    )
    consent = forms.ChoiceField(
        label=_("Consent"),
        required=False,
        choices=[("", _("Any")), ("yes", _("May be contacted")), ("no", _("Do not contact"))],
    )
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORTS)
    per_page = forms.TypedChoiceField(
        label=_("Per page"),
        required=False,
        coerce=int,
        choices=[(25, 25), (50, 50), (100, 100)],
        empty_value=25,
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The search matches phones and e-mail addresses only for who may see them.
        self.personal = user is not None and user.can(permissions.VIEW_PERSONAL_DATA)
        if not self.personal:
            self.fields["q"].help_text = _(
                "Name or code; phone numbers and e-mail addresses are not searched."
            )
        # Former staff too (their customers are still theirs), but not another region's.
        self.fields["owner"].queryset = visible_people(user, User.objects.all())
        self.fields["unit"].queryset = (
            assignable_units(user).order_by("path") if user is not None else Unit.objects.none()
        )
        if not self.fields["unit"].queryset.exists():
            del self.fields["unit"]  # a company without units: no filter to offer
        customers = Customer.objects.for_user(user) if user is not None else Customer.objects.all()
        regions = customers.exclude(region="").order_by("region").values_list("region", flat=True).distinct()
        self.fields["region"].choices = [("", _("All regions"))] + [(r, r) for r in regions]

    def filter(self, queryset):
        data = self.cleaned_data
        queryset = queryset.search(data.get("q"), personal=self.personal)
        for name in ("kind", "customer_type", "lifecycle", "region", "owner"):
            if data.get(name):
                queryset = queryset.filter(**{name: data[name]})
        if data.get("unit"):
            queryset = queryset.filter(unit__in=Unit.objects.within(data["unit"]))
        if data.get("tag"):
            queryset = queryset.filter(tags=data["tag"])
        if data.get("consent"):
            queryset = queryset.filter(consent_to_contact=data["consent"] == "yes")
        return queryset.order_by(data.get("sort") or "code", "pk")


class ProductForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Product
        fields = ["code", "name", "category", "warranty_months"]

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        clash = Product.objects.filter(code__iexact=code).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(
                _("Another product already has the code %(code)s."), params={"code": code}
            )
        return code

    def clean_warranty_months(self):
        months = self.cleaned_data["warranty_months"]
        if months is not None and months > 240:
            raise forms.ValidationError(_("A warranty of more than 20 years is not plausible."))
        return months
