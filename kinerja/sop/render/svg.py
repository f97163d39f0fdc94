"""One SVG per flowchart page, drawn from the layout.

The drawing covers the lane (Pelaksana) columns only, in millimetres, so the document can lay it over those
columns at 1:1. Elements carry stable classes and data attributes (`symbol terminator`, `arrow`, `connector`,
`joint`, `row`, data-step, data-lane, data-from, data-to, data-label) so tests and scripts can read the
structure back without guessing from coordinates. The only text is the Ya/Tidak labels and connector letters:
the activity text belongs to the Uraian column.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from kinerja.sop.render.layout import (
    DECISION,
    TERMINATOR,
    Arrow,
    Connector,
    Layout,
    Page,
    PlacedSymbol,
)

SVG_NS = "http://www.w3.org/2000/svg"
INK = "#000000"
GRID = "#9a9a9a"
STROKE = "0.3"
FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"
LABEL_SIZE = 2.3
LETTER_SIZE = 2.8
MARKER_ID = "arrowhead"


def _n(value: float) -> str:
    """Numbers with at most two decimals and a dot, whatever the active locale."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def page_svg(layout: Layout, page: Page) -> str:
    """The SVG document of one flowchart page."""
    root = ET.Element(
        "svg",
        {
            "xmlns": SVG_NS,
            "width": f"{_n(page.width)}mm",
            "height": f"{_n(page.height)}mm",
            "viewBox": f"0 0 {_n(page.width)} {_n(page.height)}",
            "class": "sop-flowchart",
            "data-page": str(page.index),
            "data-pages": str(len(layout.pages)),
            "data-steps": " ".join(str(n) for n in page.steps),
            "data-top-band": _n(page.top_band),
            "data-bottom-band": _n(page.bottom_band),
        },
    )
    _defs(root)
    _grid(root, layout, page)
    joints = ET.SubElement(root, "g", {"class": "joints"})
    for joint in page.joints:
        ET.SubElement(
            joints,
            "line",
            {
                "class": "joint",
                "data-step": str(joint.step),
                "x1": _n(joint.x1),
                "y1": _n(joint.y1),
                "x2": _n(joint.x2),
                "y2": _n(joint.y2),
                "stroke": INK,
                "stroke-width": STROKE,
            },
        )
    arrows = ET.SubElement(root, "g", {"class": "arrows"})
    for arrow in page.arrows:
        _arrow(arrows, arrow)
    symbols = ET.SubElement(root, "g", {"class": "symbols"})
    for symbol in page.symbols:
        _symbol(symbols, symbol)
    connectors = ET.SubElement(root, "g", {"class": "connectors"})
    for connector in page.connectors:
        _connector(connectors, connector)
    labels = ET.SubElement(root, "g", {"class": "labels"})
    for arrow in page.arrows:
        if arrow.label and not (arrow.connector and _starts_at_connector(page, arrow)):
            _label(labels, arrow)
    return ET.tostring(root, encoding="unicode")


def pages_svg(layout: Layout) -> list[str]:
    return [page_svg(layout, page) for page in layout.pages]


def _defs(root: ET.Element) -> None:
    defs = ET.SubElement(root, "defs")
    marker = ET.SubElement(
        defs,
        "marker",
        {
            "id": MARKER_ID,
            "viewBox": "0 0 10 10",
            "refX": "10",
            "refY": "5",
            "markerWidth": "2.2",
            "markerHeight": "2.2",
            "markerUnits": "userSpaceOnUse",
            "orient": "auto",
        },
    )
    ET.SubElement(marker, "path", {"d": "M 0 0 L 10 5 L 0 10 z", "fill": INK})


def _grid(root: ET.Element, layout: Layout, page: Page) -> None:
    """Row and lane lines, so the drawing carries the table grid inside the lane columns."""
    grid = ET.SubElement(root, "g", {"class": "grid", "fill": "none", "stroke": GRID, "stroke-width": "0.2"})
    for name, y, h in (("top", 0.0, page.top_band), ("bottom", page.rows_bottom, page.bottom_band)):
        if h:
            ET.SubElement(
                grid,
                "rect",
                {"class": "band", "data-band": name, "x": "0", "y": _n(y), "width": _n(page.width), "height": _n(h)},
            )
    for index, row in enumerate(page.rows):
        ET.SubElement(
            grid,
            "rect",
            {
                "class": "row",
                "data-step": str(row.step),
                "data-index": str(index),
                "x": "0",
                "y": _n(row.y),
                "width": _n(page.width),
                "height": _n(row.h),
            },
        )
    for lane in layout.columns.lanes[1:]:
        ET.SubElement(
            grid,
            "line",
            {"class": "lane-line", "data-lane": lane.key, "x1": _n(lane.x), "y1": "0", "x2": _n(lane.x)}
            | {"y2": _n(page.height)},
        )


