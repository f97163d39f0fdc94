"""The flowchart of an SOP AP laid out on a fixed grid: one row per step, one column per lane (pelaksana).

PermenPAN-RB 35/2012 wants row i of the drawing to be row i of the table beside it (No, Uraian, Mutu Baku),
which no general graph layout (Graphviz, Mermaid) guarantees. So the layout is computed here, deterministically:
cells first, symbols in the cell centres, then arrows routed orthogonally through the gaps between rows and the
gutters at the sides of each lane, picking the cheapest candidate path that touches no other symbol.

Everything is pure data in millimetres. The origin of a page's drawing is the top-left corner of its lane area
(the Pelaksana columns); the HTML table places that drawing over those columns. No Django models here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from kinerja.sop.spec import ProcedureSpec, Step, Symbol, flow_targets

# Landscape (width, height) of the supported papers. F4 (Folio) is what most Pemda print on.
PAGE_SIZES: dict[str, tuple[float, float]] = {"A4": (297.0, 210.0), "F4": (330.0, 215.0)}

# The vertical budget of a flowchart page. The HTML template uses the same numbers, so the table rows and the
# drawing rows have one height and the page never overflows.
CAPTION_HEIGHT = 6.0  # the SOP name and page number above the table
HEADER_HEIGHTS = (6.0, 12.0, 4.5)  # Pelaksana/Mutu Baku group row, lane labels, column numbers (1) (2) …
FIRST_PAGE_HEADING = 20.0  # the "Bagian Flowchart" heading on the first flowchart page
BAND_HEIGHT = 10.0  # the strip above/below the rows that holds off-page connectors
SLACK = 3.0  # rounding of borders in the PDF engine
MIN_ROW_HEIGHT = 8.0
MIN_URAIAN_WIDTH = 30.0
DEFAULT_URAIAN_WIDTH = 60.0
LANE_WIDTH_RANGE = (14.0, 28.0)

GUARD = 1.2  # no arrow runs closer than this to a lane's edge, so none strays into Uraian or Mutu Baku
CHANNEL_STEP = 0.8  # distance between parallel vertical runs in one gutter
MAX_CHANNELS = 3  # per side of a lane
TRACK_OFFSETS = (1.2, 1.8)  # horizontal runs this far above/below a row boundary
CONNECTOR_SIZE = 6.0
PAD = 0.4  # clearance kept around every symbol
MIN_LEG = 3.0  # a first or last leg shorter than this is cramped
EPS = 1e-6

TERMINATOR = "terminator"
PROCESS = "process"
DECISION = "decision"
CONNECTOR = "connector"
SYMBOL_KINDS = (TERMINATOR, PROCESS, DECISION)

Point = tuple[float, float]


@dataclass(frozen=True)
class LayoutOptions:
    """How an SOP is put on paper. Widths are millimetres; `None` widths are worked out from the page."""

    page_size: str = "A4"
    margin: float = 10.0
    first_page_steps: int | None = None  # None: as many rows of `row_height` as fit (8 on A4)
    next_page_steps: int | None = None  # None: as many as fit (10 on A4)
    row_height: float = 13.5
    no_width: float = 8.0
    uraian_width: float | None = None  # None: whatever the other columns leave
    lane_width: float | None = None  # every lane; None: shared out of the room left, 14–28 mm
    lane_widths: Mapping[str, float] = field(default_factory=dict)  # per lane key, wins over lane_width
    kelengkapan_width: float = 30.0
    waktu_width: float = 18.0
    output_width: float = 30.0
    keterangan_width: float = 26.0

    def __post_init__(self) -> None:
        if self.page_size not in PAGE_SIZES:
            raise ValueError(f"Unknown page size {self.page_size!r}: use one of {', '.join(PAGE_SIZES)}.")
        if any(n is not None and n < 1 for n in (self.first_page_steps, self.next_page_steps)):
            raise ValueError("A flowchart page holds at least one step.")
        fixed = (self.no_width, self.kelengkapan_width, self.waktu_width, self.output_width, self.keterangan_width)
        if min(fixed) <= 0 or self.row_height <= 0 or self.margin < 0:
            raise ValueError("Column widths, the row height and the margin must be positive.")

    @property
    def steps_on_first_page(self) -> int:
        if self.first_page_steps is not None:
            return self.first_page_steps
        return _rows_that_fit(self, first=True)

    @property
    def steps_on_next_pages(self) -> int:
        if self.next_page_steps is not None:
            return self.next_page_steps
        return _rows_that_fit(self, first=False)

    @property
    def page_width(self) -> float:
        return PAGE_SIZES[self.page_size][0]

    @property
    def page_height(self) -> float:
        return PAGE_SIZES[self.page_size][1]

    @property
    def printable_width(self) -> float:
        return self.page_width - 2 * self.margin

    @property
    def printable_height(self) -> float:
        return self.page_height - 2 * self.margin


@dataclass(frozen=True)
class LaneColumn:
    key: str
    label: str
    x: float  # from the left edge of the lane area
    width: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def center(self) -> float:
        return self.x + self.width / 2


@dataclass(frozen=True)
class Columns:
    """The table's column widths, left to right."""

    no: float
    uraian: float
    lanes: tuple[LaneColumn, ...]
    kelengkapan: float
    waktu: float
    output: float
    keterangan: float

    @property
    def lane_area_width(self) -> float:
        return sum(lane.width for lane in self.lanes)

    @property
    def total(self) -> float:
        return (
            self.no + self.uraian + self.lane_area_width + self.kelengkapan + self.waktu + self.output + self.keterangan
        )


