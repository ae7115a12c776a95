"""The charts of the visual setup report, drawn with matplotlib as inline SVG.

Each chart function takes the aggregates the project's macro
planwise_report_figures returned (rows of dicts) and returns one `<svg>`
element as text: no script and no font to fetch (text stays text, in the
reader's sans-serif), so the page opens from a file share or an e-mail
attachment and prints as it shows. The hazard grids, hundreds of cells, are
tables the page colours with `colour_scale` (drawing them costs seconds).
Colours are matplotlib's cividis (sequential, readable with every common
colour-vision deficiency), PuOr for differences, and the Okabe-Ito
blue/orange pair for before and after.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from matplotlib import colormaps, rcParams
from matplotlib.colors import Normalize, to_hex
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

rcParams["svg.fonttype"] = "none"  # text stays text: small, searchable, copyable numbers
rcParams["font.family"] = "sans-serif"  # the reader's own sans-serif: no font to fetch
rcParams["svg.hashsalt"] = "planwise"  # the same figures give the same page
rcParams["font.size"] = 9
BEFORE, AFTER, BAND = "#0072B2", "#E69F00", "#BBBBBB"  # Okabe-Ito blue, orange; grey
SEQUENTIAL, DIVERGING = "cividis", "PuOr"
Rows = list[dict[str, Any]]


def _svg(figure: Figure, title: str) -> str:
    """The figure as an SVG element whose <title> names it (for screen readers)."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buffer.getvalue()
    start = text.index("<svg")
    body = text[start:].replace(">", f"><title>{_escape(title)}</title>", 1)
    return f'<figure class="chart" role="img" aria-label="{_escape(title)}">{body}</figure>'


def _escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _ordered(rows: Rows, label: str, order: str) -> list[str]:
    """The distinct labels of a band column, in the band's display order."""
    pairs = sorted({(row.get(order) or 0, str(row[label])) for row in rows})
    return list(dict.fromkeys(name for _, name in pairs))


def band_grid(rows: Rows) -> tuple[list[str], list[str], list[list[dict[str, Any] | None]]]:
    """Age bands (down) and tenure bands (across) in their display order, and the
    row of each cell (None where the rows hold none): the heatmap's and the grid
    tables' layout."""
    ages = _ordered(rows, "age_band", "age_order")
    tenures = _ordered(rows, "tenure_band", "tenure_order")
    cells: list[list[dict[str, Any] | None]] = [[None] * len(tenures) for _ in ages]
    for row in rows:
        cells[ages.index(str(row["age_band"]))][tenures.index(str(row["tenure_band"]))] = row
    return ages, tenures, cells


def _heatmap_axes(
    axes: Any, ages: list[str], tenures: list[str], cells: list[list[Any]], **style: Any
) -> Any:
    data = [[float("nan") if v is None else float(v) for v in line] for line in cells]
    image = axes.imshow(data, aspect="auto", **style)
    axes.set_xticks(range(len(tenures)), tenures)
    axes.set_yticks(range(len(ages)), ages)
    axes.set_xlabel("tenure band (years of service)")
    axes.set_ylabel("age band (years)")
    return image


def _label_cells(axes: Any, image: Any, cells: list[list[Any]], text: Callable[[Any], str]) -> None:
    """Each cell's value written on it, dark on light colours and light on dark."""
    for i, line in enumerate(cells):
        for j, value in enumerate(line):
            if value is None:
                continue
            red, green, blue, _ = image.cmap(image.norm(value))
            light = 0.299 * red + 0.587 * green + 0.114 * blue > 0.5
            axes.text(
                j,
                i,
                text(value),
                ha="center",
                va="center",
                fontsize=7,
                color="black" if light else "white",
            )


def headcount_heatmap(rows: Rows) -> str:
    """Baseline headcount by age band x tenure band."""
    ages, tenures, grid = band_grid(rows)
    cells = [[None if row is None else row["headcount"] for row in line] for line in grid]
    figure = Figure(figsize=(6.4, 3.6))
    axes = figure.subplots()
    image = _heatmap_axes(axes, ages, tenures, cells, cmap=SEQUENTIAL)
    _label_cells(axes, image, cells, lambda v: f"{v:,.0f}")
    figure.colorbar(image, ax=axes, label="employees")
    title = "Baseline headcount by age band and tenure band"
    axes.set_title(title)
    return _svg(figure, title)


def _bands(axes: Any, levels: Rows) -> None:
    """Each level's band, minimum to maximum, as a grey bar."""
    banded = [
        (position, level) for position, level in enumerate(levels) if level["band_min"] is not None
    ]
    banded = [(position, level) for position, level in banded if level["band_max"] is not None]
    axes.barh(
        [position for position, _ in banded],
        [level["band_max"] - level["band_min"] for _, level in banded],
        left=[level["band_min"] for _, level in banded],
        height=0.7,
        color=BAND,
        label="band (min to max)",
    )


