"""A campaign's quotas (配额, issue 21): add, change and delete them; the campaign page shows
how full each is (campaigns/quotas.py has the rules)."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from manyi.accounts import permissions
from manyi.accounts.decorators import capability_required
from manyi.customers.choices import CustomerType
from manyi.forms import StyledFormMixin

from . import quotas
from .choices import QuotaStratum
from .models import Campaign, Quota


class QuotaForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Quota
        fields = ["name", "stratum", "value", "question_code", "limit"]
        help_texts = {"limit": gettext_lazy("Completed valid responses of this stratum, at most.")}

    def __init__(self, *args, campaign, **kwargs):
        self.campaign = campaign
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        stratum, value = data.get("stratum"), (data.get("value") or "").strip()
        code = (data.get("question_code") or "").strip()
        data["value"], data["question_code"] = value, code
        if stratum == QuotaStratum.CUSTOMER_TYPE and value not in CustomerType.values:
            self.add_error(
                "value",
                _("A customer type is one of %(types)s.") % {"types": ", ".join(CustomerType.values)},
            )
        if stratum == QuotaStratum.ANSWER:
            self._check_answer(code, value)
        elif code:
            self.add_error("question_code", _("Only a quota by answer names a question."))
        return data

    def _check_answer(self, code, value):
        question = self.campaign.questionnaire.questions.filter(code=code).first()
        if question is None:
            self.add_error("question_code", _("The questionnaire has no question %(code)s.") % {"code": code})
        elif not question.options.filter(code=value).exists():
            self.add_error(
                "value",
                _("Question %(code)s has no option %(option)s (its options: %(options)s).")
                % {
                    "code": code,
                    "option": value,
                    "options": ", ".join(question.options.values_list("code", flat=True)),
                },
            )


@capability_required(permissions.MANAGE_CAMPAIGNS)
def quota_edit(request, pk, quota_pk=None):
    # a campaign's quotas are set by the unit that runs it (organisation/access.py)
    campaign = get_object_or_404(Campaign.objects.run_by(request.user).select_related("questionnaire"), pk=pk)
    quota = get_object_or_404(Quota, pk=quota_pk, campaign=campaign) if quota_pk else None
    form = QuotaForm(request.POST or None, instance=quota or Quota(campaign=campaign), campaign=campaign)
    if request.method == "POST" and form.is_valid():
        form.save()
        quotas.recount(campaign)  # the responses already in count toward a new or changed quota
        messages.success(request, _("Quota saved."))
        return redirect(campaign.get_absolute_url() + "#quotas")
    return render(
        request,
        "campaigns/quota_form.html",
        {"campaign": campaign, "quota": quota, "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
@capability_required(permissions.MANAGE_CAMPAIGNS)
def quota_delete(request, pk, quota_pk):
    campaign = get_object_or_404(Campaign.objects.run_by(request.user), pk=pk)
    get_object_or_404(Quota, pk=quota_pk, campaign=campaign).delete()
    messages.success(request, _("Quota deleted."))
    return redirect(campaign.get_absolute_url() + "#quotas")
