"""One run, in a process of its own (a fork of the zygote).

The worker sends a start message on the run's socket; the run answers with
log lines, calls, and finally its result:

    worker → run   {"t": "start", "kind", "name", "inputs", "context", "roots", "capture_variables"}
    run → worker   {"t": "log", "seq", "level", "message", "data", "time", "logger"}
    run → worker   {"t": "call", "id", "method", "args"}   worker → run  {"t": "reply", "id", "result" | "error"}
    run → worker   {"t": "result", "status", "result", "result_type", "error", "variables", "duration_ms"}
"""

from __future__ import annotations

import asyncio
import inspect
import io
import itertools
import json
import logging
import os
import sys
import threading
import time
import traceback
import types
from typing import Any

from .. import _context, _files, _rpc, _sdk
from .._coerce import coerce_inputs
from .._decorators import Definition
from .._errors import UserError, ValidationError

GENERIC_FAILURE = "The workflow failed. An administrator can see the details in the execution's logs."
_LEVELS = {logging.DEBUG: "debug", logging.INFO: "info", logging.WARNING: "warning", logging.ERROR: "error", logging.CRITICAL: "error"}
_seq = itertools.count(1)
_MAX_VARIABLE = 64 * 1024


def _scrub(text: str) -> str:
    for secret in _sdk._secret_values:
        if secret in text:
            text = text.replace(secret, "***")
    return text


def _scrub_value(v: Any) -> Any:
    if not _sdk._secret_values:
        return v
    if isinstance(v, str):
        return _scrub(v)
    if isinstance(v, list):
        return [_scrub_value(x) for x in v]
    if isinstance(v, dict):
        return {k: _scrub_value(x) for k, x in v.items()}
    return v


def _send_log(level: str, message: str, data: Any = None, logger: str = "") -> None:
    ch = _rpc.channel()
    if ch is None:
        return
    msg: dict[str, Any] = {"t": "log", "seq": next(_seq), "level": level, "message": _scrub(message), "time": time.time()}
    if data is not None:
        msg["data"] = _scrub_value(_jsonable(data))
    if logger:
        msg["logger"] = logger
    try:
        ch.send(msg)
    except OSError:
        pass


def _jsonable(v: Any) -> Any:
    try:
        return json.loads(_rpc.to_json(v))
    except (TypeError, ValueError):
        return repr(v)


