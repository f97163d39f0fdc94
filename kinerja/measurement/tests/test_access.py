"""Who may open the planning and performance pages, page by page and role by role.

The agency-wide roles and the evaluator read the whole agency; a division head, section head or
staff member reads what belongs to their own units; only the planning head changes plans,
targets, budgets and realisations; another agency's user gets 404.
"""

from __future__ import annotations

import pytest
from django.urls import get_resolver, reverse

from kinerja.audit.models import AuditEvent
from kinerja.org.models import Unit
from kinerja.planning.tests.records import fresh_plan, head_agreement, indicator, set_targets

pytestmark = pytest.mark.django_db

WHOLE = ["kadis", "sekretaris", "perencanaan", "admin", "inspektorat"]
DIVISION = ["kabid"]
SECTION = ["kasie", "staf"]
OUTSIDERS = ["admin.kominfo", "kadis.kominfo"]
EVERYONE = WHOLE + DIVISION + SECTION

# page name → who gets 200 on GET (everyone else of Dishub 403); outsiders always 404.
READ = {
    "measurement-dashboard": WHOLE,
    "measurement-division": WHOLE + DIVISION,
    "measurement-indicator": WHOLE + DIVISION,
    "measurement-tree": EVERYONE,
    "measurement-renja-evaluation": WHOLE,
    "planning-plan": WHOLE,
    "planning-agreements": EVERYONE,
    "planning-agreement": WHOLE,
    "planning-budget": WHOLE,
    "measurement-realizations": ["perencanaan"],
    "measurement-predicates": ["perencanaan"],
    "planning-plan-create": ["perencanaan"],
    "planning-goal-create": ["perencanaan"],
    "planning-goal-edit": ["perencanaan"],
    "planning-objective-create": ["perencanaan"],
    "planning-objective-edit": ["perencanaan"],
    "planning-indicator-create": ["perencanaan"],
    "planning-indicator-edit": ["perencanaan"],
    "planning-budget-create": ["perencanaan"],
    "planning-budget-edit": ["perencanaan"],
}
# Answer POST only; refused (403) to everyone but the planning head, and nothing is written.
POST_ONLY = [
    "planning-agreement-create",
    "planning-agreement-copy",
    "planning-agreement-sign",
    "planning-agreement-remove-indicator",
]
ELSEWHERE = {"measurement-index"}  # no agency in the URL; tested below
EXCEL = "measurement-excel-"  # tested with the Excel round trip


@pytest.fixture
def urls(dishub, perencanaan):
    plan = fresh_plan(dishub, perencanaan)
    bidang = Unit.objects.get(agency=dishub, name="Bidang Lalu Lintas")
    ind = indicator(plan, perencanaan, "K.1", responsible_unit=bidang)
    agreement = head_agreement(plan, perencanaan, 2030)
    set_targets(agreement, perencanaan, ind, "100")
    goal, objective = plan.goals.get(), plan.goals.get().objectives.get()
    from kinerja.planning import services

    line = services.save_budget_line(
        agency=dishub,
        year=2030,
        values={"kind": "program", "code": "9.1", "name": "Program", "ceiling": 10},
        by=perencanaan,
    )
    a = dishub.pk
    return {
        "measurement-dashboard": reverse("measurement-dashboard", args=[a]),
        "measurement-division": reverse("measurement-division", args=[bidang.pk]),
        "measurement-indicator": reverse("measurement-indicator", args=[ind.pk]),
        "measurement-tree": reverse("measurement-tree", args=[a]),
        "measurement-renja-evaluation": reverse("measurement-renja-evaluation", args=[a]),
        "measurement-realizations": reverse("measurement-realizations", args=[a]),
        "measurement-predicates": reverse("measurement-predicates", args=[a]),
        "planning-plan": reverse("planning-plan", args=[a]),
        "planning-plan-create": reverse("planning-plan-create", args=[a]),
        "planning-goal-create": reverse("planning-goal-create", args=[plan.pk]),
        "planning-goal-edit": reverse("planning-goal-edit", args=[plan.pk, goal.pk]),
        "planning-objective-create": reverse("planning-objective-create", args=[plan.pk]),
        "planning-objective-edit": reverse("planning-objective-edit", args=[plan.pk, objective.pk]),
        "planning-indicator-create": reverse("planning-indicator-create", args=[plan.pk]),
        "planning-indicator-edit": reverse("planning-indicator-edit", args=[ind.pk]),
        "planning-agreements": reverse("planning-agreements", args=[a]),
        "planning-agreement": reverse("planning-agreement", args=[agreement.pk]),
        "planning-agreement-create": reverse("planning-agreement-create", args=[a]),
        "planning-agreement-copy": reverse("planning-agreement-copy", args=[a]),
        "planning-agreement-sign": reverse("planning-agreement-sign", args=[agreement.pk]),
        "planning-agreement-remove-indicator": reverse(
            "planning-agreement-remove-indicator", args=[agreement.pk, ind.pk]
        ),
        "planning-budget": reverse("planning-budget", args=[a]),
        "planning-budget-create": reverse("planning-budget-create", args=[a]),
        "planning-budget-edit": reverse("planning-budget-edit", args=[a, line.pk]),
    }


