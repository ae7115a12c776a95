"""The change report as text: what a setup's build changes against the live database.

The comparison itself is SQL in the project (macro planwise_change_report); this
only words the dict it hands over (the report's `changes`).
"""

from __future__ import annotations

from typing import Any

EXAMPLES_SHOWN = 3  # changed cells shown per relation (the JSON report has up to 10)
BUCKETS_SHOWN = 5  # changed buckets shown per distribution, the largest change first
HEADLINE = ("headcount", "hires", "terminations", "active", "total_pay", "median_pay")


def _number(value: float | None) -> str:
    if value is None:
        return "none"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _delta(old: float | None, new: float | None, arrow: str) -> str:
    change = (new or 0.0) - (old or 0.0)
    sign = "+" if change >= 0 else "-"
    return f"{_number(old)} {arrow} {_number(new)} ({sign}{_number(abs(change))})"


def _changed(measure: dict[str, Any]) -> bool:
    return abs((measure["new"] or 0.0) - (measure["old"] or 0.0)) >= 0.005 or (
        (measure["new"] is None) != (measure["old"] is None)
    )


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


def _workforce_lines(measures: list[dict[str, Any]], arrow: str) -> list[str]:
    lines = []
    for part in ("census", "baseline"):
        mine = [m for m in measures if m["part"] == part]
        headline = [m for m in mine if m["bucket"] == "all" and m["measure"] in HEADLINE]
        if not any(_changed(m) for m in mine):
            lines.append(f"  {part}: no change" if mine else f"  {part}: not compared")
            continue
        cells = [f"{m['measure'].replace('_', ' ')} {_delta(m['old'], m['new'], arrow)}"
                 for m in sorted(headline, key=lambda m: HEADLINE.index(m["measure"]))]  # fmt: skip
        lines.append(f"  {part}: " + "; ".join(cells))
        for measure in sorted({m["measure"] for m in mine if m["bucket"] != "all"}):
            changed = [m for m in mine if m["measure"] == measure and _changed(m)]
            changed.sort(key=lambda m: -abs((m["new"] or 0.0) - (m["old"] or 0.0)))
            cells = [f"{m['bucket']} {_delta(m['old'], m['new'], arrow)}" for m in changed]
            shown = cells[:BUCKETS_SHOWN] + [f"{len(cells) - BUCKETS_SHOWN} more"] * (
                len(cells) > BUCKETS_SHOWN
            )
            lines += [f"    {measure.replace('_', ' ')}: " + "; ".join(shown)] if cells else []
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
    return lines + _workforce_lines(changes.get("workforce") or [], arrow)
