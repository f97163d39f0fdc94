"""The BPMN export: valid against the official BPMN 2.0 schema, loadable and runnable by an engine
(SpiffWorkflow), with the SOP's lanes, decisions, joint steps and time standards where §4.6 puts them."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from lxml import etree

from kinerja.sop.bpmn import BPMN, BPMNDI, DC, DI, LANE_WIDTH, XSI, export_bpmn, iso_duration
from kinerja.sop.seedfiles import seed_sops
from kinerja.sop.spec import Symbol, parse_durations, problems
from kinerja.sop.tests.test_sheets import long_spec

spiff = pytest.importorskip("SpiffWorkflow", reason="SpiffWorkflow (requirements-dev.txt) holds the BPMN 2.0 XSD")
from SpiffWorkflow.bpmn import BpmnWorkflow  # noqa: E402
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser  # noqa: E402
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine  # noqa: E402
from SpiffWorkflow.util.task import TaskState  # noqa: E402

SEEDS = seed_sops()


@pytest.fixture(autouse=True)
def english() -> Any:
    """Messages are compared as written (English msgids); the project's default language is Indonesian."""
    with translation.override("en"):
        yield


NS = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI}


@cache
def schema() -> etree.XMLSchema:
    """The official BPMN 2.0 schema (with Semantic, BPMNDI, DI and DC) as SpiffWorkflow ships it."""
    return etree.XMLSchema(etree.parse(str(Path(spiff.__file__).parent / "bpmn/parser/schema/BPMN20.xsd")))


def assert_valid(data: bytes) -> etree._Element:
    document = etree.fromstring(data)
    if not schema().validate(document):
        pytest.fail("\n".join(str(error) for error in schema().error_log))
    return document


def engine_spec(data: bytes, process_id: str) -> Any:
    parser = BpmnParser()
    parser.add_bpmn_str(data)
    return parser.get_spec(process_id)


class IsoTimers(PythonScriptEngine):
    """SpiffWorkflow evaluates a timer's text as Python; BPMN (and Camunda) give it as an ISO-8601 literal."""

    def evaluate(self, task: Any, expression: str, external_context: Any = None) -> Any:
        if re.fullmatch(r"P[0-9T.WDHMS]+", expression.strip()):
            return expression.strip()
        return super().evaluate(task, expression, external_context)


def run(data: bytes, process_id: str, answers: dict[str, list[str]]) -> tuple[list[tuple[str, str]], bool]:
    """Every user task done in turn, each decision answered from `answers`; the (task, lane) sequence."""
    workflow = BpmnWorkflow(engine_spec(data, process_id), script_engine=IsoTimers())
    workflow.do_engine_steps()
    done = []
    for _turn in range(500):
        ready = workflow.get_tasks(state=TaskState.READY, manual=True)
        if not ready:
            break
        task = ready[0]
        done.append((task.task_spec.bpmn_id, task.task_spec.lane))
        if answers.get(task.task_spec.bpmn_id):
            task.data[f"keputusan_{task.task_spec.bpmn_id.split('_')[1]}"] = answers[task.task_spec.bpmn_id].pop(0)
        task.run()
        workflow.do_engine_steps()
    return done, workflow.is_completed()


def elements(document: etree._Element, tag: str) -> list[etree._Element]:
    return document.findall(f".//bpmn:{tag}", NS)


# Valid and loadable


@pytest.mark.parametrize("index", range(len(SEEDS)), ids=[seed.slug for seed in SEEDS])
def test_every_seed_is_valid_bpmn_that_an_engine_loads(index: int) -> None:
    spec = SEEDS[index].spec
    data = export_bpmn(spec, process_id=f"sop_{index}")

    document = assert_valid(data)
    loaded = engine_spec(data, f"sop_{index}")

    tasks = elements(document, "userTask")
    assert len(tasks) == sum(len(step.lanes) for step in spec.steps)
    assert {t.bpmn_id for t in loaded.task_specs.values() if type(t).__name__ == "UserTask"} == {
        t.get("id") for t in tasks
    }
    assert len(elements(document, "exclusiveGateway")) == sum(s.symbol == Symbol.DECISION for s in spec.steps)
    assert len(elements(document, "parallelGateway")) == 2 * sum(len(s.lanes) > 1 for s in spec.steps)
    assert len(elements(document, "boundaryEvent")) == sum(len(s.durations) * len(s.lanes) for s in spec.steps)
    assert [lane.get("name") for lane in elements(document, "lane")] == [lane.label for lane in spec.lanes]


