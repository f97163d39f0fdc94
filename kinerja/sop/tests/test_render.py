"""The SOP renderer: the grid layout and its SVG read back as structure (rows, symbols, arrows, connectors), for
the six seed SOPs and a generated 40-step SOP; then the PDF, DOCX and SOP book built from them.

The layout and SVG tests are plain functions without a database: they parse the SVG with ElementTree and check
what the regulation asks of the drawing, not the coordinates the router happened to choose.
"""

from __future__ import annotations

import io
import re
import zlib
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from django.core.management import call_command
from docx import Document
from docx.enum.section import WD_ORIENT

from kinerja.sop.management.commands.render_seed_sops import Command as RenderSeedSops
from kinerja.sop.render.document import book_html, book_pdf, document_docx, document_html, document_pdf
from kinerja.sop.render.layout import GUARD, Layout, LayoutOptions, connector_label, layout
from kinerja.sop.render.svg import page_svg
from kinerja.sop.seedfiles import seed_sops
from kinerja.sop.spec import Identity, Lane, ProcedureSpec, Step, Symbol, flow_targets, parse_durations, problems

SVG = "{http://www.w3.org/2000/svg}"
KINDS = {"terminator", "process", "decision"}
POINTS_PER_MM = 72 / 25.4
JENEPONTO = 3  # seed 4: a decision whose Tidak loops back


def forty_step_spec() -> ProcedureSpec:
    """Five lanes, 40 steps: a joint meeting (12), a joint step near the end (36), a same-page loop (17 → 15),
    a decision whose Ya crosses a page break and whose Tidak loops back on its page (18), a loop-back across a
    page break (22 → 13) and a forward skip over two steps (30 → 33)."""
    lanes = [
        Lane("kadis", "Kepala Dinas"),
        Lane("sekretaris", "Sekretaris"),
        Lane("kabid", "Kepala Bidang"),
        Lane("kasubbag", "Kasubbag Perencanaan"),
        Lane("staf", "Staf"),
    ]
    cycle = ["sekretaris", "kabid", "kasubbag", "staf", "kabid", "kasubbag", "sekretaris"]
    steps = [
        Step(
            number=n,
            text=f"Melaksanakan kegiatan nomor {n}",
            lanes=[cycle[n % len(cycle)]],
            inputs=["Dokumen masukan"],
            durations=parse_durations("1 jam"),
            outputs=["Dokumen keluaran"],
        )
        for n in range(1, 41)
    ]
    steps[0].symbol, steps[0].lanes = Symbol.TERMINATOR, ["kadis"]
    steps[39].symbol, steps[39].lanes = Symbol.TERMINATOR, ["staf"]
    steps[11].lanes = ["kabid", "kasubbag", "staf"]
    steps[35].lanes = ["kadis", "sekretaris"]
    for number, lane, yes, no in ((17, "sekretaris", 18, 15), (18, "kadis", 19, 11), (22, "kabid", 23, 13)):
        steps[number - 1].symbol, steps[number - 1].lanes = Symbol.DECISION, [lane]
        steps[number - 1].yes, steps[number - 1].no = yes, no
    steps[29].symbol, steps[29].lanes, steps[29].yes, steps[29].no = Symbol.DECISION, ["kasubbag"], 33, 31
    steps[29].yes_label, steps[29].no_label = "Lengkap", "Tidak"
    identity = Identity(
        title="Uji Empat Puluh Langkah",
        government="Pemerintah Kabupaten Contoh",
        agency="Dinas Perhubungan",
        number="001/SOP/UJI/2025",
        legal_basis=["Peraturan Menteri PANRB Nomor 35 Tahun 2012"],
    )
    return ProcedureSpec(identity=identity, lanes=lanes, steps=steps)


SPECS = [(seed.slug, seed.spec) for seed in seed_sops()] + [("forty-steps", forty_step_spec())]
OPTIONS = [LayoutOptions(page_size="A4"), LayoutOptions(page_size="F4")]


@pytest.fixture(
    params=[(spec, options) for spec in SPECS for options in OPTIONS], ids=lambda p: f"{p[0][0]}-{p[1].page_size}"
)
def drawn(request: pytest.FixtureRequest) -> tuple[ProcedureSpec, Layout, list[ET.Element]]:
    (_, spec), options = request.param
    result = layout(spec, options)
    return spec, result, [ET.fromstring(page_svg(result, page)) for page in result.pages]


