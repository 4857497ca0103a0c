"""Settings: a YAML file, then environment overrides, validated in one place.

Every key has a default except the token, so a fresh clone runs with nothing
but a token. Any environment variable ``TRUSTBOT_<SECTION>_<KEY>`` overrides
the file (``TRUSTBOT_DATABASE_URL``), and ``TRUSTBOT_TOKEN`` is a short alias
for ``telegram.token``. A wrong setting is reported as one line naming the
key; the caller exits with status 2.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, cast

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.paths import default_database_url, default_dialogs_dir

DEFAULT_CONFIG_FILE = "config.yaml"
TOKEN_PATTERN = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{20,}$")


class ConfigError(Exception):
    """One line for the person running the bot, naming the key to fix."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WebhookSettings(_Section):
    """Receive updates by webhook instead of long polling (several instances
    behind a reverse proxy need this: two pollers on one token conflict)."""

    enabled: bool = False
    #: Address and port this process listens on (the reverse proxy forwards here).
    listen: str = "127.0.0.1"
    port: int = Field(8080, ge=1, le=65535)
    #: The path Telegram posts updates to.
    path: str = "/telegram"
    #: The public https URL Telegram calls, without the path; empty: don't call setWebhook.
    public_url: str = ""
    #: Checked against X-Telegram-Bot-Api-Secret-Token on every update (1-256 of A-Z a-z 0-9 _ -).
    secret_token: str = ""

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError("must start with /")
        return value


class TelegramSettings(_Section):
    token: str = ""
    base_url: str = "https://api.telegram.org/bot"
    base_file_url: str = "https://api.telegram.org/file/bot"
    poll_interval: float = Field(0.0, ge=0, le=60)
    #: Long-poll timeout in seconds for getUpdates.
    poll_timeout: int = Field(10, ge=0, le=50)
    webhook: WebhookSettings = Field(default_factory=WebhookSettings)

    @field_validator("base_url", "base_file_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^\s/]+", value):
            raise ValueError("must be an http(s) URL")
        return value


class DatabaseSettings(_Section):
    #: Default: the SQLite file in the user's data folder (bot/paths.py), not the working directory.
    url: str = Field(default_factory=default_database_url)

    @field_validator("url")
    @classmethod
    def _supported(cls, value: str) -> str:
        scheme = value.split(":", 1)[0].split("+", 1)[0].lower()
        if "://" not in value or scheme not in ("sqlite", "postgresql", "postgres"):
            raise ValueError("must be sqlite:///PATH or postgresql://USER:PASSWORD@HOST/DB")
        return "postgresql" + value[len("postgres"):] if scheme == "postgres" else value


