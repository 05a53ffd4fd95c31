"""The forms of the inspection pages; the rules they feed are in ``workflow``."""

import re
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from manyi.accounts import permissions as perms
from manyi.accounts.models import User
from manyi.forms import StyledFormMixin
from manyi.organisation.access import visible_people
from manyi.tickets.attachments import AttachmentError, check_uploads

from .access import InspectionScope
from .choices import Answer, TemplateStatus
from .models import ChecklistItem, ChecklistTemplate
from .workflow import InspectionError

# Points as typed: up to three digits and two decimals (a maximum is at most 100).
POINTS = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,2})?")
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def inspectors(user, keep=None):
    """Active inspectors the user may pick: their units' and the group's, not another region's;
    `keep`: the inspector already chosen (a re-inspection's default) stays listed."""
    people = User.objects.filter(is_active=True, role__in=perms.roles_with(perms.WORK_INSPECTIONS))
    return visible_people(user, people, keep=keep).order_by("username")


class TemplateForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = ChecklistTemplate
        fields = ["code", "kind", "name", "name_en", "description"]

    def clean(self):
        data = super().clean()
        code = data.get("code")
        if code and self.instance.pk is None and ChecklistTemplate.objects.filter(code=code).exists():
            self.add_error("code", _("A checklist with this code exists; make a new version of it instead."))
        return data


class SectionForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=gettext_lazy("Section title"), max_length=200)
    title_en = forms.CharField(label=gettext_lazy("Title in English"), max_length=200, required=False)


class ItemForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = ChecklistItem
        fields = [
            "section",
            "text",
            "text_en",
            "guidance",
            "scoring",
            "max_points",
            "weight",
            "photo_on_failure",
        ]

    def __init__(self, *args, template, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = template.sections.all()
        self.fields["section"].empty_label = None
        self.fields["guidance"].widget.attrs["rows"] = 2

    def clean_max_points(self):
        value = self.cleaned_data["max_points"]
        if not 1 <= value <= 100:
            raise forms.ValidationError(_("Give between 1 and 100 points."))
        return value

    def clean_weight(self):
        value = self.cleaned_data["weight"]
        if value is None or value <= 0 or value > 100:
            raise forms.ValidationError(_("Give a weight above 0 and at most 100."))
        return value


class PlanForm(StyledFormMixin, forms.Form):
    template = forms.ModelChoiceField(
        label=gettext_lazy("Checklist"),
        queryset=ChecklistTemplate.objects.filter(status=TemplateStatus.ACTIVE),
    )
    unit = forms.ModelChoiceField(label=gettext_lazy("Unit"), queryset=None)
    inspector = forms.ModelChoiceField(label=gettext_lazy("Inspector"), queryset=None)
    due_on = forms.DateField(label=gettext_lazy("Due date"), widget=DATE_INPUT)
    instructions = forms.CharField(
        label=gettext_lazy("Instructions"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = InspectionScope(user).units()
        self.fields["inspector"].queryset = inspectors(user)

    def clean_due_on(self):
        value = self.cleaned_data["due_on"]
        if value < timezone.localdate():
            raise forms.ValidationError(_("The due date must be today or later."))
        return value


class FollowUpForm(StyledFormMixin, forms.Form):
    inspector = forms.ModelChoiceField(label=gettext_lazy("Inspector"), queryset=None)
    due_on = forms.DateField(label=gettext_lazy("Due date"), widget=DATE_INPUT)

    def __init__(self, *args, user, inspection, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspector"].queryset = inspectors(user, keep=inspection.inspector_id)


def parse_answers(inspection, post, files):
    """The inspector's form as ({result id: (answer, points, note)}, {result id: [CheckedFile]}).

    Fields per result r: ``answer-r`` (pass / fail / na for a pass/fail item), ``points-r`` and
    ``na-r`` (a points item), ``note-r``, files ``photos-r``. A value the page never offers raises
    InspectionError naming the item; photos are checked as ticket attachments are.
    """
    answers, photos, problems = {}, {}, []
    for result in inspection.results.select_related("item"):
        item, key = result.item, result.pk
        note = post.get(f"note-{key}", "")
        if item.is_pass_fail:
            answer = post.get(f"answer-{key}", "")
            if answer not in ("", *Answer.values):
                problems.append(_("“%(item)s”: choose pass, fail or not applicable.") % {"item": item.label})
                continue
            answers[key] = (answer, None, note)
        elif post.get(f"na-{key}"):
            answers[key] = (Answer.NOT_APPLICABLE, None, note)
        else:
            text = post.get(f"points-{key}", "").strip()
            points = None
            if text:
                if not POINTS.fullmatch(text):
                    problems.append(
                        _("“%(item)s”: give the points as a number (at most two decimals).")
                        % {"item": item.label}
                    )
                    continue
                points = Decimal(text)
            answers[key] = ("", points, note)
        uploads = files.getlist(f"photos-{key}") if files else []
        if uploads:
            try:
                photos[key] = check_uploads(uploads)
            except AttachmentError as error:
                problems.append(f"{item.label}: {error}")
    if problems:
        raise InspectionError(" ".join(str(p) for p in problems))
    return answers, photos