class _Handler(logging.Handler):
    """Logging records become the execution's log lines."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except Exception:
            message = str(record.msg)
        data = getattr(record, "data", None)
        _send_log(_LEVELS.get(record.levelno, "info"), message, data, record.name)
        if record.exc_info and record.exc_info[0] is not None:
            _send_log("traceback", "".join(traceback.format_exception(*record.exc_info)), logger=record.name)


class _Output(io.TextIOBase):
    """print() becomes log lines, one per line written."""

    def __init__(self, level: str) -> None:
        self._level = level
        self._buf = ""
        self._lock = threading.Lock()

    def writable(self) -> bool:
        return True

    def write(self, s: str) -> int:
        with self._lock:
            self._buf += s
            while "\n" in self._buf:
                line, self._buf = self._buf.split("\n", 1)
                _send_log(self._level, line)
        return len(s)

    def flush(self) -> None:
        with self._lock:
            if self._buf:
                line, self._buf = self._buf, ""
                _send_log(self._level, line)


def _capture_frame(code: types.CodeType) -> tuple[dict[str, Any], Any]:
    """Starts watching for the frame of code; returns a box its frame lands in."""
    box: dict[str, Any] = {}

    def tracer(frame: types.FrameType, event: str, arg: Any) -> None:
        if event == "call" and frame.f_code is code:
            box["frame"] = frame
            sys.settrace(None)
            threading.settrace(None)  # type: ignore[arg-type]
        return None

    sys.settrace(tracer)
    return box, tracer


def _variables(box: dict[str, Any], skip: set[str]) -> dict[str, Any]:
    frame = box.get("frame")
    if frame is None:
        return {}
    out: dict[str, Any] = {}
    for name, value in list(frame.f_locals.items()):
        if name.startswith("_") or name in skip:
            continue
        if isinstance(value, (types.ModuleType, type)) or callable(value):
            continue
        try:
            text = _rpc.to_json(value)
        except (TypeError, ValueError, RecursionError):
            out[name] = f"<unserializable: {type(value).__name__}>"
            continue
        if len(text) > _MAX_VARIABLE:
            out[name] = f"<too large: {len(text)} bytes of {type(value).__name__}>"
            continue
        out[name] = json.loads(text)
    return out


def _result_type(value: Any) -> str:
    if isinstance(value, str):
        return "html" if value.lstrip().startswith("<") and ">" in value else "text"
    return "json"


def _call(d: Definition, kwargs: dict[str, Any], ctx: _context.ExecutionContext) -> Any:
    fn = d.fn
    if not d.accepts_extra:
        names = d.arg_names
        kwargs = {k: v for k, v in kwargs.items() if k in names}
    if d.context_param:
        kwargs[d.context_param] = ctx
    result = fn(**kwargs)
    if inspect.isawaitable(result):
        result = asyncio.run(_await(result))
    return result


async def _await(aw: Any) -> Any:
    return await aw


def execute(start: dict[str, Any]) -> dict[str, Any]:
    """Runs the definition a start message names and returns the result message."""
    from . import zygote  # the definitions the zygote imported

    began = time.perf_counter()
    ctx = _context.ExecutionContext.from_dict(start.get("context") or {})
    ctx.parameters = dict(start.get("inputs") or {})
    _context._set(ctx)
    roots = start.get("roots") or {}
    _files._configure(roots.get("workspace", os.getcwd()), roots.get("temp", ""), roots.get("uploads", ""))
    kind, name = start.get("kind", "workflow"), start.get("name", "")
    d = zygote.definition(kind, name)
    res: dict[str, Any] = {"t": "result"}
    if d is None:
        what = "workflow" if kind == "workflow" else "data provider"
        res.update(status="Failed", error={"type": "NotFound", "message": f"There is no {what} named {name!r}."})
        return res
    box: dict[str, Any] = {}
    try:
        kwargs = coerce_inputs(d, ctx.parameters)
        if start.get("capture_variables", True):
            box, _ = _capture_frame(d.fn.__code__)
        value = _call(d, kwargs, ctx)
    except ValidationError as e:
        sys.settrace(None)
        res.update(status="Failed", error={"type": "ValidationError", "message": e.message, "errors": e.errors})
    except UserError as e:
        sys.settrace(None)
        res.update(status="Failed", error={"type": "UserError", "message": _scrub(str(e)) or "The workflow failed."})
    except BaseException as e:  # user code may raise anything, SystemExit included
        sys.settrace(None)
        if isinstance(e, KeyboardInterrupt):
            res.update(status="Cancelled", error={"type": "Cancelled", "message": "The execution was cancelled."})
        else:
            tb = "".join(traceback.format_exception(e))
            _send_log("traceback", tb)
            res.update(status="Failed", error={"type": type(e).__name__, "message": GENERIC_FAILURE, "detail": _scrub(f"{type(e).__name__}: {e}")})
    else:
        sys.settrace(None)
        if kind == "data_provider":
            value, problem = _options(value)
            if problem:
                res.update(status="Failed", error={"type": "InvalidResult", "message": problem})
                value = None
        if "status" not in res:
            try:
                text = _rpc.to_json(value)
            except (TypeError, ValueError) as e:
                res.update(status="Failed", error={"type": "InvalidResult", "message": GENERIC_FAILURE, "detail": f"The result is not JSON serializable: {e}"})
            else:
                value = _scrub_value(json.loads(text))
                failed = isinstance(value, dict) and value.get("success") is False
                res.update(status="CompletedWithErrors" if failed else "Success", result=value, result_type=_result_type(value))
    skip = {d.context_param} if d.context_param else set()
    res["variables"] = _scrub_value(_variables(box, skip))
    res["duration_ms"] = round((time.perf_counter() - began) * 1000, 3)
    return res


def _options(value: Any) -> tuple[Any, str]:
    if not isinstance(value, list):
        return None, "A data provider must return a list of {\"label\", \"value\"} options."
    out = []
    for i, o in enumerate(value):
        if not isinstance(o, dict) or "label" not in o or "value" not in o:
            return None, f"Option {i} is not a {{\"label\", \"value\"}} dict."
        item = {"label": o["label"], "value": o["value"]}
        if "metadata" in o:
            item["metadata"] = o["metadata"]
        out.append(item)
    return out, ""


def run(sock_fd: int) -> None:
    """The body of a forked run: read the start message, run, report, exit."""
    import socket

    sock = socket.socket(fileno=sock_fd)
    ch = _rpc.Channel(sock)
    _rpc._set(ch)
    root = logging.getLogger()
    for h in list(root.handlers):
        root.removeHandler(h)
    root.addHandler(_Handler())
    root.setLevel(logging.DEBUG)
    logging.getLogger("asyncio").setLevel(logging.WARNING)  # its debug lines are about the SDK, not the workflow
    logging.captureWarnings(True)
    sys.stdout = _Output("info")
    sys.stderr = _Output("error")
    code = 0
    try:
        try:
            start = ch.receive()
        except (ConnectionError, OSError, ValueError):
            os._exit(0)  # a spare that was not needed: the worker let it go
        from . import zygote

        zygote.limits(start.get("limits") or {})
        if start.get("cwd"):
            os.chdir(start["cwd"])
        res = execute(start)
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        ch.send(res)
    except BaseException:  # nowhere left to report but the captured output
        os.write(2, traceback.format_exc().encode("utf-8", "replace"))
        code = 70
    finally:
        ch.close()  # the worker has the result: it removes the run's temp folder
    os._exit(code)
