"""The forms of the forum pages; the rules they feed are in ``workflow``."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from manyi.accounts.models import User
from manyi.forms import StyledFormMixin, parse_id
from manyi.results.models import Topic

from .access import ForumScope

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ForumForm(StyledFormMixin, forms.Form):
    unit = forms.ModelChoiceField(label=gettext_lazy("Unit"), queryset=None)
    held_on = forms.DateField(label=gettext_lazy("Date"), widget=DATE_INPUT)
    title = forms.CharField(label=pgettext_lazy("forum", "Topic"), max_length=200)
    place = forms.CharField(label=gettext_lazy("Place"), max_length=200)
    host = forms.ModelChoiceField(label=gettext_lazy("Host"), queryset=None)
    summary = forms.CharField(
        label=gettext_lazy("Summary"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("What the forum was for and what came out of it, in a few lines."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        scope = ForumScope(user)
        self.fields["unit"].queryset = scope.units()
        self.fields["host"].queryset = scope.hosts()

    @classmethod
    def for_forum(cls, forum, data=None, *, user):
        initial = {
            "unit": forum.unit_id,
            "held_on": forum.held_on,
            "title": forum.title,
            "place": forum.place,
            "host": forum.host_id,
            "summary": forum.summary,
        }
        return cls(data, user=user, initial=initial)


class OpinionForm(StyledFormMixin, forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Opinion"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
    customer = forms.ChoiceField(label=gettext_lazy("Said by"), required=False)
    topic = forms.ModelChoiceField(label=gettext_lazy("Topic"), queryset=None, required=False)

    def __init__(self, *args, forum, **kwargs):
        super().__init__(*args, **kwargs)
        self.forum = forum
        self.fields["customer"].choices = [("", _("Nobody named"))] + [
            (str(invitation.customer_id), f"{invitation.customer.code} {invitation.customer.name}")
            for invitation in forum.invitations.select_related("customer")
        ]
        self.fields["topic"].queryset = Topic.objects.active()

    def clean_customer(self):
        """The invited customer (the workflow checks the invitation again)."""
        value = self.cleaned_data["customer"]
        if not value:
            return None
        invitation = (
            self.forum.invitations.select_related("customer").filter(customer_id=parse_id(value)).first()
        )
        if invitation is None:
            raise forms.ValidationError(_("Choose a customer invited to this forum, or nobody."))
        return invitation.customer


class ImprovementForm(StyledFormMixin, forms.Form):
    """What an improvement needs beyond the opinion: its title, measures, owner and deadline."""

    title = forms.CharField(label=gettext_lazy("Title"), max_length=200, required=False)
    measures = forms.CharField(
        label=gettext_lazy("Planned measures"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
    owner = forms.ModelChoiceField(label=gettext_lazy("Owner"), queryset=User.objects.none())
    deadline = forms.DateField(label=gettext_lazy("Deadline"), widget=DATE_INPUT)

    def __init__(self, *args, user, **kwargs):
        from manyi.improvements.forms import improvement_owners

        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = improvement_owners(user)  # not another region's staff
