"""The demo: a fictional regency with a Dinas Perhubungan shaped like the seed SOPs, a second agency
to show isolation, and an Inspektorat that evaluates the first. Every login's password is
DEMO_PASSWORD. Names, NIPs and decrees are invented."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Model

from kinerja.accounts.models import User
from kinerja.audit.services import record_event, snapshot
from kinerja.org.models import Agency, Assignment, Employee, LocalGovernment, Position, Role, Unit

DEMO_PASSWORD = "kinerja-demo"
REGENCY = "Kabupaten Sukamaju"


@dataclass(frozen=True)
class Person:
    position: str
    role: str
    unit: str | None
    superior: str | None
    name: str
    nip: str
    rank: str
    username: str = ""


DISHUB_UNITS: list[tuple[str, str, str | None, str]] = [
    # name, kind, parent, code
    ("Sekretariat", Unit.Kind.SECRETARIAT, None, "SEK"),
    ("Subbagian Perencanaan dan Program", Unit.Kind.SUBDIVISION, "Sekretariat", "SEK.1"),
    ("Subbagian Umum dan Kepegawaian", Unit.Kind.SUBDIVISION, "Sekretariat", "SEK.2"),
    ("Subbagian Keuangan", Unit.Kind.SUBDIVISION, "Sekretariat", "SEK.3"),
    ("Bidang Lalu Lintas", Unit.Kind.DIVISION, None, "LL"),
    ("Seksi Manajemen dan Rekayasa Lalu Lintas", Unit.Kind.SECTION, "Bidang Lalu Lintas", "LL.1"),
    ("Seksi Pengendalian dan Operasional Lalu Lintas", Unit.Kind.SECTION, "Bidang Lalu Lintas", "LL.2"),
    ("Bidang Angkutan", Unit.Kind.DIVISION, None, "ANG"),
    ("Seksi Angkutan Orang", Unit.Kind.SECTION, "Bidang Angkutan", "ANG.1"),
    ("Seksi Angkutan Barang", Unit.Kind.SECTION, "Bidang Angkutan", "ANG.2"),
    ("Bidang Sarana dan Prasarana", Unit.Kind.DIVISION, None, "SP"),
    ("Seksi Sarana Perhubungan", Unit.Kind.SECTION, "Bidang Sarana dan Prasarana", "SP.1"),
    ("Seksi Prasarana Perhubungan", Unit.Kind.SECTION, "Bidang Sarana dan Prasarana", "SP.2"),
    ("UPT Pengujian Kendaraan Bermotor", Unit.Kind.TECHNICAL, None, "UPT.PKB"),
]

KADIS = "Kepala Dinas Perhubungan"
SEKRETARIS = "Sekretaris Dinas"
KABID_LL = "Kepala Bidang Lalu Lintas"
KABID_ANG = "Kepala Bidang Angkutan"
KABID_SP = "Kepala Bidang Sarana dan Prasarana"

DISHUB_PEOPLE: list[Person] = [
    Person(KADIS, Role.HEAD, None, None, "Ir. Bambang Sutrisno, M.T.", "196803121993031004", "IV/c", "kadis"),
    Person(SEKRETARIS, Role.SECRETARY, "Sekretariat", KADIS, "Dra. Sri Wahyuni, M.Si.", "197005241995032002", "IV/b", "sekretaris"),
    Person("Kepala Subbagian Perencanaan dan Program", Role.PLANNING_HEAD, "Subbagian Perencanaan dan Program", SEKRETARIS,
           "Andi Pratama, S.E., M.M.", "198104172006041008", "III/d", "perencanaan"),
    Person("Kepala Subbagian Umum dan Kepegawaian", Role.SECTION_HEAD, "Subbagian Umum dan Kepegawaian", SEKRETARIS,
           "Rina Marlina, S.Sos.", "197908092005022003", "III/d"),
    Person("Kepala Subbagian Keuangan", Role.SECTION_HEAD, "Subbagian Keuangan", SEKRETARIS,
           "Hendra Gunawan, S.E.", "198202142008011005", "III/d", "keuangan"),
    Person("Pengelola Sistem Informasi", Role.ADMIN, "Subbagian Umum dan Kepegawaian",
           "Kepala Subbagian Umum dan Kepegawaian", "Dewi Lestari, S.Kom.", "199006202015032001", "III/b", "admin"),
    Person(KABID_LL, Role.DIVISION_HEAD, "Bidang Lalu Lintas", KADIS,
           "Agus Setiawan, S.T., M.T.", "197507301999031002", "IV/a", "kabid"),
    Person("Kepala Seksi Manajemen dan Rekayasa Lalu Lintas", Role.SECTION_HEAD, "Seksi Manajemen dan Rekayasa Lalu Lintas",
           KABID_LL, "Yusuf Hidayat, S.T.", "198306112009011007", "III/d", "kasie"),
    Person("Analis Lalu Lintas", Role.STAFF, "Seksi Manajemen dan Rekayasa Lalu Lintas",
           "Kepala Seksi Manajemen dan Rekayasa Lalu Lintas", "Rudi Hartono, A.Md.", "199203052019031006", "II/d", "staf"),
    Person("Kepala Seksi Pengendalian dan Operasional Lalu Lintas", Role.SECTION_HEAD,
           "Seksi Pengendalian dan Operasional Lalu Lintas", KABID_LL, "Fitriani, S.H.", "198510222010012004", "III/c"),
    Person(KABID_ANG, Role.DIVISION_HEAD, "Bidang Angkutan", KADIS,
           "Muhammad Ikhsan, S.E., M.Si.", "197612041998031003", "IV/a", "kabid.angkutan"),
    Person("Kepala Seksi Angkutan Orang", Role.SECTION_HEAD, "Seksi Angkutan Orang", KABID_ANG,
           "Nurhayati, S.Sos.", "198407152009022005", "III/c", "kasie.angkutan"),
    Person("Kepala Seksi Angkutan Barang", Role.SECTION_HEAD, "Seksi Angkutan Barang", KABID_ANG,
           "Bayu Saputra, S.T.", "198711302011011002", "III/c"),
    Person(KABID_SP, Role.DIVISION_HEAD, "Bidang Sarana dan Prasarana", KADIS, "", "", ""),
    Person("Kepala Seksi Sarana Perhubungan", Role.SECTION_HEAD, "Seksi Sarana Perhubungan", KABID_SP,
           "Lukman Hakim, S.T.", "198001082006041012", "III/d", "kasie.sarpras"),
    Person("Kepala Seksi Prasarana Perhubungan", Role.SECTION_HEAD, "Seksi Prasarana Perhubungan", KABID_SP,
           "Wulan Sari, S.T.", "198809192012012003", "III/c"),
    Person("Kepala UPT Pengujian Kendaraan Bermotor", Role.SECTION_HEAD, "UPT Pengujian Kendaraan Bermotor", KADIS,
           "Dedi Kurniawan, S.T.", "197903252005011009", "III/d"),
]  # fmt: skip


class DemoError(Exception):
    pass


def demo_loaded() -> bool:
    return LocalGovernment.objects.filter(name=REGENCY).exists()


def _log(obj: Model, agency: Agency, fields: list[str]) -> None:
    record_event(
        action=f"org.{obj._meta.model_name}.created", actor=None, agency=agency, target=obj,
        after=snapshot(obj, fields),
    )  # fmt: skip


def _user(username: str) -> User:
    user = User.objects.create_user(username=username, password=DEMO_PASSWORD)
    return user


def _employee(agency: Agency, name: str, nip: str, rank: str, username: str) -> Employee:
    employee = Employee.objects.create(
        agency=agency, name=name, nip=nip, rank=rank, user=_user(username) if username else None
    )
    _log(employee, agency, ["name", "nip", "rank", "user"])
    return employee


def _assign(employee: Employee, position: Position, start: date, acting_title: str = "") -> Assignment:
    kind = Assignment.Kind.ACTING if acting_title else Assignment.Kind.DEFINITIVE
    assignment = Assignment.objects.create(
        employee=employee, position=position, kind=kind, acting_title=acting_title, start_date=start,
        decree=f"800/{position.pk:03d}/BKPSDM/{start.year}",
    )  # fmt: skip
    _log(assignment, employee.agency, ["employee", "position", "kind", "acting_title", "start_date", "end_date"])
    return assignment


def _agency_with_people(
    regency: LocalGovernment,
    name: str,
    short: str,
    units: list[tuple[str, str, str | None, str]],
    people: list[Person],
    start: date,
) -> tuple[Agency, dict[str, Position], dict[str, Employee]]:
    agency = Agency.objects.create(local_government=regency, name=name, short_name=short)
    _log(agency, agency, ["name", "short_name"])
    by_name: dict[str, Unit] = {}
    for order, (unit_name, kind, parent, code) in enumerate(units, start=1):
        unit = Unit.objects.create(
            agency=agency, parent=by_name.get(parent) if parent else None, name=unit_name, kind=kind, code=code,
            sort_order=order,
        )  # fmt: skip
        by_name[unit_name] = unit
        _log(unit, agency, ["parent", "name", "kind", "code", "sort_order"])
    positions: dict[str, Position] = {}
    employees: dict[str, Employee] = {}
    for person in people:
        position = Position.objects.create(
            agency=agency, unit=by_name[person.unit] if person.unit else None, title=person.position,
            role=person.role, superior=positions.get(person.superior) if person.superior else None,
        )  # fmt: skip
        positions[person.position] = position
        _log(position, agency, ["unit", "title", "role", "superior"])
        if person.name:
            employee = _employee(agency, person.name, person.nip, person.rank, person.username)
            employees[person.position] = employee
            _assign(employee, position, start)
    return agency, positions, employees


@transaction.atomic
def load_demo() -> bool:
    """Creates the demo once. Returns False when it is already there."""
    if demo_loaded():
        return False
    regency = LocalGovernment.objects.create(name=REGENCY, kind=LocalGovernment.Kind.REGENCY)

    dishub, positions, employees = _agency_with_people(
        regency, "Dinas Perhubungan Kabupaten Sukamaju", "Dishub", DISHUB_UNITS, DISHUB_PEOPLE, date(2025, 1, 2)
    )
    # The head of the Sarana dan Prasarana division is vacant; the head of Lalu Lintas acts for him.
    _assign(employees[KABID_LL], positions[KABID_SP], date(2026, 9, 1), acting_title=Assignment.ActingTitle.PLT)

    kominfo_people = [
        Person("Kepala Dinas Komunikasi dan Informatika", Role.HEAD, None, None,
               "Drs. Hari Wibowo, M.Si.", "196911111994031005", "IV/c", "kadis.kominfo"),
        Person("Pengelola Sistem Informasi", Role.ADMIN, "Sekretariat", "Kepala Dinas Komunikasi dan Informatika",
               "Tika Anggraini, S.Kom.", "199402142019032004", "III/a", "admin.kominfo"),
        Person("Kepala Bidang Aplikasi Informatika", Role.DIVISION_HEAD, "Bidang Aplikasi Informatika",
               "Kepala Dinas Komunikasi dan Informatika", "Rahmat Hidayat, S.T., M.Kom.", "197806172003121004", "IV/a"),
    ]  # fmt: skip
    _agency_with_people(
        regency, "Dinas Komunikasi dan Informatika Kabupaten Sukamaju", "Diskominfo",
        [("Sekretariat", Unit.Kind.SECRETARIAT, None, "SEK"), ("Bidang Aplikasi Informatika", Unit.Kind.DIVISION, None, "APTIKA")],
        kominfo_people, date(2025, 1, 2),
    )  # fmt: skip

    inspektorat_people = [
        Person("Auditor Ahli Madya", Role.EVALUATOR, "Inspektur Pembantu Wilayah II", None,
               "Siti Rahmawati, S.E., Ak.", "197702282002122003", "IV/a", "inspektorat"),
    ]  # fmt: skip
    _, insp_positions, _ = _agency_with_people(
        regency, "Inspektorat Kabupaten Sukamaju", "Inspektorat",
        [("Inspektur Pembantu Wilayah II", Unit.Kind.OTHER, None, "IRBAN.II")], inspektorat_people, date(2025, 1, 2),
    )  # fmt: skip
    insp_positions["Auditor Ahli Madya"].evaluated_agencies.set([dishub])

    # Bappeda reads every agency of the regency for the regional dashboard.
    bappeda_people = [
        Person("Kepala Sub Bidang Evaluasi dan Pelaporan", Role.REGIONAL, "Bidang Perencanaan, Pengendalian dan Evaluasi",
               None, "Yusuf Maulana, S.E., M.Ec.Dev.", "198203152006041002", "III/d", "bappeda"),
    ]  # fmt: skip
    _agency_with_people(
        regency, "Badan Perencanaan Pembangunan Daerah Kabupaten Sukamaju", "Bappeda",
        [("Bidang Perencanaan, Pengendalian dan Evaluasi", Unit.Kind.DIVISION, None, "P2E")], bappeda_people,
        date(2025, 1, 2),
    )  # fmt: skip
    return True
