"""Raw data exports of a campaign's completed responses: CSV, Excel and SPSS .sav. No HTTP here.

One table is built per export, column by column (numpy arrays, never one ORM object per
response): the rated items, scores and segments come from the results' dataset (the same
columns every figure is computed from); the customer columns come from one query over the
responses, and only the answers the dataset does not hold (texts, multiple choices, unscored
choices, NPS, "other" texts) from one query over those questions' answer rows.

Variables are named after the answer form's fields (surveys.naming: ``q-12-34`` becomes
``q_12_34``, as SPSS allows no hyphen); their labels are the question code and text, and
scale labels are value labels. For readers without the right to see personal data, phones
and e-mail addresses are masked, and so are customers' names, as seed 004 records them (“*客户”
“A公司”: a company as A公司, B公司 … within one export, a person as 张*; see
customers.masking.NameMask), also where an open answer writes the name of one of the export's
customers or of their contacts. Every text cell of CSV and Excel files is neutralised so that a
spreadsheet program never runs it as a formula.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field

import numpy as np
from django.utils import timezone
from django.utils.translation import gettext as _

from manyi.campaigns.choices import Channel
from manyi.campaigns.models import Answer, Response
from manyi.customers.masking import NameMask, mask_email, mask_phone, neutralise_formula
from manyi.results.dataset import campaign_dataset
from manyi.results.filters import Selection, category_names, mask
from manyi.surveys import pages
from manyi.surveys.choices import CHOICE_KINDS, QuestionKind
from manyi.surveys.naming import field_name

from . import table_exports

FORMATS = ("csv", "xlsx", "sav")
ENCODINGS = {"utf-8": "utf-8-sig", "gb18030": "gb18030"}  # the BOM lets Excel read UTF-8
CHUNK = 20_000


@dataclass
class Variable:
    name: str  # SPSS-safe: letters, digits, underscores
    label: str
    kind: str  # "number", "text" or "datetime"
    measure: str = "nominal"  # SPSS: nominal, ordinal or scale
    values: dict = field(default_factory=dict)  # value -> label
    # Text with few distinct values (channel, region …): SPSS gets codes with value labels.
    categorical: bool = False


@dataclass
class ResponseTable:
    """Columns of equal length, in the order of `variables`."""

    variables: list[Variable]
    columns: dict  # name -> numpy array (float64, datetime64 or object for text)
    size: int


def variable_name(question, row=None, suffix=""):
    return field_name(question, row, suffix).replace("-", "_")


def _rated(question, options):
    """The dataset holds this question's points (results.dataset.rated_items' rule)."""
    if question.kind == QuestionKind.MATRIX:
        return True
    return (
        question.kind in CHOICE_KINDS
        and question.kind != QuestionKind.MULTIPLE
        and any(o.points is not None for o in options)
    )


def _number_labels(options):
    return {float(o.points): o.label for o in options if o.points is not None}


class _Columns:
    """The table being built: variables and their columns, in the order they are added."""

    def __init__(self, size):
        self.size, self.variables, self.columns = size, [], {}

    def add(self, variable, column):
        self.variables.append(variable)
        self.columns[variable.name] = column

    def table(self):
        return ResponseTable(variables=self.variables, columns=self.columns, size=self.size)


def _yes_no():
    return {1.0: _("Yes"), 0.0: _("No")}


def build_table(campaign, *, show_personal: bool) -> ResponseTable:
    """The campaign's completed responses, one row each in response-number order: the response,
    its customer, its segments, its scores, then the answers question by question."""
    dataset = campaign_dataset(campaign)
    table = _Columns(dataset.size)
    _response_columns(table, dataset)
    grades, private = _customer_columns(table, campaign, dataset, show_personal)
    _segment_columns(table, dataset)
    _score_columns(table, campaign, dataset, grades)
    from_answers = _question_columns(table, campaign.questionnaire.layout(), dataset)
    if from_answers:
        _fill_answers(campaign, dataset, from_answers, table.columns, private)
    table_questions = [q for q in campaign.questionnaire.layout().questions if q.kind == QuestionKind.TABLE]
    table_exports.fill(table.columns, campaign, dataset, table_questions, private, variable_name, _positions)
    _order_columns(table, campaign, dataset)
    return table.table()


def _order_columns(table, campaign, dataset):
    """When the questionnaire shuffles (issue 21), the order each respondent was shown (their
    Response.order, surveys.pages.seen_codes), like Qualtrics' display-order columns: the
    question codes when a page shuffles its questions, the option codes of each question whose
    options are shuffled ("Q3|Q1|Q2", "A2|A1|A3")."""
    layout = campaign.questionnaire.layout()
    pages_shuffle, questions = pages.shuffled(layout)
    if not (pages_shuffle or questions):
        return
    rows = list(
        Response.objects.completed()
        .filter(campaign_id=campaign.pk, pk__lte=dataset.last_id)
        .order_by()
        .values_list("pk", "order")
    )
    at, found = _positions(dataset, [row[0] for row in rows])
    seen = [pages.seen_codes(layout, order) for (_pk, order), ok in zip(rows, found, strict=True) if ok]
    if pages_shuffle:
        column = np.full(dataset.size, "", dtype=object)
        column[at[found]] = [codes for codes, _options in seen]
        table.add(Variable("display_order", _("Order of the questions shown"), "text"), column)
    for question in questions:
        column = np.full(dataset.size, "", dtype=object)
        column[at[found]] = [options[question.pk] for _codes, options in seen]
        label = _("%(item)s (order of the options shown)") % {"item": f"{question.code} {question.text}"}
        table.add(Variable(variable_name(question, suffix="order"), label, "text"), column)


def _response_columns(table, dataset):
    table.add(
        Variable("response_id", _("Response number"), "number", "nominal"), dataset.ids.astype(np.float64)
    )
    completed = dataset.completed + np.timedelta64(_utc_offset(), "s")
    table.add(Variable("completed_at", _("Completed at"), "datetime", "scale"), completed)
    channel_names = dict(Channel.choices)
    channel_labels = np.array(
        [str(channel_names.get(code, code)) for code in dataset.labels["channel"]] + [""], dtype=object
    )
    table.add(
        Variable("channel", _("Channel"), "text", categorical=True), channel_labels[dataset.codes["channel"]]
    )


def _customer_columns(table, campaign, dataset, show_personal):
    """Customer code, name, phone and e-mail (masked without the right to personal data): one
    query, placed by response number. Returns the responses' grades, a later column, and how
    open texts are shown to this reader (whole, or masked: phones, e-mails and the names of
    these customers and their contacts)."""
    rows = list(
        Response.objects.completed()
        .filter(campaign_id=campaign.pk, pk__lte=dataset.last_id)
        .order_by()
        .values_list(
            "pk",
            "grade",
            "customer__code",
            "customer__name",
            "customer__phone",
            "customer__email",
            "customer_id",
        )
    )
    at, found = _positions(dataset, [row[0] for row in rows])
    if show_personal:
        private = phone = email = None
    else:
        names = NameMask.of_customers({row[6] for row in rows})
        private = names.text
        rows = [(*row[:3], names.customer(row[6]), *row[4:]) for row in rows]
        phone, email = mask_phone, mask_email
    columns_of = {}
    for column, (key, clean) in enumerate(
        (("grade", None), ("code", None), ("name", None), ("phone", phone), ("email", email)), start=1
    ):
        values = np.full(dataset.size, "", dtype=object)
        cells = [row[column] or "" for row, ok in zip(rows, found, strict=True) if ok]
        values[at[found]] = [clean(v) for v in cells] if clean else cells
        columns_of[key] = values
    table.add(Variable("customer_code", _("Customer code"), "text"), columns_of["code"])
    table.add(Variable("customer_name", _("Customer name"), "text"), columns_of["name"])
    table.add(Variable("phone", _("Phone"), "text"), columns_of["phone"])
    table.add(Variable("email", _("E-mail"), "text"), columns_of["email"])
    return columns_of["grade"], private or (lambda v: v)


def _segment_columns(table, dataset):
    for category, label in (("region", _("Region")), ("customer_type", _("Customer type"))):
        labels = np.array(category_names(category, dataset.labels[category]) + [""], dtype=object)
        table.add(Variable(category, label, "text", categorical=True), labels[dataset.codes[category]])


def _score_columns(table, campaign, dataset, grades):
    """Scores, as stored with each response when it was completed."""
    table.add(
        Variable("valid", _("Valid questionnaire"), "number", values=_yes_no()),
        dataset.valid.astype(np.float64),
    )
    # Every answer is exported; this flag says which ones the figures count (one voice per
    # customer: a customer's earlier answers are set aside), so the figures can be rebuilt by
    # hand from the export: the counted, valid rows.
    table.add(
        Variable("counted", _("Counted in the figures"), "number", values=_yes_no()),
        mask(dataset, Selection()).astype(np.float64),
    )
    table.add(
        Variable("index", _("Satisfaction index (0-100)"), "number", "scale"),
        dataset.index.astype(np.float64),
    )
    table.add(Variable("grade", _("Grade"), "text", categorical=True), grades)
    table.add(
        Variable("satisfied", _("Satisfied customer"), "number", values=_yes_no()),
        np.where(dataset.valid, dataset.satisfied.astype(np.float64), np.nan),
    )
    titles = {d.code: d.title for d in campaign.questionnaire.dimensions.all()}
    for column, key in enumerate(dataset.dimension_keys):
        table.add(
            Variable(
                f"dim_{re.sub(r'[^0-9A-Za-z_]', '_', key)}",
                _("Dimension score: %(code)s %(title)s") % {"code": key, "title": titles.get(key, key)},
                "number",
                "scale",
            ),
            dataset.dimensions[:, column].astype(np.float64),
        )


def _question_columns(table, layout, dataset):
    """The answers, question by question in the respondents' order: the rated items, their stated
    importance and the first NPS question from the dataset; the other answers as empty columns
    that _fill_answers fills. Returns {question pk: (question, options)} of those."""
    from_answers = {}
    nps_done = False
    for question in layout.questions:
        options = list(layout.options[question.pk].values())
        rated = _rated(question, options)
        if rated:
            _rated_columns(table, question, layout.rows[question.pk], options, dataset)
        elif question.kind == QuestionKind.NPS and not nps_done:
            # The first NPS question's answer is stored with the response (answering._nps).
            nps_done = True
            title = f"{question.code} {question.text}"
            table.add(
                Variable(variable_name(question), title, "number", "scale"), dataset.nps.astype(np.float64)
            )
            continue
        else:
            _answer_columns(table, question, options)
        if (not rated or question.allow_other) and question.kind != QuestionKind.TABLE:
            from_answers[question.pk] = (question, options)
        if question.allow_other:
            table.add(
                Variable(
                    variable_name(question, suffix="other"),
                    _("%(item)s (other)") % {"item": f"{question.code} {question.text}"},
                    "text",
                ),
                np.full(table.size, "", dtype=object),
            )
    return from_answers


def _rated_columns(table, question, rows, options, dataset):
    """A rated question's points (each row of a matrix), with the importance stated beside them."""
    item_at = {key: i for i, key in enumerate(dataset.item_keys)}
    title = f"{question.code} {question.text}"
    if question.kind == QuestionKind.MATRIX:
        items = [(row.code, row, f"{title}: {row.text}") for row in rows]
    else:
        items = [(question.code, None, title)]
    for key, row, label in items:
        column = item_at.get(key)
        values = (
            dataset.points[:, column].astype(np.float64)
            if column is not None
            else np.full(table.size, np.nan)
        )
        table.add(
            Variable(variable_name(question, row), label, "number", "ordinal", _number_labels(options)),
            values,
        )
        if question.ask_importance:
            stated = (
                dataset.importance[:, column].astype(np.float64)
                if column is not None
                else np.full(table.size, np.nan)
            )
            table.add(
                Variable(
                    variable_name(question, row, "importance"),
                    _("%(item)s (importance 1-5)") % {"item": label},
                    "number",
                    "ordinal",
                ),
                stated,
            )