def _all(svg: ET.Element, tag: str, cls: str) -> list[ET.Element]:
    return [e for e in svg.iter(f"{SVG}{tag}") if cls in (e.get("class") or "").split()]


def _path_points(d: str) -> list[tuple[float, float]]:
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", d)]
    assert d.startswith("M") and set(re.findall(r"[A-Za-z]", d)) <= {"M", "L"}
    return list(zip(numbers[::2], numbers[1::2], strict=True))


def _box(group: ET.Element) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) of a symbol or connector group's shape."""
    shape = next(iter(group))
    if shape.tag == f"{SVG}rect":
        x, y = float(shape.get("x")), float(shape.get("y"))
        return x, y, x + float(shape.get("width")), y + float(shape.get("height"))
    pairs = [tuple(map(float, p.split(","))) for p in shape.get("points").split()]
    xs, ys = [p[0] for p in pairs], [p[1] for p in pairs]
    return min(xs), min(ys), max(xs), max(ys)


def _expected_kind(spec: ProcedureSpec, step: Step) -> str:
    if step.number in (1, len(spec.steps)) or step.symbol == Symbol.TERMINATOR:
        return "terminator"
    return "decision" if step.symbol == Symbol.DECISION else "process"


def _page_of(pages: list[ET.Element]) -> dict[int, int]:
    return {int(n): i for i, svg in enumerate(pages) for n in svg.get("data-steps").split()}


# the drawing


def test_one_row_per_step_in_order_and_pages_break_only_between_rows(drawn) -> None:  # noqa: ANN001
    spec, result, pages = drawn
    rows = [int(row.get("data-step")) for svg in pages for row in _all(svg, "rect", "row")]
    assert rows == [s.number for s in spec.steps]
    options = result.options
    for i, (page, svg) in enumerate(zip(result.pages, pages, strict=True)):
        capacity = options.steps_on_first_page if i == 0 else options.steps_on_next_pages
        assert 1 <= len(page.rows) <= capacity
        # rows follow each other without gaps: a page ends on a row boundary
        tops = [float(r.get("y")) for r in _all(svg, "rect", "row")]
        heights = [float(r.get("height")) for r in _all(svg, "rect", "row")]
        assert all(abs(a + h - b) < 0.02 for a, h, b in zip(tops, heights, tops[1:], strict=False))
        assert abs(float(svg.get("viewBox").split()[3]) - page.height) < 0.02


def test_each_step_has_its_symbol_in_each_of_its_lanes(drawn) -> None:  # noqa: ANN001
    spec, result, pages = drawn
    lanes = {lane.key: lane for lane in result.columns.lanes}
    symbols = [group for svg in pages for group in _all(svg, "g", "symbol")]
    assert {kind for g in symbols for kind in g.get("class").split()} - {"symbol"} <= KINDS
    rows = {int(r.get("data-step")): r for svg in pages for r in _all(svg, "rect", "row")}
    for step in spec.steps:
        mine = [g for g in symbols if int(g.get("data-step")) == step.number]
        assert sorted(g.get("data-lane") for g in mine) == sorted(step.lanes), step.number
        for group in mine:
            assert group.get("class") == f"symbol {_expected_kind(spec, step)}"
            left, top, right, bottom = _box(group)
            lane, row = lanes[group.get("data-lane")], rows[step.number]
            assert lane.x < left < right < lane.right
            assert float(row.get("y")) < top < bottom < float(row.get("y")) + float(row.get("height"))
    assert symbols[0].get("class") == symbols[-1].get("class") == "symbol terminator"


def test_only_the_five_symbols_are_drawn(drawn) -> None:  # noqa: ANN001
    _, _, pages = drawn
    for svg in pages:
        for shape in svg.iter():
            if shape.tag in (f"{SVG}polygon", f"{SVG}ellipse", f"{SVG}circle"):
                parent = next(g for g in svg.iter(f"{SVG}g") if shape in list(g))
                assert parent.get("class") in ("symbol decision", "connector")
        texts = {t.text for t in svg.iter(f"{SVG}text")}
        labels = {c.get("data-label") for c in _all(svg, "g", "connector")}
        labels |= {a.get("data-label") for a in _all(svg, "path", "arrow") if a.get("data-label")}
        assert texts <= labels


def test_joint_steps_are_linked_without_arrowheads(drawn) -> None:  # noqa: ANN001
    spec, _, pages = drawn
    joints = [line for svg in pages for line in _all(svg, "line", "joint")]
    for step in spec.steps:
        mine = [j for j in joints if int(j.get("data-step")) == step.number]
        assert len(mine) == len(step.lanes) - 1
        for line in mine:
            assert line.get("y1") == line.get("y2") and line.get("marker-end") is None


