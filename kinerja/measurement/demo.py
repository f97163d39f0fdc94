"""The performance demo: the 2022–2026 Renstra of the demo's Dinas Perhubungan, its yearly performance
agreements, quarterly realisations and budget lines.

Everything is written through the planning and measurement services, as the planning head
(`perencanaan`), so the demo also fills the audit trail the way real use would. The figures are
invented but deterministic: the same database comes out of every load.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction

from kinerja.accounts.models import User
from kinerja.measurement.services import NEW, record_realization
from kinerja.org.demo import KABID_ANG, KABID_LL, KABID_SP, KADIS, REGENCY, SEKRETARIS, DemoError
from kinerja.org.models import Agency, Position, Unit
from kinerja.planning.models import (
    Aggregation,
    AgreementTarget,
    BudgetLine,
    Indicator,
    Objective,
    PerformanceAgreement,
    Polarity,
    Scale,
    StrategicPlan,
)
from kinerja.planning.services import (
    TargetInput,
    create_agreement,
    create_plan,
    save_budget_line,
    save_goal,
    save_indicator,
    save_objective,
    set_agreement_targets,
    set_plan_targets,
    sign_agreement,
)

AGENCY_NAME = "Dinas Perhubungan Kabupaten Sukamaju"
PLANNER = "perencanaan"
FIRST_YEAR, LAST_YEAR = 2022, 2026
YEARS = range(FIRST_YEAR, LAST_YEAR + 1)
BASELINE_YEAR = FIRST_YEAR - 1
CURRENT_YEAR = 2026
QUARTERS = (1, 2, 3, 4)
# 2026 is reported up to the third quarter: the fourth has not ended yet.
REPORTED_QUARTERS = {year: QUARTERS if year < CURRENT_YEAR else (1, 2, 3) for year in YEARS}

# Cumulative targets build up slowly in the first quarter: the budget (DPA) is only released in February.
CUMULATIVE_SHARES = (Decimal("0.24"), Decimal("0.49"), Decimal("0.745"), Decimal(1))
# What a budget line spends of its ceiling in each quarter, before each line's own variation.
SPENT_SHARES = (Decimal("0.15"), Decimal("0.24"), Decimal("0.26"), Decimal("0.30"))
SPENT_SHARES_CURRENT = (Decimal("0.14"), Decimal("0.22"), Decimal("0.25"))

Target = str | tuple[str, str]  # a number, a (lower, upper) range, or a qualitative text


@dataclass(frozen=True)
class Spec:
    """One indicator of the demo with its Renstra targets and how its realisations went."""

    code: str
    kind: str
    name: str
    unit_of_measure: str
    scale: str
    polarity: str
    aggregation: str
    definition: str
    formula: str
    data_source: str
    baseline: str | None
    targets: tuple[Target, ...]  # one per year of the plan
    objective: str = ""  # for an IKU; the others take their parent's objective
    parent: str = ""
    unit: str = ""  # the responsible unit
    position: str = ""  # the responsible position of an individual indicator
    # How far each year's realisations reach their targets: 1.05 is 105 % achieved, also for lower-is-better.
    pace: tuple[str, ...] = ("1", "1", "1", "1", "1")
    realized: dict[tuple[int, int], str] = field(default_factory=dict)  # explicit figures, ahead of `pace`
    notes: tuple[str, str, str] = ("", "", "")  # 2026: what helped, what hindered, the follow-up


def _by_quarter(figures: dict[int, tuple[str, ...]]) -> dict[tuple[int, int], str]:
    return {(year, quarter): value for year, values in figures.items() for quarter, value in enumerate(values, 1)}


IKU, DIVISION, ACTIVITY, INDIVIDUAL = (
    Indicator.Kind.IKU, Indicator.Kind.DIVISION, Indicator.Kind.ACTIVITY, Indicator.Kind.INDIVIDUAL,
)  # fmt: skip
HIGHER, LOWER, RANGE = Polarity.HIGHER, Polarity.LOWER, Polarity.RANGE
CUMULATIVE, LAST, AVERAGE = Aggregation.CUMULATIVE, Aggregation.LAST, Aggregation.AVERAGE
COUNT, PERCENT, INDEX, QUALITATIVE = Scale.COUNT, Scale.PERCENT, Scale.INDEX, Scale.QUALITATIVE

SEKSI_MRLL = "Seksi Manajemen dan Rekayasa Lalu Lintas"
KASIE_MRLL = "Kepala Seksi Manajemen dan Rekayasa Lalu Lintas"
KEPALA_UPT = "Kepala UPT Pengujian Kendaraan Bermotor"
KASUBBAG_KEUANGAN = "Kepala Subbagian Keuangan"

GOALS = [
    ("T.1", "Meningkatnya keselamatan, ketertiban, dan kelancaran lalu lintas di Kabupaten Sukamaju", [
        ("S.1", "Menurunnya kecelakaan dan pelanggaran lalu lintas"),
        ("S.2", "Meningkatnya ketersediaan fasilitas perlengkapan jalan"),
    ]),
    ("T.2", "Meningkatnya kualitas pelayanan perhubungan dan akuntabilitas kinerja Dinas Perhubungan", [
        ("S.3", "Meningkatnya kelaikan dan kinerja angkutan umum"),
        ("S.4", "Meningkatnya kepuasan masyarakat terhadap layanan perhubungan"),
        ("S.5", "Meningkatnya akuntabilitas kinerja Dinas Perhubungan"),
    ]),
]  # fmt: skip

# Parents come before their children: an indicator is saved after the one it cascades from.
SPECS: list[Spec] = [
    Spec(
        "IKU.1", IKU, "Jumlah kecelakaan lalu lintas", "kejadian", COUNT, LOWER, CUMULATIVE,
        "Banyaknya kejadian kecelakaan lalu lintas di jalan wilayah Kabupaten Sukamaju yang tercatat dalam satu tahun.",
        "Σ kejadian kecelakaan lalu lintas yang tercatat sejak Januari sampai akhir triwulan berjalan",
        "Data kecelakaan Satlantas Polres Sukamaju (IRSMS), direkap Bidang Lalu Lintas",
        "418", ("405", "390", "372", "355", "340"), objective="S.1", unit="Bidang Lalu Lintas",
        pace=("1.01", "1.02", "1.03", "1.02", "1.04"),
        notes=(
            "Patroli gabungan di 6 titik rawan kecelakaan dan 4 kamera ETLE baru di jalan Sukamaju–Cibening.",
            "Volume kendaraan naik 8% sejak jalan lingkar selatan dibuka; penerangan jalan di ruas Cigadung kurang.",
            "Usulan PJU ruas Cigadung pada APBD 2027 dan audit keselamatan jalan lingkar selatan bersama Satlantas.",
        ),
    ),
    Spec(
        "IKU.2", IKU, "Persentase fasilitas perlengkapan jalan terpasang sesuai kebutuhan", "%", PERCENT, HIGHER,
        LAST,
        "Perbandingan perlengkapan jalan (rambu, marka, APILL, pagar pengaman, PJU) yang telah terpasang dengan "
        "kebutuhan menurut survei inventarisasi jalan kabupaten.",
        "(Jumlah perlengkapan jalan terpasang ÷ jumlah kebutuhan perlengkapan jalan hasil survei) × 100%",
        "Database inventarisasi perlengkapan jalan Bidang Sarana dan Prasarana",
        "58.40", ("62", "66", "70", "74", "78"), objective="S.2", unit="Bidang Sarana dan Prasarana",
        pace=("0.98", "1.01", "0.99", "1.02", "0.97"),
        notes=(
            "Pemasangan marka termoplastik ruas Sukamaju–Cibening selesai pada triwulan II.",
            "Lelang pengadaan rambu triwulan II gagal karena tidak ada penawar yang memenuhi syarat.",
            "Lelang ulang rambu dijadwalkan Oktober 2026 dengan paket yang dipecah per kecamatan.",
        ),
    ),
    Spec(
        "IKU.3", IKU, "Persentase kendaraan angkutan umum yang laik jalan", "%", PERCENT, HIGHER, LAST,
        "Bagian kendaraan angkutan umum terdaftar di Kabupaten Sukamaju yang memiliki bukti lulus uji berkala "
        "yang masih berlaku.",
        "(Jumlah kendaraan angkutan umum dengan bukti lulus uji berlaku ÷ jumlah kendaraan angkutan umum terdaftar)"
        " × 100%",
        "Aplikasi BLUe UPT Pengujian Kendaraan Bermotor dan data izin angkutan Bidang Angkutan",
        "71.50", ("74", "77", "80", "83", "86"), objective="S.3", unit="Bidang Angkutan",
        pace=("1.00", "1.01", "0.99", "1.00", "0.89"),
        notes=(
            "Uji keliling di terminal Cibening dan Pasirwangi menjangkau angkutan perdesaan.",
            "Alat uji rem UPT PKB rusak sejak Mei 2026 sehingga banyak bukti lulus uji kedaluwarsa.",
            "Alat uji rem baru dibeli melalui APBD Perubahan 2026; sementara uji dirujuk ke UPT kabupaten tetangga.",
        ),
    ),
    Spec(
        "IKU.4", IKU, "Indeks kepuasan masyarakat terhadap layanan perhubungan", "indeks", INDEX, HIGHER, LAST,
        "Nilai survei kepuasan masyarakat atas layanan pengujian kendaraan, perizinan angkutan, dan terminal, "
        "dihitung menurut PermenPANRB Nomor 14 Tahun 2017.",
        "IKM = (Σ nilai persepsi per unsur pelayanan ÷ jumlah unsur) × 25, dari survei triwulan terakhir",
        "Laporan survei kepuasan masyarakat triwulanan, Subbagian Perencanaan dan Program",
        "76.20", ("77.50", "79", "80.50", "82", "83.50"), objective="S.4", unit="Sekretariat",
        pace=("1.00", "1.01", "0.90", "1.01", "0.99"),
        notes=(
            "Loket pengujian daring mengurangi waktu antre pemohon uji KIR.",
            "Keluhan pemohon atas antrean panjang sejak alat uji rem rusak.",
            "Menambah jam layanan Sabtu di UPT PKB sampai alat uji baru terpasang.",
        ),
    ),
    Spec(
        "IKU.5", IKU, "Predikat SAKIP Dinas Perhubungan", "predikat", QUALITATIVE, HIGHER, LAST,
        "Predikat hasil evaluasi akuntabilitas kinerja (SAKIP) Dinas Perhubungan oleh Inspektorat Kabupaten "
        "Sukamaju. Predikat tahun 2021: B.",
        "Predikat pada Laporan Hasil Evaluasi (LHE) SAKIP terakhir yang diterima (AA, A, BB, B, CC, C, D)",
        "LHE SAKIP Inspektorat Kabupaten Sukamaju",
        None, ("B", "B", "B", "BB", "BB"), objective="S.5", unit="Sekretariat",
        realized=_by_quarter({
            2022: ("B", "B", "B", "B"), 2023: ("B", "B", "B", "B"), 2024: ("B", "B", "B", "B"),
            2025: ("B", "BB", "BB", "BB"), 2026: ("BB", "BB", "BB"),
        }),
        notes=(
            "Cascading kinerja sampai level individu mulai diterapkan pada 2026.",
            "Rekomendasi LHE 2025 tentang pemanfaatan data kinerja triwulanan belum seluruhnya ditindaklanjuti.",
            "Rapat evaluasi kinerja triwulanan dipimpin Kepala Dinas dan dicatat notulennya.",
        ),
    ),
    Spec(
        "IKK.LL.1", DIVISION, "Jumlah pelanggaran lalu lintas", "pelanggaran", COUNT, LOWER, CUMULATIVE,
        "Banyaknya pelanggaran lalu lintas yang tercatat dari tilang, operasi gabungan, dan kamera ETLE di jalan "
        "kabupaten.",
        "Σ pelanggaran lalu lintas yang tercatat sejak Januari sampai akhir triwulan berjalan",
        "Rekap penindakan Satlantas Polres Sukamaju dan hasil operasi gabungan Bidang Lalu Lintas",
        "6240", ("6000", "5750", "5500", "5250", "5000"), parent="IKU.1", unit="Bidang Lalu Lintas",
        pace=("1.02", "0.97", "1.04", "1.01", "0.86"),
        notes=(
            "Operasi gabungan rutin setiap Jumat di 3 simpang utama.",
            "Empat kamera ETLE baru mencatat pelanggaran yang sebelumnya tidak terdeteksi.",
            "Sosialisasi tertib lalu lintas di 12 SMA/SMK dan penambahan rambu larangan parkir di pasar.",
        ),
    ),
    Spec(
        "IKK.LL.2", DIVISION, "Persentase simpang prioritas yang dilengkapi APILL", "%", PERCENT, HIGHER, LAST,
        "Bagian simpang prioritas dalam Rencana Induk Jaringan LLAJ yang telah dilengkapi alat pemberi isyarat "
        "lalu lintas (APILL) yang berfungsi.",
        "(Jumlah simpang prioritas dengan APILL berfungsi ÷ jumlah simpang prioritas) × 100%",
        "Laporan pemeliharaan APILL Seksi Manajemen dan Rekayasa Lalu Lintas",
        "45", ("50", "55", "60", "65", "70"), parent="IKU.2", unit="Bidang Lalu Lintas",
        pace=("1.00", "0.98", "0.84", "0.99", "1.00"),
        notes=(
            "Bantuan APILL tenaga surya dari BPTD untuk 2 simpang.",
            "Satu controller APILL simpang Pasar Induk tersambar petir pada Maret.",
            "Pemasangan penangkal petir pada kabinet controller APILL.",
        ),
    ),
    Spec(
        "IKK.SP.1", DIVISION, "Jumlah rambu lalu lintas yang terpasang", "unit", COUNT, HIGHER, CUMULATIVE,
        "Banyaknya rambu lalu lintas baru yang dipasang pada jalan kabupaten dalam tahun berjalan.",
        "Σ rambu yang selesai dipasang dan diserahterimakan (BAST) sejak Januari sampai akhir triwulan berjalan",
        "Berita acara serah terima pekerjaan pemasangan rambu, Bidang Sarana dan Prasarana",
        "180", ("200", "210", "220", "230", "240"), parent="IKU.2", unit="Bidang Sarana dan Prasarana",
        pace=("0.97", "1.03", "1.00", "1.05", "0.90"),
        notes=(
            "Rambu dari sisa paket 2025 terpasang pada triwulan I.",
            "Lelang pengadaan rambu triwulan II gagal; jabatan Kepala Bidang kosong dan dijabat Plt sejak September.",
            "Lelang ulang Oktober 2026; laporan triwulan III disusulkan setelah BAST diperiksa.",
        ),
    ),
    Spec(
        "IKK.SP.2", DIVISION, "Jumlah kendaraan bermotor yang diuji (uji KIR)", "unit", COUNT, HIGHER, CUMULATIVE,
        "Banyaknya kendaraan wajib uji yang menjalani uji berkala (KIR) di UPT Pengujian Kendaraan Bermotor "
        "dalam tahun berjalan.",
        "Σ kendaraan yang diuji berkala sejak Januari sampai akhir triwulan berjalan",
        "Aplikasi BLUe UPT Pengujian Kendaraan Bermotor",
        "8420", ("8700", "9000", "9200", "9400", "9600"), parent="IKU.3", unit="Bidang Sarana dan Prasarana",
        pace=("1.01", "1.02", "0.99", "1.03", "1"),
        # The brake tester broke in May 2026: the target was revised, and the year still falls short.
        realized=_by_quarter({2026: ("2280", "1350", "920")}),
        notes=(
            "Uji keliling di dua terminal tetap berjalan untuk uji emisi dan lampu.",
            "Alat uji rem rusak sejak Mei 2026; kendaraan barang di atas 8 ton dirujuk ke UPT kabupaten tetangga.",
            "Alat uji rem baru dianggarkan pada APBD Perubahan 2026, pemasangan November.",
        ),
    ),
    Spec(
        "IKK.ANG.1", DIVISION, "Rasio load factor angkutan umum", "%", PERCENT, RANGE, LAST,
        "Tingkat keterisian penumpang angkutan perdesaan pada trayek utama. Di bawah 60% armada merugi, di atas "
        "80% penumpang berdesakan.",
        "(Jumlah penumpang terangkut ÷ kapasitas tempat duduk tersedia) × 100%, dari survei naik kendaraan "
        "triwulanan",
        "Survei load factor Seksi Angkutan Orang",
        "54.30", (("60", "80"),) * 5, parent="IKU.3", unit="Bidang Angkutan",
        realized=_by_quarter({
            2022: ("56.80", "58.20", "61.50", "63.00"), 2023: ("62.40", "64.10", "66.00", "67.30"),
            2024: ("66.50", "68.90", "70.20", "71.80"), 2025: ("72.40", "74.00", "76.50", "78.20"),
            2026: ("79.10", "82.60"),
        }),
        notes=(
            "Penumpang pelajar bertambah setelah tarif khusus pelajar berlaku.",
            "Trayek Sukamaju–Cibening berdesakan pada jam berangkat sekolah.",
            "Menambah 3 armada pada trayek Sukamaju–Cibening di jam sibuk pagi.",
        ),
    ),
    Spec(
        "IKK.ANG.2", DIVISION, "Rata-rata waktu tempuh angkutan umum pada jam sibuk", "menit", INDEX, LOWER, AVERAGE,
        "Rata-rata waktu tempuh angkutan perdesaan trayek Terminal Sukamaju – Pasar Induk Cibening pada jam sibuk "
        "pagi (06.00–08.00) dan sore (16.00–18.00).",
        "Σ waktu tempuh perjalanan sampel ÷ jumlah perjalanan sampel dalam triwulan",
        "Survei waktu tempuh dengan GPS tracker, Seksi Angkutan Orang",
        "52", ("50", "48", "46", "45", "44"), parent="IKU.3", unit="Bidang Angkutan",
        pace=("0.88", "1.01", "1.02", "1.00", "1.03"),
        notes=(
            "Penataan parkir di depan Pasar Induk Cibening mengurangi hambatan samping.",
            "Perbaikan jembatan Cigadung menutup satu lajur selama Agustus.",
            "Koordinasi jadwal pekerjaan jalan dengan Dinas PUPR agar tidak jatuh pada jam sibuk.",
        ),
    ),
    Spec(
        "IKK.SEK.1", DIVISION, "Persentase pengaduan masyarakat yang ditindaklanjuti", "%", PERCENT, HIGHER, LAST,
        "Bagian pengaduan masyarakat tentang layanan perhubungan (SP4N-LAPOR!, WhatsApp pengaduan, kotak saran) "
        "yang telah ditindaklanjuti dan dijawab.",
        "(Jumlah pengaduan yang ditindaklanjuti ÷ jumlah pengaduan yang diterima sejak awal tahun) × 100%",
        "Register pengaduan Subbagian Umum dan Kepegawaian",
        "82", ("85", "88", "90", "92", "95"), parent="IKU.4", unit="Sekretariat",
        pace=("1.00", "1.01", "1.00", "1.02", "0.82"),
        notes=(
            "Admin WhatsApp pengaduan ditetapkan dengan surat tugas.",
            "Pengaduan antrean uji KIR melonjak dan banyak yang perlu jawaban teknis dari UPT.",
            "Rapat mingguan tindak lanjut pengaduan bersama UPT PKB sampai antrean normal.",
        ),
    ),
    Spec(
        "IKK.SEK.2", DIVISION, "Persentase dokumen perencanaan dan pelaporan kinerja yang disusun tepat waktu", "%",
        PERCENT, HIGHER, LAST,
        "Bagian dokumen perencanaan dan pelaporan kinerja (Renja, RKA, PK, laporan triwulan, LKjIP) yang "
        "diserahkan sesuai jadwal Bappeda dan BPKAD.",
        "(Jumlah dokumen yang diserahkan tepat waktu ÷ jumlah dokumen yang wajib diserahkan sampai triwulan "
        "berjalan) × 100%",
        "Register dokumen Subbagian Perencanaan dan Program",
        "80", ("85", "90", "95", "100", "100"), parent="IKU.5", unit="Sekretariat",
        pace=("0.98", "1.00", "0.97", "1.00", "1.00"),
        notes=(
            "Aplikasi Kinerja memudahkan rekap laporan triwulan.",
            "Data realisasi Bidang Sarana dan Prasarana triwulan III terlambat masuk.",
            "Batas pengumpulan data realisasi ditetapkan tanggal 10 setelah triwulan berakhir.",
        ),
    ),
    Spec(
        "IKS.LL.1", ACTIVITY, "Jumlah ruas jalan yang dilakukan manajemen dan rekayasa lalu lintas", "ruas", COUNT,
        HIGHER, CUMULATIVE,
        "Banyaknya ruas jalan kabupaten yang mendapat penanganan manajemen dan rekayasa lalu lintas (perubahan "
        "arus, pembatasan, penataan parkir) dalam tahun berjalan.",
        "Σ ruas jalan yang selesai ditangani sejak Januari sampai akhir triwulan berjalan",
        "Laporan kegiatan Seksi Manajemen dan Rekayasa Lalu Lintas",
        "6", ("8", "8", "10", "10", "12"), parent="IKK.LL.1", unit=SEKSI_MRLL,
        pace=("1.00", "1.00", "1.10", "1.00", "1.00"),
        realized=_by_quarter({2025: ("2", "3", "2", "2")}),
        notes=(
            "Kajian manajemen lalu lintas kawasan pasar sudah tersedia dari 2025.",
            "Penolakan pedagang atas penataan parkir di Jalan Merdeka.",
            "Musyawarah dengan paguyuban pedagang difasilitasi Camat Sukamaju.",
        ),
    ),
    Spec(
        "IKS.ANG.1", ACTIVITY, "Persentase armada angkutan orang dengan izin penyelenggaraan aktif", "%", PERCENT,
        HIGHER, LAST,
        "Bagian armada angkutan orang yang beroperasi di Kabupaten Sukamaju yang memiliki izin penyelenggaraan "
        "angkutan yang masih berlaku.",
        "(Jumlah armada angkutan orang dengan izin aktif ÷ jumlah armada angkutan orang yang beroperasi) × 100%",
        "Data perizinan angkutan Seksi Angkutan Orang (OSS dan SPIONAM)",
        "78", ("82", "85", "88", "90", "92"), parent="IKK.ANG.1", unit="Seksi Angkutan Orang",
        pace=("1.00", "0.86", "1.01", "1.00", "0.96"),
        notes=(
            "Jemput bola perpanjangan izin di terminal setiap Selasa.",
            "Sebagian pemilik armada menunggu hasil uji KIR untuk memperpanjang izin.",
            "Izin diperpanjang bersyarat sampai alat uji rem baru beroperasi.",
        ),
    ),
    Spec(
        "IKS.SP.1", ACTIVITY, "Jumlah titik pemasangan rambu dan marka jalan baru", "titik", COUNT, HIGHER,
        CUMULATIVE,
        "Banyaknya lokasi yang mendapat rambu atau marka jalan baru dalam tahun berjalan.",
        "Σ titik pemasangan yang selesai sejak Januari sampai akhir triwulan berjalan",
        "Laporan pekerjaan Seksi Prasarana Perhubungan",
        "18", ("20", "24", "24", "28", "30"), parent="IKK.SP.1", unit="Seksi Prasarana Perhubungan",
        pace=("0.95", "1.04", "1.00", "1.00", "1"),
        realized=_by_quarter({2026: ("3", "1", "2")}),
        notes=(
            "Marka di 3 titik dikerjakan swakelola dengan sisa cat 2025.",
            "Lelang pengadaan rambu dan marka gagal pada triwulan II.",
            "Lelang ulang Oktober 2026; pekerjaan swakelola diperluas ke 4 titik rawan.",
        ),
    ),
    Spec(
        "IKI.1", INDIVIDUAL, "Jumlah dokumen analisis dampak lalu lintas (Andalalin) yang dinilai", "dokumen", COUNT,
        HIGHER, CUMULATIVE,
        "Banyaknya dokumen Andalalin pembangunan di jalan kabupaten yang selesai dinilai dan diberi rekomendasi.",
        "Σ dokumen Andalalin yang selesai dinilai sejak Januari sampai akhir triwulan berjalan",
        "Register penilaian Andalalin Seksi Manajemen dan Rekayasa Lalu Lintas",
        "14", ("15", "16", "18", "20", "22"), parent="IKS.LL.1", unit=SEKSI_MRLL, position="Analis Lalu Lintas",
        pace=("1.00", "1.06", "0.94", "1.05", "1.05"),
        notes=(
            "Formulir penilaian Andalalin dibakukan sehingga penilaian lebih cepat.",
            "Beberapa pemohon terlambat melengkapi gambar rencana akses.",
            "Daftar periksa kelengkapan dokumen dikirim kepada pemohon sebelum sidang.",
        ),
    ),
    Spec(
        "IKI.2", INDIVIDUAL, "Persentase kendaraan wajib uji yang diuji tepat waktu", "%", PERCENT, HIGHER, LAST,
        "Bagian kendaraan wajib uji yang menjalani uji berkala sebelum masa berlaku bukti lulus ujinya habis.",
        "(Jumlah kendaraan yang diuji sebelum masa berlaku habis ÷ jumlah kendaraan yang jatuh tempo uji) × 100%",
        "Aplikasi BLUe UPT Pengujian Kendaraan Bermotor",
        "80", ("82", "84", "86", "88", "90"), parent="IKK.SP.2", unit="UPT Pengujian Kendaraan Bermotor",
        position=KEPALA_UPT, pace=("1.00", "1.01", "0.99", "1.00", "1"),
        realized=_by_quarter({2026: ("85.00", "68.40", "52.60")}),
        notes=(
            "Pengingat jatuh tempo uji dikirim melalui SMS kepada pemilik kendaraan.",
            "Alat uji rem rusak sejak Mei 2026 sehingga uji kendaraan barang tertunda.",
            "Kendaraan jatuh tempo dirujuk ke UPT kabupaten tetangga dengan surat pengantar.",
        ),
    ),
    Spec(
        "IKI.3", INDIVIDUAL, "Persentase laporan keuangan yang disusun tepat waktu", "%", PERCENT, HIGHER, LAST,
        "Bagian laporan keuangan bulanan, triwulanan, dan tahunan yang diserahkan kepada BPKAD sesuai jadwal.",
        "(Jumlah laporan keuangan yang diserahkan tepat waktu ÷ jumlah laporan keuangan yang wajib diserahkan) "
        "× 100%",
        "Register penyerahan laporan Subbagian Keuangan",
        "90", ("92", "95", "100", "100", "100"), parent="IKK.SEK.2", unit="Subbagian Keuangan",
        position=KASUBBAG_KEUANGAN, pace=("0.99", "1.00", "0.98", "1.00", "1.00"),
        notes=(
            "Rekonsiliasi belanja dengan BPKAD dilakukan setiap bulan.",
            "Pergantian bendahara pengeluaran pada Juli.",
            "Bimbingan teknis aplikasi keuangan daerah untuk bendahara baru.",
        ),
    ),
]  # fmt: skip

# Each agreement: party one's position, its level and the indicators it promises. Party two is
# party one's superior, and the agreement cascades from party two's own agreement.
AGREEMENTS: list[tuple[str, str, list[str]]] = [
    (KADIS, PerformanceAgreement.Level.AGENCY, ["IKU.1", "IKU.2", "IKU.3", "IKU.4", "IKU.5"]),
    (SEKRETARIS, PerformanceAgreement.Level.DIVISION, ["IKK.SEK.1", "IKK.SEK.2"]),
    (KABID_LL, PerformanceAgreement.Level.DIVISION, ["IKK.LL.1", "IKK.LL.2"]),
    (KABID_ANG, PerformanceAgreement.Level.DIVISION, ["IKK.ANG.1", "IKK.ANG.2"]),
    (KABID_SP, PerformanceAgreement.Level.DIVISION, ["IKK.SP.1", "IKK.SP.2"]),
    (KASIE_MRLL, PerformanceAgreement.Level.SECTION, ["IKS.LL.1"]),
    ("Kepala Seksi Angkutan Orang", PerformanceAgreement.Level.SECTION, ["IKS.ANG.1"]),
    ("Kepala Seksi Prasarana Perhubungan", PerformanceAgreement.Level.SECTION, ["IKS.SP.1"]),
    ("Analis Lalu Lintas", PerformanceAgreement.Level.INDIVIDUAL, ["IKI.1"]),
    (KEPALA_UPT, PerformanceAgreement.Level.INDIVIDUAL, ["IKI.2"]),
    (KASUBBAG_KEUANGAN, PerformanceAgreement.Level.INDIVIDUAL, ["IKI.3"]),
]
BUPATI = "Bupati Sukamaju"
UNSIGNED = (KASUBBAG_KEUANGAN, CURRENT_YEAR)  # still a draft: the new treasurer has not signed yet

# The 2026 division target revised after signing, when the brake tester broke.
REVISED = "IKK.SP.2"
REVISED_ANNUAL, REVISED_Q3 = Decimal(8000), Decimal(1700)
REVISION_REASON = (
    "Alat uji rem UPT Pengujian Kendaraan Bermotor rusak sejak Mei 2026 dan penggantinya baru dianggarkan pada "
    "APBD Perubahan 2026, sehingga kapasitas uji triwulan III dan IV menurun."
)
# The quarters that show the dashboard's gaps: one not reported yet, one that cannot be measured.
NOT_REPORTED = ("IKK.SP.1", CURRENT_YEAR, 3)
NO_DATA = ("IKK.ANG.1", CURRENT_YEAR, 3)
NO_DATA_REASON = (
    "Survei load factor triwulan III tidak terlaksana: anggaran survei dialihkan untuk perbaikan alat uji rem "
    "(pergeseran anggaran Juli 2026)."
)


@dataclass(frozen=True)
class BudgetSpec:
    code: str
    kind: str
    name: str
    unit: str  # empty for a programme that spans several divisions
    indicators: tuple[str, ...]
    ceilings: tuple[int, ...] = ()  # per year; empty for a programme that adds up its activities
    current_shares: tuple[Decimal, ...] = SPENT_SHARES_CURRENT


PROGRAM, ACTIVITY_LINE = BudgetLine.Kind.PROGRAM, BudgetLine.Kind.ACTIVITY
LLAJ = "2.15.02"
BUDGET: list[BudgetSpec] = [
    BudgetSpec(
        "2.15.01", PROGRAM, "PROGRAM PENUNJANG URUSAN PEMERINTAHAN DAERAH KABUPATEN/KOTA", "Sekretariat",
        ("IKU.4", "IKU.5", "IKK.SEK.1", "IKK.SEK.2", "IKI.3"),
        (1_850_000_000, 1_920_000_000, 2_050_000_000, 2_130_000_000, 2_240_000_000),
    ),
    BudgetSpec(
        LLAJ, PROGRAM, "PROGRAM PENYELENGGARAAN LALU LINTAS DAN ANGKUTAN JALAN (LLAJ)", "", ("IKU.1", "IKU.2", "IKU.3"),
    ),
    BudgetSpec(
        "2.15.02.2.02", ACTIVITY_LINE, "Penyediaan Perlengkapan Jalan di Jalan Kabupaten/Kota",
        "Bidang Sarana dan Prasarana", ("IKU.2", "IKK.LL.2", "IKK.SP.1", "IKS.SP.1"),
        (1_150_000_000, 1_240_000_000, 1_310_000_000, 1_420_000_000, 1_380_000_000),
        # The failed sign tender of the second quarter left most of the 2026 ceiling unspent.
        current_shares=(Decimal("0.12"), Decimal("0.04"), Decimal("0.08")),
    ),
    BudgetSpec(
        "2.15.02.2.05", ACTIVITY_LINE, "Pengujian Berkala Kendaraan Bermotor", "UPT Pengujian Kendaraan Bermotor",
        ("IKU.3", "IKK.SP.2", "IKI.2"),
        (640_000_000, 675_000_000, 710_000_000, 745_000_000, 1_260_000_000),
        # 2026 includes the new brake tester, bought only after the budget change (APBD Perubahan).
        current_shares=(Decimal("0.10"), Decimal("0.12"), Decimal("0.09")),
    ),
    BudgetSpec(
        "2.15.02.2.06", ACTIVITY_LINE,
        "Pelaksanaan Manajemen dan Rekayasa Lalu Lintas untuk Jaringan Jalan Kabupaten/Kota", "Bidang Lalu Lintas",
        ("IKU.1", "IKK.LL.1", "IKS.LL.1", "IKI.1"),
        (480_000_000, 515_000_000, 560_000_000, 590_000_000, 620_000_000),
    ),
    BudgetSpec(
        "2.15.02.2.09", ACTIVITY_LINE,
        "Penyediaan Angkutan Umum untuk Jasa Angkutan Orang dan/atau Barang antar Kota dalam 1 (satu) Daerah "
        "Kabupaten/Kota", "Bidang Angkutan", ("IKK.ANG.1", "IKK.ANG.2", "IKS.ANG.1"),
        (365_000_000, 390_000_000, 410_000_000, 435_000_000, 455_000_000),
    ),
]  # fmt: skip


def _dishub() -> Agency:
    agency = Agency.objects.filter(local_government__name=REGENCY, name=AGENCY_NAME).first()
    if agency is None:
        raise DemoError("Load the organisation demo (kinerja.org.demo.load_demo) before the performance demo.")
    return agency


def performance_demo_loaded() -> bool:
    return StrategicPlan.objects.filter(agency__local_government__name=REGENCY, agency__name=AGENCY_NAME).exists()


def _round(value: Decimal, scale: str) -> Decimal:
    return value.quantize(Decimal(1) if scale == COUNT else Decimal("0.01"), rounding=ROUND_HALF_UP)


def _annual(spec: Spec, year: int) -> TargetInput:
    raw = spec.targets[year - FIRST_YEAR]
    if spec.scale == QUALITATIVE:
        return TargetInput(text=str(raw))
    if isinstance(raw, tuple):
        return TargetInput(value=Decimal(raw[0]), upper=Decimal(raw[1]))
    return TargetInput(value=Decimal(raw))


def _quarterly(spec: Spec, year: int) -> dict[int, TargetInput]:
    """The quarters' targets, shaped by how the quarters add up (the aggregation)."""
    annual = _annual(spec, year)
    if spec.scale == QUALITATIVE or spec.polarity == RANGE or spec.aggregation == AVERAGE:
        return dict.fromkeys(QUARTERS, annual)
    assert annual.value is not None
    if spec.aggregation == CUMULATIVE:
        # Rounded running totals, so that the quarters add up to the annual target exactly.
        totals = [Decimal(0)] + [_round(annual.value * share, spec.scale) for share in CUMULATIVE_SHARES]
        return {q: TargetInput(value=totals[q] - totals[q - 1]) for q in QUARTERS}
    # A level (last value) climbs from last year's target, or the baseline, to this year's.
    start = _annual(spec, year - 1).value if year > FIRST_YEAR else Decimal(spec.baseline or 0)
    assert start is not None
    return {q: TargetInput(value=_round(start + (annual.value - start) * q / 4, spec.scale)) for q in QUARTERS}


