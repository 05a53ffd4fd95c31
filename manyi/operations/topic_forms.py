"""The editor of the company's topic list (主题): one topic's names, code, keywords, order."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from manyi.forms import StyledFormMixin
from manyi.results.models import Topic

MAX_KEYWORDS = 300
MAX_KEYWORD_LENGTH = 30
MAX_KEYWORDS_TEXT = 6000


class TopicForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Topic
        fields = ["name_zh", "name_en", "code", "keywords", "is_active", "position"]
        widgets = {"keywords": forms.Textarea(attrs={"rows": 6})}
        help_texts = {
            "code": _(
                "Letters, digits, - and _; fixed once the topic is saved (exports and reports name it)."
            ),
            "position": _("Topics are listed by this number, smallest first."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keywords"].max_length = MAX_KEYWORDS_TEXT
        self.fields["keywords"].widget.attrs["maxlength"] = MAX_KEYWORDS_TEXT
        if self.instance.pk:
            self.fields["code"].disabled = True

    def clean_name_zh(self):
        name = " ".join(self.cleaned_data["name_zh"].split())
        if not name:
            raise ValidationError(_("Give the topic's Chinese name."))
        return name

    def clean_name_en(self):
        return " ".join(self.cleaned_data["name_en"].split())

    def clean_keywords(self):
        text = self.cleaned_data["keywords"]
        probe = Topic(keywords=text)
        words = probe.keyword_list()
        if len(words) > MAX_KEYWORDS:
            raise ValidationError(
                _("Give at most %(count)s keywords.") % {"count": MAX_KEYWORDS}, code="too_many"
            )
        long = [word for word in words if len(word) > MAX_KEYWORD_LENGTH]
        if long:
            raise ValidationError(
                _("A keyword is a word or a short phrase (at most %(count)s characters): %(word)s")
                % {"count": MAX_KEYWORD_LENGTH, "word": long[0][:40]},
                code="too_long",
            )
        return "\n".join(words)
