"""Webhook mode: our own small ASGI server feeds PTB's update queue.

PTB's built-in webhook server has no health endpoint, and a reverse proxy in
front of several instances needs one. This follows PTB's own
``customwebhookbot/starlettebot.py`` example: the Application is built with
``updater(None)`` and every verified update goes onto ``update_queue``.
A press is answered in the HTTP reply itself (``intake.answered_in_reply``).
"""

from __future__ import annotations

import hmac
import logging

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from telegram import Update

from bot import json_codec
from bot.adapters.telegram.intake import answered_in_reply, lean_update
from bot.adapters.telegram.types import App
from bot.config import Settings

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name, not a secret
MAX_BODY = 1 << 20


def make_asgi(app: App, settings: Settings) -> Starlette:
    hook = settings.telegram.webhook
    secret = hook.secret_token.encode()

    async def receive(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, secret):
            return Response(status_code=403)
        body = await request.body()
        if len(body) > MAX_BODY:
            return Response(status_code=413)
        try:
            data = json_codec.loads(body)
            if not isinstance(data, dict):  # a list, a string, a number: not an update either
                raise TypeError("not a JSON object")
            data, answer = answered_in_reply(lean_update(data))
            update = Update.de_json(data, app.bot)
        except (ValueError, TypeError, KeyError):
            log.warning("webhook: a request that is not a Telegram update was refused")
            return Response(status_code=400)
        await app.update_queue.put(update)
        # A press is answered right here, in the reply Telegram is waiting for (intake.py).
        return Response() if answer is None else JSONResponse(answer)

    async def health(_: Request) -> Response:
        service = app.bot_data.get("service")
        if service is None or not app.running:
            return JSONResponse({"status": "starting"}, status_code=503)
        if not await service.health():
            return JSONResponse({"status": "database unavailable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    return Starlette(routes=[Route(hook.path, receive, methods=["POST"]), Route("/healthz", health, methods=["GET"])])


async def serve(app: App, settings: Settings) -> None:
    """Start PTB, register the webhook (when a public URL is set), serve until SIGTERM/SIGINT."""
    hook = settings.telegram.webhook
    server = uvicorn.Server(uvicorn.Config(
        make_asgi(app, settings), host=hook.listen, port=hook.port, log_level="warning",
        access_log=False,  # access logs would carry the path and client addresses, nothing we need
    ))
    # post_init/post_shutdown are run by PTB's run_* helpers only; here we call them.
    async with app:
        if app.post_init is not None:
            await app.post_init(app)
        await app.start()
        if hook.public_url:
            await app.bot.set_webhook(
                url=hook.public_url.rstrip("/") + hook.path, secret_token=hook.secret_token,
                allowed_updates=Update.ALL_TYPES,
            )
        log.info("webhook listening on %s:%s%s", hook.listen, hook.port, hook.path)
        try:
            await server.serve()
        finally:
            await app.stop()
    if app.post_shutdown is not None:
        await app.post_shutdown(app)