def _pay(axes: Any, levels: Rows) -> None:
    """Each level's pay: lowest to highest, 10th to 90th percentile, median."""
    paid = [
        (position, level) for position, level in enumerate(levels) if level["pay_min"] is not None
    ]
    positions = [position for position, _ in paid]
    for low, high, width, label in (
        ("pay_min", "pay_max", 1, "pay, lowest to highest"),
        ("pay_p10", "pay_p90", 5, "pay, 10th to 90th percentile"),
    ):
        lows, highs = [level[low] for _, level in paid], [level[high] for _, level in paid]
        axes.hlines(positions, lows, highs, color=BEFORE, linewidth=width, label=label)
    medians = [level["pay_median"] for _, level in paid]
    axes.plot(medians, positions, "D", color=AFTER, markersize=6, linestyle="", label="median pay")


def level_pay(levels: Rows) -> str:
    """Pay by level (min, 10th-90th percentile, median, max) over each level's band."""
    figure = Figure(figsize=(6.4, 0.6 + 0.55 * max(len(levels), 1)))
    axes = figure.subplots()
    _bands(axes, levels)
    _pay(axes, levels)
    axes.set_yticks(range(len(levels)), [_level_name(level) for level in levels])
    axes.invert_yaxis()
    _pay_axis(axes, levels)
    axes.set_xlabel("annual pay")
    axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _: _amount(value)))
    axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2, frameon=False, fontsize=7)
    title = "Pay by level against each level's band"
    axes.set_title(title, pad=30)
    return _svg(figure, title)


def _pay_axis(axes: Any, levels: Rows) -> None:
    """The pay axis spans the pay paid and the bands near it: a band reaching far
    beyond the highest pay (an open-ended top band) is cut, its maximum written."""
    highest = max(
        (level["pay_max"] for level in levels if level["pay_max"] is not None), default=None
    )
    if highest is None:
        return
    right = 1.15 * max(
        [
            highest,
            *(level["band_max"] for level in levels if (level["band_max"] or 0) <= 2 * highest),
        ]
    )
    axes.set_xlim(0, right)
    for position, level in enumerate(levels):
        if (level["band_max"] or 0) > right:
            axes.text(  # above the bar, at the axis' end
                right,
                position - 0.38,
                f"band continues to {level['band_max']:,.0f} → ",
                ha="right",
                va="bottom",
                fontsize=7,
            )


def _level_name(level: dict[str, Any]) -> str:
    name = f"{level['level_id']:.0f}"
    return f"{name} {level['level_name']}" if level.get("level_name") else name


def bars(labels: list[str], values: list[float], title: str, axis: str) -> str:
    """One horizontal bar per label, its value written at its end."""
    figure = Figure(figsize=(6.4, 0.6 + 0.4 * max(len(labels), 1)))
    axes = figure.subplots()
    axes.barh(range(len(labels)), values, color=BEFORE)
    axes.set_yticks(range(len(labels)), labels)
    axes.invert_yaxis()
    for position, value in enumerate(values):
        axes.text(value, position, f" {value:,.0f}", va="center", fontsize=8)
    axes.set_xlabel(axis)
    axes.set_xlim(0, max(values, default=1) * 1.18 or 1)
    axes.set_title(title)
    return _svg(figure, title)


def before_after(
    labels: list[str], old: list[float], new: list[float], title: str, axis: str
) -> str:
    """Paired bars: the live database's value and this setup's, per label."""
    figure = Figure(figsize=(6.4, 0.8 + 0.5 * max(len(labels), 1)))
    axes = figure.subplots()
    positions = range(len(labels))
    axes.barh(
        [p - 0.2 for p in positions], old, height=0.4, color=BEFORE, label="live database (before)"
    )
    axes.barh(
        [p + 0.2 for p in positions], new, height=0.4, color=AFTER, label="this setup (after)"
    )
    axes.set_yticks(positions, labels)
    axes.invert_yaxis()
    axes.set_xlabel(axis)
    axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _: _amount(value)))
    axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2, frameon=False, fontsize=8)
    axes.set_title(title, pad=24)
    return _svg(figure, title)


def _amount(value: float) -> str:
    """An axis amount that fits under its tick: 40,000, 1.5M."""
    if abs(value) >= 1e6:
        return f"{value / 1e6:,.1f}".removesuffix(".0") + "M"
    return f"{value:,.0f}"


def colour_scale(
    values: list[float], diverging: bool = False
) -> Callable[[float], tuple[str, str]]:
    """A value's colour on the sequential map (0 to the largest value) or the
    diverging one (symmetric around 0), with the text colour that reads on it."""
    top = max((abs(value) for value in values), default=1.0) or 1.0
    colours = colormaps[DIVERGING if diverging else SEQUENTIAL]
    scale = Normalize(-top if diverging else 0.0, top)

    def colour(value: float) -> tuple[str, str]:
        red, green, blue, _ = colours(scale(value))
        light = 0.299 * red + 0.587 * green + 0.114 * blue > 0.5
        return to_hex((red, green, blue)), "black" if light else "white"

    return colour


def gradient(diverging: bool = False, stops: int = 11) -> str:
    """The colour map as a CSS linear-gradient, for a scale's legend."""
    colours = colormaps[DIVERGING if diverging else SEQUENTIAL]
    return ", ".join(to_hex(colours(index / (stops - 1))) for index in range(stops))