def test_every_flow_edge_is_an_arrow_or_a_connector_pair(drawn) -> None:  # noqa: ANN001
    spec, _, pages = drawn
    page_of = _page_of(pages)
    arrows = [(i, a) for i, svg in enumerate(pages) for a in _all(svg, "path", "arrow")]
    connectors = [(i, c) for i, svg in enumerate(pages) for c in _all(svg, "g", "connector")]
    expected = 0
    for step in spec.steps:
        for target in flow_targets(spec, step):
            label = ""
            if step.symbol == Symbol.DECISION:
                label = step.yes_label if target == step.yes else step.no_label
            ends = [
                (i, a) for i, a in arrows if a.get("data-from") == str(step.number) and a.get("data-to") == str(target)
            ]
            source_page, target_page = page_of[step.number], page_of[target]
            if source_page == target_page:
                expected += 1
                assert len(ends) == 1, (step.number, target)
                assert ends[0][0] == source_page and ends[0][1].get("data-connector") is None
            else:
                expected += 2
                assert sorted(i for i, _ in ends) == sorted([source_page, target_page])
                letters = {a.get("data-connector") for _, a in ends}
                assert len(letters) == 1 and None not in letters
                letter = letters.pop()
                pair = [(i, c) for i, c in connectors if c.get("data-label") == letter]
                assert sorted((i, c.get("data-direction")) for i, c in pair) == sorted(
                    [(source_page, "out"), (target_page, "in")]
                )
            leaving = next(a for i, a in ends if i == source_page)
            assert (leaving.get("data-label") or "") == label
    assert len(arrows) == expected


def test_decisions_have_both_exits_labelled(drawn) -> None:  # noqa: ANN001
    spec, _, pages = drawn
    page_of = _page_of(pages)
    for step in (s for s in spec.steps if s.symbol == Symbol.DECISION):
        exits = [
            a for a in _all(pages[page_of[step.number]], "path", "arrow") if a.get("data-from") == str(step.number)
        ]
        assert sorted(a.get("data-label") for a in exits) == sorted([step.yes_label, step.no_label])
        shown = [t.text for t in _all(pages[page_of[step.number]], "text", "arrow-label")]
        assert step.yes_label in shown and step.no_label in shown


def test_connectors_come_in_pairs_on_the_bands_of_their_pages(drawn) -> None:  # noqa: ANN001
    spec, result, pages = drawn
    page_of = _page_of(pages)
    seen: dict[str, dict[str, ET.Element]] = {}
    for i, svg in enumerate(pages):
        page = result.pages[i]
        for connector in _all(svg, "g", "connector"):
            label, direction = connector.get("data-label"), connector.get("data-direction")
            assert direction not in seen.setdefault(label, {})
            seen[label][direction] = connector
            source, target = int(connector.get("data-from")), int(connector.get("data-to"))
            _, top, _, bottom = _box(connector)
            if direction == "out":
                assert page_of[source] == i and connector.get("data-lane") in spec.step(source).lanes
                assert top >= page.rows_bottom  # under the last row
            else:
                assert page_of[target] == i and connector.get("data-lane") in spec.step(target).lanes
                assert bottom <= page.top_band  # above the first row
    assert all(set(pair) == {"out", "in"} for pair in seen.values())
    assert sorted(seen, key=lambda s: (len(s), s)) == [connector_label(i) for i in range(len(seen))]


def test_arrows_are_orthogonal_inside_the_lane_area_and_miss_other_symbols(drawn) -> None:  # noqa: ANN001
    _, result, pages = drawn
    for page, svg in zip(result.pages, pages, strict=True):
        boxes = [(g.get("data-step"), _box(g)) for g in _all(svg, "g", "symbol")]
        for arrow in _all(svg, "path", "arrow"):
            points = _path_points(arrow.get("d"))
            assert len(points) >= 2 and arrow.get("marker-end")
            for x, y in points:
                assert GUARD - 0.01 <= x <= page.width - GUARD + 0.01
                assert -0.01 <= y <= page.height + 0.01
            segments = list(zip(points, points[1:], strict=False))
            for k, ((ax, ay), (bx, by)) in enumerate(segments):
                assert abs(ax - bx) < 0.01 or abs(ay - by) < 0.01, arrow.get("d")
                for step, (left, top, right, bottom) in boxes:
                    if (k == 0 and step == arrow.get("data-from")) or (
                        k == len(segments) - 1 and step == arrow.get("data-to")
                    ):
                        continue
                    inside_x = min(ax, bx) < right - 0.01 and max(ax, bx) > left + 0.01
                    inside_y = min(ay, by) < bottom - 0.01 and max(ay, by) > top + 0.01
                    assert not (inside_x and inside_y), (arrow.get("data-from"), arrow.get("data-to"), step)


