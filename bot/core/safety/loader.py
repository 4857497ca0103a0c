"""Read ``kind: safety`` YAML into :class:`SafetyContent`, or into problems.

Same shape as the dialog and FAQ loaders (it reuses their YAML reading and
:class:`Problem`), and strict on purpose: a typo in a placeholder or a missing
category would otherwise surface only when someone is in danger.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from bot.core.dialog.graph import Problem
from bot.core.dialog.loader import DialogError, Document, parse_yaml, read_one
from bot.core.dialog.schema import Text
from bot.core.safety.check import CATEGORIES
from bot.core.safety.model import BUTTON_IDS, PLAN_KINDS, CheckTexts, GradedTexts, SafetyContent, SafetyTexts
from bot.core.safety.resources import DEFAULT, Resource

T = TypeVar("T")

Category = Literal["self_harm", "risk_to_others", "sexual_violence", "violence", "threats", "fear", "control"]
assert get_args(Category) == CATEGORIES, "keep Category in step with check.CATEGORIES"
Label = Annotated[str, StringConstraints(min_length=1, max_length=64, strip_whitespace=True)]


def _number_as_text(value: object) -> object:
    """``phone: 911`` in YAML is a number; a phone number is text."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _phone(value: str) -> str:
    if not re.fullmatch(r"\+?[0-9][0-9 ()-]*", value):
        raise ValueError("a phone number has only digits, spaces, +, - and brackets, like 0808 2000 247")
    return value


def _country(value: str) -> str:
    if value != DEFAULT and not re.fullmatch(r"[A-Z]{2}", value):
        raise ValueError(f"'{value}' is not 'default' or a two-letter country code in capitals, like GB")
    return value


Phone = Annotated[str, BeforeValidator(_number_as_text), AfterValidator(_phone)]
Sms = Annotated[str, BeforeValidator(_number_as_text), StringConstraints(min_length=1, strip_whitespace=True)]
def _url(value: str) -> str:
    if not re.fullmatch(r"https?://\S+", value):
        raise ValueError("a url starts with https:// and has no spaces")
    return value