def _realized(spec: Spec, year: int, quarter: int, target: TargetInput, rng: random.Random) -> Decimal | str:
    """The quarter's realisation: the explicit figure if the spec has one, else the target at the year's pace."""
    if (year, quarter) in spec.realized:
        raw = spec.realized[(year, quarter)]
        return raw if spec.scale == QUALITATIVE else Decimal(raw)
    if spec.scale == QUALITATIVE or spec.polarity == RANGE or target.value is None:
        raise DemoError(f"{spec.code} needs an explicit realisation for {year} Q{quarter}.")
    # A little noise around the pace, so that quarters do not all land on the same achievement.
    pace = Decimal(spec.pace[year - FIRST_YEAR]) * (1 + Decimal(rng.randint(-20, 20)) / 1000)
    # Lower is better: 105 % achieved means 5 % below the target, as (2T − R) / T reads it.
    value = target.value * (2 - pace) if spec.polarity == LOWER else target.value * pace
    if spec.scale == PERCENT:
        value = min(value, Decimal(100))
    return _round(max(value, Decimal(0)), spec.scale)


def _create_plan(agency: Agency, by: User) -> tuple[StrategicPlan, dict[str, Indicator]]:
    plan = create_plan(
        agency=agency, name=f"Renstra {AGENCY_NAME} {FIRST_YEAR}–{LAST_YEAR}", start_year=FIRST_YEAR,
        end_year=LAST_YEAR, by=by,
    )  # fmt: skip
    objectives: dict[str, Objective] = {}
    for goal_order, (goal_code, goal_statement, goal_objectives) in enumerate(GOALS, 1):
        goal = save_goal(plan=plan, code=goal_code, statement=goal_statement, sort_order=goal_order, by=by)
        for order, (code, statement) in enumerate(goal_objectives, 1):
            objectives[code] = save_objective(goal=goal, code=code, statement=statement, sort_order=order, by=by)
    units = {u.name: u for u in Unit.objects.filter(agency=agency)}
    positions = {p.title: p for p in Position.objects.filter(agency=agency)}
    indicators: dict[str, Indicator] = {}
    for order, spec in enumerate(SPECS, 1):
        parent = indicators.get(spec.parent) if spec.parent else None
        end = _annual(spec, LAST_YEAR)
        values = {
            "objective": parent.objective if parent else objectives[spec.objective], "parent": parent,
            "kind": spec.kind, "code": spec.code, "name": spec.name, "unit_of_measure": spec.unit_of_measure,
            "scale": spec.scale, "polarity": spec.polarity, "aggregation": spec.aggregation,
            "definition": spec.definition, "formula": spec.formula, "data_source": spec.data_source,
            "baseline": Decimal(spec.baseline) if spec.baseline else None, "baseline_year": BASELINE_YEAR,
            "end_target": end.value, "end_target_upper": end.upper, "end_target_text": end.text,
            "responsible_unit": units[spec.unit] if spec.unit else None,
            "responsible_position": positions[spec.position] if spec.position else None, "sort_order": order * 10,
        }  # fmt: skip
        indicator = save_indicator(plan=plan, values=values, by=by)
        indicators[spec.code] = indicator
        set_plan_targets(indicator=indicator, targets={year: _annual(spec, year) for year in YEARS}, by=by)
    return plan, indicators