def test_forty_steps_span_several_pages_with_a_loop_back_across_a_break() -> None:
    spec = forty_step_spec()
    assert problems(spec) == []
    result = layout(spec, LayoutOptions(page_size="A4"))
    assert [len(p.rows) for p in result.pages] == [8, 10, 10, 10, 2]
    pages = [ET.fromstring(page_svg(result, page)) for page in result.pages]
    back = [
        a
        for svg in pages
        for a in _all(svg, "path", "arrow")
        if a.get("data-to") == "13" and a.get("data-from") == "22"
    ]
    assert len(back) == 2 and back[0].get("data-connector") == back[1].get("data-connector")
    # the loop-back on its own page leaves the diamond sideways and enters step 15 from its side
    loop = next(a for a in _all(pages[1], "path", "arrow") if a.get("data-from") == "17" and a.get("data-to") == "15")
    first, second, *_, last = _path_points(loop.get("d"))
    assert abs(first[1] - second[1]) < 0.01 and abs(_path_points(loop.get("d"))[-2][1] - last[1]) < 0.01


def test_layout_options_change_the_pages_and_columns() -> None:
    spec = forty_step_spec()
    result = layout(spec, LayoutOptions(page_size="F4", first_page_steps=5, next_page_steps=7, lane_width=20))
    assert [len(p.rows) for p in result.pages] == [5, 7, 7, 7, 7, 7]
    assert {lane.width for lane in result.columns.lanes} == {20}
    assert abs(result.columns.total - (330 - 20)) < 0.01
    assert layout(spec, LayoutOptions()).columns.total == pytest.approx(297 - 20)
    with pytest.raises(ValueError):
        layout(spec, LayoutOptions(next_page_steps=40))
    with pytest.raises(ValueError):
        LayoutOptions(page_size="Letter")
    assert [connector_label(i) for i in (0, 25, 26, 27, 51, 52)] == ["A", "Z", "AA", "AB", "AZ", "BA"]


# the documents


