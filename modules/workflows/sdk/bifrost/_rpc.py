"""The running workflow's line to the Bifrost worker.

JSON lines over a socket the worker handed to this process (never stdout,
which is captured as output). The workflow sends log lines, calls and its
result; the worker answers calls from Bifrost's services with the
execution's identity and organization.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import enum
import itertools
import json
import socket
import threading
import uuid
from typing import Any

from ._errors import (
    BifrostError,
    ConfigurationError,
    IntegrationError,
    NotAvailableError,
    PermissionDeniedError,
    ValidationError,
    WorkflowError,
)

__all__ = ["Channel", "channel", "call", "to_json"]


def _default(o: Any) -> Any:
    if isinstance(o, (_dt.datetime, _dt.date, _dt.time)):
        return o.isoformat()
    if isinstance(o, (uuid.UUID, decimal.Decimal)):
        return str(o)
    if isinstance(o, enum.Enum):
        return o.value
    if isinstance(o, (set, frozenset, tuple)):
        return list(o)
    if isinstance(o, bytes):
        return o.decode("utf-8", "replace")
    if hasattr(o, "to_dict") and callable(o.to_dict):
        return o.to_dict()
    if hasattr(o, "model_dump") and callable(o.model_dump):  # pydantic models
        return o.model_dump()
    if hasattr(o, "__dataclass_fields__"):
        import dataclasses

        return dataclasses.asdict(o)
    raise TypeError(f"{type(o).__name__} is not JSON serializable")


def to_json(value: Any) -> str:
    return json.dumps(value, default=_default, separators=(",", ":"), ensure_ascii=False)


_KINDS: dict[str, type[BifrostError]] = {
    "forbidden": PermissionDeniedError,
    "unauthenticated": PermissionDeniedError,
    "invalid": ValidationError,
    "integration": IntegrationError,
    "configuration": ConfigurationError,
    "unavailable": NotAvailableError,
}


def _error(e: dict[str, Any]) -> BifrostError:
    cls = _KINDS.get(e.get("kind", ""), WorkflowError)
    msg = e.get("message") or "The call failed."
    if cls is ValidationError:
        err: BifrostError = ValidationError(msg, e.get("errors"))
    else:
        err = cls(msg)
    err.code = e.get("code", "")  # type: ignore[attr-defined]
    return err


class Channel:
    """A JSON-lines connection. Writes and calls are safe from several threads."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._reader = sock.makefile("rb")
        self._write = threading.Lock()
        self._calls = threading.Lock()
        self._ids = itertools.count(1)

    def send(self, msg: dict[str, Any]) -> None:
        data = (to_json(msg) + "\n").encode("utf-8")
        with self._write:
            self._sock.sendall(data)

    def receive(self) -> dict[str, Any]:
        line = self._reader.readline()
        if not line:
            raise ConnectionError("the Bifrost worker closed the connection")
        return json.loads(line)

    def call(self, method: str, args: dict[str, Any]) -> Any:
        with self._calls:
            cid = next(self._ids)
            self.send({"t": "call", "id": cid, "method": method, "args": args})
            while True:
                msg = self.receive()
                if msg.get("t") == "reply" and msg.get("id") == cid:
                    break
        if msg.get("error"):
            raise _error(msg["error"])
        return msg.get("result")

    def close(self) -> None:
        try:
            self._reader.close()
            self._sock.close()
        except OSError:
            pass


_channel: Channel | None = None


def channel() -> Channel | None:
    return _channel


def _set(ch: Channel | None) -> None:
    global _channel
    _channel = ch


def call(method: str, **args: Any) -> Any:
    """Calls a Bifrost service as the running execution."""
    ch = _channel
    if ch is None:
        raise NotAvailableError(f"bifrost {method}() works only while a workflow runs in Bifrost (bifrost workflows run NAME runs one locally).")
    return ch.call(method, {k: v for k, v in args.items() if v is not None})