def test_a_forty_step_sop_is_valid_and_loads() -> None:
    data = export_bpmn(long_spec(40), process_id="sop_panjang")

    document = assert_valid(data)
    engine_spec(data, "sop_panjang")

    assert len(elements(document, "exclusiveGateway")) == 3
    assert len(elements(document, "parallelGateway")) == 2 * 5


def test_an_engine_runs_a_seed_through_its_loop_to_the_end() -> None:
    data = export_bpmn(SEEDS[3].spec, process_id="jeneponto")  # step 5 decides: Ya → 6, Tidak → 4

    done, completed = run(data, "jeneponto", {"Task_5": ["Tidak", "Ya"]})

    assert completed
    assert [task for task, _lane in done] == ["Task_1", "Task_2", "Task_3", "Task_4", "Task_5", "Task_4", "Task_5",
                                              "Task_6"]  # fmt: skip
    assert done[-1][1] == "Kasubag Perencanaan"


def test_an_engine_runs_joint_steps_in_every_lane() -> None:
    data = export_bpmn(SEEDS[2].spec, process_id="balangan")  # steps 5 and 9 are joint

    done, completed = run(data, "balangan", {})

    assert completed
    assert {task for task, _lane in done if task.startswith("Task_5_")} == {"Task_5_2", "Task_5_3", "Task_5_4"}
    assert ("Task_9_1", "Sekretaris") in done


# The mapping of §4.6


def test_a_decision_is_a_check_then_a_gateway_with_ya_and_tidak() -> None:
    document = assert_valid(export_bpmn(SEEDS[3].spec, process_id="jeneponto"))
    flows = {flow.get("id"): flow for flow in elements(document, "sequenceFlow")}

    gateway = document.find(".//bpmn:exclusiveGateway", NS)
    incoming = flows[gateway.find("bpmn:incoming", NS).text]
    outgoing = [flows[ref.text] for ref in gateway.findall("bpmn:outgoing", NS)]

    assert gateway.get("name") == "Laporan kinerja disetujui?"
    assert incoming.get("sourceRef") == "Task_5"
    assert [(f.get("name"), f.get("targetRef")) for f in outgoing] == [("Ya", "Task_6"), ("Tidak", "Task_4")]
    for flow in outgoing:
        condition = flow.find("bpmn:conditionExpression", NS)
        assert condition.get(f"{{{XSI}}}type") == "bpmn:tFormalExpression"
        assert condition.text == f'keputusan_5 == "{flow.get("name")}"'


def test_a_joint_step_is_a_parallel_split_one_task_per_lane_and_a_join() -> None:
    document = assert_valid(export_bpmn(SEEDS[2].spec, process_id="balangan"))
    flows = elements(document, "sequenceFlow")
    lanes = {lane.get("name"): {ref.text for ref in lane.findall("bpmn:flowNodeRef", NS)} for lane in
             elements(document, "lane")}  # fmt: skip

    split = {f.get("targetRef") for f in flows if f.get("sourceRef") == "Fork_5"}
    joined = {f.get("sourceRef") for f in flows if f.get("targetRef") == "Join_5"}

    assert split == joined == {"Task_5_2", "Task_5_3", "Task_5_4"}
    assert {"Task_5_2", "Task_5_3", "Task_5_4"} <= set().union(*lanes.values())
    assert "Task_5_3" in lanes["Kasubbag Program"] and "Fork_5" in lanes["Kasubbag Program"]
    assert [f.get("targetRef") for f in flows if f.get("sourceRef") == "Join_5"] == ["Task_6"]


def test_start_and_ends_frame_the_flow() -> None:
    document = assert_valid(export_bpmn(SEEDS[3].spec, process_id="jeneponto"))
    flows = elements(document, "sequenceFlow")

    assert [(f.get("sourceRef"), f.get("targetRef")) for f in flows][0] == ("StartEvent_1", "Task_1")
    assert [e.get("id") for e in elements(document, "endEvent")] == ["EndEvent_6"]
    assert ("Task_6", "EndEvent_6") in [(f.get("sourceRef"), f.get("targetRef")) for f in flows]


