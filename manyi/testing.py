"""A plain factory for tests and benchmarks: make_* functions with sensible defaults."""

import itertools
from datetime import date
from decimal import Decimal

from manyi.accounts.choices import Role
from manyi.accounts.models import Department, User
from manyi.customers.models import Contact, Customer, Product, Purchase

_counter = itertools.count(1)


def make_department(**kwargs):
    n = next(_counter)
    kwargs.setdefault("name", f"部门{n}")
    kwargs.setdefault("code", f"D{n:03d}")
    return Department.objects.create(**kwargs)


def make_user(username=None, role=Role.AGENT, password="correct horse battery", **kwargs):
    username = username or f"user{next(_counter)}"
    user = User(username=username, role=role, **kwargs)
    user.set_password(password)
    user.save()
    return user


def make_customer(**kwargs):
    n = next(_counter)
    kwargs.setdefault("code", f"C{n:06d}")
    kwargs.setdefault("name", f"测试客户{n}")
    return Customer.objects.create(**kwargs)


def make_contact(customer, **kwargs):
    kwargs.setdefault("name", "联系人")
    contact = Contact.objects.create(customer=customer, **kwargs)
    customer.refresh_search_text()
    return contact


def make_product(**kwargs):
    n = next(_counter)
    kwargs.setdefault("code", f"P{n:04d}")
    kwargs.setdefault("name", f"产品{n}")
    return Product.objects.create(**kwargs)


def make_purchase(customer, product=None, purchased_on=None, amount="1000.00", **kwargs):
    purchase = Purchase.objects.create(
        customer=customer,
        product=product or make_product(),
        purchased_on=purchased_on or date.today(),
        amount=Decimal(amount),
        **kwargs,
    )
    customer.refresh_purchase_summary()
    return purchase


def make_questionnaire(**kwargs):
    from manyi.surveys.models import Questionnaire

    kwargs.setdefault("title", f"问卷{next(_counter)}")
    return Questionnaire.objects.create(**kwargs)


FIVE_LEVELS = [
    ("很满意", 10, False),
    ("满意", 8, False),
    ("可以接受", 6, True),
    ("不满意", 4, False),
    ("很不满意", 2, False),
]


def make_question(questionnaire, code=None, options=FIVE_LEVELS, rows=(), **kwargs):
    """A question with options given as (label, points, neutral) and matrix rows as (code, text)."""
    from manyi.surveys.models import MatrixRow, Option, Question

    kwargs.setdefault("text", "产品质量")
    kwargs.setdefault("position", questionnaire.questions.count() + 1)
    question = Question.objects.create(
        questionnaire=questionnaire, code=code or f"Q{questionnaire.questions.count() + 1}", **kwargs
    )
    for i, (label, points, neutral) in enumerate(options):
        Option.objects.create(question=question, position=i, label=label, points=points, is_neutral=neutral)
    for i, (row_code, text) in enumerate(rows):
        MatrixRow.objects.create(question=question, position=i, code=row_code, text=text)
    return question


def make_campaign(questionnaire, **kwargs):
    from manyi.campaigns.models import Campaign

    kwargs.setdefault("name", f"调查{next(_counter)}")
    return Campaign.objects.create(questionnaire=questionnaire, **kwargs)


def make_response(questionnaire, campaign=None, **kwargs):
    from manyi.campaigns.choices import Channel
    from manyi.campaigns.models import Response

    kwargs.setdefault("channel", Channel.WEB)
    return Response.objects.create(
        questionnaire=questionnaire, campaign=campaign or make_campaign(questionnaire), **kwargs
    )


def make_invitation(campaign, customer=None, **kwargs):
    from manyi.campaigns.models import Invitation

    return Invitation.objects.create(campaign=campaign, customer=customer or make_customer(), **kwargs)


def answer(campaign, data, *, channel=None, **where):
    """A questionnaire answered through the product: the answer form validates `data` (the
    page's fields, q-<question pk> → option pk or value), then save_response stores and
    scores it as the public page and the agents' entry do. `where`: invitation, customer …"""
    from manyi.campaigns.answering import AnswerForm, save_response
    from manyi.campaigns.choices import Channel

    form = AnswerForm(campaign.questionnaire, data=data)
    assert form.is_valid(), form.errors
    response, _created = save_response(
        campaign=campaign,
        questionnaire=campaign.questionnaire,
        cleaned_data=form.cleaned_data,
        channel=channel or Channel.EMAIL,
        **where,
    )
    return response