def _agreements(plan: StrategicPlan, year: int, indicators: dict[str, Indicator], by: User) -> None:
    positions = {p.title: p for p in Position.objects.filter(agency=plan.agency)}
    specs = {spec.code: spec for spec in SPECS}
    made: dict[int, PerformanceAgreement] = {}  # by party one's position id
    for title, level, codes in AGREEMENTS:
        party_one = positions[title]
        agency_level = level == PerformanceAgreement.Level.AGENCY
        agreement = create_agreement(
            plan=plan, year=year, level=level, party_one=party_one,
            party_two=None if agency_level else party_one.superior, party_two_title=BUPATI if agency_level else "",
            parent=None if agency_level else made[party_one.superior_id], by=by,
        )  # fmt: skip
        made[party_one.pk] = agreement
        targets: dict[tuple[int, int], TargetInput] = {}
        for code in codes:
            indicator_id = indicators[code].pk
            targets[(indicator_id, AgreementTarget.ANNUAL)] = _annual(specs[code], year)
            targets.update({(indicator_id, q): t for q, t in _quarterly(specs[code], year).items()})
        set_agreement_targets(agreement=agreement, targets=targets, by=by)
        if (title, year) != UNSIGNED:
            sign_agreement(agreement=agreement, version=agreement.version, signed_on=date(year, 1, 31), by=by)