def _answer_columns(table, question, options):
    """Empty columns for an answer the dataset does not hold (filled by _fill_answers)."""
    title = f"{question.code} {question.text}"
    n = table.size
    if question.kind == QuestionKind.MULTIPLE:
        for option in options:
            table.add(
                Variable(
                    variable_name(question, suffix=str(option.pk)),
                    f"{title}: {option.label}",
                    "number",
                    values=_yes_no(),
                ),
                np.zeros(n),
            )
    elif question.kind == QuestionKind.NPS:
        table.add(Variable(variable_name(question), title, "number", "scale"), np.full(n, np.nan))
    elif question.kind == QuestionKind.TEXT:
        table.add(Variable(variable_name(question), title, "text"), np.full(n, "", dtype=object))
    elif question.kind == QuestionKind.TABLE:
        table_exports.add_columns(table, question, variable_name)
    else:  # single choice or yes / no without points: the option's position from 1
        labels = {float(i + 1): o.label for i, o in enumerate(options)}
        table.add(Variable(variable_name(question), title, "number", "nominal", labels), np.full(n, np.nan))


def _positions(dataset, ids):
    """Row of each response id in the dataset, and whether it is there at all."""
    ids = np.asarray(ids, dtype=np.int64)
    at = np.searchsorted(dataset.ids, ids)
    at = np.minimum(at, max(dataset.size - 1, 0))
    found = (dataset.ids[at] == ids) if dataset.size else np.zeros(len(ids), bool)
    return at, found


