"""The change report as text: what a setup's build changes against the live database.

The comparison itself is SQL in the project (macro planwise_change_report); this
only words the dict it hands over (the report's `changes`).
"""

from __future__ import annotations

from typing import Any

EXAMPLES_SHOWN = 3  # changed cells shown per relation (the JSON report has up to 10)
BUCKETS_SHOWN = 5  # changed buckets shown per distribution, the largest change first
HEADLINE = ("headcount", "hires", "terminations", "active", "total_pay", "median_pay")
WIDTH = 80  # the census and baseline lines wrap (between items) to keep within it


def _number(value: float | None) -> str:
    if value is None:
        return "none"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _delta(old: float | None, new: float | None, arrow: str) -> str:
    change = (new or 0.0) - (old or 0.0)
    sign = "+" if change >= 0 else "-"
    return f"{_number(old)} {arrow} {_number(new)} ({sign}{_number(abs(change))})"


def _size(measure: dict[str, Any]) -> float:
    return abs(float(measure["new"] or 0.0) - float(measure["old"] or 0.0))


def _changed(measure: dict[str, Any]) -> bool:
    return _size(measure) >= 0.005 or ((measure["new"] is None) != (measure["old"] is None))


def _relation_lines(name: str, entry: dict[str, Any], arrow: str) -> list[str]:
    counts = [f"{entry[kind]:,} {kind}" for kind in ("added", "removed", "changed") if entry[kind]]
    counts += [f"new column(s) {', '.join(entry.get('columns_added') or [])}"] * bool(
        entry.get("columns_added")
    )
    counts += [f"dropped column(s) {', '.join(entry.get('columns_removed') or [])}"] * bool(
        entry.get("columns_removed")
    )
    key = ", ".join(entry.get("key") or []) or "whole rows"
    lines = [f"  {name} (by {key}): {'; '.join(counts)}"]
    for example in entry["examples"][:EXAMPLES_SHOWN]:
        if example["change"] == "changed":
            cell = f"{example['column']} {example['old']} {arrow} {example['new']}"
            lines.append(f"    {example['key']}: {cell}")
        else:
            lines.append(f"    {example['change']}: {example['key']}")
    if len(entry["examples"]) > EXAMPLES_SHOWN:
        lines.append(
            f"    ... the JSON report lists the first {len(entry['examples'])} changed cells"
        )
    return lines


def _wrap(head: str, pieces: list[str], indent: str = "    ") -> list[str]:
    """`head`, then `pieces` after it one space apart, a new line (`indent`) before
    a piece that would pass WIDTH columns; a piece is never broken."""
    lines = [head]
    for piece in pieces:
        if len(lines[-1]) + 1 + len(piece) > WIDTH:
            lines.append(indent + piece)
        else:
            lines[-1] += " " + piece
    return lines


def _pieces(items: list[str], separator: str, brackets: str = "") -> list[str]:
    """`items` with `separator` after all but the last, the whole in `brackets`."""
    pieces = [item + separator for item in items[:-1]] + items[-1:]
    if brackets and pieces:
        pieces[0] = brackets[0] + pieces[0]
        pieces[-1] += brackets[1]
    return pieces


def _measure(measure: dict[str, Any], arrow: str, name: str | None = None) -> str:
    """`headcount 5,000 → 3,000 (-2,000)`, or `headcount 5,000 (no change)`."""
    name = name or str(measure["measure"]).replace("_", " ")
    if not _changed(measure):
        return f"{name} {_number(measure['new'])} (no change)"
    return f"{name} {_delta(measure['old'], measure['new'], arrow)}"