@dataclass(frozen=True)
class Shape:
    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2


@dataclass(frozen=True)
class PlacedSymbol(Shape):
    """A capsule, box or diamond of one step in one lane; (x, y, w, h) is its bounding box."""

    kind: str = PROCESS
    step: int = 0
    lane: str = ""


@dataclass(frozen=True)
class Connector(Shape):
    """An off-page connector (pentagon pointing down). `out` sits under the last row, in the lane the flow
    leaves from; the matching `in` one sits above the first row of the target's page, in the target's lane."""

    label: str = ""
    direction: str = "out"
    lane: str = ""
    source: int = 0
    target: int = 0
    kind: str = CONNECTOR


@dataclass(frozen=True)
class Arrow:
    """An orthogonal polyline with an arrowhead at its last point. `connector` names the off-page connector
    it starts or ends at when the flow crosses a page; `label` is "Ya"/"Tidak" on a decision's exits."""

    points: tuple[Point, ...]
    source: int
    target: int
    label: str = ""
    connector: str = ""


@dataclass(frozen=True)
class JointLink:
    """A plain line (no arrowhead) joining two symbols of one step done together by several lanes."""

    step: int
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class Row:
    step: int
    y: float
    h: float


@dataclass(frozen=True)
class Page:
    index: int  # 1-based among the flowchart pages
    rows: tuple[Row, ...]
    width: float
    height: float
    top_band: float
    bottom_band: float
    symbols: tuple[PlacedSymbol, ...]
    arrows: tuple[Arrow, ...]
    joints: tuple[JointLink, ...]
    connectors: tuple[Connector, ...]

    @property
    def steps(self) -> tuple[int, ...]:
        return tuple(row.step for row in self.rows)

    @property
    def rows_bottom(self) -> float:
        return self.top_band + sum(row.h for row in self.rows)


@dataclass(frozen=True)
class Layout:
    options: LayoutOptions
    columns: Columns
    row_height: float
    pages: tuple[Page, ...]


@dataclass(frozen=True)
class Edge:
    source: int
    target: int
    label: str = ""


def flow_edges(spec: ProcedureSpec) -> list[Edge]:
    """Every arrow of the flow, in step order; a decision's exits carry its Ya/Tidak labels."""
    numbers = {s.number for s in spec.steps}
    edges = []
    for step in spec.steps:
        for target in flow_targets(spec, step):
            if target not in numbers:
                continue
            label = ""
            if step.symbol == Symbol.DECISION:
                label = step.yes_label if target == step.yes else step.no_label
            edges.append(Edge(step.number, target, label))
    return edges