def _revise(indicator: Indicator, by: User) -> None:
    """Lowers the signed 2026 target of the brake-test indicator, keeping the quarters consistent with the year."""
    target = AgreementTarget.objects.select_related("agreement").get(
        indicator=indicator, year=CURRENT_YEAR, quarter=AgreementTarget.ANNUAL
    )
    first_half = sum(
        AgreementTarget.objects.filter(indicator=indicator, year=CURRENT_YEAR, quarter__in=(1, 2)).values_list(
            "value", flat=True
        ),
        Decimal(0),
    )
    set_agreement_targets(
        agreement=target.agreement,
        targets={
            (indicator.pk, AgreementTarget.ANNUAL): TargetInput(value=REVISED_ANNUAL),
            (indicator.pk, 3): TargetInput(value=REVISED_Q3),
            (indicator.pk, 4): TargetInput(value=REVISED_ANNUAL - first_half - REVISED_Q3),
        },
        reason=REVISION_REASON,
        by=by,
    )


def _realizations(year: int, indicators: dict[str, Indicator], rng: random.Random, by: User) -> None:
    for spec in SPECS:
        indicator = indicators[spec.code]
        quarterly = _quarterly(spec, year)
        notes = spec.notes if year == CURRENT_YEAR else ("", "", "")
        for quarter in REPORTED_QUARTERS[year]:
            key = (spec.code, year, quarter)
            if key == NOT_REPORTED:
                continue
            if key == NO_DATA:
                record_realization(
                    indicator=indicator, year=year, quarter=quarter, version=NEW, no_data=True,
                    no_data_reason=NO_DATA_REASON, follow_up=notes[2], by=by,
                )  # fmt: skip
                continue
            value = _realized(spec, year, quarter, quarterly[quarter], rng)
            record_realization(
                indicator=indicator, year=year, quarter=quarter, version=NEW,
                value=value if isinstance(value, Decimal) else None, text=value if isinstance(value, str) else "",
                factors_helped=notes[0], factors_hindered=notes[1], follow_up=notes[2], by=by,
            )  # fmt: skip