def _arrow(parent: ET.Element, arrow: Arrow) -> None:
    first, *rest = arrow.points
    d = f"M {_n(first[0])} {_n(first[1])} " + " ".join(f"L {_n(x)} {_n(y)}" for x, y in rest)
    attributes = {
        "class": "arrow",
        "data-from": str(arrow.source),
        "data-to": str(arrow.target),
        "d": d,
        "fill": "none",
        "stroke": INK,
        "stroke-width": STROKE,
        "marker-end": f"url(#{MARKER_ID})",
    }
    if arrow.label:
        attributes["data-label"] = arrow.label
    if arrow.connector:
        attributes["data-connector"] = arrow.connector
    ET.SubElement(parent, "path", attributes)


def _starts_at_connector(page: Page, arrow: Arrow) -> bool:
    """The arrow that resumes from an incoming pentagon: its Ya/Tidak label is shown on the source page."""
    return any(c.direction == "in" and c.label == arrow.connector for c in page.connectors)


def _label(parent: ET.Element, arrow: Arrow) -> None:
    """Ya/Tidak beside the first leg of a decision's exit, just outside the diamond."""
    (x0, y0), (x1, y1) = arrow.points[0], arrow.points[1]
    if abs(y0 - y1) < 1e-6:  # leaves sideways
        anchor = "start" if x1 > x0 else "end"
        x, y = x0 + (0.6 if x1 > x0 else -0.6), y0 - 0.7
    else:  # leaves downwards
        anchor, x, y = "start", x0 + 0.7, y0 + LABEL_SIZE
    text = ET.SubElement(
        parent,
        "text",
        {
            "class": "arrow-label",
            "data-from": str(arrow.source),
            "data-to": str(arrow.target),
            "x": _n(x),
            "y": _n(y),
            "font-family": FONT,
            "font-size": _n(LABEL_SIZE),
            "text-anchor": anchor,
            "fill": INK,
        },
    )
    text.text = arrow.label


def _symbol(parent: ET.Element, symbol: PlacedSymbol) -> None:
    group = ET.SubElement(
        parent,
        "g",
        {"class": f"symbol {symbol.kind}", "data-step": str(symbol.step), "data-lane": symbol.lane},
    )
    style = {"fill": "#ffffff", "stroke": INK, "stroke-width": STROKE}
    box = {"x": _n(symbol.x), "y": _n(symbol.y), "width": _n(symbol.w), "height": _n(symbol.h)}
    if symbol.kind == DECISION:
        points = [
            (symbol.cx, symbol.y),
            (symbol.right, symbol.cy),
            (symbol.cx, symbol.bottom),
            (symbol.x, symbol.cy),
        ]
        ET.SubElement(group, "polygon", {"points": _points(points)} | style)
    elif symbol.kind == TERMINATOR:
        radius = _n(symbol.h / 2)
        ET.SubElement(group, "rect", box | {"rx": radius, "ry": radius} | style)
    else:
        ET.SubElement(group, "rect", box | style)


def _connector(parent: ET.Element, connector: Connector) -> None:
    """A pentagon pointing down, like a home plate, with its letter in the square part."""
    group = ET.SubElement(
        parent,
        "g",
        {
            "class": "connector",
            "data-label": connector.label,
            "data-direction": connector.direction,
            "data-lane": connector.lane,
            "data-from": str(connector.source),
            "data-to": str(connector.target),
        },
    )
    shoulder = connector.y + connector.h * 0.6
    points = [
        (connector.x, connector.y),
        (connector.right, connector.y),
        (connector.right, shoulder),
        (connector.cx, connector.bottom),
        (connector.x, shoulder),
    ]
    ET.SubElement(
        group, "polygon", {"points": _points(points), "fill": "#ffffff", "stroke": INK} | {"stroke-width": STROKE}
    )
    size = min(LETTER_SIZE, connector.w * 0.55) if len(connector.label) > 1 else LETTER_SIZE
    text = ET.SubElement(
        group,
        "text",
        {
            "x": _n(connector.cx),
            "y": _n(connector.y + connector.h * 0.3 + size * 0.36),
            "font-family": FONT,
            "font-size": _n(size),
            "font-weight": "bold",
            "text-anchor": "middle",
            "fill": INK,
        },
    )
    text.text = connector.label


def _points(points: list[tuple[float, float]]) -> str:
    return " ".join(f"{_n(x)},{_n(y)}" for x, y in points)
