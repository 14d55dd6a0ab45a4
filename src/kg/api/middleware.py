"""Pure-ASGI middleware: a request-body cap (413), HEAD on GET routes, the ``Server`` header and ``Vary:
Accept-Encoding`` on every answer with an ETag."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import __version__
from .problems import ERRORS_BASE, MEDIA_TYPE

SERVER = f"mea-kg/{__version__}".encode()


class _TooLarge(Exception):
    pass


class BodyLimit:
    """Refuse request bodies larger than ``max_bytes`` with 413, whether announced or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _TooLarge:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps(
            {
                "type": ERRORS_BASE + "payload-too-large",
                "title": "Request body too large",
                "status": 413,
                "detail": f"request bodies are limited to {self.max_bytes} bytes",
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", MEDIA_TYPE.encode()), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})


class _ResponseHeaders:
    """A middleware that rewrites the headers of every HTTP response (``headers``), nothing else."""

    def __init__(self, app: ASGIApp):
        self.app = app

    def headers(self, headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
        raise NotImplementedError

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def rewritten(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = self.headers(list(message.get("headers", [])))
            await send(message)

        await self.app(scope, receive, rewritten)


class ServerHeader(_ResponseHeaders):
    """Name the software in every response (uvicorn's own header is switched off)."""

    def headers(self, headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
        return [*headers, (b"server", SERVER)]


class HeadAsGet:
    """Answer ``HEAD`` on every ``GET`` route (link checkers and crawlers use it): run the GET, send its headers
    and no body."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b""})
                return
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


class VaryByEncoding(_ResponseHeaders):
    """Name ``Accept-Encoding`` in the ``Vary`` of every answer with an ETag. The gzip middleware (inside this
    one) compresses a 200 by Accept-Encoding but says so only when it does: without this, a 304 or a short 200
    would not carry the Vary of a compressed 200 of the same tag (RFC 9110 §15.4.5)."""

    def headers(self, headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
        return _vary_by_encoding(headers)


def _vary_by_encoding(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    names = {name.lower() for name, _ in headers}
    if b"etag" not in names:
        return headers
    varied = [v.strip().lower() for name, value in headers if name.lower() == b"vary" for v in value.split(b",")]
    if b"accept-encoding" in varied or b"*" in varied:
        return headers
    others = [(name, value) for name, value in headers if name.lower() != b"vary"]
    vary = b", ".join([value for name, value in headers if name.lower() == b"vary"] + [b"Accept-Encoding"])
    return [*others, (b"vary", vary)]