def _spent(ceiling: Decimal, shares: tuple[Decimal, ...], rng: random.Random) -> list[Decimal | None]:
    # Each line absorbs its budget a little differently; at most 99 % of the ceiling in a full year.
    factor = Decimal(rng.randint(92, 104)) / 100
    spent: list[Decimal | None] = [
        (ceiling * share * factor / 1000).quantize(Decimal(1), rounding=ROUND_HALF_UP) * 1000 for share in shares
    ]
    return spent + [None] * (4 - len(spent))


def _budget(agency: Agency, year: int, indicators: dict[str, Indicator], rng: random.Random, by: User) -> None:
    units = {u.name: u for u in Unit.objects.filter(agency=agency)}
    figures: dict[str, tuple[Decimal, list[Decimal | None]]] = {}
    for line in BUDGET:
        if line.ceilings:
            ceiling = Decimal(line.ceilings[year - FIRST_YEAR])
            shares = SPENT_SHARES if year < CURRENT_YEAR else line.current_shares
            figures[line.code] = (ceiling, _spent(ceiling, shares, rng))
    # A programme with activities listed is their total, as in the DPA.
    for line in BUDGET:
        if not line.ceilings:
            parts = [f for code, f in figures.items() if code.startswith(line.code + ".")]
            spent = [
                None if any(p[1][q] is None for p in parts) else sum((p[1][q] or Decimal(0) for p in parts), Decimal(0))
                for q in range(4)
            ]
            figures[line.code] = (sum((p[0] for p in parts), Decimal(0)), spent)
    for line in BUDGET:
        ceiling, spent = figures[line.code]
        values = {
            "kind": line.kind, "code": line.code, "name": line.name, "unit": units[line.unit] if line.unit else None,
            "ceiling": ceiling, **{f"spent_q{q}": spent[q - 1] for q in QUARTERS},
        }  # fmt: skip
        save_budget_line(
            agency=agency, year=year, values=values, indicators=[indicators[c] for c in line.indicators], by=by
        )


@transaction.atomic
def load_performance_demo() -> bool:
    """Loads the Dinas Perhubungan performance plan once. Returns False when the agency already has a plan."""
    agency = _dishub()
    if StrategicPlan.objects.filter(agency=agency).exists():
        return False
    by = User.objects.get(username=PLANNER)
    rng = random.Random(2026)
    plan, indicators = _create_plan(agency, by)
    for year in YEARS:
        _agreements(plan, year, indicators, by)
        if year == CURRENT_YEAR:
            _revise(indicators[REVISED], by)
        _realizations(year, indicators, rng, by)
        _budget(agency, year, indicators, rng, by)
    return True
