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
from pathlib import Path
from typing import Any, Literal, Mapping

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

DEFAULT_CONFIG_FILE = "config.yaml"
TOKEN_PATTERN = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{20,}$")


class ConfigError(Exception):
    """One line for the person running the bot, naming the key to fix."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TelegramSettings(_Section):
    token: str = ""
    base_url: str = "https://api.telegram.org/bot"
    base_file_url: str = "https://api.telegram.org/file/bot"
    poll_interval: float = Field(0.0, ge=0, le=60)
    #: Long-poll timeout in seconds for getUpdates.
    poll_timeout: int = Field(10, ge=0, le=50)

    @field_validator("base_url", "base_file_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^\s/]+", value):
            raise ValueError("must be an http(s) URL")
        return value


class DatabaseSettings(_Section):
    url: str = "sqlite:///data/trustbot.sqlite3"

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
    #: Folder of dialog YAML files; relative paths are taken from the current folder.
    dir: str = "dialogs"


class SafetySettings(_Section):
    #: Help lines per ISO country code (or "default"), replacing or adding to
    #: the built-in lists in dialogs/safety.yaml. Each: name and phone, sms, url or note.
    resources: dict[str, list[dict[str, Any]]] = Field(default_factory=dict)


class Settings(_Section):
    telegram: TelegramSettings = Field(default_factory=TelegramSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    log: LogSettings = Field(default_factory=LogSettings)
    dialogs: DialogSettings = Field(default_factory=DialogSettings)
    safety: SafetySettings = Field(default_factory=SafetySettings)
    #: Telegram user ids allowed to use admin commands (/stats).
    admin_ids: list[int] = Field(default_factory=list)

    def dialogs_dir(self) -> Path:
        return Path(self.dialogs.dir)


def _env_overrides(data: dict[str, Any], env: Mapping[str, str]) -> dict[str, Any]:
    data = {k: (dict(v) if isinstance(v, dict) else v) for k, v in data.items()}
    for section, model in Settings.model_fields.items():
        annotation = model.annotation
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            continue
        for key in annotation.model_fields:
            name = f"TRUSTBOT_{section}_{key}".upper()
            if name in env:
                data.setdefault(section, {})
                if not isinstance(data[section], dict):
                    data[section] = {}
                data[section][key] = env[name]
    if "TRUSTBOT_TOKEN" in env:
        data.setdefault("telegram", {})
        if isinstance(data["telegram"], dict):
            data["telegram"]["token"] = env["TRUSTBOT_TOKEN"]
    if "TRUSTBOT_ADMIN_IDS" in env:
        data["admin_ids"] = [v for v in re.split(r"[,\s]+", env["TRUSTBOT_ADMIN_IDS"]) if v]
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
    try:
        return Settings.model_validate(_env_overrides(data, env))
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