Url = Annotated[str, AfterValidator(_url)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _exact_keys(value: dict[str, T], expected: tuple[str, ...], what: str) -> dict[str, T]:
    missing = [k for k in expected if k not in value]
    unknown = [k for k in value if k not in expected]
    if missing or unknown:
        parts = []
        if missing:
            parts.append("missing " + ", ".join(missing))
        if unknown:
            parts.append("unknown " + ", ".join(unknown))
        raise ValueError(f"{what} must be exactly {', '.join(expected)} ({'; '.join(parts)})")
    return value


def _template(text: str, *names: str) -> str:
    try:
        text.format(**dict.fromkeys(names, "x"))
    except (KeyError, IndexError, ValueError) as exc:
        raise ValueError(f"only {', '.join('{' + n + '}' for n in names)} may appear in braces ({exc})") from None
    missing = [n for n in names if "{" + n + "}" not in text]
    if missing:
        raise ValueError(f"needs {', '.join('{' + n + '}' for n in missing)}")
    return text


class CheckTextsSpec(_Strict):
    question: Text
    not_safe: Label
    okay: Label
    not_sure: Label
    okay_reply: Text
    okay_feeling: Text


class SafetyTextsSpec(_Strict):
    openings: dict[str, Text]
    not_care: Text
    resources_header: Text
    resource_line: Text
    resource_call: Text
    resource_text: Text
    safety_plan_offer: dict[str, Text]
    privacy_note: Text
    buttons: dict[str, Label]
    safety_plan: dict[str, Text]
    check: CheckTextsSpec
    support: Text
    device_safety: Text
    other_language: Text

    @field_validator("openings")
    @classmethod
    def _every_category(cls, value: dict[str, Any]) -> dict[str, Any]:
        return _exact_keys(value, CATEGORIES, "openings")

    @field_validator("buttons")
    @classmethod
    def _every_button(cls, value: dict[str, Any]) -> dict[str, Any]:
        return _exact_keys(value, BUTTON_IDS, "buttons")

    @field_validator("safety_plan", "safety_plan_offer")
    @classmethod
    def _every_plan(cls, value: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        return _exact_keys(value, PLAN_KINDS, info.field_name or "safety_plan")

    @field_validator("resource_line")
    @classmethod
    def _line(cls, value: str) -> str:
        return _template(value, "name", "details")

    @field_validator("resource_call")
    @classmethod
    def _call(cls, value: str) -> str:
        return _template(value, "phone")

    @field_validator("resource_text")
    @classmethod
    def _text(cls, value: str) -> str:
        return _template(value, "sms")


class ResourceSpec(_Strict):
    name: Text
    phone: Phone | None = None
    sms: Sms | None = None
    url: Url | None = None
    note: Text | None = None
    topics: list[Category] = Field(default_factory=list)

    @model_validator(mode="after")
    def _reachable(self) -> ResourceSpec:
        if not (self.phone or self.sms or self.url or self.note):
            raise ValueError("a resource needs at least one of phone, sms, url or note")
        return self


CountryKey = Annotated[str, AfterValidator(_country)]


ResourceMap = dict[CountryKey, list[ResourceSpec]]
_RESOURCE_MAP: TypeAdapter[ResourceMap] = TypeAdapter(ResourceMap)


class SafetyFile(_Strict):
    version: Literal[1]
    kind: Literal["safety"]
    texts: SafetyTextsSpec
    resources: ResourceMap

    @model_validator(mode="after")
    def _has_default(self) -> SafetyFile:
        if not self.resources.get(DEFAULT):
            raise ValueError("resources need a 'default' list for users whose country is not listed")
        return self


def resource_from_spec(spec: ResourceSpec, country: str = DEFAULT) -> Resource:
    return Resource(spec.name, spec.phone, spec.sms, spec.url, spec.note, country, tuple(spec.topics))


def parse_resources(data: object, name: str = "config") -> tuple[dict[str, tuple[Resource, ...]], list[Problem]]:
    """Validate a ``{country: [resource, ...]}`` mapping, e.g. overrides from the bot's config."""
    try:
        value = _RESOURCE_MAP.validate_python(data)
    except ValidationError as exc:
        return {}, _problems(name, exc, prefix="resources")
    return {key: tuple(resource_from_spec(s, key) for s in specs) for key, specs in value.items()}, []


def _problems(name: str, exc: ValidationError, prefix: str = "") -> list[Problem]:
    problems = []
    for err in exc.errors():
        loc = [str(part) for part in err["loc"] if part != "[key]"]
        where = ".".join(([prefix] if prefix else []) + loc)
        problems.append(Problem(name, where, err["msg"].removeprefix("Value error, ")))
    return problems


def build_safety(doc: Document) -> tuple[SafetyContent | None, list[Problem]]:
    try:
        parsed = SafetyFile.model_validate(doc.data)
    except ValidationError as exc:
        return None, _problems(doc.name, exc)
    t = parsed.texts
    texts = SafetyTexts(
        openings=dict(t.openings),
        not_care=t.not_care,
        resources_header=t.resources_header,
        resource_line=t.resource_line,
        resource_call=t.resource_call,
        resource_text=t.resource_text,
        safety_plan_offer=dict(t.safety_plan_offer),
        privacy_note=t.privacy_note,
        buttons=dict(t.buttons),
        safety_plan=dict(t.safety_plan),
    )
    resources = {key: tuple(resource_from_spec(s, key) for s in specs) for key, specs in parsed.resources.items()}
    graded = GradedTexts(CheckTexts(**t.check.model_dump()), t.support, t.device_safety, t.other_language)
    return SafetyContent(texts, resources, graded), []


def parse_safety(name: str, text: str) -> tuple[SafetyContent | None, list[Problem]]:
    """Parse safety YAML given as text (tests and the linter feed text directly)."""
    doc, problems = parse_yaml(name, text)
    if doc is None:
        return None, problems
    return build_safety(doc)


def load_safety(directory: Path) -> SafetyContent:
    """The one ``kind: safety`` file in ``directory``; raise :class:`DialogError` if it is broken."""
    content, problems = build_safety(read_one(Path(directory), "safety"))
    if problems or content is None:
        raise DialogError(problems)
    return content