@dataclass
class _AnswerRows:
    """The answer rows _fill_answers read, as arrays: row i goes to the table's row at[i]."""

    at: np.ndarray
    option_ids: np.ndarray  # -1: no option (a number or a text)
    numbers: tuple
    texts: tuple
    text: object  # the open texts as this reader may see them (masked or not)

    def texts_of(self, picked):
        return [self.text(self.texts[i]) for i in picked]


def _fill_answers(campaign, dataset, questions, columns, private):
    """The answers the dataset does not hold: one query, placed with array operations; open
    texts as `private` shows them to the reader."""
    rows = list(
        Answer.objects.of_completed_responses()
        .filter(
            response__campaign_id=campaign.pk,
            response_id__lte=dataset.last_id,
            question_id__in=list(questions),
        )
        .order_by()
        .values_list("response_id", "question_id", "option_id", "number", "text")
    )
    if not rows:
        return
    response_ids, question_ids, option_ids, numbers, texts = zip(*rows, strict=True)
    at, found = _positions(dataset, response_ids)
    question_ids = np.asarray(question_ids, dtype=np.int64)
    answers = _AnswerRows(
        at,
        np.asarray([-1 if o is None else o for o in option_ids], dtype=np.int64),
        numbers,
        texts,
        private,
    )
    for pk, (question, options) in questions.items():
        mine = found & (question_ids == pk)
        if mine.any():
            _place_answers(columns, question, options, mine, answers)


