"""An in-process emulator of the Telegram Bot API for end-to-end tests.

Why this exists: the bot under test is a real, separate ``trustbot run`` process whose
python-telegram-bot ``Application`` is built with ``.base_url(emu.base_url)``.  Instead of
mocking PTB we give it a real HTTP server that speaks the Bot API wire protocol, keeps the
state Telegram would keep (chats, messages, pending updates, callback queries, commands) and
rejects what Telegram rejects, with Telegram's wording.  Tests play the *user* side through
the methods on :class:`BotApiEmulator` (``send_text``, ``press_button``, ``block`` …) and read
what the bot did (``bot_messages``, ``calls``, ``errors`` …).

Only the standard library is used on the server side: ``ThreadingHTTPServer`` running in a
daemon thread on 127.0.0.1 with an ephemeral port.  Every public method is thread-safe; one
re-entrant lock guards all state and a ``threading.Condition`` on it wakes long polls and
test-side waits, so nothing busy-loops.

Deliberate differences from the real Bot API (documented so nobody is surprised):

* No ``parse_mode`` is accepted: the bot sends plain text with entities (the discreet
  spoiler), so a parse mode showing up is a change to the bot that its tests should see.
* ``allowed_updates`` is honoured the way Telegram does it (remembered between calls; the
  default excludes ``chat_member`` and reactions), filtering at delivery time.
* All valid tokens share one world (one update queue, one set of chats); ``getMe`` answers
  with a bot whose id is the token's numeric prefix.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import email.message
import email.utils
import itertools
import json
import mimetypes
import re
import socket
import struct
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple, TypeVar
from urllib.parse import parse_qsl, unquote, urlsplit

__all__ = ["ApiCall", "ApiError", "BotApiEmulator", "utf16_len"]

JSONDict = dict[str, Any]
T = TypeVar("T")

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_INLINE_BUTTONS = 100
MAX_COMMANDS = 100
MAX_BODY_BYTES = 60 * 1024 * 1024
DEFAULT_SLOW_DELAY = 6.0  # > PTB's default 5 s read timeout

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = (
    "Bad Request: query is too old and response timeout expired or query ID is invalid"
)
CONFLICT_OTHER_POLL = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance "
    "is running"
)
CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
    "delete the webhook first"
)

_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_LEADING_COMMAND_RE = re.compile(r"^/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,64})?")
_PATH_RE = re.compile(r"^/bot([^/]+)/([A-Za-z0-9_]+)/?$")
_FILE_PATH_RE = re.compile(r"^/file/bot([^/]+)/(.+)$")

# Parameters that arrive as strings in form / multipart bodies and must be re-typed.
_INT_PARAMS = frozenset(
    {
        "message_id", "offset", "limit", "user_id", "cache_time", "reply_to_message_id",
        "message_thread_id", "max_connections", "from_chat_id", "duration", "width", "height",
    }
)
_FLOAT_PARAMS = frozenset({"timeout", "latitude", "longitude"})
_BOOL_PARAMS = frozenset(
    {
        "disable_notification", "protect_content", "show_alert", "drop_pending_updates",
        "disable_web_page_preview", "allow_sending_without_reply", "has_spoiler",
        "disable_content_type_detection", "show_caption_above_media", "allow_paid_broadcast",
    }
)
_JSON_PARAMS = frozenset(
    {
        "reply_markup", "allowed_updates", "commands", "scope", "entities", "caption_entities",
        "link_preview_options", "reply_parameters", "message_ids", "menu_button",
    }
)
_BUTTON_ACTIONS = (
    "callback_data", "url", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "callback_game",
    "pay", "copy_text",
)
_CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice",
        "upload_voice", "upload_document", "choose_sticker", "find_location",
        "record_video_note", "upload_video_note",
    }
)
_DEFAULT_ALLOWED_UPDATES_EXCLUDED = frozenset(
    {"chat_member", "message_reaction", "message_reaction_count"}
)


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit Telegram uses for limits/offsets."""
    return len(text.encode("utf-16-le")) // 2


