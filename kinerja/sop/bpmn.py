"""An SOP AP as BPMN 2.0 XML, for Peta Proses Bisnis work, reviewers with bpmn.io or Camunda Modeler, and engines.

The mapping is the one in sop-format.md §4.6: one pool with one lane per pelaksana; a start event before the
first step; each step a userTask in its lane (a joint step a parallel split into one userTask per lane and a
join); a decision the userTask that checks followed by an exclusive gateway with the flows "Ya" and "Tidak";
an end event after every step where the flow ends; each Waktu a non-interrupting timer on the task. BPMN has
no working-time calendar, so the ISO-8601 durations follow a convention written into the file: days and weeks
count working days unless the SOP says "kalender". The diagram (BPMN DI) is the SOP's own grid, one row per
step and one column per lane, so the file opens laid out like the SOP.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from lxml import etree

from kinerja.sop.spec import (
    DAYS_PER_UNIT,
    MINUTES_PER_UNIT,
    Duration,
    ProcedureSpec,
    Step,
    Symbol,
    TimeUnit,
    durations_text,
    flow_targets,
)

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NSMAP = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI, "xsi": XSI}
TARGET_NAMESPACE = "urn:kinerja:sop"
MINUTES_PER_DAY = 450  # Perpres 21/2023: 37.5 hours over five days; the same default as Duration.working_minutes
_NCNAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")

TIME_CONVENTION = (
    "Waktu (Mutu Baku) ditulis sebagai durasi ISO 8601 pada timer non-interrupting. BPMN tidak mengenal kalender "
    "kerja, maka berkas ini memakai konvensi: menit (PT…M) dan jam (PT…H) adalah waktu kerja; hari (P…D) adalah "
    f"hari kerja, 1 hari kerja = {MINUTES_PER_DAY} menit kerja (Perpres 21/2023); minggu ditulis sebagai hari "
    "kerja, 1 minggu = 5 hari kerja. Hanya timer yang dokumentasinya menyebut “kalender” dihitung dengan hari "
    "kalender (P…D, P…W). Untuk rentang waktu, batasnya adalah nilai terbesar."
)
DECISION_CONVENTION = (
    "Setiap keputusan (belah ketupat) adalah userTask pemeriksaan lalu exclusiveGateway. Hasilnya disimpan pada "
    'variabel proses keputusan_<nomor langkah> berisi "Ya" atau "Tidak"; kondisi alur ditulis sebagai '
    'ekspresi Python, mis. keputusan_5 == "Ya".'
)

# The grid, in pixels: one column per lane, one row per step. A row has three slots from the top: the parallel
# split of a joint step, the task(s), and the join, the decision gateway or the end event.
POOL_X, POOL_Y = 40, 40
POOL_HEADER = LANE_HEADER = 30
LANE_WIDTH = 220
ROW_HEIGHT = 230
TASK_WIDTH, TASK_HEIGHT = 160, 80
GATEWAY = 50
EVENT = 36
TASK_OFFSET, BOTTOM_OFFSET = 70, 170


@dataclass
class Bounds:
    x: float
    y: float
    width: float
    height: float

    @property
    def center(self) -> tuple[float, float]:
        return self.x + self.width / 2, self.y + self.height / 2

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height


@dataclass
class Node:
    """A flow node: `tag` is its BPMN element, `lane` the index of the lane it is drawn in."""

    id: str
    tag: str
    name: str
    lane: int
    bounds: Bounds
    documentation: str = ""
    attrib: dict[str, str] = field(default_factory=dict)
    duration: str = ""  # a boundary timer's ISO-8601 duration
    incoming: list[str] = field(default_factory=list)
    outgoing: list[str] = field(default_factory=list)


@dataclass
class Flow:
    id: str
    source: Node
    target: Node
    name: str = ""
    condition: str = ""


@dataclass
class Graph:
    nodes: list[Node] = field(default_factory=list)
    flows: list[Flow] = field(default_factory=list)
    entries: dict[int, Node] = field(default_factory=dict)  # where the flow enters each step

    def add(self, node: Node) -> Node:
        self.nodes.append(node)
        return node

    def connect(self, source: Node, target: Node, *, name: str = "", condition: str = "") -> None:
        flow = Flow(f"Flow_{len(self.flows) + 1}", source, target, name, condition)
        source.outgoing.append(flow.id)
        target.incoming.append(flow.id)
        self.flows.append(flow)


# Durations ------------------------------------------------------------------------------------------------


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")


def iso_duration(duration: Duration) -> tuple[str, str]:
    """The ISO-8601 duration of a time standard (its upper bound) and the sentence that says what it means."""
    amount = duration.amount
    if duration.unit in MINUTES_PER_UNIT:
        designator = "M" if duration.unit == TimeUnit.MINUTE else "H"
        iso = f"PT{_number(amount)}{designator}"
        minutes = _number(amount * MINUTES_PER_UNIT[duration.unit])
        meaning = f"{iso} = {duration.text()} ({minutes} menit kerja)"
    elif duration.calendar:
        iso = f"P{_number(amount)}{'D' if duration.unit == TimeUnit.DAY else 'W'}"
        meaning = f"{iso} = {duration.text()} (hari kalender, bukan waktu kerja)"
    else:
        days = amount * DAYS_PER_UNIT[duration.unit]
        iso = f"P{_number(days)}D"
        minutes = _number(days * MINUTES_PER_DAY)
        week = " (1 minggu = 5 hari kerja)" if duration.unit == TimeUnit.WEEK else ""
        meaning = f"{iso} = {_number(days)} hari kerja{week} ({minutes} menit kerja)"
    if duration.minimum is not None:
        meaning += f"; rentang {duration.text()}, batasnya nilai terbesar"
    return iso, meaning


# The graph --------------------------------------------------------------------------------------------------


class _Layout:
    def __init__(self, spec: ProcedureSpec) -> None:
        self.lanes = {lane.key: index for index, lane in enumerate(spec.lanes)}
        self.start_y = POOL_Y + POOL_HEADER + LANE_HEADER + 20
        self.top = self.start_y + EVENT + 40
        self.height = self.top + len(spec.steps) * ROW_HEIGHT + 20 - POOL_Y
        self.width = max(len(spec.lanes), 1) * LANE_WIDTH

    def center_x(self, lane: int) -> float:
        return POOL_X + lane * LANE_WIDTH + LANE_WIDTH / 2

    def row_top(self, step: Step) -> float:
        return self.top + (step.number - 1) * ROW_HEIGHT

    def box(self, lane: int, y: float, width: float, height: float, shift: float = 0) -> Bounds:
        return Bounds(self.center_x(lane) - width / 2 + shift, y, width, height)


def _documentation(step: Step, lanes: list[str]) -> str:
    lines = [f"Langkah {step.number}."]
    if len(lanes) > 1:
        lines.append("Langkah bersama: " + ", ".join(lanes) + ".")
    if step.inputs:
        lines.append("Kelengkapan: " + "; ".join(step.inputs))
    if step.durations:
        lines.append("Waktu: " + durations_text(step.durations))
    if step.outputs:
        lines.append("Output: " + "; ".join(step.outputs))
    if step.notes:
        lines.append("Keterangan: " + step.notes)
    return "\n".join(lines)


def _step_nodes(graph: Graph, spec: ProcedureSpec, step: Step, layout: _Layout) -> tuple[Node, Node, int]:
    """The step's userTask(s), with a parallel split and join for a joint step; returns where the flow enters,
    where it leaves and the lead lane."""
    top = layout.row_top(step)
    lanes = [layout.lanes[key] for key in step.lanes]
    lead = lanes[0]
    labels = [spec.lanes[index].label for index in lanes]
    documentation = _documentation(step, labels)

    def task(lane: int, node_id: str) -> Node:
        bounds = layout.box(lane, top + TASK_OFFSET, TASK_WIDTH, TASK_HEIGHT)
        node = graph.add(Node(node_id, "userTask", step.text, lane, bounds, documentation))
        _timers(graph, step, node)
        return node

    if len(lanes) == 1:
        single = task(lead, f"Task_{step.number}")
        return single, single, lead
    fork_bounds = layout.box(lead, top, GATEWAY, GATEWAY)
    join_bounds = layout.box(lead, top + BOTTOM_OFFSET, GATEWAY, GATEWAY)
    fork = graph.add(Node(f"Fork_{step.number}", "parallelGateway", "", lead, fork_bounds))
    join = graph.add(Node(f"Join_{step.number}", "parallelGateway", "", lead, join_bounds))
    fork.attrib["gatewayDirection"], join.attrib["gatewayDirection"] = "Diverging", "Converging"
    for lane in lanes:
        node = task(lane, f"Task_{step.number}_{lane + 1}")
        graph.connect(fork, node)
        graph.connect(node, join)
    return fork, join, lead


def _timers(graph: Graph, step: Step, task: Node) -> None:
    """One non-interrupting timer per time standard (a step may have one per case), on the task's left edge,
    where no flow of the grid enters or leaves."""
    for index, duration in enumerate(step.durations):
        iso, meaning = iso_duration(duration)
        y = task.bounds.y + 4 + index * (EVENT + 2)
        graph.add(
            Node(
                f"{task.id.replace('Task', 'Timer')}_{index + 1}",
                "boundaryEvent",
                f"Waktu: {duration.text()}",
                task.lane,
                Bounds(task.bounds.x - EVENT / 2, y, EVENT, EVENT),
                documentation=meaning,
                attrib={"attachedToRef": task.id, "cancelActivity": "false"},
                duration=iso,
            )
        )


def _decision(graph: Graph, step: Step, after: Node, lead: int, layout: _Layout, joint: bool) -> Node:
    top = layout.row_top(step)
    variable = f"keputusan_{step.number}"
    question = step.question or "Keputusan"
    gateway = graph.add(
        Node(
            f"Decision_{step.number}",
            "exclusiveGateway",
            question,
            lead,
            layout.box(lead, top + BOTTOM_OFFSET, GATEWAY, GATEWAY, shift=70 if joint else 0),
            documentation=f'{question} Variabel proses {variable} berisi "Ya" atau "Tidak".',
            attrib={"gatewayDirection": "Diverging"},
        )
    )
    graph.connect(after, gateway)
    return gateway


def _end(graph: Graph, step: Step, after: Node, lead: int, layout: _Layout, joint: bool) -> None:
    top = layout.row_top(step) + BOTTOM_OFFSET + (GATEWAY - EVENT) / 2
    end = graph.add(
        Node(
            f"EndEvent_{step.number}",
            "endEvent",
            "Selesai",
            lead,
            layout.box(lead, top, EVENT, EVENT, 70 if joint else 0),
        )
    )
    graph.connect(after, end)


def build_graph(spec: ProcedureSpec) -> Graph:
    """The flow nodes and sequence flows of the SOP, placed on its grid."""
    graph = Graph()
    layout = _Layout(spec)
    exits: dict[int, tuple[Node, int, bool]] = {}
    for step in spec.steps:
        entry, leave, lead = _step_nodes(graph, spec, step, layout)
        graph.entries[step.number] = entry
        exits[step.number] = (leave, lead, len(step.lanes) > 1)
    first_lane = layout.lanes[spec.steps[0].lanes[0]]
    start = Node(
        "StartEvent_1", "startEvent", "Mulai", first_lane, layout.box(first_lane, layout.start_y, EVENT, EVENT)
    )
    start.documentation = f"Pemicu: {spec.trigger}" if spec.trigger else ""
    graph.nodes.insert(0, start)
    graph.connect(start, graph.entries[1])
    for step in spec.steps:
        leave, lead, joint = exits[step.number]
        if step.symbol == Symbol.DECISION:
            gateway = _decision(graph, step, leave, lead, layout, joint)
            variable = f"keputusan_{step.number}"
            graph.connect(gateway, graph.entries[step.yes], name=step.yes_label, condition=f'{variable} == "Ya"')
            graph.connect(gateway, graph.entries[step.no], name=step.no_label, condition=f'{variable} == "Tidak"')
            continue
        targets = flow_targets(spec, step)
        for target in targets:
            graph.connect(leave, graph.entries[target])
        if not targets:
            _end(graph, step, leave, lead, layout, joint)
    return graph


# XML --------------------------------------------------------------------------------------------------------


def _el(
    parent: etree._Element, namespace: str, tag: str, attrib: dict[str, str] | None = None, text: str = ""
) -> etree._Element:
    element = etree.SubElement(parent, f"{{{namespace}}}{tag}", {k: v for k, v in (attrib or {}).items() if v != ""})
    if text:
        element.text = text
    return element


def _expression(parent: etree._Element, tag: str, text: str) -> None:
    _el(parent, BPMN, tag, {f"{{{XSI}}}type": "bpmn:tFormalExpression"}, text)


def _process_documentation(spec: ProcedureSpec) -> str:
    identity = spec.identity
    lines = [f"SOP AP: {identity.title}"]
    if identity.number:
        lines.append(f"Nomor SOP: {identity.number}")
    if identity.agency:
        lines.append(f"Instansi: {identity.agency}")
    if identity.legal_basis:
        lines.append("Dasar Hukum: " + "; ".join(identity.legal_basis))
    lines.extend((TIME_CONVENTION, DECISION_CONVENTION))
    return "\n".join(lines)


def _node_element(process: etree._Element, node: Node) -> None:
    element = _el(process, BPMN, node.tag, {"id": node.id, "name": node.name, **node.attrib})
    if node.documentation:
        _el(element, BPMN, "documentation", text=node.documentation)
    for flow in node.incoming:
        _el(element, BPMN, "incoming", text=flow)
    for flow in node.outgoing:
        _el(element, BPMN, "outgoing", text=flow)
    if node.duration:
        timer = _el(element, BPMN, "timerEventDefinition", {"id": f"{node.id}_definition"})
        _expression(timer, "timeDuration", node.duration)


def _process(root: etree._Element, spec: ProcedureSpec, graph: Graph, process_id: str) -> None:
    process = _el(root, BPMN, "process", {"id": process_id, "name": spec.identity.title, "isExecutable": "true"})
    _el(process, BPMN, "documentation", text=_process_documentation(spec))
    lane_set = _el(process, BPMN, "laneSet", {"id": "LaneSet_1"})
    for index, lane in enumerate(spec.lanes):
        element = _el(lane_set, BPMN, "lane", {"id": f"Lane_{index + 1}", "name": lane.label})
        if lane.role:
            _el(element, BPMN, "documentation", text=f"Peran: {lane.role}")
        for node in graph.nodes:
            if node.lane == index:
                _el(element, BPMN, "flowNodeRef", text=node.id)
    for node in graph.nodes:
        _node_element(process, node)
    for flow in graph.flows:
        element = _el(
            process, BPMN, "sequenceFlow",
            {"id": flow.id, "name": flow.name, "sourceRef": flow.source.id, "targetRef": flow.target.id},
        )  # fmt: skip
        if flow.condition:
            _expression(element, "conditionExpression", flow.condition)


def _waypoints(source: Bounds, target: Bounds) -> list[tuple[float, float]]:
    """Orthogonal: down into the top of a later node, sideways to a node beside, and round by the right-hand
    side of both to an earlier one (a loop back, as SOP flowcharts draw it)."""
    (sx, sy), (tx, ty) = source.center, target.center
    if target.y >= source.bottom:
        if abs(sx - tx) < 1:
            return [(sx, source.bottom), (tx, target.y)]
        middle = max(target.y - 12, (source.bottom + target.y) / 2)
        return [(sx, source.bottom), (sx, middle), (tx, middle), (tx, target.y)]
    if target.x >= source.right and target.y < source.bottom and target.bottom > source.y:
        return [(source.right, sy), (target.x, ty)] if abs(sy - ty) < 1 else [
            (source.right, sy), (tx, sy), (tx, target.y if ty > sy else target.bottom)
        ]  # fmt: skip
    side = max(source.right, target.right) + 20
    return [(source.right, sy), (side, sy), (side, ty), (target.right, ty)]


def _bounds(parent: etree._Element, bounds: Bounds) -> None:
    _el(parent, DC, "Bounds", {k: _coordinate(v) for k, v in vars(bounds).items()})


def _coordinate(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _diagram(root: etree._Element, spec: ProcedureSpec, graph: Graph) -> None:
    layout = _Layout(spec)
    diagram = _el(root, BPMNDI, "BPMNDiagram", {"id": "BPMNDiagram_1", "name": spec.identity.title})
    plane = _el(diagram, BPMNDI, "BPMNPlane", {"id": "BPMNPlane_1", "bpmnElement": "Collaboration_1"})
    pool = _el(plane, BPMNDI, "BPMNShape", {"id": "Participant_1_di", "bpmnElement": "Participant_1",
                                             "isHorizontal": "false"})  # fmt: skip
    _bounds(pool, Bounds(POOL_X, POOL_Y, layout.width, layout.height))
    for index in range(len(spec.lanes)):
        shape = _el(plane, BPMNDI, "BPMNShape", {"id": f"Lane_{index + 1}_di", "bpmnElement": f"Lane_{index + 1}",
                                                  "isHorizontal": "false"})  # fmt: skip
        _bounds(shape, Bounds(POOL_X + index * LANE_WIDTH, POOL_Y + POOL_HEADER, LANE_WIDTH,
                              layout.height - POOL_HEADER))  # fmt: skip
    for node in graph.nodes:
        attrib = {"id": f"{node.id}_di", "bpmnElement": node.id}
        if node.tag == "exclusiveGateway":
            attrib["isMarkerVisible"] = "true"
        _bounds(_el(plane, BPMNDI, "BPMNShape", attrib), node.bounds)
    for flow in graph.flows:
        edge = _el(plane, BPMNDI, "BPMNEdge", {"id": f"{flow.id}_di", "bpmnElement": flow.id})
        for x, y in _waypoints(flow.source.bounds, flow.target.bounds):
            _el(edge, DI, "waypoint", {"x": _coordinate(x), "y": _coordinate(y)})


def unbuildable(spec: ProcedureSpec) -> list[str]:
    """What keeps the SOP from being drawn as BPMN at all. A draft that `problems()` still refuses for its flow
    (an unreachable step, a cycle) or its title can be exported; a step with no performer or an exit to no
    step cannot."""
    if not spec.steps:
        return ["the SOP has no steps"]
    if [s.number for s in spec.steps] != list(range(1, len(spec.steps) + 1)):
        return ["the steps are not numbered 1, 2, 3 …"]
    keys = {lane.key for lane in spec.lanes}
    found = []
    for s in spec.steps:
        if not s.lanes or any(key not in keys for key in s.lanes):
            found.append(f"step {s.number} has no known performer")
        if s.symbol == Symbol.DECISION and (s.yes is None or s.no is None):
            found.append(f"step {s.number} is a decision without both exits")
        for target in (s.next, s.yes, s.no):
            if target is not None and spec.step(target) is None:
                found.append(f"step {s.number} points to step {target}, which does not exist")
    return found


def export_bpmn(spec: ProcedureSpec, *, process_id: str) -> bytes:
    """The SOP as a BPMN 2.0 document (UTF-8 XML with its diagram). `process_id` must be an XML name (NCName);
    it is the id an engine loads the process by. Raises ValueError for a bad id or an SOP that cannot be drawn
    (see `unbuildable`); check `problems()` before offering the file to an engine."""
    if not _NCNAME.fullmatch(process_id):
        raise ValueError(f"{process_id!r} is not a valid BPMN id (letters, digits, _ . -, not starting with a digit)")
    if found := unbuildable(spec):
        raise ValueError("; ".join(found))
    graph = build_graph(spec)
    root = etree.Element(
        f"{{{BPMN}}}definitions",
        {"id": "Definitions_1", "targetNamespace": TARGET_NAMESPACE, "exporter": "Kinerja", "exporterVersion": "1"},
        nsmap=NSMAP,
    )
    collaboration = _el(root, BPMN, "collaboration", {"id": "Collaboration_1"})
    _el(
        collaboration,
        BPMN,
        "participant",
        {"id": "Participant_1", "name": spec.identity.title, "processRef": process_id},
    )
    _process(root, spec, graph, process_id)
    _diagram(root, spec, graph)
    if root.xpath("count(//@id[. = $id])", id=process_id) != 1:
        raise ValueError(f"{process_id!r} is the id of another element of the export; choose another process id")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