def _place_answers(columns, question, options, mine, answers):
    """One question's answers (the rows `mine`) into its columns."""
    at, option_ids = answers.at, answers.option_ids
    chosen = mine & (option_ids >= 0)
    if question.kind == QuestionKind.MULTIPLE:
        for option in options:
            name = variable_name(question, suffix=str(option.pk))
            columns[name][at[chosen & (option_ids == option.pk)]] = 1.0
    elif question.kind == QuestionKind.NPS:
        picked = np.flatnonzero(mine)
        columns[variable_name(question)][at[picked]] = [
            np.nan if answers.numbers[i] is None else answers.numbers[i] for i in picked
        ]
    elif question.kind == QuestionKind.TEXT:
        picked = np.flatnonzero(mine)
        columns[variable_name(question)][at[picked]] = answers.texts_of(picked)
    elif variable_name(question) in columns:
        for position, option in enumerate(options, start=1):
            columns[variable_name(question)][at[chosen & (option_ids == option.pk)]] = float(position)
    if question.allow_other and question.kind != QuestionKind.TEXT:
        picked = [i for i in np.flatnonzero(mine & (option_ids < 0)) if answers.texts[i]]
        columns[variable_name(question, suffix="other")][at[picked]] = answers.texts_of(picked)


def _utc_offset():
    offset = timezone.localtime().utcoffset()
    return int(offset.total_seconds()) if offset else 0


# ------------------------------------------------------------------------------------------
# Writers


def _cell(value, variable):
    """One cell for CSV and Excel: numbers stay numbers (whole ones without ".0")."""
    if variable.kind == "text":
        return neutralise_formula(value) if value else ""
    if variable.kind == "datetime":
        return value.astype("datetime64[s]").item() if not np.isnat(value) else None
    if np.isnan(value):
        return None
    value = float(value)
    return int(value) if value.is_integer() else round(value, 4)