def symbol_kind(spec: ProcedureSpec, step: Step) -> str:
    """The regulation draws the first and the last activity as capsules; decisions are diamonds."""
    last = spec.steps[-1].number if spec.steps else 0
    if step.number in (1, last) or step.symbol == Symbol.TERMINATOR:
        return TERMINATOR
    if step.symbol == Symbol.DECISION:
        return DECISION
    return PROCESS


def connector_label(index: int) -> str:
    """A, B, … Z, AA, AB, …: the letters of the index-th connector pair (0-based)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def compute_columns(spec: ProcedureSpec, options: LayoutOptions) -> Columns:
    """Column widths that fill the printable width: Uraian takes what the others leave unless it is set."""
    fixed = options.no_width + options.kelengkapan_width + options.waktu_width + options.output_width
    fixed += options.keterangan_width
    room = options.printable_width - fixed
    count = max(len(spec.lanes), 1)
    if options.lane_width is not None:
        default = options.lane_width
    elif options.uraian_width is not None:
        default = (room - options.uraian_width) / count
    else:
        low, high = LANE_WIDTH_RANGE
        default = min(max((room - DEFAULT_URAIAN_WIDTH) / count, low), high)
    widths = [options.lane_widths.get(lane.key, default) for lane in spec.lanes]
    if min(widths, default=1.0) <= 0:
        raise ValueError("The performer columns do not fit on the page.")
    uraian = options.uraian_width if options.uraian_width is not None else room - sum(widths)
    if uraian < MIN_URAIAN_WIDTH or fixed + uraian + sum(widths) > options.printable_width + EPS:
        raise ValueError(
            f"The columns do not fit the {options.page_size} page: {len(spec.lanes)} performers, "
            f"{fixed + sum(widths):.0f} mm without Uraian, {options.printable_width:.0f} mm available."
        )
    lanes, x = [], 0.0
    for lane, width in zip(spec.lanes, widths, strict=True):
        lanes.append(LaneColumn(lane.key, lane.label, x, width))
        x += width
    return Columns(
        no=options.no_width,
        uraian=uraian,
        lanes=tuple(lanes),
        kelengkapan=options.kelengkapan_width,
        waktu=options.waktu_width,
        output=options.output_width,
        keterangan=options.keterangan_width,
    )


def body_height(options: LayoutOptions, *, first: bool) -> float:
    """Room for the rows (and both connector bands) on a flowchart page."""
    height = options.printable_height - CAPTION_HEIGHT - sum(HEADER_HEIGHTS) - SLACK
    return height - FIRST_PAGE_HEADING if first else height


def _rows_that_fit(options: LayoutOptions, *, first: bool) -> int:
    return max(int((body_height(options, first=first) - 2 * BAND_HEIGHT) / options.row_height + EPS), 1)


def fitted_row_height(options: LayoutOptions) -> float:
    """The row height asked for, lowered so the asked number of steps fits on each page."""
    first = (body_height(options, first=True) - 2 * BAND_HEIGHT) / options.steps_on_first_page
    following = (body_height(options, first=False) - 2 * BAND_HEIGHT) / options.steps_on_next_pages
    height = min(options.row_height, first, following)
    if height < MIN_ROW_HEIGHT:
        raise ValueError(
            f"{max(options.steps_on_first_page, options.steps_on_next_pages)} steps do not fit on one "
            f"{options.page_size} page; use fewer steps per page."
        )
    return round(height, 3)


def paginate(numbers: Sequence[int], options: LayoutOptions) -> list[list[int]]:
    """Step numbers per page: breaks fall only between rows."""
    pages, rest = [], list(numbers)
    size = options.steps_on_first_page
    while rest:
        pages.append(rest[:size])
        rest = rest[size:]
        size = options.steps_on_next_pages
    return pages


def layout(spec: ProcedureSpec, options: LayoutOptions | None = None) -> Layout:
    """The whole flowchart, page by page."""
    options = options or LayoutOptions()
    if not spec.lanes:
        raise ValueError("An SOP without performers cannot be drawn.")
    columns = compute_columns(spec, options)
    row_height = fitted_row_height(options)
    chunks = paginate([s.number for s in spec.steps], options)
    page_of = {number: index for index, chunk in enumerate(chunks) for number in chunk}
    lane_index = {lane.key: i for i, lane in enumerate(spec.lanes)}
    step_lanes = {s.number: _lanes_of(s, spec, lane_index) for s in spec.steps}
    edges = flow_edges(spec)
    crossings = []
    for edge in edges:
        if page_of[edge.source] != page_of[edge.target]:
            source_lane, target_lane = _closest_lanes(step_lanes[edge.source], step_lanes[edge.target], lane_index)
            crossings.append(_Crossing(edge, connector_label(len(crossings)), source_lane, target_lane))
    geometry = _Geometry(columns, row_height)
    pages = tuple(
        _page(
            spec,
            index + 1,
            chunk,
            geometry,
            [e for e in edges if page_of[e.source] == index and page_of[e.target] == index],
            [c for c in crossings if page_of[c.edge.source] == index],
            [c for c in crossings if page_of[c.edge.target] == index],
            step_lanes,
        )
        for index, chunk in enumerate(chunks)
    )
    return Layout(options=options, columns=columns, row_height=row_height, pages=pages)


@dataclass(frozen=True)
class _Crossing:
    edge: Edge
    label: str
    source_lane: str
    target_lane: str


def _lanes_of(step: Step, spec: ProcedureSpec, lane_index: dict[str, int]) -> list[str]:
    """The step's lanes in table order; a step without a known performer is drawn in the first lane."""
    known = sorted({key for key in step.lanes if key in lane_index}, key=lane_index.__getitem__)
    return known or [spec.lanes[0].key]