def _employee_lines(employees: dict[str, Any], moved: bool) -> list[str]:
    """The census's employees compared by employee_id: counts, then the columns
    that changed for the most employees."""
    counts = {kind: int(employees.get(kind) or 0) for kind in ("added", "removed", "changed")}
    total = int(employees.get("unchanged") or 0) + counts["changed"] + counts["added"]
    if not (any(counts.values()) or moved):
        return [f"  census: no change ({total:,} employees, none added, removed or changed)"]
    columns = [f"{c['column']} {int(c['employees']):,}" for c in employees.get("columns") or []]
    pieces = _pieces([f"{number:,} {kind}" for kind, number in counts.items()], ",")
    return _wrap(f"  census: {total:,} employees:", pieces + _pieces(columns, ",", "()"))


def _headline_lines(part: str, mine: list[dict[str, Any]], arrow: str) -> list[str]:
    """`census: headcount 5,000 → 3,000 (-2,000); hires ...`, wrapped."""
    headline = [m for m in mine if m["bucket"] == "all" and m["measure"] in HEADLINE]
    headline.sort(key=lambda m: HEADLINE.index(m["measure"]))
    return _wrap(f"  {part}:", _pieces([_measure(m, arrow) for m in headline], ";"))


def _bucket_lines(mine: list[dict[str, Any]], arrow: str) -> list[str]:
    """Per distribution (by level, ...) its changed buckets, the largest change first."""
    moved = [m for m in mine if m["bucket"] != "all" and _changed(m)]
    lines = []
    for measure in sorted({m["measure"] for m in moved}):
        changed = sorted((m for m in moved if m["measure"] == measure), key=_size, reverse=True)
        cells = [_measure(m, arrow, name=str(m["bucket"])) for m in changed]
        shown = cells[:BUCKETS_SHOWN] + [f"{len(cells) - BUCKETS_SHOWN} more"] * (
            len(cells) > BUCKETS_SHOWN
        )
        head = f"    {measure.replace('_', ' ')}:"
        lines += _wrap(head, _pieces(shown, ";"), indent="      ")
    return lines


def _part_lines(
    part: str, mine: list[dict[str, Any]], arrow: str, employees: dict[str, Any] | None
) -> list[str]:
    """A part's lines: the census's employees (when compared), then the measures
    when one moved; `no change` (or `not compared`) otherwise."""
    moved = any(_changed(m) for m in mine)
    lines = [] if employees is None else _employee_lines(employees, moved)
    if moved:
        return lines + _headline_lines(part, mine, arrow) + _bucket_lines(mine, arrow)
    if employees is None:
        lines.append(f"  {part}: no change" if mine else f"  {part}: not compared")
    return lines


def _workforce_lines(changes: dict[str, Any], arrow: str) -> list[str]:
    """Per part (census, baseline) its changed measures; the census's employees first;
    a part this run did not rebuild is the live one, unchanged."""
    measures, kept = changes.get("workforce") or [], changes.get("not_rebuilt") or []
    employees = (changes.get("census") or {}).get("employees")
    lines = []
    for part in ("census", "baseline"):
        if part in kept:
            lines.append(f"  {part}: no change (not rebuilt)")
            continue
        mine = [m for m in measures if m["part"] == part]
        lines += _part_lines(part, mine, arrow, employees if part == "census" else None)
    return lines


def change_lines(changes: dict[str, Any] | None, unicode: bool = True) -> list[str]:
    """The text summary of a change report; [] when the run made none."""
    if not changes:
        return []
    if changes.get("first_setup"):
        return ["", "Changes: a first setup; there is no live database to compare with."]
    arrow = "→" if unicode else "->"
    relations = changes.get("relations") or {}
    lines = ["", f"Changes against the live database ({changes.get('compared_with')}):"]
    for name, entry in relations.items():
        lines += _relation_lines(name, entry, arrow)
    unchanged = changes.get("unchanged")
    if unchanged is not None:
        lines.append(f"  seeds, parameters and grids without a change: {unchanged}")
    missing = changes.get("missing_in_live") or []
    lines += [f"  new (not in the live database): {', '.join(missing)}"] if missing else []
    return lines + _workforce_lines(changes, arrow)