class LogSettings(_Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"

    @field_validator("level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value


class DialogSettings(_Section):
    #: Folder of dialog YAML files; empty: the dialogs shipped with the bot. A
    #: relative path in a config file is taken from that file's folder.
    dir: str = ""


class SafetySettings(_Section):
    #: Help lines per ISO country code (or "default"), replacing or adding to
    #: the built-in lists in dialogs/safety.yaml. Each: name and phone, sms, url or note.
    resources: dict[str, list[dict[str, Any]]] = Field(default_factory=dict)


class CheckinSettings(_Section):
    """The daily check-in. Times are wall-clock times in each user's own zone."""

    #: Check-in time for users who have not chosen one (HH:MM, 24-hour clock).
    default_time: str = "08:00"
    #: Time zone for users who have not set one (an IANA name).
    default_timezone: str = "UTC"
    #: A check-in missed by at most this many hours (e.g. the bot was down) is
    #: still sent once; an older one is skipped.
    grace_hours: float = Field(3.0, ge=0, le=24)
    #: Seconds between two looks at the database for due check-ins.
    dispatch_interval: float = Field(30.0, ge=0.2, le=3600)
    #: "Later, please" asks again after this many minutes.
    snooze_minutes: int = Field(60, ge=1, le=720)
    #: A claimed check-in not marked sent after this long (its sender died) is sent once more.
    lease_minutes: float = Field(5.0, ge=0.1, le=120)
    #: Check-ins started per second at most; each is two messages, and Telegram
    #: allows about 30 messages a second in all, so replies to people keep room.
    max_per_second: float = Field(12.0, gt=0, le=30)

    @field_validator("default_time")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        from bot.core.checkin.schedule import parse_hhmm

        parsed = parse_hhmm(value)
        if parsed is None:
            raise ValueError("must be a time HH:MM between 00:00 and 23:59")
        return parsed.strftime("%H:%M")

    @field_validator("default_timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        from bot.core.checkin.schedule import canonical_zone

        found = canonical_zone(value)
        if found is None:
            raise ValueError("must be an IANA time zone name, e.g. Europe/Berlin or UTC")
        return found


class Settings(_Section):
    telegram: TelegramSettings = Field(default_factory=TelegramSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    log: LogSettings = Field(default_factory=LogSettings)
    dialogs: DialogSettings = Field(default_factory=DialogSettings)
    safety: SafetySettings = Field(default_factory=SafetySettings)
    checkin: CheckinSettings = Field(default_factory=CheckinSettings)
    #: Telegram user ids allowed to use admin commands (/stats).
    admin_ids: list[int] = Field(default_factory=list)

    def dialogs_dir(self) -> Path:
        return Path(self.dialogs.dir) if self.dialogs.dir else default_dialogs_dir()


def _overlay(data: Any, model: type[BaseModel], prefix: str, env: Mapping[str, str]) -> dict[str, Any]:
    """Copy ``data`` with every ``PREFIX_FIELD`` variable of ``env`` laid over it, nested models included."""
    data = dict(data) if isinstance(data, dict) else {}
    for key, field in model.model_fields.items():
        name = f"{prefix}_{key}".upper()
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            original = data.get(key, {})
            nested = _overlay(original, annotation, name, env)
            if isinstance(original, dict) or nested:
                data[key] = nested  # a non-mapping the user wrote is left for validation to name
        elif name in env:
            value = env[name]
            if key == "admin_ids":
                data[key] = [v for v in re.split(r"[,\s]+", value) if v]
            else:
                data[key] = value
    return cast(dict[str, Any], data)


def _env_overrides(data: dict[str, Any], env: Mapping[str, str]) -> dict[str, Any]:
    data = _overlay(data, Settings, "TRUSTBOT", env)
    if "TRUSTBOT_TOKEN" in env:
        data.setdefault("telegram", {})["token"] = env["TRUSTBOT_TOKEN"]
    return data


_SQLITE_FILE = re.compile(r"^(sqlite(?:\+\w+)?:///)([^?]*)(.*)$", re.DOTALL)


def _relative_to(data: dict[str, Any], folder: Path) -> dict[str, Any]:
    """Paths written in a config file are read from that file's folder, not the
    working directory: ``dialogs.dir`` and a relative SQLite file in ``database.url``."""
    dialogs = data.get("dialogs")
    if isinstance(dialogs, dict) and isinstance(dialogs.get("dir"), str) and dialogs["dir"]:
        dialogs["dir"] = str(folder / Path(dialogs["dir"]).expanduser())
    database = data.get("database")
    if isinstance(database, dict) and isinstance(database.get("url"), str):
        match = _SQLITE_FILE.match(database["url"])
        if match and match.group(2) and not match.group(2).startswith(("/", ":memory:", "file:")):
            database["url"] = f"{match.group(1)}{folder / match.group(2)}{match.group(3)}"
    return data


def _describe(exc: ValidationError) -> str:
    err = exc.errors()[0]
    key = ".".join(str(p) for p in err["loc"]) or "config"
    if err["type"] == "extra_forbidden":
        return f"{key}: unknown setting (see config.example.yaml for the keys)"
    return f"{key}: {err['msg'].removeprefix('Value error, ')}"


def load_settings(path: str | Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Read settings. ``path`` None means ``config.yaml`` if it exists, else defaults."""
    env = os.environ if env is None else env
    data: Any = {}
    if path is None and Path(DEFAULT_CONFIG_FILE).is_file():
        path = DEFAULT_CONFIG_FILE
    if path is not None:
        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        except FileNotFoundError:
            raise ConfigError(f"config file {path} not found (copy config.example.yaml to start)") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"config file {path} cannot be read: {exc}") from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" line {mark.line + 1}" if mark is not None else ""
            raise ConfigError(f"config file {path}{where} is not valid YAML") from None
        if not isinstance(data, dict):
            raise ConfigError(f"config file {path} must be a mapping of sections (telegram:, database:, ...)")
        data = _relative_to(data, Path(path).resolve().parent)
    data = _env_overrides(data, env)
    database = data.get("database")
    if database is None or (isinstance(database, dict) and "url" not in database):
        # The default follows the environment given here (XDG_DATA_HOME, HOME), not only os.environ.
        data["database"] = {**(database or {}), "url": default_database_url(env)}
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc)) from None


def require_token(settings: Settings) -> str:
    """The token, checked for shape; it is never echoed back, even when wrong."""
    token = settings.telegram.token.strip()
    if not token:
        raise ConfigError("telegram.token: missing (set it in the config file or TRUSTBOT_TOKEN)")
    if not TOKEN_PATTERN.match(token):
        raise ConfigError("telegram.token: does not look like a bot token from @BotFather (digits:letters)")
    return token


def require_webhook(settings: Settings) -> None:
    """Webhook mode is refused without a proper secret: anyone could post updates."""
    secret = settings.telegram.webhook.secret_token
    if not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", secret):
        raise ConfigError(
            "telegram.webhook.secret_token: set 16-256 characters of A-Z, a-z, 0-9, _ or - for webhook mode"
        )