def _closest_lanes(sources: list[str], targets: list[str], lane_index: dict[str, int]) -> tuple[str, str]:
    pairs = [(abs(lane_index[s] - lane_index[t]), lane_index[s], lane_index[t], s, t) for s in sources for t in targets]
    _, _, _, source, target = min(pairs)
    return source, target


@dataclass(frozen=True)
class _Geometry:
    """Symbol sizes for a lane width and row height: diamonds are a little wider and taller than boxes, and
    both leave gutters at the lane sides for loop-back runs."""

    columns: Columns
    row_height: float

    def size(self, kind: str, lane_width: float) -> tuple[float, float]:
        if kind == DECISION:
            return max(min(lane_width - 5.0, 18.0), 5.0), min(self.row_height * 0.66, 9.5)
        return max(min(lane_width - 7.0, 16.0), 4.0), min(self.row_height * 0.48, 7.0)

    def gutter(self, lane_width: float) -> float:
        return (lane_width - self.size(DECISION, lane_width)[0]) / 2


def _page(
    spec: ProcedureSpec,
    index: int,
    chunk: list[int],
    geometry: _Geometry,
    edges: list[Edge],
    outs: list[_Crossing],
    ins: list[_Crossing],
    step_lanes: dict[int, list[str]],
) -> Page:
    columns = geometry.columns
    lanes = {lane.key: lane for lane in columns.lanes}
    top = BAND_HEIGHT if ins else 0.0
    bottom = BAND_HEIGHT if outs else 0.0
    rows = tuple(Row(number, top + i * geometry.row_height, geometry.row_height) for i, number in enumerate(chunk))
    rows_bottom = top + len(rows) * geometry.row_height
    height = rows_bottom + bottom
    symbols: list[PlacedSymbol] = []
    joints: list[JointLink] = []
    for row in rows:
        step = spec.step(row.step)
        kind = symbol_kind(spec, step)
        placed = []
        for key in step_lanes[row.step]:
            lane = lanes[key]
            w, h = geometry.size(kind, lane.width)
            placed.append(PlacedSymbol(lane.center - w / 2, row.y + (row.h - h) / 2, w, h, kind, row.step, key))
        symbols.extend(placed)
        joints.extend(JointLink(row.step, a.right, a.cy, b.x, b.cy) for a, b in zip(placed, placed[1:], strict=False))
    connectors = _connectors(ins, "in", 0.0, lanes) + _connectors(outs, "out", rows_bottom, lanes)
    router = _Router(columns, geometry, rows, top, rows_bottom, height, symbols, connectors, joints)
    arrows = router.route_page(edges, ins, outs)
    return Page(
        index=index,
        rows=rows,
        width=columns.lane_area_width,
        height=height,
        top_band=top,
        bottom_band=bottom,
        symbols=tuple(symbols),
        arrows=tuple(arrows),
        joints=tuple(joints),
        connectors=tuple(connectors),
    )