def test_time_standards_are_non_interrupting_timers_with_their_convention() -> None:
    document = assert_valid(export_bpmn(SEEDS[3].spec, process_id="jeneponto"))
    timers = {t.get("attachedToRef") + "/" + t.get("id"): t for t in elements(document, "boundaryEvent")}

    first = timers["Task_1/Timer_1_1"]
    variants = [timers["Task_6/Timer_6_1"], timers["Task_6/Timer_6_2"]]

    assert first.get("cancelActivity") == "false"
    assert first.find("bpmn:timerEventDefinition/bpmn:timeDuration", NS).text == "PT15M"
    assert [t.find("bpmn:timerEventDefinition/bpmn:timeDuration", NS).text for t in variants] == ["P1D", "P15D"]
    assert variants[1].get("name") == "Waktu: 15 Hari untuk laporan tahunan"
    assert variants[1].find("bpmn:documentation", NS).text == "P15D = 15 hari kerja (6750 menit kerja)"
    assert "hari kerja" in document.find("bpmn:process/bpmn:documentation", NS).text


@pytest.mark.parametrize(
    "text, iso, meaning",
    [
        ("15 Menit", "PT15M", "PT15M = 15 Menit (15 menit kerja)"),
        ("3 Jam", "PT3H", "PT3H = 3 Jam (180 menit kerja)"),
        ("2 Hari", "P2D", "P2D = 2 hari kerja (900 menit kerja)"),
        ("1,5 hari", "P1.5D", "P1.5D = 1.5 hari kerja (675 menit kerja)"),
        ("1 Minggu", "P5D", "P5D = 5 hari kerja (1 minggu = 5 hari kerja) (2250 menit kerja)"),
        ("3 hari kalender", "P3D", "P3D = 3 Hari Kalender (hari kalender, bukan waktu kerja)"),
        ("2 minggu kalender", "P2W", "P2W = 2 Minggu Kalender (hari kalender, bukan waktu kerja)"),
        ("1 – 20 Hari Kerja", "P20D",
         "P20D = 20 hari kerja (9000 menit kerja); rentang 1 – 20 Hari, batasnya nilai terbesar"),
    ],
)  # fmt: skip
def test_durations_become_iso_8601(text: str, iso: str, meaning: str) -> None:
    (duration,) = parse_durations(text)

    assert iso_duration(duration) == (iso, meaning)


def test_the_diagram_is_the_sop_grid_row_by_step_column_by_lane() -> None:
    spec = long_spec(40)
    document = assert_valid(export_bpmn(spec, process_id="sop_panjang"))
    shapes = {s.get("bpmnElement"): s.find("dc:Bounds", NS) for s in document.findall(".//bpmndi:BPMNShape", NS)}
    edges = {e.get("bpmnElement") for e in document.findall(".//bpmndi:BPMNEdge", NS)}
    nodes = [n for n in document.find("bpmn:process", NS) if n.get("id") and not n.tag.endswith(("laneSet",))]

    assert {n.get("id") for n in nodes if not n.tag.endswith("sequenceFlow")} <= set(shapes)
    assert {f.get("id") for f in elements(document, "sequenceFlow")} == edges
    pool = shapes["Participant_1"]
    assert document.find(".//bpmndi:BPMNShape[@bpmnElement='Participant_1']", NS).get("isHorizontal") == "false"
    lanes = elements(document, "lane")
    for index, lane in enumerate(lanes):
        left = float(shapes[lane.get("id")].get("x"))
        assert left == float(pool.get("x")) + index * LANE_WIDTH
        for ref in lane.findall("bpmn:flowNodeRef", NS):
            bounds = shapes[ref.text]
            assert left - 20 <= float(bounds.get("x")) <= left + LANE_WIDTH
    tops = [float(shapes[f"Task_{n}"].get("y")) for n in range(1, 41) if f"Task_{n}" in shapes]
    assert tops == sorted(tops) and len(set(tops)) == len(tops)


def test_an_sop_that_cannot_be_drawn_or_a_bad_id_is_not_exported() -> None:
    spec = long_spec(5)
    spec.steps[2].next = 9
    spec.steps[3].lanes = []

    with pytest.raises(ValueError, match="step 3 points to step 9.*; step 4 has no known performer"):
        export_bpmn(spec, process_id="sop")
    with pytest.raises(ValueError, match="not a valid BPMN id"):
        export_bpmn(long_spec(5), process_id="1 sop")
    with pytest.raises(ValueError, match="another element"):
        export_bpmn(long_spec(5), process_id="Task_2")


def test_a_draft_with_flow_problems_is_still_drawn() -> None:
    spec = long_spec(5)
    spec.identity.title = ""
    spec.steps[1].next = 4  # step 3 can no longer be reached
    assert problems(spec)

    document = assert_valid(export_bpmn(spec, process_id="draf"))

    assert "Task_3" in {task.get("id") for task in elements(document, "userTask")}
