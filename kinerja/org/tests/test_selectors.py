from __future__ import annotations

from datetime import date

import pytest

from kinerja.accounts.models import User
from kinerja.org import selectors
from kinerja.org.models import Agency, Assignment
from kinerja.org.tests import records

pytestmark = pytest.mark.django_db


def test_holder_of_a_vacant_position_is_its_plt() -> None:
    holder = selectors.holder_of_position(records.position("Kepala Bidang Sarana dan Prasarana"))
    assert holder is not None
    assert holder.employee.name == "Agus Setiawan, S.T., M.T."
    assert (holder.kind, holder.acting_title) == (Assignment.Kind.ACTING, "Plt.")


def test_holder_of_a_position_with_both_is_the_acting_one() -> None:
    position = records.position("Kepala Bidang Angkutan")
    Assignment.objects.create(
        employee=records.employee("Lukman Hakim"), position=position, kind=Assignment.Kind.ACTING,
        acting_title="Plh.", start_date=date(2026, 10, 1), end_date=date(2026, 10, 31),
    )  # fmt: skip
    on = date(2026, 10, 15)
    assert selectors.holder_of_position(position, on=on).employee.name == "Lukman Hakim, S.T."
    assert [a.kind for a in selectors.holders_of_position(position, on=on)] == ["acting", "definitive"]
    assert selectors.holder_of_position(position, on=date(2026, 11, 1)).employee.name.startswith("Muhammad Ikhsan")


def test_holder_of_a_position_before_anyone_held_it_is_none() -> None:
    assert (
        selectors.holder_of_position(records.position("Kepala Bidang Sarana dan Prasarana"), on=date(2026, 8, 31))
        is None
    )


def test_assignments_of_kabid_are_his_definitive_then_his_plt(kabid: User) -> None:
    assignments = selectors.assignments_of_user(kabid)
    assert [a.label for a in assignments] == ["Kepala Bidang Lalu Lintas", "Plt. Kepala Bidang Sarana dan Prasarana"]
    assert [a.kind for a in assignments] == ["definitive", "acting"]


def test_assignments_of_kabid_before_the_plt_started(kabid: User) -> None:
    assert [a.label for a in selectors.assignments_of_user(kabid, on=date(2026, 8, 31))] == [
        "Kepala Bidang Lalu Lintas"
    ]


def test_assignments_of_a_user_leave_out_ended_ones_and_inactive_positions(staf: User) -> None:
    assignment = Assignment.objects.get(employee__user=staf)
    Assignment.objects.filter(pk=assignment.pk).update(end_date=date(2025, 12, 31))
    assert selectors.assignments_of_user(staf, on=date(2025, 12, 31)) == [assignment]
    assert selectors.assignments_of_user(staf, on=date(2026, 1, 1)) == []
    Assignment.objects.filter(pk=assignment.pk).update(end_date=None)
    assignment.position.is_active = False
    assignment.position.save()
    assert selectors.assignments_of_user(staf) == []


def test_assignments_of_an_inactive_user_are_none(kadis: User) -> None:
    kadis.is_active = False
    assert selectors.assignments_of_user(kadis) == []


def test_assignment_label_carries_the_acting_title() -> None:
    plt = records.employee("Agus Setiawan").assignments.get(kind=Assignment.Kind.ACTING)
    assert plt.label == "Plt. Kepala Bidang Sarana dan Prasarana"
    assert str(plt) == "Agus Setiawan, S.T., M.T. — Plt. Kepala Bidang Sarana dan Prasarana"


def test_unit_tree_puts_children_under_their_parent(dishub: Agency) -> None:
    rows = [(row.unit.name, row.depth) for row in selectors.unit_tree(dishub)]
    index = rows.index(("Bidang Angkutan", 0))
    assert rows[index + 1 : index + 3] == [("Seksi Angkutan Orang", 1), ("Seksi Angkutan Barang", 1)]
    assert rows[-1] == ("UPT Pengujian Kendaraan Bermotor", 0)


def test_descendant_ids_are_the_unit_and_everything_below_it() -> None:
    sekretariat = records.unit("Sekretariat")
    expected = {sekretariat.pk} | set(sekretariat.children.values_list("pk", flat=True))
    assert selectors.descendant_ids(sekretariat) == expected
    assert len(expected) == 4


def test_current_holders_of_many_positions(dishub: Agency) -> None:
    positions = list(selectors.positions_of_agency(dishub))
    holders = selectors.current_holders(positions)
    by_title = {p.title: [a.employee.name for a in holders[p.pk]] for p in positions}
    assert by_title["Kepala Bidang Sarana dan Prasarana"] == ["Agus Setiawan, S.T., M.T."]
    assert by_title["Analis Lalu Lintas"] == ["Rudi Hartono, A.Md."]
    assert len(positions) == 17


def test_employees_of_agency_are_searched_by_name_and_by_nip_with_spaces(dishub: Agency) -> None:
    assert [e.name for e in selectors.employees_of_agency(dishub, search="wulan")] == ["Wulan Sari, S.T."]
    assert [e.name for e in selectors.employees_of_agency(dishub, search="19880919 2012")] == ["Wulan Sari, S.T."]
    assert selectors.employees_of_agency(dishub, search="Tika").count() == 0