class ApiError(Exception):
    """A Bot API error response (``{"ok": false, "error_code": ..., ...}``)."""

    def __init__(
        self,
        error_code: int,
        description: str,
        parameters: JSONDict | None = None,
        *,
        benign: bool = False,
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters
        # benign: an error the client never sees as its own mistake (e.g. an orphaned long
        # poll superseded by the next one); kept in ``calls`` but not in ``errors``.
        self.benign = benign

    def payload(self) -> JSONDict:
        data: JSONDict = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.parameters:
            data["parameters"] = self.parameters
        return data


class ApiCall(NamedTuple):
    """One HTTP request the emulator answered (including rejected and fault-injected ones)."""

    method: str
    params: JSONDict
    status: int
    description: str | None = None
    injected: bool = False
    token: str = ""


@dataclass
class _Upload:
    field: str
    filename: str | None
    content_type: str | None
    data: bytes


@dataclass
class _Fault:
    kind: str
    status: int
    retry_after: int
    delay: float


@dataclass
class _Msg:
    chat_id: int
    message_id: int
    from_bot: bool
    kind: str
    message: JSONDict
    reply_markup: JSONDict | None = None  # as sent by the bot (any keyboard type)
    source: str | None = None  # text/caption before entity parsing
    parse_mode: str | None = None
    deleted: bool = False
    edited: bool = False


class _Described(NamedTuple):
    """A successful result that Telegram accompanies with a ``description``."""

    result: Any
    description: str


class _DropConnection(Exception):
    """Close the connection without answering (fault kind ``drop``)."""


def _strip_with_entities(text: str, entities: list[JSONDict]) -> tuple[str, list[JSONDict]]:
    """Trim surrounding whitespace like Telegram does, shifting/clipping entity offsets."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    total = utf16_len(stripped)
    result: list[JSONDict] = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, total)
        if end > start:
            result.append({**entity, "offset": start, "length": end - start})
    return stripped, result


# --------------------------------------------------------------------------------------
# Request body parsing
# --------------------------------------------------------------------------------------


def _coerce(name: str, value: Any) -> Any:
    """Re-type a parameter: form values are strings, JSON values may be stringified JSON."""
    if not isinstance(value, str):
        return value
    if name in _JSON_PARAMS:
        try:
            return json.loads(value)
        except ValueError:
            raise ApiError(400, f"Bad Request: can't parse {name} JSON object") from None
    if name == "chat_id":
        return int(value) if re.fullmatch(r"-?\d+", value.strip()) else value
    if name in _INT_PARAMS:
        try:
            return int(value)
        except ValueError:
            raise ApiError(400, f'Bad Request: field "{name}" must be an Integer') from None
    if name in _FLOAT_PARAMS:
        try:
            return float(value)
        except ValueError:
            raise ApiError(400, f'Bad Request: field "{name}" must be a Number') from None
    if name in _BOOL_PARAMS:
        return value.strip().lower() in ("true", "1")
    return value


def _header_params(headers: Iterable[tuple[str, str]]) -> email.message.Message:
    msg = email.message.Message()
    for key, value in headers:
        msg[key] = value
    return msg


def _param(msg: email.message.Message, name: str, header: str) -> str | None:
    value = msg.get_param(name, header=header)
    if value is None:
        return None
    if isinstance(value, tuple):
        return email.utils.collapse_rfc2231_value(value)
    return str(value)


def _parse_multipart(body: bytes, content_type: str) -> tuple[dict[str, str], dict[str, _Upload]]:
    boundary = _param(_header_params([("Content-Type", content_type)]), "boundary", "content-type")
    if not boundary:
        raise ApiError(400, "Bad Request: can't parse multipart/form-data: no boundary")
    delimiter = b"\r\n--" + boundary.encode("latin-1")
    sections = (b"\r\n" + body).split(delimiter)
    fields: dict[str, str] = {}
    uploads: dict[str, _Upload] = {}
    for section in sections[1:]:
        if section.startswith(b"--"):
            break
        newline = section.find(b"\r\n")
        if newline == -1:
            continue
        section = section[newline + 2 :]
        head, sep, content = section.partition(b"\r\n\r\n")
        if not sep:
            raise ApiError(400, "Bad Request: can't parse multipart/form-data part")
        pairs = []
        for line in head.decode("utf-8", "replace").split("\r\n"):
            if ":" in line:
                key, value = line.split(":", 1)
                pairs.append((key.strip(), value.strip()))
        part_headers = _header_params(pairs)
        name = _param(part_headers, "name", "content-disposition")
        if not name:
            continue
        filename = _param(part_headers, "filename", "content-disposition")
        part_type = part_headers.get("Content-Type")
        if filename is not None or (part_type and not part_type.startswith("text/plain")):
            uploads[name] = _Upload(name, filename, part_type, content)
        else:
            fields[name] = content.decode("utf-8", "replace")
    return fields, uploads


def _image_size(data: bytes) -> tuple[int, int] | None:
    """Width/height of a PNG or JPEG, so echoed PhotoSizes look plausible."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    if data.startswith(b"\xff\xd8"):
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                i += 2
                continue
            (seg_len,) = struct.unpack(">H", data[i + 2 : i + 4])
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return width, height
            i += 2 + seg_len
    return None


# --------------------------------------------------------------------------------------
# HTTP plumbing
# --------------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], emulator: BotApiEmulator) -> None:
        self.emulator = emulator
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = traceback.format_exc()
        if any(
            name in exc
            for name in ("BrokenPipeError", "ConnectionResetError", "ConnectionAbortedError")
        ):
            return
        self.emulator._record_server_exception(exc)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "BotApiEmulator/1.0"
    server: _Server

    def setup(self) -> None:
        super().setup()
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        finally:
            with self.server.connections_lock:
                self.server.connections.discard(self.connection)

    def do_POST(self) -> None:  # http.server names its handlers this way
        self.server.emulator._serve(self)

    do_GET = do_POST  # noqa: N815 - http.server's required handler name

    def log_message(self, format: str, *args: Any) -> None:
        pass


# --------------------------------------------------------------------------------------
# The emulator
# --------------------------------------------------------------------------------------


class BotApiEmulator:
    """A fake Telegram Bot API server plus the user-side controls tests need.

    Use as a context manager or call :meth:`start` / :meth:`stop`.  Point PTB at it with
    ``Application.builder().token(token).base_url(emu.base_url)`` (and
    ``.base_file_url(emu.base_file_url)`` if files are downloaded).
    """

    def __init__(
        self,
        token: str | Iterable[str] = "123456789:TEST-TOKEN",
        *,
        bot_username: str = "trustbot_test_bot",
        bot_first_name: str = "TrustBot",
        host: str = "127.0.0.1",
        port: int = 0,
        slow_delay: float = DEFAULT_SLOW_DELAY,
    ) -> None:
        tokens = [token] if isinstance(token, str) else list(token)
        if not tokens:
            raise ValueError("at least one token is required")
        self.tokens: tuple[str, ...] = tuple(tokens)
        self.token = tokens[0]
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.slow_delay = slow_delay
        self._host = host
        self._requested_port = port

        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._stop_event = threading.Event()
        self._stopping = False
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

        self._users: dict[int, JSONDict] = {}
        self._chats: dict[int, JSONDict] = {}
        self._blocked: set[int] = set()
        self._messages: dict[int, dict[int, _Msg]] = {}
        self._next_message_id: dict[int, int] = {}
        self._updates: list[JSONDict] = []
        self._next_update_id = 100_000_001
        self._allowed_updates: frozenset[str] | None = None
        self._poll_generation = 0
        self._waiting_polls = 0
        self._active_requests = 0
        self._callback_queries: dict[str, JSONDict] = {}
        self._query_ids = itertools.count(5_000_000_000_000_000_001)
        self._file_ids = itertools.count(1)
        self._files: dict[str, JSONDict] = {}
        self._file_paths: dict[str, str] = {}
        self._commands: dict[tuple[str, str], list[JSONDict]] = {}
        self._webhook: JSONDict = {"url": ""}
        self._calls: list[ApiCall] = []
        self._callback_answers: list[JSONDict] = []
        self._chat_actions: list[tuple[int, str]] = []
        self._faults: dict[str, deque[_Fault]] = {}
        self._server_exceptions: list[str] = []

        self._methods: dict[str, Callable[[str, JSONDict, dict[str, _Upload]], Any]] = {
            "getme": self._m_get_me,
            "getupdates": self._m_get_updates,
            "deletewebhook": self._m_delete_webhook,
            "setwebhook": self._m_set_webhook,
            "getwebhookinfo": self._m_get_webhook_info,
            "setmycommands": self._m_set_my_commands,
            "getmycommands": self._m_get_my_commands,
            "sendmessage": self._m_send_message,
            "editmessagetext": self._m_edit_message_text,
            "editmessagereplymarkup": self._m_edit_message_reply_markup,
            "answercallbackquery": self._m_answer_callback_query,
            "sendphoto": self._m_send_photo,
            "senddocument": self._m_send_document,
            "sendchataction": self._m_send_chat_action,
            "deletemessage": self._m_delete_message,
            "deletemessages": self._m_delete_messages,
            "getfile": self._m_get_file,
            "close": lambda token, p, f: True,
            "logout": lambda token, p, f: True,
        }

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> BotApiEmulator:
        """Bind 127.0.0.1:<ephemeral> and serve in a daemon thread."""
        if self._server is not None:
            return self
        self._server = _Server((self._host, self._requested_port), self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"BotApiEmulator:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; releases long polls and slow responses immediately."""
        with self._cond:
            if self._stopping:
                return
            self._stopping = True
            self._cond.notify_all()
        self._stop_event.set()
        server = self._server
        if server is None:
            return
        server.shutdown()
        with self._cond:  # let released long polls / slow answers reach their clients
            self._cond.wait_for(lambda: self._active_requests == 0, timeout=2.0)
        with server.connections_lock:
            connections = list(server.connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> BotApiEmulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("emulator not started")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self._host}:{self.port}"

    @property
    def base_url(self) -> str:
        """Value for PTB's ``base_url`` (PTB appends ``<token>/<method>``)."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """Value for PTB's ``base_file_url``."""
        return f"{self.url}/file/bot"

    # ------------------------------------------------------------------ bot identity

    def bot_user(self, token: str | None = None) -> JSONDict:
        token = token or self.token
        prefix = token.split(":", 1)[0]
        bot_id = int(prefix) if prefix.isdigit() else 1_000_000 + self.tokens.index(token)
        return {
            "id": bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    # ------------------------------------------------------------------ user side

    def send_update(self, update: Mapping[str, Any]) -> JSONDict:
        """Queue an arbitrary update dict (``update_id`` assigned if missing)."""
        with self._cond:
            return self._enqueue(copy.deepcopy(dict(update)))

    def send_text(
        self,
        user_id: int,
        text: str,
        *,
        first_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
    ) -> JSONDict:
        """The user writes ``text`` in their private chat; ``/cmd`` gets a bot_command entity."""
        with self._cond:
            chat = self._private_chat(user_id, first_name, username, language_code)
            fields: JSONDict = {"text": text}
            entities = self._command_entities(text)
            if entities:
                fields["entities"] = entities
            return self._user_message(user_id, chat, "text", fields)

    def send_group_text(
        self,
        group_id: int,
        user_id: int,
        text: str,
        *,
        title: str | None = None,
        first_name: str | None = None,
    ) -> JSONDict:
        """``user_id`` writes ``text`` in the (basic) group ``group_id`` (a negative id)."""
        if group_id >= 0:
            raise ValueError("group ids are negative in the Bot API")
        with self._cond:
            self._ensure_user(user_id, first_name, None, None)
            chat = self._chats.get(group_id)
            if chat is None:
                chat = {"id": group_id, "type": "group", "title": title or f"Group {-group_id}"}
                self._chats[group_id] = chat
            elif title:
                chat["title"] = title
            fields: JSONDict = {"text": text}
            entities = self._command_entities(text)
            if entities:
                fields["entities"] = entities
            return self._user_message(user_id, chat, "text", fields)

    def send_sticker(self, user_id: int, *, emoji: str = "👍") -> JSONDict:
        with self._cond:
            chat = self._private_chat(user_id)
            file = self._register_file("sticker", None, None, None, "CAAC")
            sticker = {
                "file_id": file["file_id"],
                "file_unique_id": file["file_unique_id"],
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "type": "regular",
                "emoji": emoji,
            }
            return self._user_message(user_id, chat, "sticker", {"sticker": sticker})

    def send_photo(
        self, user_id: int, *, caption: str | None = None, data: bytes = b"\x89PNG fake"
    ) -> JSONDict:
        with self._cond:
            chat = self._private_chat(user_id)
            sizes = self._photo_sizes(data)
            fields: JSONDict = {"photo": sizes}
            if caption:
                fields["caption"] = caption
            return self._user_message(user_id, chat, "photo", fields)

    def send_voice(
        self, user_id: int, *, duration: int = 3, data: bytes = b"OggS fake"
    ) -> JSONDict:
        with self._cond:
            chat = self._private_chat(user_id)
            file = self._register_file("voice", data, "voice.ogg", "audio/ogg", "AwAC")
            voice = {
                "file_id": file["file_id"],
                "file_unique_id": file["file_unique_id"],
                "duration": duration,
                "mime_type": "audio/ogg",
                "file_size": len(data),
            }
            return self._user_message(user_id, chat, "voice", {"voice": voice})

    def send_document(
        self,
        user_id: int,
        *,
        file_name: str = "document.txt",
        data: bytes = b"hello",
        mime_type: str | None = None,
        caption: str | None = None,
    ) -> JSONDict:
        with self._cond:
            chat = self._private_chat(user_id)
            mime = mime_type or mimetypes.guess_type(file_name)[0] or "application/octet-stream"
            file = self._register_file("document", data, file_name, mime, "BQAC")
            fields: JSONDict = {"document": self._document_dict(file)}
            if caption:
                fields["caption"] = caption
            return self._user_message(user_id, chat, "document", fields)

    def send_location(self, user_id: int, latitude: float, longitude: float) -> JSONDict:
        with self._cond:
            chat = self._private_chat(user_id)
            location = {"latitude": latitude, "longitude": longitude}
            return self._user_message(user_id, chat, "location", {"location": location})

    def edit_text(self, user_id: int, message_id: int, new_text: str) -> JSONDict:
        """The user edits their own earlier text message → an ``edited_message`` update."""
        with self._cond:
            msg = self._messages.get(user_id, {}).get(message_id)
            if msg is None or msg.from_bot or msg.deleted or msg.kind != "text":
                raise AssertionError(
                    f"user {user_id} has no text message {message_id} in their private chat"
                )
            msg.message["text"] = new_text
            entities = self._command_entities(new_text)
            if entities:
                msg.message["entities"] = entities
            else:
                msg.message.pop("entities", None)
            msg.message["edit_date"] = int(time.time())
            msg.edited = True
            return self._enqueue({"edited_message": copy.deepcopy(msg.message)})

    def press(
        self, user_id: int, message_id: int, callback_data: str, *, chat_id: int | None = None
    ) -> JSONDict:
        """The user presses a callback button on the bot's message ``message_id``.

        Any ``callback_data`` is accepted (to simulate stale keyboards); the update carries
        the message as it is *now*, like Telegram.
        """
        with self._cond:
            chat_id = user_id if chat_id is None else chat_id
            msg = self._messages.get(chat_id, {}).get(message_id)
            if msg is None or not msg.from_bot:
                raise AssertionError(f"no bot message {message_id} in chat {chat_id}")
            if msg.deleted:
                raise AssertionError(f"bot message {message_id} in chat {chat_id} was deleted")
            user = self._ensure_user(user_id, None, None, None)
            query_id = str(next(self._query_ids))
            query = {
                "id": query_id,
                "from": copy.deepcopy(user),
                "message": copy.deepcopy(msg.message),
                "chat_instance": str(abs(hash(("chat_instance", chat_id))) % 10**18),
                "data": callback_data,
            }
            self._callback_queries[query_id] = {
                "answered": False,
                "chat_id": chat_id,
                "message_id": message_id,
                "data": callback_data,
            }
            return self._enqueue({"callback_query": query})

    def press_button(self, user_id: int, label: str, *, chat_id: int | None = None) -> JSONDict:
        """Press the inline button labelled ``label`` on the newest bot message that has one.

        Exact label matches win over substring matches, then case-insensitive substrings.
        Raises AssertionError listing the available labels when nothing (or several
        buttons of one message) match.
        """
        with self._cond:
            chat_id = user_id if chat_id is None else chat_id
            available: list[str] = []
            for msg in reversed(list(self._messages.get(chat_id, {}).values())):
                if not msg.from_bot or msg.deleted:
                    continue
                rows = (msg.message.get("reply_markup") or {}).get("inline_keyboard") or []
                buttons = [b for row in rows for b in row]
                if not buttons:
                    continue
                available.append(f"message {msg.message_id}: {[b.get('text') for b in buttons]}")
                for matcher in (
                    lambda t: t == label,
                    lambda t: label in t,
                    lambda t: label.casefold() in t.casefold(),
                ):
                    hits = [b for b in buttons if matcher(str(b.get("text", "")))]
                    if len(hits) > 1:
                        raise AssertionError(
                            f"label {label!r} is ambiguous in message {msg.message_id}: "
                            f"{[b.get('text') for b in hits]}"
                        )
                    if hits:
                        button = hits[0]
                        if "callback_data" not in button:
                            raise AssertionError(
                                f"button {button.get('text')!r} in message {msg.message_id} is "
                                f"not a callback button: {button}"
                            )
                        return self.press(
                            user_id, msg.message_id, button["callback_data"], chat_id=chat_id
                        )
            raise AssertionError(
                f"no inline button matching {label!r} in bot messages to chat {chat_id}; "
                f"available labels (newest first): {available or 'none'}"
            )

    def block(self, user_id: int, *, notify: bool = True) -> None:
        """The user blocks the bot: sends now fail with 403; a my_chat_member update follows."""
        with self._cond:
            chat = self._private_chat(user_id)
            self._blocked.add(user_id)
            if notify:
                self._enqueue(self._my_chat_member(chat, user_id, "member", "kicked"))
            self._cond.notify_all()

    def unblock(self, user_id: int, *, notify: bool = True) -> None:
        with self._cond:
            chat = self._private_chat(user_id)
            was_blocked = user_id in self._blocked
            self._blocked.discard(user_id)
            if notify and was_blocked:
                self._enqueue(self._my_chat_member(chat, user_id, "kicked", "member"))
            self._cond.notify_all()

    # ------------------------------------------------------------------ fault injection

    def fail_next(
        self,
        method: str,
        kind: str = "server_error",
        *,
        times: int = 1,
        status: int | None = None,
        retry_after: int = 1,
        delay: float | None = None,
    ) -> None:
        """Make the next ``times`` calls of ``method`` (``"*"`` = any) misbehave.

        kind: ``retry_after`` (429 + parameters.retry_after, not executed), ``server_error``
        (500 or ``status``, not executed), ``slow`` (executed, answered after ``delay`` s),
        ``drop`` (connection closed without an answer, not executed).
        """
        if kind not in ("retry_after", "server_error", "slow", "drop"):
            raise ValueError(f"unknown fault kind {kind!r}")
        fault = _Fault(
            kind=kind,
            status=status or (429 if kind == "retry_after" else 500),
            retry_after=retry_after,
            delay=self.slow_delay if delay is None else delay,
        )
        with self._cond:
            queue = self._faults.setdefault(method.lower(), deque())
            queue.extend(copy.copy(fault) for _ in range(times))

    # ------------------------------------------------------------------ reading state

    def bot_messages(self, chat_id: int, *, include_deleted: bool = True, start: int = 0) -> list[JSONDict]:
        """The bot's messages in ``chat_id``, oldest first, as plain dicts (copies);
        ``start`` skips the first ones without copying them."""
        with self._cond:
            mine = [
                msg
                for msg in self._messages.get(chat_id, {}).values()
                if msg.from_bot and (include_deleted or not msg.deleted)
            ]
            return [self._record(msg) for msg in mine[start:]]

    def bot_message_count(self, chat_id: int) -> int:
        """How many messages the bot has sent to ``chat_id`` (deleted ones included)."""
        with self._cond:
            return sum(1 for msg in self._messages.get(chat_id, {}).values() if msg.from_bot)

    def last_reply(self, chat_id: int) -> JSONDict | None:
        """The newest bot message in ``chat_id`` that is not deleted, or None."""
        messages = self.bot_messages(chat_id, include_deleted=False)
        return messages[-1] if messages else None

    def user_messages(self, chat_id: int) -> list[JSONDict]:
        """Messages sent by users (through this emulator) in ``chat_id``."""
        with self._cond:
            return [
                self._record(msg)
                for msg in self._messages.get(chat_id, {}).values()
                if not msg.from_bot
            ]

    def confirm_update(self, update_id: int) -> None:
        """Drop one queued update, as a getUpdates offset past it would (the in-process
        transport feeds updates itself and must not see them twice)."""
        with self._cond:
            self._updates = [u for u in self._updates if u["update_id"] != update_id]
            self._cond.notify_all()

    def pending_updates(self) -> list[JSONDict]:
        """Updates not yet confirmed by a getUpdates ``offset``."""
        with self._cond:
            return copy.deepcopy(self._updates)

    @property
    def polling(self) -> bool:
        """True while a getUpdates long poll is waiting (i.e. the bot is up and listening)."""
        with self._cond:
            return self._waiting_polls > 0

    def wait_until_polling(self, timeout: float = 10.0) -> None:
        """Block until the bot sits in a long poll: it has started and drained the queue."""
        try:
            self.wait_for(lambda: self._waiting_polls > 0, timeout)
        except AssertionError:
            raise AssertionError(
                f"the bot did not start long polling within {timeout}s{self._error_hint()}"
            ) from None

    async def async_wait_until_polling(
        self, timeout: float = 10.0  # noqa: ASYNC109 - the test helper's API: passed to the blocking wait
    ) -> None:
        await asyncio.to_thread(self.wait_until_polling, timeout)

    def file_bytes(self, file_id: str) -> bytes | None:
        """Uploaded bytes behind ``file_id`` (None for URL-only files)."""
        with self._cond:
            entry = self._files.get(file_id)
            return None if entry is None else entry["data"]

    @property
    def calls(self) -> list[ApiCall]:
        with self._cond:
            return list(self._calls)

    def calls_to(self, method: str) -> list[ApiCall]:
        with self._cond:
            return [c for c in self._calls if c.method.lower() == method.lower()]

    @property
    def errors(self) -> list[ApiCall]:
        """4xx answers caused by the client (excludes injected faults and benign conflicts)."""
        with self._cond:
            return [
                c
                for c in self._calls
                if 400 <= c.status < 500
                and not c.injected
                and c.description != CONFLICT_OTHER_POLL
            ]

    @property
    def callback_answers(self) -> list[JSONDict]:
        with self._cond:
            return copy.deepcopy(self._callback_answers)

    @property
    def commands(self) -> dict[tuple[str, str], list[JSONDict]]:
        """setMyCommands state keyed by (scope key, language_code); scope key e.g.
        ``"default"``, ``"all_private_chats"``, ``"chat:42"``, ``"chat_member:-5:42"``."""
        with self._cond:
            return copy.deepcopy(self._commands)

    def get_commands(self, scope: str = "default", language_code: str = "") -> list[JSONDict]:
        with self._cond:
            return copy.deepcopy(self._commands.get((scope, language_code), []))

    @property
    def webhook(self) -> JSONDict:
        with self._cond:
            return copy.deepcopy(self._webhook)

    @property
    def server_exceptions(self) -> list[str]:
        """Tracebacks of unexpected exceptions inside the emulator (should stay empty)."""
        with self._cond:
            return list(self._server_exceptions)

    # ------------------------------------------------------------------ waiting

    def wait_for(
        self,
        predicate: Callable[[], T],
        timeout: float = 10.0,
        *,
        poll_interval: float | None = None,
        message: str | None = None,
    ) -> T:
        """Block until ``predicate()`` is truthy and return its value.

        Re-evaluated (under the emulator lock) whenever emulator state changes; pass
        ``poll_interval`` if the predicate also depends on state outside the emulator.
        This blocks the calling thread: inside ``async`` tests use the ``async_*``
        variants, or an in-process PTB application on the same loop would stall.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                value = predicate()
                if value:
                    return value
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        message or f"condition not met within {timeout}s{self._error_hint()}"
                    )
                wait = remaining if poll_interval is None else min(remaining, poll_interval)
                self._cond.wait(wait)

    def wait_for_messages(self, chat_id: int, count: int, timeout: float = 10.0) -> list[JSONDict]:
        """Block until the bot has sent at least ``count`` messages to ``chat_id`` in total
        (deleted ones included); returns all of them."""

        def enough() -> list[JSONDict] | None:
            messages = self.bot_messages(chat_id)
            return messages if len(messages) >= count else None

        try:
            return self.wait_for(enough, timeout)
        except AssertionError:
            got = self.bot_messages(chat_id)
            summary = [(m["message_id"], m["kind"], m["text"] or m["caption"]) for m in got]
            raise AssertionError(
                f"expected at least {count} bot messages in chat {chat_id} within {timeout}s, "
                f"got {len(got)}: {summary}{self._error_hint()}"
            ) from None

    def wait_until_delivered(self, timeout: float = 10.0) -> None:
        """Block until every queued update has been confirmed by the bot (offset)."""
        try:
            self.wait_for(lambda: not self._updates, timeout)
        except AssertionError:
            raise AssertionError(
                f"{len(self._updates)} updates still unconfirmed after {timeout}s "
                f"(is the bot polling?)"
            ) from None

    async def async_wait_for(
        self,
        predicate: Callable[[], T],
        timeout: float = 10.0,  # noqa: ASYNC109 - the test helper's API: passed to the blocking wait
        *,
        poll_interval: float | None = None,
        message: str | None = None,
    ) -> T:
        return await asyncio.to_thread(
            self.wait_for, predicate, timeout, poll_interval=poll_interval, message=message
        )

    async def async_wait_for_messages(
        self,
        chat_id: int,
        count: int,
        timeout: float = 10.0,  # noqa: ASYNC109 - the test helper's API: passed to the blocking wait
    ) -> list[JSONDict]:
        return await asyncio.to_thread(self.wait_for_messages, chat_id, count, timeout)

    async def async_wait_until_delivered(
        self, timeout: float = 10.0  # noqa: ASYNC109 - the test helper's API: passed to the blocking wait
    ) -> None:
        await asyncio.to_thread(self.wait_until_delivered, timeout)

    # ------------------------------------------------------------------ internals: state

    def _error_hint(self) -> str:
        errors = self.errors[-5:]
        if not errors:
            return ""
        return "; recent API errors: " + "; ".join(
            f"{c.method} -> {c.status} {c.description}" for c in errors
        )

    def _record(self, msg: _Msg) -> JSONDict:
        message = copy.deepcopy(msg.message)
        return {
            "message_id": msg.message_id,
            "chat_id": msg.chat_id,
            "kind": msg.kind,
            "text": message.get("text"),
            "caption": message.get("caption"),
            "entities": message.get("entities") or message.get("caption_entities") or [],
            "reply_markup": copy.deepcopy(msg.reply_markup),
            "parse_mode": msg.parse_mode,
            "source": msg.source,
            "deleted": msg.deleted,
            "edited": msg.edited,
            "date": message.get("date"),
            "message": message,
        }

    def _ensure_user(
        self,
        user_id: int,
        first_name: str | None,
        username: str | None,
        language_code: str | None,
    ) -> JSONDict:
        if not isinstance(user_id, int) or user_id <= 0:
            raise ValueError("user ids are positive integers")
        user = self._users.get(user_id)
        if user is None:
            user = {
                "id": user_id,
                "is_bot": False,
                "first_name": first_name or f"User{user_id}",
                "language_code": language_code or "en",
            }
            if username:
                user["username"] = username
            self._users[user_id] = user
        else:
            if first_name:
                user["first_name"] = first_name
            if username:
                user["username"] = username
            if language_code:
                user["language_code"] = language_code
        return user

    def _private_chat(
        self,
        user_id: int,
        first_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
    ) -> JSONDict:
        user = self._ensure_user(user_id, first_name, username, language_code)
        chat = {"id": user_id, "type": "private", "first_name": user["first_name"]}
        if "username" in user:
            chat["username"] = user["username"]
        self._chats[user_id] = chat
        return chat

    @staticmethod
    def _command_entities(text: str) -> list[JSONDict]:
        match = _LEADING_COMMAND_RE.match(text)
        if not match:
            return []
        return [{"type": "bot_command", "offset": 0, "length": utf16_len(match.group(0))}]

    def _new_message_id(self, chat_id: int) -> int:
        message_id = self._next_message_id.get(chat_id, 0) + 1
        self._next_message_id[chat_id] = message_id
        return message_id

    def _user_message(self, user_id: int, chat: JSONDict, kind: str, fields: JSONDict) -> JSONDict:
        # Writing to the bot means the user (re)started it.
        if chat["type"] == "private":
            self._blocked.discard(user_id)
        message_id = self._new_message_id(chat["id"])
        message: JSONDict = {
            "message_id": message_id,
            "from": copy.deepcopy(self._users[user_id]),
            "chat": copy.deepcopy(chat),
            "date": int(time.time()),
            **copy.deepcopy(fields),
        }
        msg = _Msg(chat["id"], message_id, False, kind, message, source=fields.get("text"))
        self._messages.setdefault(chat["id"], {})[message_id] = msg
        return self._enqueue({"message": copy.deepcopy(message)})

    def _my_chat_member(self, chat: JSONDict, user_id: int, old: str, new: str) -> JSONDict:
        bot = self.bot_user()
        new_member: JSONDict = {"user": bot, "status": new}
        if new == "kicked":
            new_member["until_date"] = 0
        old_member: JSONDict = {"user": bot, "status": old}
        if old == "kicked":
            old_member["until_date"] = 0
        return {
            "my_chat_member": {
                "chat": copy.deepcopy(chat),
                "from": copy.deepcopy(self._users[user_id]),
                "date": int(time.time()),
                "old_chat_member": old_member,
                "new_chat_member": new_member,
            }
        }

    def _enqueue(self, update: JSONDict) -> JSONDict:
        if "update_id" not in update:
            update = {"update_id": self._next_update_id, **update}
        self._next_update_id = max(self._next_update_id, int(update["update_id"])) + 1
        self._updates.append(update)
        self._cond.notify_all()
        return copy.deepcopy(update)

    def _register_file(
        self,
        kind: str,
        data: bytes | None,
        file_name: str | None,
        mime_type: str | None,
        prefix: str,
        url: str | None = None,
    ) -> JSONDict:
        n = next(self._file_ids)
        file_id = f"{prefix}AgADemu{n:08d}"
        extension = mimetypes.guess_extension(mime_type or "") or ""
        if file_name and "." in file_name:
            extension = "." + file_name.rsplit(".", 1)[1]
        entry: JSONDict = {
            "file_id": file_id,
            "file_unique_id": f"AQADemu{n:06d}",
            "kind": kind,
            "data": data,
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": len(data) if data is not None else None,
            "file_path": f"{kind}s/file_{n}{extension}",
            "url": url,
        }
        self._files[file_id] = entry
        self._file_paths[entry["file_path"]] = file_id
        return entry

    def _photo_sizes(self, data: bytes | None, url: str | None = None) -> list[JSONDict]:
        width, height = _image_size(data or b"") or (800, 600)
        scale = min(1.0, 90 / max(width, height, 1))
        sizes = []
        for w, h in ((max(1, int(width * scale)), max(1, int(height * scale))), (width, height)):
            entry = self._register_file("photo", data, None, "image/jpeg", "AgAC", url)
            size: JSONDict = {
                "file_id": entry["file_id"],
                "file_unique_id": entry["file_unique_id"],
                "width": w,
                "height": h,
            }
            if data is not None:
                size["file_size"] = len(data)
            entry["photo_size"] = size
            sizes.append(size)
        for size in sizes:
            self._files[size["file_id"]]["photo_sizes"] = copy.deepcopy(sizes)
        return sizes

    @staticmethod
    def _document_dict(entry: JSONDict) -> JSONDict:
        document: JSONDict = {
            "file_id": entry["file_id"],
            "file_unique_id": entry["file_unique_id"],
        }
        for key in ("file_name", "mime_type", "file_size"):
            if entry.get(key) is not None:
                document[key] = entry[key]
        return document

    def _record_server_exception(self, text: str) -> None:
        with self._cond:
            self._server_exceptions.append(text)

    # ------------------------------------------------------------------ internals: HTTP

    def _serve(self, handler: _Handler) -> None:
        with self._cond:
            self._active_requests += 1
        try:
            self._serve_request(handler)
        finally:
            with self._cond:
                self._active_requests -= 1
                self._cond.notify_all()

    def _serve_request(self, handler: _Handler) -> None:
        split = urlsplit(handler.path)
        try:
            body = self._read_body(handler)
        except (ValueError, OSError) as exc:
            handler.close_connection = True
            self._send_json(handler, 400, ApiError(400, f"Bad Request: {exc}").payload())
            return
        path = split.path
        file_match = _FILE_PATH_RE.match(path)
        if file_match:
            self._serve_file(handler, unquote(file_match.group(1)), unquote(file_match.group(2)))
            return
        match = _PATH_RE.match(path)
        if not match:
            self._send_json(handler, 404, ApiError(404, "Not Found").payload())
            return
        token, method = unquote(match.group(1)), match.group(2)
        status, payload, delay = self._execute(token, method, handler.headers, body, split.query)
        if status == -1:  # drop
            handler.close_connection = True
            with contextlib.suppress(OSError):
                handler.connection.shutdown(socket.SHUT_RDWR)
            return
        if delay:
            self._stop_event.wait(delay)
        self._send_json(handler, status, payload)

    @staticmethod
    def _read_body(handler: _Handler) -> bytes:
        if "chunked" in handler.headers.get("Transfer-Encoding", "").lower():
            chunks: list[bytes] = []
            total = 0
            while True:
                line = handler.rfile.readline(65537)
                size = int(line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while handler.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                total += size
                if total > MAX_BODY_BYTES:
                    raise ValueError("request body too large")
                chunks.append(handler.rfile.read(size))
                handler.rfile.readline(65537)
            return b"".join(chunks)
        length = int(handler.headers.get("Content-Length") or 0)
        if length < 0 or length > MAX_BODY_BYTES:
            raise ValueError("request body too large")
        return handler.rfile.read(length) if length else b""

    def _send_json(self, handler: _Handler, status: int, payload: JSONDict) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(data)))
            if self._stopping:
                handler.send_header("Connection", "close")
                handler.close_connection = True
            handler.end_headers()
            handler.wfile.write(data)
            handler.wfile.flush()
        except OSError:
            handler.close_connection = True

    def _serve_file(self, handler: _Handler, token: str, file_path: str) -> None:
        with self._cond:
            file_id = self._file_paths.get(file_path) if token in self.tokens else None
            data = self._files[file_id]["data"] if file_id else None
        if data is None:
            self._send_json(handler, 404, ApiError(404, "Not Found").payload())
            return
        try:
            handler.send_response(200)
            handler.send_header("Content-Type", "application/octet-stream")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
        except OSError:
            handler.close_connection = True

    def _parse_request(
        self, headers: Any, body: bytes, query: str
    ) -> tuple[JSONDict, dict[str, _Upload]]:
        raw: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
        uploads: dict[str, _Upload] = {}
        content_type = headers.get("Content-Type", "")
        mime = content_type.split(";", 1)[0].strip().lower()
        if body:
            if mime == "application/json":
                try:
                    obj = json.loads(body.decode("utf-8"))
                except (ValueError, UnicodeDecodeError):
                    raise ApiError(400, "Bad Request: can't parse JSON object") from None
                if not isinstance(obj, dict):
                    raise ApiError(400, "Bad Request: can't parse JSON object")
                raw.update(obj)
            elif mime == "application/x-www-form-urlencoded":
                try:
                    raw.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
                except (ValueError, UnicodeDecodeError):
                    raise ApiError(400, "Bad Request: can't parse request body") from None
            elif mime == "multipart/form-data":
                fields, uploads = _parse_multipart(body, content_type)
                raw.update(fields)
            else:
                raise ApiError(400, f"Bad Request: unsupported Content-Type {mime!r}")
        return {name: _coerce(name, value) for name, value in raw.items()}, uploads

    def _pop_fault(self, method_key: str) -> _Fault | None:
        for key in (method_key, "*"):
            queue = self._faults.get(key)
            if queue:
                return queue.popleft()
        return None

    def _execute(
        self, token: str, method: str, headers: Any, body: bytes, query: str
    ) -> tuple[int, JSONDict, float]:
        """Run one API call; returns (HTTP status or -1 to drop, payload, delay seconds)."""
        try:
            params, uploads = self._parse_request(headers, body, query)
        except ApiError as err:
            self._log_call(method, {}, {}, err.error_code, err.description, False, token)
            return err.error_code, err.payload(), 0.0
        return self.call(token, method, params, uploads)

    def webhook_reply(self, token: str, body: bytes) -> None:
        """What Telegram does with the bot's HTTP reply to a webhook delivery: a
        JSON object naming a ``method`` runs as that Bot API call, whose result
        the bot never sees. Anything else (an empty body) is ignored."""
        try:
            params = json.loads(body) if body else None
        except ValueError:
            return
        if isinstance(params, dict) and isinstance(params.get("method"), str):
            method = params.pop("method")
            self.call(token, method, params)

    def call(
        self, token: str, method: str, params: JSONDict, uploads: Mapping[str, _Upload] | None = None
    ) -> tuple[int, JSONDict, float]:
        """Run one API call on already-decoded parameters: the in-process transport's
        entry (tests/support/telegram_inproc.py); HTTP requests arrive here too."""
        uploads = dict(uploads or {})
        injected = False
        delay = 0.0
        try:
            if token not in self.tokens:
                raise ApiError(401, "Unauthorized")
            params = {name: _coerce(name, value) for name, value in params.items()}
            method_key = method.lower()
            with self._cond:
                fault = self._pop_fault(method_key)
            if fault is not None:
                injected = True
                if fault.kind == "drop":
                    self._log_call(method, params, uploads, -1, "dropped", True, token)
                    return -1, {}, 0.0
                if fault.kind == "retry_after":
                    raise ApiError(
                        fault.status,
                        f"Too Many Requests: retry after {fault.retry_after}",
                        {"retry_after": fault.retry_after},
                    )
                if fault.kind == "server_error":
                    try:
                        phrase = HTTPStatus(fault.status).phrase
                    except ValueError:
                        phrase = "Server Error"
                    raise ApiError(fault.status, phrase)
                delay = fault.delay  # "slow": executed normally, answered late
            implementation = self._methods.get(method_key)
            if implementation is None:
                raise ApiError(404, "Not Found")
            result = implementation(token, params, uploads)
        except ApiError as err:
            self._log_call(
                method, params, uploads, err.error_code, err.description, injected, token
            )
            return err.error_code, err.payload(), delay
        except Exception as exc:  # bad input must never kill the server thread
            self._record_server_exception(traceback.format_exc())
            description = f"Bad Request: {type(exc).__name__}: {exc}"
            self._log_call(method, params, uploads, 400, description, injected, token)
            return 400, ApiError(400, description).payload(), delay
        payload: JSONDict = {"ok": True}
        if isinstance(result, _Described):
            payload["result"] = result.result
            payload["description"] = result.description
        else:
            payload["result"] = result
        self._log_call(method, params, uploads, 200, None, injected, token)
        return 200, payload, delay

    def _log_call(
        self,
        method: str,
        params: JSONDict,
        uploads: dict[str, _Upload],
        status: int,
        description: str | None,
        injected: bool,
        token: str,
    ) -> None:
        recorded = dict(params)
        for name, upload in uploads.items():
            recorded[name] = {
                "filename": upload.filename,
                "content_type": upload.content_type,
                "size": len(upload.data),
            }
        with self._cond:
            self._calls.append(ApiCall(method, recorded, status, description, injected, token))
            self._cond.notify_all()

    # ------------------------------------------------------------------ internals: validation

    @staticmethod
    def _int(params: JSONDict, name: str, missing: str) -> int:
        value = params.get(name)
        if value is None or value == "":
            raise ApiError(400, missing)
        if isinstance(value, bool) or not isinstance(value, int):
            try:
                return int(value)
            except (TypeError, ValueError):
                raise ApiError(400, f'Bad Request: field "{name}" must be an Integer') from None
        return value

    def _resolve_chat(self, params: JSONDict) -> JSONDict:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise ApiError(400, "Bad Request: chat_id is empty")
        if isinstance(chat_id, bool) or not isinstance(chat_id, int):
            raise ApiError(400, "Bad Request: chat not found")
        chat = self._chats.get(chat_id)
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        return chat

    def _check_can_send(self, chat: JSONDict) -> None:
        if chat["type"] == "private" and chat["id"] in self._blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")

    @staticmethod
    def _validate_markup(markup: Any) -> JSONDict | None:
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise ApiError(
                    400,
                    'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup should be '
                    "an Array of Arrays",
                )
            if sum(len(row) for row in rows) > MAX_INLINE_BUTTONS:
                raise ApiError(400, "Bad Request: reply markup is too long")
            for row in rows:
                for button in row:
                    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                        raise ApiError(
                            400,
                            "Bad Request: can't parse inline keyboard button: Text must be a "
                            "String",
                        )
                    if not any(action in button for action in _BUTTON_ACTIONS):
                        raise ApiError(
                            400,
                            "Bad Request: can't parse inline keyboard button: Text buttons are "
                            "unallowed in the inline keyboard",
                        )
                    if "callback_data" in button:
                        data = button["callback_data"]
                        if (
                            not isinstance(data, str)
                            or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES
                        ):
                            raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                    if "url" in button and not (
                        isinstance(button["url"], str) and button["url"].strip()
                    ):
                        raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")
            return copy.deepcopy(markup)
        if "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise ApiError(
                    400,
                    'Bad Request: field "keyboard" of the ReplyKeyboardMarkup should be an '
                    "Array of Arrays",
                )
            for row in rows:
                for button in row:
                    text = button if isinstance(button, str) else (
                        button.get("text") if isinstance(button, dict) else None
                    )
                    if not isinstance(text, str):
                        raise ApiError(
                            400, "Bad Request: can't parse keyboard button: Text must be a String"
                        )
            return copy.deepcopy(markup)
        if "remove_keyboard" in markup or "force_reply" in markup:
            return copy.deepcopy(markup)
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")

    @staticmethod
    def _inline_markup(markup: JSONDict | None) -> JSONDict | None:
        """The part of reply_markup Telegram echoes in Message objects."""
        if markup and markup.get("inline_keyboard"):
            return {"inline_keyboard": copy.deepcopy(markup["inline_keyboard"])}
        return None

    def _format(
        self,
        text: Any,
        parse_mode: Any,
        entities: Any,
        *,
        caption: bool,
    ) -> tuple[str | None, list[JSONDict]]:
        """Apply parse_mode and Telegram's emptiness/length rules; returns (text, entities)."""
        if text is None:
            if caption:
                return None, []
            raise ApiError(400, "Bad Request: message text is empty")
        text = text if isinstance(text, str) else json.dumps(text)
        mode = (parse_mode or "").strip().lower() if isinstance(parse_mode, str) else ""
        if mode:
            raise ApiError(400, f"Bad Request: unsupported parse_mode {parse_mode!r} (the emulator takes plain text)")
        parsed_entities = [e for e in entities if isinstance(e, dict)] if isinstance(entities, list) else []
        text, parsed_entities = _strip_with_entities(text, parsed_entities)
        if not text:
            if caption:
                return None, []
            raise ApiError(400, "Bad Request: message text is empty")
        limit = MAX_CAPTION_LENGTH if caption else MAX_TEXT_LENGTH
        if utf16_len(text) > limit:
            raise ApiError(
                400,
                "Bad Request: message caption is too long"
                if caption
                else "Bad Request: message is too long",
            )
        return text, parsed_entities

    def _reply_to(self, chat: JSONDict, params: JSONDict) -> JSONDict | None:
        reply_id: Any = params.get("reply_to_message_id")
        allow_missing = bool(params.get("allow_sending_without_reply"))
        reply_parameters = params.get("reply_parameters")
        if isinstance(reply_parameters, dict):
            reply_id = reply_parameters.get("message_id")
            allow_missing = bool(reply_parameters.get("allow_sending_without_reply"))
        if reply_id is None:
            return None
        try:
            reply_id = int(reply_id)
        except (TypeError, ValueError):
            raise ApiError(400, "Bad Request: message to be replied not found") from None
        target = self._messages.get(chat["id"], {}).get(reply_id)
        if target is None or target.deleted:
            if allow_missing:
                return None
            raise ApiError(400, "Bad Request: message to be replied not found")
        replied = copy.deepcopy(target.message)
        replied.pop("reply_to_message", None)
        return replied

    def _store_bot_message(
        self,
        token: str,
        chat: JSONDict,
        kind: str,
        fields: JSONDict,
        params: JSONDict,
        markup: JSONDict | None,
        source: str | None,
    ) -> JSONDict:
        message_id = self._new_message_id(chat["id"])
        message: JSONDict = {
            "message_id": message_id,
            "from": self.bot_user(token),
            "chat": copy.deepcopy(chat),
            "date": int(time.time()),
        }
        reply_to = self._reply_to(chat, params)
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        message.update(fields)
        inline = self._inline_markup(markup)
        if inline:
            message["reply_markup"] = inline
        mode = params.get("parse_mode") if isinstance(params.get("parse_mode"), str) else None
        msg = _Msg(chat["id"], message_id, True, kind, message, markup, source, mode)
        self._messages.setdefault(chat["id"], {})[message_id] = msg
        self._cond.notify_all()
        return copy.deepcopy(message)

    def _message_for_edit(self, params: JSONDict) -> _Msg:
        if params.get("inline_message_id"):
            raise ApiError(400, "Bad Request: message to edit not found")
        chat = self._resolve_chat(params)
        message_id = self._int(
            params, "message_id", "Bad Request: message identifier is not specified"
        )
        self._check_can_send(chat)
        msg = self._messages.get(chat["id"], {}).get(message_id)
        if msg is None or msg.deleted:
            raise ApiError(400, "Bad Request: message to edit not found")
        if not msg.from_bot:
            raise ApiError(400, "Bad Request: message can't be edited")
        return msg

    def _finish_edit(self, msg: _Msg) -> JSONDict:
        msg.edited = True
        msg.message["edit_date"] = int(time.time())
        self._cond.notify_all()
        return copy.deepcopy(msg.message)

    def _input_file(
        self, params: JSONDict, uploads: dict[str, _Upload], field: str
    ) -> tuple[JSONDict | None, _Upload | None, str | None]:
        """Resolve a photo/document parameter: (known file entry, new upload, url)."""
        value = params.get(field)
        upload: _Upload | None = None
        if isinstance(value, str) and value.startswith("attach://"):
            upload = uploads.get(value[len("attach://") :])
            if upload is None:
                raise ApiError(400, f"Bad Request: there is no {field} in the request")
        elif field in uploads:
            upload = uploads[field]
        if upload is not None:
            if not upload.data:
                raise ApiError(400, "Bad Request: file must be non-empty")
            return None, upload, None
        if value is None or value == "":
            raise ApiError(400, f"Bad Request: there is no {field} in the request")
        if isinstance(value, str):
            if value in self._files:
                return self._files[value], None, None
            if value.startswith(("http://", "https://")):
                return None, None, value
        raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")

    # ------------------------------------------------------------------ API methods

    def _m_get_me(self, token: str, params: JSONDict, uploads: dict[str, _Upload]) -> JSONDict:
        return {
            **self.bot_user(token),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _m_get_updates(
        self, token: str, params: JSONDict, uploads: dict[str, _Upload]
    ) -> list[JSONDict]:
        offset = params.get("offset")
        limit = params.get("limit")
        limit = 100 if limit in (None, "", 0) else max(1, min(100, int(limit)))
        timeout = max(0.0, float(params.get("timeout") or 0))
        allowed = params.get("allowed_updates")
        deadline = time.monotonic() + timeout
        with self._cond:
            if self._webhook["url"]:
                raise ApiError(409, CONFLICT_WEBHOOK)
            self._poll_generation += 1
            generation = self._poll_generation
            self._cond.notify_all()
            if isinstance(offset, int) and not isinstance(offset, bool) and offset:
                if offset > 0:
                    self._updates = [u for u in self._updates if u["update_id"] >= offset]
                else:
                    self._updates = self._updates[offset:]
                self._cond.notify_all()
            if isinstance(allowed, list):
                self._allowed_updates = frozenset(map(str, allowed)) or None
            while True:
                if self._poll_generation != generation:
                    raise ApiError(409, CONFLICT_OTHER_POLL, benign=True)
                batch = self._deliverable(limit)
                if batch or self._stopping:
                    return batch
                if self._webhook["url"]:
                    raise ApiError(409, CONFLICT_WEBHOOK)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return []
                self._waiting_polls += 1
                self._cond.notify_all()
                try:
                    self._cond.wait(remaining)
                finally:
                    self._waiting_polls -= 1

    def _deliverable(self, limit: int) -> list[JSONDict]:
        def allowed(update: JSONDict) -> bool:
            kinds = [key for key in update if key != "update_id"]
            kind = kinds[0] if kinds else ""
            if self._allowed_updates is None:
                return kind not in _DEFAULT_ALLOWED_UPDATES_EXCLUDED
            return kind in self._allowed_updates

        kept = [u for u in self._updates if allowed(u)]
        if len(kept) != len(self._updates):
            self._updates = kept
            self._cond.notify_all()
        return copy.deepcopy(kept[:limit])

    def _m_delete_webhook(self, token: str, params: JSONDict, uploads: dict[str, _Upload]) -> Any:
        with self._cond:
            had_webhook = bool(self._webhook["url"])
            self._webhook = {"url": ""}
            if params.get("drop_pending_updates"):
                self._updates.clear()
            self._cond.notify_all()
        return _Described(
            True, "Webhook was deleted" if had_webhook else "Webhook is already deleted"
        )

    def _m_set_webhook(self, token: str, params: JSONDict, uploads: dict[str, _Upload]) -> Any:
        url = params.get("url") or ""
        if url and not (isinstance(url, str) and url.startswith("https://")):
            raise ApiError(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        with self._cond:
            self._webhook = {
                key: params[key]
                for key in ("url", "max_connections", "allowed_updates", "secret_token")
                if key in params
            }
            self._webhook["url"] = url
            if params.get("drop_pending_updates"):
                self._updates.clear()
            self._cond.notify_all()
        return _Described(True, "Webhook was set" if url else "Webhook was deleted")

    def _m_get_webhook_info(
        self, token: str, params: JSONDict, uploads: dict[str, _Upload]
    ) -> JSONDict:
        with self._cond:
            info: JSONDict = {
                "url": self._webhook["url"],
                "has_custom_certificate": False,
                "pending_update_count": len(self._updates),
            }
            for key in ("max_connections", "allowed_updates"):
                if key in self._webhook:
                    info[key] = self._webhook[key]
            return info

    def _scope_key(self, params: JSONDict) -> tuple[str, str]:
        scope = params.get("scope")
        language = params.get("language_code") or ""
        if not isinstance(language, str) or (language and not re.fullmatch(r"[a-z]{2}", language)):
            raise ApiError(400, "Bad Request: invalid language code specified")
        if scope is None:
            return "default", language
        if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
            raise ApiError(400, "Bad Request: can't parse BotCommandScope JSON object")
        kind = scope["type"]
        if kind in ("default", "all_private_chats", "all_group_chats", "all_chat_administrators"):
            return kind, language
        if kind in ("chat", "chat_administrators", "chat_member"):
            chat = self._resolve_chat(scope)
            if kind != "chat_member":
                return f"{kind}:{chat['id']}", language
            user_id = self._int(scope, "user_id", "Bad Request: user not found")
            return f"chat_member:{chat['id']}:{user_id}", language
        raise ApiError(400, "Bad Request: unsupported bot command scope type")

    def _m_set_my_commands(
        self, token: str, params: JSONDict, uploads: dict[str, _Upload]
    ) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        if len(commands) > MAX_COMMANDS:
            raise ApiError(400, "Bad Request: BOT_COMMANDS_TOO_MUCH")
        cleaned: list[JSONDict] = []
        for command in commands:
            if not isinstance(command, dict):
                raise ApiError(400, "Bad Request: can't parse BotCommand JSON object")
            name, description = command.get("command"), command.get("description")
            if not isinstance(name, str) or not _COMMAND_RE.match(name):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": name, "description": description})
        with self._cond:
            key = self._scope_key(params)
            if cleaned:
                self._commands[key] = cleaned
            else:
                self._commands.pop(key, None)
            self._cond.notify_all()
        return True

    def _m_get_my_commands(
        self, token: str, params: JSONDict, uploads: dict[str, _Upload]
    ) -> list[JSONDict]:
        with self._cond:
            return copy.deepcopy(self._commands.get(self._scope_key(params), []))

    def _m_send_message(
        self, token: str, params: JSONDict, uploads: dict[str, _Upload]
    ) -> JSONDict:
        with self._cond:
            chat = self._resolve_chat(params)
            self._check_can_send(chat)
            markup = self._validate_markup(params.get("reply_markup"))
            text, entities = self._format(
                params.get("text"), params.get("parse_mode"), params.get("entities"), caption=False
            )
            fields: JSONDict = {"text": text}
            if entities:
                fields["entities"] = entities
            source = params.get("text") if isinstance(params.get("text"), str) else text
            return self._store_bot_message(token, chat, "text", fields, params, markup, source)

    def _m_send_photo(self, token: str, params: JSONDict, uploads: dict[str, _Upload]) -> JSONDict:
        with self._cond:
            chat = self._resolve_chat(params)
            self._check_can_send(chat)
            markup = self._validate_markup(params.get("reply_markup"))
            caption, entities = self._format(
                params.get("caption"),
                params.get("parse_mode"),
                params.get("caption_entities"),
                caption=True,
            )
            known, upload, url = self._input_file(params, uploads, "photo")
            if known is not None:
                sizes = copy.deepcopy(known.get("photo_sizes") or [])
                if not sizes:
                    raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
            else:
                sizes = self._photo_sizes(upload.data if upload else None, url)
            fields: JSONDict = {"photo": sizes}
            if caption:
                fields["caption"] = caption
                if entities:
                    fields["caption_entities"] = entities
            return self._store_bot_message(
                token, chat, "photo", fields, params, markup, params.get("caption")
            )

    def _m_send_document(
        self, token: str, params: JSONDict, uploads: dict[str, _Upload]
    ) -> JSONDict:
        with self._cond:
            chat = self._resolve_chat(params)
            self._check_can_send(chat)
            markup = self._validate_markup(params.get("reply_markup"))
            caption, entities = self._format(
                params.get("caption"),
                params.get("parse_mode"),
                params.get("caption_entities"),
                caption=True,
            )
            known, upload, url = self._input_file(params, uploads, "document")
            if known is not None:
                entry = known
            elif upload is not None:
                file_name = upload.filename or "file"
                mime = (
                    upload.content_type
                    or mimetypes.guess_type(file_name)[0]
                    or "application/octet-stream"
                )
                entry = self._register_file("document", upload.data, file_name, mime, "BQAC")
            else:
                assert url is not None
                file_name = url.rstrip("/").rsplit("/", 1)[-1] or "file"
                mime = mimetypes.guess_type(file_name)[0] or "application/octet-stream"
                entry = self._register_file("document", None, file_name, mime, "BQAC", url)
            fields: JSONDict = {"document": self._document_dict(entry)}
            if caption:
                fields["caption"] = caption
                if entities:
                    fields["caption_entities"] = entities
            return self._store_bot_message(
                token, chat, "document", fields, params, markup, params.get("caption")
            )

    def _m_send_chat_action(
        self, token: str, params: JSONDict, uploads: dict[str, _Upload]
    ) -> bool:
        with self._cond:
            chat = self._resolve_chat(params)
            self._check_can_send(chat)
            action = params.get("action")
            if action not in _CHAT_ACTIONS:
                raise ApiError(400, "Bad Request: wrong parameter action in request")
            self._chat_actions.append((chat["id"], action))
            self._cond.notify_all()
        return True

    def _m_edit_message_text(
        self, token: str, params: JSONDict, uploads: dict[str, _Upload]
    ) -> JSONDict:
        with self._cond:
            msg = self._message_for_edit(params)
            markup = self._validate_markup(params.get("reply_markup"))
            if markup is not None and "inline_keyboard" not in markup:
                raise ApiError(400, "Bad Request: inline keyboard expected")
            if msg.kind != "text":
                raise ApiError(400, "Bad Request: there is no text in the message to edit")
            text, entities = self._format(
                params.get("text"), params.get("parse_mode"), params.get("entities"), caption=False
            )
            inline = self._inline_markup(markup)
            if (
                text == msg.message.get("text")
                and entities == msg.message.get("entities", [])
                and inline == msg.message.get("reply_markup")
            ):
                raise ApiError(400, NOT_MODIFIED)
            msg.message["text"] = text
            if entities:
                msg.message["entities"] = entities
            else:
                msg.message.pop("entities", None)
            if inline:
                msg.message["reply_markup"] = inline
            else:
                msg.message.pop("reply_markup", None)
            msg.reply_markup = markup
            msg.source = params.get("text") if isinstance(params.get("text"), str) else text
            mode = params.get("parse_mode")
            msg.parse_mode = mode if isinstance(mode, str) else None
            return self._finish_edit(msg)

    def _m_edit_message_reply_markup(
        self, token: str, params: JSONDict, uploads: dict[str, _Upload]
    ) -> JSONDict:
        with self._cond:
            msg = self._message_for_edit(params)
            markup = self._validate_markup(params.get("reply_markup"))
            if markup is not None and "inline_keyboard" not in markup:
                raise ApiError(400, "Bad Request: inline keyboard expected")
            inline = self._inline_markup(markup)
            if inline == msg.message.get("reply_markup"):
                raise ApiError(400, NOT_MODIFIED)
            if inline:
                msg.message["reply_markup"] = inline
            else:
                msg.message.pop("reply_markup", None)
            msg.reply_markup = markup
            return self._finish_edit(msg)

    def _m_delete_message(self, token: str, params: JSONDict, uploads: dict[str, _Upload]) -> bool:
        with self._cond:
            chat = self._resolve_chat(params)
            message_id = self._int(
                params, "message_id", "Bad Request: message identifier is not specified"
            )
            msg = self._messages.get(chat["id"], {}).get(message_id)
            if msg is None or msg.deleted:
                raise ApiError(400, "Bad Request: message to delete not found")
            msg.deleted = True
            self._cond.notify_all()
        return True

    def _m_delete_messages(self, token: str, params: JSONDict, uploads: dict[str, _Upload]) -> bool:
        """Like Telegram: 1-100 ids; ids it cannot find are skipped."""
        raw = params.get("message_ids")
        ids = json.loads(raw) if isinstance(raw, str) else raw
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100 or not all(isinstance(i, int) for i in ids):
            raise ApiError(400, "Bad Request: message identifiers are not specified")
        with self._cond:
            chat = self._resolve_chat(params)
            for message_id in ids:
                msg = self._messages.get(chat["id"], {}).get(message_id)
                if msg is not None:
                    msg.deleted = True
            self._cond.notify_all()
        return True

    def _m_answer_callback_query(
        self, token: str, params: JSONDict, uploads: dict[str, _Upload]
    ) -> bool:
        query_id = params.get("callback_query_id")
        text = params.get("text")
        if isinstance(text, str) and len(text) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        with self._cond:
            query = self._callback_queries.get(str(query_id)) if query_id is not None else None
            if query is None or query["answered"]:
                raise ApiError(400, QUERY_TOO_OLD)
            query["answered"] = True
            self._callback_answers.append(
                {
                    "callback_query_id": str(query_id),
                    "text": text,
                    "show_alert": bool(params.get("show_alert")),
                    "url": params.get("url"),
                    "cache_time": params.get("cache_time"),
                    "data": query["data"],
                    "message_id": query["message_id"],
                }
            )
            self._cond.notify_all()
        return True

    def _m_get_file(self, token: str, params: JSONDict, uploads: dict[str, _Upload]) -> JSONDict:
        with self._cond:
            entry = self._files.get(str(params.get("file_id")))
            if entry is None:
                raise ApiError(400, "Bad Request: invalid file_id")
            result: JSONDict = {
                "file_id": entry["file_id"],
                "file_unique_id": entry["file_unique_id"],
                "file_path": entry["file_path"],
            }
            if entry["file_size"] is not None:
                result["file_size"] = entry["file_size"]
            return result