def _connectors(
    crossings: list[_Crossing], direction: str, band_top: float, lanes: dict[str, LaneColumn]
) -> list[Connector]:
    """Pentagons in a band, spread evenly when several share a lane."""
    by_lane: dict[str, list[_Crossing]] = {}
    for crossing in crossings:
        key = crossing.target_lane if direction == "in" else crossing.source_lane
        by_lane.setdefault(key, []).append(crossing)
    placed = []
    for key, group in by_lane.items():
        lane = lanes[key]
        w = max(min(CONNECTOR_SIZE, (lane.width - 2 * GUARD) / len(group) - 0.8), 2.0)
        y = band_top + (BAND_HEIGHT - CONNECTOR_SIZE) / 2
        for i, crossing in enumerate(group):
            cx = lane.x + lane.width * (i + 1) / (len(group) + 1)
            placed.append(
                Connector(
                    cx - w / 2,
                    y,
                    w,
                    CONNECTOR_SIZE,
                    label=crossing.label,
                    direction=direction,
                    lane=key,
                    source=crossing.edge.source,
                    target=crossing.edge.target,
                )
            )
    return sorted(placed, key=lambda c: (c.direction != "in", c.label))


@dataclass(frozen=True)
class _Node:
    """One end of an arrow: a symbol or a connector, with the row (or band) it sits in."""

    shape: Shape
    obstacle: int  # index in the router's obstacles
    lane: int
    band_top: float
    band_bottom: float
    sides: bool  # connectors have no side ports


@dataclass(frozen=True)
class _Candidate:
    points: tuple[Point, ...]
    out_port: str
    in_port: str


@dataclass(frozen=True)
class _Segment:
    a: Point
    b: Point
    target: int | None

    @property
    def horizontal(self) -> bool:
        return abs(self.a[1] - self.b[1]) < EPS


_Choice = tuple[_Candidate, _Node, _Node]

HARD = 10_000.0
OVERLAP = 40.0
CROSSING = 4.0
BEND = 2.0


