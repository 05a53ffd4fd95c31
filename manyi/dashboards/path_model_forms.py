"""The satisfaction model editor: constructs and paths as two formsets, read into the JSON form
of the model and built back from it. The JSON editor stays as the advanced option; both are
posted in one form and `read` takes the one whose button was pressed."""

import json
from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from manyi.analytics import pls
from manyi.forms import InputTooLarge, LabelledRowsFormSet, parse_id, parse_json

from . import path_model
from .pls_messages import pls_error_message

# A posted model: the default of a large questionnaire, printed with indents, is a few kB.
MAX_MODEL_TEXT = 50_000
MAX_CONSTRUCTS = 40
MAX_PATHS = 120
MAX_NAME = 100
NO_CONSTRUCT = ("", "—")


class ConstructForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Construct"),
        max_length=MAX_NAME,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm", "data-construct-name": ""}),
    )
    mode = forms.ChoiceField(
        label=gettext_lazy("Mode"),
        choices=[("A", gettext_lazy("A (reflective)")), ("B", gettext_lazy("B (formative)"))],
        initial="A",
        required=False,  # a blank row need not say
        widget=forms.Select(attrs={"class": "form-select form-select-sm w-8rem"}),
    )
    indicators = forms.MultipleChoiceField(
        label=gettext_lazy("Indicators"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    lower_order = forms.MultipleChoiceField(
        label=gettext_lazy("Or second order: the items of"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, indicators=(), names=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicators"].choices = list(indicators)
        self.fields["lower_order"].choices = [(name, name) for name in names]


class PathForm(forms.Form):
    source = forms.ChoiceField(
        label=gettext_lazy("Path from"),
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm", "data-construct-choice": ""}),
    )
    target = forms.ChoiceField(
        label=gettext_lazy("Path to"),
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm", "data-construct-choice": ""}),
    )

    def __init__(self, *args, names=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [NO_CONSTRUCT, *((name, name) for name in names)]
        self.fields["source"].choices = self.fields["target"].choices = choices


class SchemeForm(forms.Form):
    scheme = forms.ChoiceField(
        label=gettext_lazy("Inner weighting scheme"),
        choices=[(name, name) for name in pls.SCHEMES],
        initial="path",
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    # The answer scale of a model written as JSON ("scale": [min, max]), kept through the form.
    scale = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)


def _formset(form, extra, most):
    return forms.formset_factory(
        form,
        formset=LabelledRowsFormSet,
        extra=extra,
        can_delete=True,
        max_num=most,
        absolute_max=most,
        validate_max=True,
    )


ConstructFormSet = _formset(ConstructForm, 1, MAX_CONSTRUCTS)
PathFormSet = _formset(PathForm, 2, MAX_PATHS)


def _posted_names(data):
    """The construct names as posted (the choices of the paths and second-order boxes)."""
    total = min(parse_id(data.get("construct-TOTAL_FORMS", "")) or 0, MAX_CONSTRUCTS)
    names = (data.get(f"construct-{i}-name", "").strip() for i in range(total))
    return list(dict.fromkeys(name for name in names if name and len(name) <= MAX_NAME))


class ModelEditor:
    """The form of a model: bound to posted `data`, or showing `spec` (a checked model's JSON)."""

    def __init__(self, indicators, *, data=None, spec=None):
        if data is not None:
            names = _posted_names(data)
            initial = {}
        else:
            spec = spec or {"constructs": {}, "paths": []}
            names = list(spec["constructs"])
            initial = {
                "constructs": [
                    {
                        "name": name,
                        "mode": block.get("mode", "A"),
                        "indicators": block.get("indicators", []),
                        "lower_order": block.get("lower_order", []),
                    }
                    for name, block in spec["constructs"].items()
                ],
                "paths": [{"source": a, "target": b} for a, b in spec["paths"]],
                "scheme": {
                    "scheme": spec.get("scheme", "path"),
                    "scale": json.dumps(spec["scale"]) if "scale" in spec else "",
                },
            }
        self.names = names
        self.constructs = ConstructFormSet(
            data,
            prefix="construct",
            initial=initial.get("constructs"),
            form_kwargs={"indicators": indicators, "names": names},
        )
        self.paths = PathFormSet(
            data, prefix="path", initial=initial.get("paths"), form_kwargs={"names": names}
        )
        self.scheme = SchemeForm(data, initial=initial.get("scheme"))

    def _problems(self):
        """The forms' errors as one sentence list (none when all are valid)."""
        problems = []
        for title, formset in ((_("Construct"), self.constructs), (_("Path"), self.paths)):
            problems.extend(str(error) for error in formset.non_form_errors())
            for number, form in enumerate(formset.forms, start=1):
                for name, errors in form.errors.items():
                    label = form.fields[name].label if name in form.fields else name
                    problems.append(f"{title} {number}, {label}: {' '.join(errors)}")
        for name, errors in self.scheme.errors.items():
            problems.append(f"{self.scheme.fields[name].label}: {' '.join(errors)}")
        return problems

    def spec(self):
        """The model the form describes, as JSON (not yet checked: see path_model.check).
        Blank and removed rows are left out. Raises ValueError with a message in the user's
        language when a field is not valid."""
        valid = [part.is_valid() for part in (self.constructs, self.paths, self.scheme)]
        if not all(valid):
            raise ValueError(" ".join(self._problems()))
        spec = {
            "constructs": self._constructs(),
            "paths": self._paths(),
            "scheme": self.scheme.cleaned_data["scheme"],
        }
        if self.scheme.cleaned_data["scale"]:
            try:
                spec["scale"] = parse_json(self.scheme.cleaned_data["scale"], max_length=100)
            except ValueError:
                raise pls.ModelError('"scale" must be a pair of numbers [min, max].') from None
        return spec

    def _constructs(self):
        """{name: block} of the filled-in construct rows; a name used twice is refused."""
        constructs, names = {}, []
        for row in _kept_rows(self.constructs):
            name, indicators, lower_order = row["name"], row["indicators"], row["lower_order"]
            if not (name or indicators or lower_order):
                continue
            names.append(name)
            block = {"mode": row["mode"] or "A"}
            if indicators or not lower_order:
                block["indicators"] = indicators
            if lower_order:
                block["lower_order"] = lower_order
            constructs[name] = block
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise pls.ModelError("Construct name(s) used twice: %(names)s.", names=twice)
        return constructs

    def _paths(self):
        """[source, target] of the filled-in path rows; a row with one end only is refused."""
        paths = []
        for row in _kept_rows(self.paths):
            if not (row["source"] or row["target"]):
                continue
            if not (row["source"] and row["target"]):
                raise ValueError(_("Choose both ends of each path."))
            paths.append([row["source"], row["target"]])
        return paths


def _kept_rows(formset):
    """The cleaned data of the formset's rows that were filled in and not removed."""
    return [
        form.cleaned_data
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


def as_text(spec):
    """The JSON editor's text of a model."""
    return json.dumps(spec, ensure_ascii=False, indent=2) if spec else ""


@dataclass
class Posted:
    """A posted model: checked (`model`, `spec` in the JSON form) or refused (`error`), with
    the form and JSON text to show again."""

    model: pls.PathModel | None
    spec: dict | None
    error: str
    editor: ModelEditor
    text: str


def read(data, indicators, fallback):
    """The model posted with the form (`editor` = "form") or as JSON (`editor` = "json", or
    only a `model` text posted), checked against the `indicators` ((key, label) pairs);
    `fallback` (a model's JSON) is what a refused JSON text leaves in the form."""
    known = {key for key, _label in indicators}
    editor = data.get("editor") or ("json" if "model" in data else "form")
    if editor == "json":
        text = data.get("model", "")
        form = ModelEditor(indicators, spec=fallback)
        try:
            spec = parse_json(text, max_length=MAX_MODEL_TEXT)
        except InputTooLarge as problem:
            return Posted(None, None, str(problem), form, text)
        except ValueError:
            return Posted(None, None, _("The model is not valid JSON."), form, text)
    else:
        form = ModelEditor(indicators, data=data)
        try:
            spec = form.spec()
        except ValueError as problem:
            return Posted(None, None, pls_error_message(problem), form, as_text(fallback))
        text = as_text(spec)
    try:
        checked = path_model.check(spec, known)
    except ValueError as problem:
        return Posted(None, None, pls_error_message(problem), form, text)
    canonical = path_model.as_spec(checked)
    return Posted(checked, canonical, "", ModelEditor(indicators, spec=canonical), as_text(canonical))