def _inflated(pdf: bytes) -> bytes:
    """The PDF with its compressed streams (object streams included) inflated, to read dictionaries."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n", pdf):
        try:
            parts.append(zlib.decompressobj().decompress(pdf[match.end() :]))
        except zlib.error:
            continue
    return b"\n".join(parts)


def _page_sizes(pdf: bytes) -> set[tuple[int, int]]:
    boxes = re.findall(rb"/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]", _inflated(pdf))
    return {(round(float(x2) - float(x1)), round(float(y2) - float(y1))) for x1, y1, x2, y2 in boxes}


def _page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", _inflated(pdf)))


@pytest.mark.parametrize(("size", "mm"), [("A4", (297, 210)), ("F4", (330, 215))])
def test_pdf_is_landscape_in_the_chosen_size(size: str, mm: tuple[int, int]) -> None:
    spec = seed_sops()[JENEPONTO].spec
    pdf = document_pdf(spec, options=LayoutOptions(page_size=size), version_label="Versi 1", revised_on="-")
    assert pdf.startswith(b"%PDF")
    ((width, height),) = _page_sizes(pdf)
    assert width > height
    assert abs(width - mm[0] * POINTS_PER_MM) <= 2 and abs(height - mm[1] * POINTS_PER_MM) <= 2
    assert _page_count(pdf) == 1 + len(layout(spec, LayoutOptions(page_size=size)).pages)


class _Collector(HTMLParser):
    """Text of elements with a given class, and the tags seen, for reading the document's HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.texts: dict[str, list[str]] = {}
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in ("img", "col", "br", "meta"):
            self.stack.append(dict(attrs).get("class") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag not in ("img", "col", "br", "meta") and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        for cls in {c for entry in self.stack for c in entry.split()}:
            self.texts.setdefault(cls, []).append(data)

    def text(self, cls: str) -> str:
        return " ".join(" ".join(self.texts.get(cls, [])).split())


def test_document_html_has_the_identity_block_and_a_table_per_flowchart_page() -> None:
    spec = seed_sops()[JENEPONTO].spec
    html = document_html(spec, options=LayoutOptions(), version_label="Versi 2", revised_on="3 Maret 2025")
    parsed = _Collector()
    parsed.feed(html)
    for label in ("Nomor SOP", "Tanggal Pembuatan", "Tanggal Revisi", "Tanggal Efektif", "Disahkan oleh", "Nama SOP"):
        assert f"<th>{label}</th>" in html
    for title in ("Dasar Hukum", "Kualifikasi Pelaksana", "Keterkaitan", "Peralatan/Perlengkapan", "Peringatan"):
        assert f"<th>{title}:</th>" in html
    assert "3 Maret 2025" in html and spec.identity.approver_nip in html and "{%" not in html
    assert "@page" in html and "297mm 210mm" in html and "extends" not in html
    tables = [attrs for tag, attrs in parsed.tags if tag == "table" and attrs.get("class") == "flow"]
    drawings = [attrs for tag, attrs in parsed.tags if tag == "img" and attrs["src"].startswith("data:image/svg+xml")]
    assert len(tables) == len(drawings) == len(layout(spec).pages)
    rows = [attrs for tag, attrs in parsed.tags if tag == "tr" and attrs.get("data-step")]
    assert [int(r["data-step"]) for r in rows] == [s.number for s in spec.steps]
    assert "1 Hari untuk laporan triwulan dan 15 Hari untuk laporan tahunan" in html
    assert all(lane.label in html for lane in spec.lanes)


def test_docx_has_one_flowchart_row_per_step_on_a_landscape_page() -> None:
    spec = seed_sops()[JENEPONTO].spec
    data = document_docx(spec, options=LayoutOptions(page_size="F4"), version_label="Versi 1", revised_on="-")
    word = Document(io.BytesIO(data))
    section = word.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    assert round(section.page_width.mm) == 330 and round(section.page_height.mm) == 215
    identity, sections, flow = word.tables
    assert identity.cell(5, 2).text == spec.identity.title.upper()
    assert sections.cell(0, 0).text == "Dasar Hukum:"
    step_rows = [row for row in flow.rows if row.cells[0].text.isdigit()]
    assert [int(row.cells[0].text) for row in step_rows] == [s.number for s in spec.steps]
    assert len(flow.rows) == 3 + len(spec.steps)
    decision = step_rows[4].cells
    assert "◇" in decision[2].text and "Ya → 6; Tidak → 4" in decision[-1].text
    assert "⬭" in step_rows[0].cells[2].text and "▭" in step_rows[1].cells[3].text


def test_book_has_a_cover_a_table_of_contents_and_every_sop() -> None:
    seeds = seed_sops()
    entries = [(seed.spec, "Versi 1", seed.spec.identity.revised_on) for seed in seeds]
    kwargs = {"title": "Standar Operasional Prosedur", "agency_name": "Dinas Perhubungan", "year": 2025}
    html = book_html(entries, **kwargs)
    parsed = _Collector()
    parsed.feed(html)
    assert "Standar Operasional Prosedur" in parsed.text("cover") and "2025" in parsed.text("cover")
    titles = [" ".join(t.split()) for t in parsed.texts["toc-title"]]
    assert titles == [seed.spec.identity.title for seed in seeds]
    links = [attrs["href"] for tag, attrs in parsed.tags if tag == "a"]
    anchors = [attrs["id"] for tag, attrs in parsed.tags if attrs.get("class") == "identity-page"]
    assert links == [f"#{anchor}" for anchor in anchors] and len(set(anchors)) == len(seeds)
    pdf = book_pdf(entries, **kwargs)
    assert pdf.startswith(b"%PDF")
    flow_pages = sum(len(layout(seed.spec).pages) for seed in seeds)
    assert _page_count(pdf) == 2 + len(seeds) + flow_pages  # cover, contents, identity + flowchart pages


def test_render_seed_sops_command_writes_one_pdf_per_seed(tmp_path: Path) -> None:
    out = io.StringIO()
    call_command(RenderSeedSops(), str(tmp_path / "pdf"), page_size="F4", stdout=out)
    written = out.getvalue().split()
    assert sorted(Path(p).name for p in written) == sorted(f"{seed.slug}.pdf" for seed in seed_sops())
    for path in written:
        data = Path(path).read_bytes()
        ((width, height),) = _page_sizes(data)
        assert data.startswith(b"%PDF") and abs(width - 935.4) <= 2 and abs(height - 609.4) <= 2