class _Router:
    """Routes the arrows of one page, one at a time, each on the cheapest candidate path.

    Cheap means: touches no symbol (hard), shares no run with another arrow (overlap), crosses few arrows,
    bends little, is short. Candidates come in groups from the plainest shape to the most roundabout, and the
    first group with a clean path wins, so ordinary arrows stay ordinary.
    """

    def __init__(
        self,
        columns: Columns,
        geometry: _Geometry,
        rows: tuple[Row, ...],
        top_band: float,
        rows_bottom: float,
        height: float,
        symbols: list[PlacedSymbol],
        connectors: list[Connector],
        joints: list[JointLink],
    ) -> None:
        self.columns = columns
        self.width = columns.lane_area_width
        self.height = height
        self.rows = {row.step: row for row in rows}
        self.top_band = top_band
        self.rows_bottom = rows_bottom
        self.lane_numbers = {lane.key: i for i, lane in enumerate(columns.lanes)}
        self.obstacles: list[Shape] = [*symbols, *connectors]
        self.symbols = symbols
        self.connectors = connectors
        self.ports: dict[tuple[int, str], str] = {}
        self.segments: list[_Segment] = [_Segment((j.x1, j.y1), (j.x2, j.y2), None) for j in joints]
        self.channels = self._channels(geometry)

    def _channels(self, geometry: _Geometry) -> list[tuple[float, int]]:
        """Vertical runs in the lane gutters: (x, lane number), nearest the lane edges first."""
        found = []
        for number, lane in enumerate(self.columns.lanes):
            room = geometry.gutter(lane.width) - PAD
            for k in range(MAX_CHANNELS):
                offset = GUARD + k * CHANNEL_STEP
                if k and offset > room:
                    break
                found.append((lane.x + offset, number))
                found.append((lane.right - offset, number))
        return sorted(found)

    def route_page(self, edges: list[Edge], ins: list[_Crossing], outs: list[_Crossing]) -> list[Arrow]:
        """Arrows from incoming connectors first, then each step's exits in step order; a decision's loop-back
        goes before its forward exit, because only a side of the diamond can take it."""
        arrows = [self._route_in(crossing) for crossing in ins]
        tasks = [((e.source, 0 if self._backward(e) else 1, i), e, None) for i, e in enumerate(edges)]
        tasks += [((c.edge.source, 1, len(edges) + i), c.edge, c) for i, c in enumerate(outs)]
        for _key, edge, crossing in sorted(tasks, key=lambda task: task[0]):
            arrows.append(self._route_edge(edge) if crossing is None else self._route_out(crossing))
        return arrows

    def _backward(self, edge: Edge) -> bool:
        return self.rows[edge.target].y < self.rows[edge.source].y

    def _route_in(self, crossing: _Crossing) -> Arrow:
        source = self._connector_node(crossing.label, "in")
        target = self._symbol_node(crossing.edge.target, crossing.target_lane)
        return self._record(self._route_down([source], [target]), crossing.edge, crossing.label)

    def _route_out(self, crossing: _Crossing) -> Arrow:
        source = self._symbol_node(crossing.edge.source, crossing.source_lane)
        target = self._connector_node(crossing.label, "out")
        return self._record(self._route_down([source], [target]), crossing.edge, crossing.label)

    def _route_edge(self, edge: Edge) -> Arrow:
        sources, targets = self._step_nodes(edge.source), self._step_nodes(edge.target)
        chosen = self._route_up(sources, targets) if self._backward(edge) else self._route_down(sources, targets)
        return self._record(chosen, edge, "")

    def _record(self, chosen: _Choice, edge: Edge, connector: str) -> Arrow:
        candidate, source, target = chosen
        self.ports[(source.obstacle, candidate.out_port)] = "out"
        self.ports.setdefault((target.obstacle, candidate.in_port), "in")
        self.segments.extend(_Segment(a, b, edge.target) for a, b in _pairs(candidate.points))
        return Arrow(candidate.points, edge.source, edge.target, edge.label, connector)

    # nodes

    def _symbol_node(self, step: int, lane: str) -> _Node:
        index = next(i for i, s in enumerate(self.symbols) if s.step == step and s.lane == lane)
        return self._node(index)

    def _step_nodes(self, step: int) -> list[_Node]:
        return [self._node(i) for i, s in enumerate(self.symbols) if s.step == step]

    def _node(self, index: int) -> _Node:
        symbol = self.symbols[index]
        row = self.rows[symbol.step]
        return _Node(symbol, index, self.lane_numbers[symbol.lane], row.y, row.y + row.h, True)

    def _connector_node(self, label: str, direction: str) -> _Node:
        offset = len(self.symbols)
        index, connector = next(
            (i, c) for i, c in enumerate(self.connectors) if c.label == label and c.direction == direction
        )
        band = (0.0, self.top_band) if direction == "in" else (self.rows_bottom, self.height)
        return _Node(connector, offset + index, self.lane_numbers[connector.lane], band[0], band[1], False)

    # routing

    def _route_down(self, sources: list[_Node], targets: list[_Node]) -> _Choice:
        pairs = sorted(
            ((s, t) for s in sources for t in targets), key=lambda p: (abs(p[0].lane - p[1].lane), p[0].lane)
        )
        return self._cheapest(
            lambda group: ((c, s, t) for s, t in pairs for c in self._down_candidates(s, t, group)), groups=4
        )

    def _route_up(self, sources: list[_Node], targets: list[_Node]) -> _Choice:
        pairs = sorted(
            ((s, t) for s in sources for t in targets), key=lambda p: (abs(p[0].lane - p[1].lane), p[0].lane)
        )
        return self._cheapest(
            lambda group: ((c, s, t) for s, t in pairs for c in self._up_candidates(s, t, group)), groups=2
        )

    def _cheapest(self, candidates: Callable[[int], Iterable[_Choice]], groups: int) -> _Choice:
        best: tuple[float, int, _Choice] | None = None
        best_clean = False
        counter = 0
        for group in range(groups):
            for candidate, source, target in candidates(group):
                cost, clean = self._cost(candidate, source, target)
                counter += 1
                if best is None or cost < best[0] - EPS:
                    best = (cost, counter, (candidate, source, target))
                    best_clean = clean
            if best is not None and best_clean:
                break
        if best is None:  # pragma: no cover - the channel groups always yield candidates
            raise RuntimeError("No route found.")
        return best[2]

    def _tracks(self, boundary: float, near: bool) -> list[float]:
        offsets = TRACK_OFFSETS[:1] if near else TRACK_OFFSETS
        ys = [boundary + sign * offset for offset in offsets for sign in (-1, 1)]
        return [y for y in ys if EPS < y < self.height - EPS]

    def _lane_range(self, source: _Node, target: _Node, widen: bool) -> tuple[int, int]:
        low, high = sorted((source.lane, target.lane))
        return (low - 1, high + 1) if widen else (low, high)

    def _down_candidates(self, s: _Node, t: _Node, group: int) -> Iterator[_Candidate]:
        """Paths from s down into the top of t: straight, sideways-then-down, a jog in a row gap, or a detour
        through a lane gutter when the column below s is taken."""
        sx, sy, sb = s.shape.cx, s.shape.cy, s.shape.bottom
        tx, tt = t.shape.cx, t.shape.y
        if group == 0:
            if abs(sx - tx) < EPS:
                yield _Candidate(((sx, sb), (tx, tt)), "bottom", "top")
            elif s.sides and tx > s.shape.right + PAD:
                yield _Candidate(((s.shape.right, sy), (tx, sy), (tx, tt)), "right", "top")
            elif s.sides and tx < s.shape.x - PAD:
                yield _Candidate(((s.shape.x, sy), (tx, sy), (tx, tt)), "left", "top")
            return
        near = group < 3
        if group == 1:
            if abs(sx - tx) >= EPS:
                for y in self._tracks(s.band_bottom, near) + self._tracks(t.band_top, near):
                    if sb + PAD < y < tt - PAD:
                        yield _Candidate(_clean(((sx, sb), (sx, y), (tx, y), (tx, tt))), "bottom", "top")
            return
        low, high = self._lane_range(s, t, widen=group == 3)
        for cx, lane in self.channels:
            if not low <= lane <= high:
                continue
            for y2 in self._tracks(t.band_top, near):
                if not y2 < tt - PAD:
                    continue
                for y1 in self._tracks(s.band_bottom, near):
                    if sb + PAD < y1 < y2:
                        points = ((sx, sb), (sx, y1), (cx, y1), (cx, y2), (tx, y2), (tx, tt))
                        yield _Candidate(_clean(points), "bottom", "top")
                side = "right" if cx > s.shape.right + PAD else "left" if cx < s.shape.x - PAD else ""
                if s.sides and side and sy < y2:
                    start = s.shape.right if side == "right" else s.shape.x
                    points = ((start, sy), (cx, sy), (cx, y2), (tx, y2), (tx, tt))
                    yield _Candidate(_clean(points), side, "top")

    def _up_candidates(self, s: _Node, t: _Node, group: int) -> Iterator[_Candidate]:
        """A loop-back: out of the side of s, up a gutter, into the side of t."""
        prefer = "right" if t.shape.cx >= s.shape.cx - EPS else "left"
        sides = [prefer] if group == 0 else [prefer, "left" if prefer == "right" else "right"]
        low, high = self._lane_range(s, t, widen=False)
        sy, ty = s.shape.cy, t.shape.cy
        for side in sides:
            start = s.shape.right if side == "right" else s.shape.x
            for cx, lane in self.channels:
                if group == 0 and not low <= lane <= high:
                    continue
                if (side == "right" and cx <= start + PAD) or (side == "left" and cx >= start - PAD):
                    continue
                if cx > t.shape.right + PAD:
                    entry, end = "right", t.shape.right
                elif cx < t.shape.x - PAD:
                    entry, end = "left", t.shape.x
                else:
                    continue
                yield _Candidate(((start, sy), (cx, sy), (cx, ty), (end, ty)), side, entry)

    def _cost(self, candidate: _Candidate, source: _Node, target: _Node) -> tuple[float, bool]:
        segments = _pairs(candidate.points)
        hard = 0
        if self.ports.get((source.obstacle, candidate.out_port)) is not None:
            hard += 1
        if self.ports.get((target.obstacle, candidate.in_port)) == "out":
            hard += 1
        for i, (a, b) in enumerate(segments):
            for x, y in (a, b):
                if x < GUARD - EPS or x > self.width - GUARD + EPS or y < -EPS or y > self.height + EPS:
                    hard += 1
            for j, shape in enumerate(self.obstacles):
                if (j == source.obstacle and i == 0) or (j == target.obstacle and i == len(segments) - 1):
                    continue
                if _hits(shape, a, b):
                    hard += 1
        overlaps = crossings = 0.0
        for a, b in segments:
            mine = _Segment(a, b, None)
            for other in self.segments:
                if _overlap(mine, other):
                    overlaps += 0.05 if other.target == _step_of(target.shape) else 1
                elif _cross(mine, other):
                    crossings += 1
        length = sum(abs(a[0] - b[0]) + abs(a[1] - b[1]) for a, b in segments)
        cost = hard * HARD + overlaps * OVERLAP + crossings * CROSSING + (len(segments) - 1) * BEND + length
        cost += _cramped(segments[0]) + _cramped(segments[-1])
        if len(segments) > 1:  # of two otherwise equal paths, the one that turns towards the target later
            cost += 0.05 * _length(segments[-1])
        return cost, hard == 0 and overlaps < 1