def _rows(table):
    names = [v.name for v in table.variables]
    columns = [table.columns[name] for name in names]
    for i in range(table.size):
        yield [_cell(column[i], variable) for column, variable in zip(columns, table.variables, strict=True)]


def headers(table):
    return [v.label for v in table.variables]


def write_csv(table, out, encoding="utf-8"):
    """CSV in UTF-8 with a byte order mark (Excel shows the Chinese), or GB18030."""
    import csv
    import io

    text = io.TextIOWrapper(out, encoding=ENCODINGS[encoding], newline="", write_through=False)
    writer = csv.writer(text)
    writer.writerow([neutralise_formula(h) for h in headers(table)])
    for row in _rows(table):
        writer.writerow(
            ["" if v is None else (v.isoformat(sep=" ") if hasattr(v, "isoformat") else v) for v in row]
        )
    text.flush()
    text.detach()


def write_xlsx(table, out, *, title):
    """A workbook: the responses, and the variables with their value labels (the codebook)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Responses")[:31])
    sheet.freeze_panes = "A2"
    sheet.append([neutralise_formula(h) for h in headers(table)])
    for row in _rows(table):
        sheet.append(row)
    codebook = workbook.create_sheet(title=_("Variables")[:31])
    codebook.append([_("Variable"), _("Label"), _("Values")])
    for variable in table.variables:
        values = "; ".join(f"{_number(v)} = {label}" for v, label in variable.values.items())
        codebook.append([variable.name, neutralise_formula(variable.label), neutralise_formula(values)])
    workbook.properties.title = title
    workbook.save(out)


def _number(value):
    return int(value) if float(value).is_integer() else value


def _coded(values):
    """Text values as codes 1…k (NaN for blanks) and the value labels of the codes."""
    labels, inverse = np.unique(values.astype(str), return_inverse=True)
    codes = inverse.astype(np.float64) + 1
    if labels.size and labels[0] == "":
        codes -= 1
        codes[codes == 0] = np.nan
        labels = labels[1:]
    return codes, {float(i + 1): str(label) for i, label in enumerate(labels)}


def write_sav(table, path):
    """An SPSS .sav file with variable labels and value labels (pyreadstat).

    Text, labels too, is neutralised as in CSV and Excel: SPSS runs no formulas, but its data
    go on to spreadsheets (Save As Excel or CSV, copy and paste)."""
    import pandas as pd
    import pyreadstat

    data, value_labels, measures = {}, {}, {}
    for v in table.variables:
        column = table.columns[v.name]
        values, measure = v.values, v.measure
        if v.kind == "datetime":
            column = column.astype("datetime64[s]")
        elif v.categorical:
            column, values = _coded(column)
        elif v.kind == "text":
            column = np.array([neutralise_formula(text) if text else text for text in column], dtype=object)
        data[v.name] = column
        if values:
            value_labels[v.name] = {
                _number(value): neutralise_formula(label) for value, label in values.items()
            }
        measures[v.name] = measure
    pyreadstat.write_sav(
        pd.DataFrame(data),
        str(path),
        column_labels=[neutralise_formula(v.label) for v in table.variables],
        variable_value_labels=value_labels,
        variable_measure=measures,
    )


def export(campaign, fmt, *, show_personal, encoding="utf-8"):
    """An open temporary file holding the export (the caller sends and closes it)."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown export format: {fmt}")
    table = build_table(campaign, show_personal=show_personal)
    if fmt == "sav":
        # pyreadstat writes to a path; the named file is removed when closed.
        output = tempfile.NamedTemporaryFile(suffix=".sav")  # noqa: SIM115 - the response closes it
        write_sav(table, output.name)
        output.seek(0)
        return output
    output = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it
    if fmt == "csv":
        write_csv(table, output, encoding=encoding)
    else:
        write_xlsx(table, output, title=campaign.name)
    output.seek(0)
    return output


def filename(campaign, fmt):
    return f"responses-{campaign.pk}-{timezone.localdate():%Y%m%d}.{fmt}"
