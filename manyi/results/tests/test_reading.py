"""The bulk reader (results/reading.py) gives the dataset the numbers the responses hold: each
column checked against a plain reading of the same rows through the ORM, one response at a
time, on SQLite and PostgreSQL (COPY)."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from manyi.campaigns.choices import CampaignState, Channel, ResponseStatus
from manyi.campaigns.models import Response
from manyi.results import dataset as dataset_module
from manyi.results import reading
from manyi.testing import (
    make_campaign,
    make_contact,
    make_customer,
    make_invitation,
    make_question,
    make_questionnaire,
    make_response,
    make_user,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_datasets")]

START = datetime(2026, 3, 1, 8, 30, 15, 987654, tzinfo=UTC)


@pytest.fixture
def campaign():
    questionnaire = make_questionnaire(title="读取测试")
    make_question(questionnaire, "Q1", text="产品质量", ask_competitor=True, ask_importance=True)
    make_question(questionnaire, "Q2", text="交货期")
    make_question(questionnaire, "M", text="服务", rows=[("M.a", "响应"), ("M.b", "态度")])
    return make_campaign(questionnaire, state=CampaignState.RUNNING, channels=[Channel.EMAIL])


def respond(campaign, n, customers, agents):
    """n responses with every kind of value: blanks, nulls (not asked), unknown keys, missing
    scores, anonymous answers, an empty and an unknown channel, contacts and agents."""
    made = []
    invited = set(campaign.invitations.values_list("customer_id", flat=True))
    for i in range(n):
        customer = customers[i % len(customers)] if i % 5 else None
        invitation = None
        if customer is not None and i % 3 == 0 and customer.pk not in invited:
            invited.add(customer.pk)
            invitation = make_invitation(campaign, customer)
            if i % 2 == 0:
                invitation.contact = make_contact(customer, name=f"联系人{i}")
                invitation.save()
        made.append(
            make_response(
                campaign.questionnaire,
                campaign,
                customer=customer,
                invitation=invitation,
                agent=agents[i % len(agents)] if i % 4 == 1 else None,
                channel=["email", "phone", "", "legacy"][i % 4] if i % 7 else "paper",
                status=ResponseStatus.COMPLETED if i % 11 else ResponseStatus.IN_PROGRESS,
                completed_at=START + timedelta(days=i, microseconds=i * 1237),
                valid=[True, False, None][i % 3],
                index=None if i % 6 == 0 else 50 + i / 3,
                satisfied=[True, False, None][(i + 1) % 3],
                nps=None if i % 4 == 0 else i % 11,
                points={
                    "Q1": [10, 8, 6.5, None][i % 4],
                    **({"Q2": 2 * (i % 5) + 0.1} if i % 3 else {}),
                    "M.a": 4,
                    **({"M.b": None} if i % 2 else {}),
                    "gone": 3,
                },
                importance={"Q1": i % 5 + 1} if i % 2 else {},
                dimension_scores={"D1": 100 / 3 + i} if i % 3 else {},
                competitor={"Q1": 8} if i % 4 == 3 else {},
            )
        )
    return made


def reference(campaign, keys, dimension_keys, competitor_keys):
    """The columns read one response at a time (the reading the bulk reader replaced)."""
    rows = (
        Response.objects.completed()
        .filter(campaign=campaign)
        .order_by("pk")
        .select_related("customer__owner", "agent", "invitation")
    )
    nan = float("nan")

    def spread(values, keys):
        return [nan if (values or {}).get(key) is None else float(values[key]) for key in keys]

    def label(value):
        return value or None

    out = {name: [] for name in ("ids", "completed", "valid", "index", "satisfied", "nps", "customer")}
    out.update(contact=[], points=[], importance=[], dimensions=[], competitor=[], unasked=[])
    out.update(labels={name: [] for name in dataset_module.CATEGORIES})
    for position, r in enumerate(rows):
        out["ids"].append(r.pk)
        out["completed"].append(np.datetime64(r.completed_at.replace(tzinfo=None), "s"))
        out["valid"].append(bool(r.valid))
        out["index"].append(nan if r.index is None else r.index)
        out["satisfied"].append(bool(r.satisfied))
        out["nps"].append(nan if r.nps is None else r.nps)
        out["customer"].append(r.customer_id or -1)
        out["contact"].append(r.invitation.contact_id or -1 if r.invitation else -1)
        out["points"].append(spread(r.points, keys))
        out["unasked"] += [(position, keys.index(k)) for k, v in r.points.items() if v is None and k in keys]
        out["importance"].append(spread(r.importance, keys))
        out["dimensions"].append(spread(r.dimension_scores, dimension_keys))
        out["competitor"].append(spread(r.competitor, competitor_keys))
        customer = r.customer
        for name, value in (
            ("region", customer and customer.region),
            ("customer_type", customer and customer.customer_type),
            ("owner", customer and customer.owner and customer.owner.username),
            ("channel", r.channel),
            ("agent", r.agent and r.agent.username),
        ):
            out["labels"][name].append(label(value))
    return out


def check(dataset, expected):
    for name in ("ids", "valid", "satisfied", "customer", "contact"):
        assert getattr(dataset, name).tolist() == expected[name], name
    assert (dataset.completed == np.array(expected["completed"], "datetime64[s]")).all()
    for name in ("index", "nps"):
        np.testing.assert_array_equal(getattr(dataset, name), np.array(expected[name]), err_msg=name)
    for name in ("points", "importance", "dimensions", "competitor"):
        wanted = np.array(expected[name], np.float32).reshape(getattr(dataset, name).shape)
        np.testing.assert_array_equal(getattr(dataset, name), wanted, err_msg=name)
    assert sorted(map(tuple, dataset.unasked.tolist())) == sorted(expected["unasked"])
    for name, labels in expected["labels"].items():
        shown = [dataset.labels[name][code] if code >= 0 else None for code in dataset.codes[name]]
        assert shown == labels, name
        # Codes in the order labels first appear, as the row-by-row reading gave them.
        assert dataset.labels[name] == list(dict.fromkeys(label for label in labels if label))


def customers_and_agents():
    owners = [make_user(f"经理{n}") for n in range(2)]
    customers = [
        make_customer(
            region=["华东", "", "华南"][n % 3], customer_type=["vip", "normal"][n % 2], owner=owners[n % 2]
        )
        for n in range(5)
    ] + [make_customer(region="西北", customer_type="")]
    return customers, [make_user(f"坐席{n}") for n in range(3)]


def test_the_bulk_reader_gives_what_the_rows_hold(campaign):
    customers, agents = customers_and_agents()
    respond(campaign, 40, customers, agents)
    dataset = dataset_module.campaign_dataset(campaign)
    assert dataset.competitor_keys == ["Q1"] and dataset.dimension_keys == []
    check(dataset, reference(campaign, dataset.item_keys, dataset.dimension_keys, dataset.competitor_keys))
    assert "legacy" in dataset.labels["channel"] and dataset.size == 36


def test_responses_added_later_are_appended_with_the_same_codes(campaign):
    customers, agents = customers_and_agents()
    respond(campaign, 17, customers, agents)
    first = dataset_module.campaign_dataset(campaign)
    assert first.rows_read == first.size == 15
    respond(campaign, 23, customers[::-1], agents)
    dataset = dataset_module.campaign_dataset(campaign)
    assert dataset.rows_read == dataset.size - 15 == 20  # only the new ones were read
    check(dataset, reference(campaign, dataset.item_keys, dataset.dimension_keys, dataset.competitor_keys))


def test_dimension_columns_are_read_by_key(campaign):
    """Dimension scores stored by the response are read into the dimension columns."""
    block = reading.read_block(campaign.pk, 0, ["Q1"], ["D1", "D2"], [])
    assert block.size == 0 and block.dimensions.shape == (0, 2)
    make_response(
        campaign.questionnaire,
        campaign,
        status=ResponseStatus.COMPLETED,
        completed_at=START,
        dimension_scores={"D2": 71.25, "D1": 1 / 3},
        points={"Q1": 8},
    )
    block = reading.read_block(campaign.pk, 0, ["Q1"], ["D1", "D2"], [])
    assert block.dimensions.tolist() == [[np.float32(1 / 3), 71.25]]
    assert block.points.tolist() == [[8.0]] and block.completed.tolist() == [
        START.replace(tzinfo=None, microsecond=0)
    ]


def test_a_second_app_server_reuses_the_first_ones_build(campaign, settings, tmp_path):
    """Several app servers: the first one's cold build is copied to the shared storage (here a
    folder standing for the S3 bucket); a server without a file of its own fetches it and
    reads from the database only the responses newer than the copy."""
    settings.ANALYSIS_BACKGROUND_ROWS = 10
    settings.STORAGES = {
        **settings.STORAGES,
        "analysis": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "bucket"},
        },
    }
    customers, agents = customers_and_agents()
    respond(campaign, 17, customers, agents)
    settings.VAR_DIR = tmp_path / "server-1"
    first = dataset_module.campaign_dataset(campaign)
    assert first.rows_read == 15
    assert [p.name for p in (tmp_path / "bucket" / "analysis").iterdir()] == [
        dataset_module._path(campaign).name
    ]

    dataset_module.forget()
    settings.VAR_DIR = tmp_path / "server-2"
    assert dataset_module.pending_rows(campaign) == 0
    second = dataset_module.campaign_dataset(campaign)
    assert second.rows_read == 0
    np.testing.assert_array_equal(second.points, first.points)
    assert second.labels == first.labels

    respond(campaign, 3, customers, agents)  # two completed, read from the database
    dataset_module.forget()
    settings.VAR_DIR = tmp_path / "server-3"
    third = dataset_module.campaign_dataset(campaign)
    assert third.rows_read == 2 and third.size == 17
    check(third, reference(campaign, third.item_keys, third.dimension_keys, third.competitor_keys))


def test_without_a_shared_storage_nothing_is_copied(campaign, settings, tmp_path):
    """One machine (files on the local disk): var/analysis is shared by its processes already."""
    settings.ANALYSIS_BACKGROUND_ROWS = 1
    settings.MEDIA_ROOT = tmp_path / "media"
    customers, agents = customers_and_agents()
    respond(campaign, 5, customers, agents)
    assert dataset_module._shared_storage() is None
    assert dataset_module.campaign_dataset(campaign).rows_read == 4
    assert not (tmp_path / "media").exists()


def test_a_point_stored_as_text_is_read_as_its_number(campaign):
    """A value numpy cannot read in bulk (a point an older import stored as text) is read one
    response at a time instead of failing the whole chunk."""
    for points in ({"Q1": "7", "Q2": 4}, {"Q1": 6, "Q2": None}):
        make_response(
            campaign.questionnaire,
            campaign,
            status=ResponseStatus.COMPLETED,
            completed_at=START,
            points=points,
        )
    block = reading.read_block(campaign.pk, 0, ["Q1", "Q2"], [], [])
    assert block.points.tolist() == [[7.0, 4.0], [6.0, -np.inf]]


def test_importance_is_read_for_the_items_that_ask_it(campaign):
    """Q1 asks how important it is; Q2 does not, so nothing it may hold is read as importance."""
    make_response(
        campaign.questionnaire,
        campaign,
        status=ResponseStatus.COMPLETED,
        completed_at=START,
        points={"Q1": 8, "Q2": 6},
        importance={"Q1": 4, "Q2": 5},
    )
    dataset = dataset_module.campaign_dataset(campaign)
    assert dataset.item_keys[:2] == ["Q1", "Q2"]
    assert dataset.importance[0, 0] == 4 and np.isnan(dataset.importance[0, 1:]).all()