def _step_of(shape: Shape) -> int | None:
    if isinstance(shape, PlacedSymbol):
        return shape.step
    return None


def _length(segment: tuple[Point, Point]) -> float:
    (ax, ay), (bx, by) = segment
    return abs(ax - bx) + abs(ay - by)


def _cramped(segment: tuple[Point, Point]) -> float:
    """A first or last leg shorter than this leaves no room for an arrowhead or a Ya/Tidak label."""
    return max(0.0, MIN_LEG - _length(segment)) * 3


def _pairs(points: Sequence[Point]) -> list[tuple[Point, Point]]:
    return list(zip(points, points[1:], strict=False))


def _clean(points: Sequence[Point]) -> tuple[Point, ...]:
    """Drop repeated points and the middle of three collinear ones."""
    kept: list[Point] = []
    for point in points:
        if kept and abs(kept[-1][0] - point[0]) < EPS and abs(kept[-1][1] - point[1]) < EPS:
            continue
        if len(kept) >= 2:
            (ax, ay), (bx, by) = kept[-2], kept[-1]
            if (abs(ax - bx) < EPS and abs(bx - point[0]) < EPS) or (abs(ay - by) < EPS and abs(by - point[1]) < EPS):
                kept[-1] = point
                continue
        kept.append(point)
    return tuple(kept)