def test_every_page_is_in_the_table():
    names = {
        name for name in get_resolver().reverse_dict if isinstance(name, str)
        and name.startswith(("planning-", "measurement-")) and not name.startswith(EXCEL)
    }  # fmt: skip
    assert names == set(READ) | set(POST_ONLY) | ELSEWHERE


@pytest.mark.parametrize("name", sorted(READ))
@pytest.mark.parametrize("username", EVERYONE)
def test_get_answers_by_role(login, urls, username, name):
    from kinerja.accounts.models import User

    response = login(User.objects.get(username=username)).get(urls[name] + "?year=2030&quarter=1")
    assert response.status_code == (200 if username in READ[name] else 403)


@pytest.mark.parametrize("name", sorted(READ) + POST_ONLY)
@pytest.mark.parametrize("username", OUTSIDERS)
def test_another_agency_gets_not_found(login, urls, username, name):
    from kinerja.accounts.models import User

    client = login(User.objects.get(username=username))
    assert client.get(urls[name]).status_code in (404, 405)
    assert client.post(urls[name], {"year": "2031"}).status_code == 404


@pytest.mark.parametrize("name", POST_ONLY)
@pytest.mark.parametrize("username", [u for u in EVERYONE if u != "perencanaan"])
def test_post_only_pages_refuse_everyone_but_the_planning_head(login, urls, username, name):
    from kinerja.accounts.models import User

    client = login(User.objects.get(username=username))
    before = AuditEvent.objects.count()
    assert client.get(urls[name]).status_code == 405
    assert client.post(urls[name], {"year": "2031", "signed_on": "2030-01-31", "version": "1"}).status_code == 403
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("name", sorted(READ) + POST_ONLY)
def test_anonymous_is_sent_to_login(client, urls, name):
    response = client.get(urls[name])
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("username", EVERYONE)
def test_performance_index_leads_to_what_the_user_may_read(login, username):
    from kinerja.accounts.models import User

    response = login(User.objects.get(username=username)).get(reverse("measurement-index"), follow=True)
    assert response.status_code == 200


def test_index_for_someone_of_no_agency(client, db):
    from kinerja.accounts.models import User

    user = User.objects.create_user(username="tamu", password="tamu-kinerja-123")
    client.force_login(user)
    assert client.get(reverse("measurement-index")).status_code == 200


PLANNER_ONLY = sorted(name for name, who in READ.items() if who == ["perencanaan"]) + ["planning-agreement"]


@pytest.mark.parametrize("name", PLANNER_ONLY)
@pytest.mark.parametrize("username", [u for u in EVERYONE if u != "perencanaan"])
def test_write_pages_refuse_a_post_from_everyone_but_the_planning_head(login, urls, username, name):
    from kinerja.accounts.models import User

    client = login(User.objects.get(username=username))
    before = AuditEvent.objects.count()
    form = {"name": "Renstra", "start_year": "2036", "code": "Z", "statement": "x", "sort_order": "0", "version": "1"}
    assert client.post(urls[name], form).status_code == 403
    assert AuditEvent.objects.count() == before
