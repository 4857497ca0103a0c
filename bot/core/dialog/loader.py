"""Read dialog YAML into a :class:`DialogGraph`, or into a list of problems.

Parsing is split from reading files so that tests and the linter can feed
text directly; ``load_dir`` is the only function here that touches the disk.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.core.dialog.graph import DialogGraph, Problem, RoleInfo
from bot.core.dialog.rules import check_graph
from bot.core.dialog.schema import DialogFile, NodeSpec

#: libyaml's C parser when it is there (several times faster at start-up).
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class DialogError(Exception):
    """The dialogs cannot be run; ``problems`` says why, one line each."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Document:
    """One YAML file as parsed data, with the line of each node id."""

    name: str
    data: Any
    node_lines: Mapping[str, int]


def _not_yaml(name: str, exc: yaml.YAMLError) -> Problem:
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else None
    reason = getattr(exc, "problem", None) or str(exc)
    return Problem(name, "", f"not valid YAML: {reason}", line)


def load_data(name: str, text: str) -> tuple[Any, list[Problem]]:
    """Plain data, without the node lines :func:`parse_yaml` also finds (half
    the time, for large files of data such as the corpus). Not kept: the
    corpus is read once, and its parse would stay in memory for nothing."""
    try:
        return yaml.load(text, Loader=_Loader), []  # noqa: S506 - _Loader is a SafeLoader
    except yaml.YAMLError as exc:
        return None, [_not_yaml(name, exc)]


def parse_yaml(name: str, text: str) -> tuple[Document | None, list[Problem]]:
    """The file as a :class:`Document`. Parsed once per distinct text: every
    kind's loader reads the whole folder (a file's kind is inside it), so a
    start parsed each file four or five times, most of a second. The parsed
    data is shared between callers: loaders only read it (pydantic validates
    a copy)."""
    doc, problems = _parse_yaml(name, text)
    return doc, list(problems)


@functools.lru_cache(maxsize=64)
def _parse_yaml(name: str, text: str) -> tuple[Document | None, tuple[Problem, ...]]:
    try:
        root = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.YAMLError as exc:
        return None, (_not_yaml(name, exc),)
    lines, duplicates = _node_lines(root)
    problems = tuple(
        Problem(name, f"nodes.{node_id}", "duplicate node id (written twice in this file)", line)
        for node_id, line in duplicates
    )
    return Document(name, data, lines), problems


def _node_lines(root: yaml.Node | None) -> tuple[dict[str, int], list[tuple[str, int]]]:
    """Line of each node id, and ids written twice (YAML would silently keep the last)."""
    lines: dict[str, int] = {}
    duplicates: list[tuple[str, int]] = []
    if not isinstance(root, yaml.MappingNode):
        return lines, duplicates
    for key, value in root.value:
        if key.value == "nodes" and isinstance(value, yaml.MappingNode):
            for k, _ in value.value:
                if k.value in lines:
                    duplicates.append((k.value, k.start_mark.line + 1))
                else:
                    lines[k.value] = k.start_mark.line + 1
    return lines, duplicates


def kind_of(doc: Document) -> str | None:
    return doc.data.get("kind") if isinstance(doc.data, dict) else None


def _validation_problems(doc: Document, exc: ValidationError) -> list[Problem]:
    problems = []
    for err in exc.errors():
        loc = [str(part) for part in err["loc"]]
        # pydantic names the union member it tried; writers do not need that.
        loc = [p for p in loc if p not in ("str", "Variants", "function-after[_has_target(), ButtonSpec]")]
        line = doc.node_lines.get(loc[1]) if len(loc) > 1 and loc[0] == "nodes" else None
        message = err["msg"].removeprefix("Value error, ")
        problems.append(Problem(doc.name, ".".join(loc), message, line))
    return problems