def _hits(shape: Shape, a: Point, b: Point) -> bool:
    left, right = shape.x - PAD, shape.right + PAD
    top, bottom = shape.y - PAD, shape.bottom + PAD
    if abs(a[1] - b[1]) < EPS:
        low, high = sorted((a[0], b[0]))
        return top < a[1] < bottom and low < right and high > left
    low, high = sorted((a[1], b[1]))
    return left < a[0] < right and low < bottom and high > top


def _overlap(one: _Segment, other: _Segment) -> bool:
    if one.horizontal != other.horizontal:
        return False
    axis, along = (1, 0) if one.horizontal else (0, 1)
    if abs(one.a[axis] - other.a[axis]) > 0.35:
        return False
    low = max(min(one.a[along], one.b[along]), min(other.a[along], other.b[along]))
    high = min(max(one.a[along], one.b[along]), max(other.a[along], other.b[along]))
    return high - low > 0.35


def _cross(one: _Segment, other: _Segment) -> bool:
    if one.horizontal == other.horizontal:
        return False
    h, v = (one, other) if one.horizontal else (other, one)
    y, x = h.a[1], v.a[0]
    return min(h.a[0], h.b[0]) + EPS < x < max(h.a[0], h.b[0]) - EPS and (
        min(v.a[1], v.b[1]) + EPS < y < max(v.a[1], v.b[1]) - EPS
    )
