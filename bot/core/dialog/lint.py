"""Lint a content folder: every kind of file in it, every rule, one report."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.core.dialog.graph import DialogGraph, Problem
from bot.core.dialog.loader import DialogError, check_dir
from bot.core.dialog.rules import taps_from
from bot.core.dialog.schema import SECTIONS
from bot.core.faq.loader import load_faq
from bot.core.partner.content import load_partner
from bot.core.safety.loader import load_safety
from bot.core.understanding.content import load_understanding
from bot.core.understanding.corpus import unknown_faq_ids


@dataclass(frozen=True)
class LintReport:
    problems: list[Problem]
    summary: str


def coverage(graph: DialogGraph) -> dict[str, dict[str, int | None]]:
    """Taps from each role's menu to each section's entry (None: not reachable)."""
    result: dict[str, dict[str, int | None]] = {}
    for role, info in graph.roles.items():
        dist = taps_from(graph, info.menu)
        result[role] = {s: dist.get(info.sections[s]) if s in info.sections else None for s in SECTIONS}
    return result


def _other_kinds(directory: Path) -> list[Problem]:
    """Problems in the FAQ, safety, partner and understanding files and the
    corpus, found by the loaders the bot uses (each loaded once)."""
    problems: list[Problem] = []
    for load in (load_safety, load_partner):
        try:
            load(directory)
        except DialogError as exc:
            problems.extend(exc.problems)
    faq = content = None
    try:
        faq = load_faq(directory)
    except DialogError as exc:
        problems.extend(exc.problems)
    try:
        content = load_understanding(directory)
    except DialogError as exc:
        problems.extend(exc.problems)
    if faq is not None and content is not None:
        problems += unknown_faq_ids(content.corpus, (entry.id for entry in faq))
    return problems


def lint_dir(directory: Path) -> LintReport:
    graph, problems = check_dir(directory)
    if directory.is_dir():
        problems = problems + _other_kinds(directory)
    if graph is None:
        return LintReport(problems, f"{len(problems)} problem(s)")
    parts = []
    for role, sections in coverage(graph).items():
        covered = sum(1 for taps in sections.values() if taps is not None)
        worst = max((t for t in sections.values() if t is not None), default=0)
        parts.append(f"{role}: {covered}/{len(SECTIONS)} sections, at most {worst} taps from the menu")
    head = f"{len(problems)} problem(s)" if problems else "OK"
    return LintReport(problems, f"{head}: {len(graph.nodes)} nodes; " + "; ".join(parts))