def build_graph(docs: list[Document]) -> tuple[DialogGraph | None, list[Problem]]:
    """Validate and merge dialog documents. Returns the graph only when no problem blocks it."""
    problems: list[Problem] = []
    files: list[tuple[Document, DialogFile]] = []
    for doc in docs:
        try:
            files.append((doc, DialogFile.model_validate(doc.data)))
        except ValidationError as exc:
            problems.extend(_validation_problems(doc, exc))
    if problems:
        return None, problems

    nodes: dict[str, NodeSpec] = {}
    node_file: dict[str, str] = {}
    node_line: dict[str, int] = {}
    node_role: dict[str, str | None] = {}
    roles: dict[str, RoleInfo] = {}
    start = role_choice = ui = None
    checkin = None
    checkin_file = ""
    care = None
    onboarding: list[str] = []
    # The shared file first, so its onboarding questions come first.
    files.sort(key=lambda pair: not pair[1].is_shared)
    for doc, parsed in files:
        onboarding += parsed.onboarding
        for node_id, node in parsed.nodes.items():
            if node_id in nodes:
                problems.append(
                    Problem(doc.name, f"nodes.{node_id}",
                            f"duplicate node id (also in {node_file[node_id]})",
                            doc.node_lines.get(node_id))
                )
                continue
            nodes[node_id] = node
            node_file[node_id] = doc.name
            node_line[node_id] = doc.node_lines.get(node_id, 0)
            node_role[node_id] = parsed.role
        if parsed.role:
            if parsed.role in roles:
                problems.append(Problem(doc.name, "role", f"role {parsed.role} is also in {roles[parsed.role].file}"))
            sections = {str(k): v for k, v in parsed.sections.items()}
            roles[parsed.role] = RoleInfo(parsed.role, parsed.menu or "", sections, doc.name)
        elif parsed.is_shared:
            if start is not None:
                problems.append(Problem(doc.name, "start", "only one shared file may set 'start'"))
            start, role_choice, ui = parsed.start, parsed.role_choice, parsed.ui
        if parsed.care is not None:
            if care is not None or parsed.role:
                problems.append(Problem(doc.name, "care", "only one role-less file may have 'care'"))
            care = parsed.care
        if parsed.checkin is not None:
            if checkin is not None:
                also = f"only one file may have 'checkin' (also in {checkin_file})"
                problems.append(Problem(doc.name, "checkin", also))
            checkin, checkin_file = parsed.checkin, doc.name
    if start is None or role_choice is None or ui is None:
        problems.append(Problem("dialogs", "", "no shared file with 'start' and 'role_choice'"))
        return None, problems
    graph = DialogGraph(nodes, start, role_choice, roles, ui, node_file, node_line, node_role, checkin,
                        tuple(onboarding), care)
    for anchor, owner in [(start, "start"), (role_choice, "role_choice")] + [
        (info.menu, f"{info.role}.menu") for info in roles.values()
    ]:
        if anchor not in nodes:
            problems.append(Problem("dialogs", owner, f"points to '{anchor}', which does not exist"))
    return (None if problems else graph), problems


def read_documents(directory: Path, kind: str) -> tuple[list[Document], list[Problem]]:
    """Every ``*.yaml`` file in ``directory`` whose ``kind:`` is ``kind``."""
    docs: list[Document] = []
    problems: list[Problem] = []
    for path in sorted(directory.glob("*.y*ml")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(path.name, "", f"cannot read: {exc}"))
            continue
        doc, found = parse_yaml(path.name, text)
        problems.extend(found)
        if doc is None:
            continue
        if kind_of(doc) is None:
            problems.append(Problem(path.name, "kind", "missing 'kind:' (dialog, faq or safety)"))
        elif kind_of(doc) == kind:
            docs.append(doc)
    return docs, problems


def read_one(directory: Path, kind: str) -> Document:
    """The single file of ``kind`` in ``directory``; raise :class:`DialogError` if there is not exactly one."""
    docs, problems = read_documents(Path(directory), kind)
    if docs:
        # A file without 'kind:' is reported once, by the dialog loader.
        problems = [p for p in problems if p.where != "kind"]
    else:
        problems.append(Problem(str(directory), "", f"no file with 'kind: {kind}' found"))
    if len(docs) > 1:
        names = ", ".join(doc.name for doc in docs)
        problems.append(Problem(str(directory), "", f"only one file may have 'kind: {kind}', found: {names}"))
    if problems:
        raise DialogError(problems)
    return docs[0]


def check_dir(directory: Path) -> tuple[DialogGraph | None, list[Problem]]:
    """Read, validate and check every dialog file: the graph, and every problem found."""
    if not directory.is_dir():
        return None, [Problem(str(directory), "", "not a folder")]
    docs, problems = read_documents(directory, "dialog")
    if not docs and not problems:
        problems.append(Problem(str(directory), "", "no dialog files found"))
    graph, found = build_graph(docs)
    problems.extend(found)
    if graph is not None:
        problems.extend(check_graph(graph))
    return graph, problems


def load_dir(directory: Path) -> DialogGraph:
    """Load the dialogs a bot will run; raise :class:`DialogError` if they are broken.

    A bot refuses content that fails any rule, so a broken edit is caught at
    start-up rather than by a user stuck on a missing node.
    """
    graph, problems = check_dir(directory)
    if problems or graph is None:
        raise DialogError(problems)
    return graph
