"""Imports a workspace and reports its workflows and data providers.

A file that fails to import is reported with its error and line; the
others still load. Two definitions of one name are reported, and the first
one stays.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
import sys
import time
import traceback
import warnings
from typing import Any

from .._decorators import Definition, DefinitionError, registered

_SKIP_DIRS = {"__pycache__", "node_modules", "venv", "env", "site-packages"}


def workspace_files(root: str) -> list[str]:
    """The workspace's Python files, relative to root, in a stable order."""
    out: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "_")) and d not in _SKIP_DIRS)
        rel = os.path.relpath(dirpath, root)
        for name in sorted(filenames):
            if name.endswith(".py") and not name.startswith((".", "_")):
                out.append(name if rel == "." else os.path.join(rel, name))
    return out


def _module_name(rel: str) -> str:
    parts = rel[:-3].split(os.sep)
    if all(p.isidentifier() for p in parts):
        return ".".join(parts)
    return "bifrost_workspace." + ".".join(re.sub(r"\W", "_", p) for p in parts)


def _import(root: str, rel: str) -> None:
    name = _module_name(rel)
    if not name.startswith("bifrost_workspace."):
        importlib.import_module(name)
        return
    if name in sys.modules:
        return
    spec = importlib.util.spec_from_file_location(name, os.path.join(root, rel))
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {rel}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise


def _relative(root: str, path: str) -> str:
    try:
        rel = os.path.relpath(os.path.realpath(path), os.path.realpath(root))
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


def _failure(root: str, rel: str, e: BaseException) -> dict[str, Any]:
    """Where and why a file failed: the line in the workspace that raised."""
    where, line = rel, 0
    if isinstance(e, DefinitionError) and e.filename:
        where, line = _relative(root, e.filename), e.lineno
        message = e.detail
    elif isinstance(e, SyntaxError):
        where, line = _relative(root, e.filename or rel), e.lineno or 0
        message = f"{e.msg}"
    else:
        message = str(e) or type(e).__name__
        for frame in reversed(traceback.extract_tb(e.__traceback__)):
            r = _relative(root, frame.filename)
            if not r.startswith(os.sep) and r.endswith(".py"):
                where, line = r, frame.lineno or 0
                break
    return {
        "file": rel, "location": where, "line": line, "type": type(e).__name__, "message": message,
        "traceback": _workspace_traceback(root, e),
    }


def _workspace_traceback(root: str, e: BaseException) -> str:
    """The traceback without the frames of the importer: only the workspace's own."""
    frames = traceback.StackSummary.from_list([
        (_relative(root, f.filename), f.lineno, f.name, f.line)
        for f in traceback.extract_tb(e.__traceback__)
        if not _relative(root, f.filename).startswith(os.sep) and not f.filename.startswith("<")
        and "/bifrost/_runtime/" not in f.filename.replace(os.sep, "/")
    ])
    out = ""
    if frames:
        out = "Traceback (most recent call last):\n" + "".join(frames.format())
    # A syntax error names its file: show it relative to the workspace too.
    if isinstance(e, SyntaxError) and e.filename:
        e = SyntaxError(e.msg, (_relative(root, e.filename), e.lineno, e.offset, e.text, e.end_lineno, e.end_offset))
    text = "".join(traceback.format_exception_only(e))
    return out + text.replace(root + os.sep, "")


def discover(root: str) -> dict[str, Any]:
    """Imports every workspace file and returns what was found."""
    started = time.perf_counter()
    root = os.path.realpath(root)
    files: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    known: dict[tuple[str, str], Definition] = {}
    kept: list[Definition] = []
    seen = len(registered())
    for rel in workspace_files(root):
        entry: dict[str, Any] = {"path": rel, "status": "ok", "workflows": 0, "data_providers": 0, "warnings": []}
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                _import(root, rel)
            except BaseException as e:  # a workspace file may raise anything, even SystemExit
                if isinstance(e, KeyboardInterrupt):
                    raise
                failure = _failure(root, rel, e)
                errors.append(failure)
                entry.update(status="error", error=failure)
        entry["warnings"] = [str(w.message) for w in caught]
        files.append(entry)
    defs = registered()[seen:]
    by_file = {f["path"]: f for f in files}
    for d in defs:
        d.file = _relative(root, d.file)
        key = (d.kind, d.name)
        first = known.get(key)
        if first is not None:
            what = "workflow" if d.kind == "workflow" else "data provider"
            failure = {
                "file": d.file, "location": d.file, "line": d.line, "type": "DuplicateName",
                "message": f"{what} {d.name!r} is already defined in {first.file}:{first.line}; this one is ignored",
                "traceback": "",
            }
            errors.append(failure)
            f = by_file.get(d.file)
            if f is not None and f["status"] == "ok":
                f.update(status="error", error=failure)
            continue
        known[key] = d
        kept.append(d)
        f = by_file.get(d.file)
        if f is not None:
            f["workflows" if d.kind == "workflow" else "data_providers"] += 1
    return {
        "workflows": [d.to_dict() for d in kept if d.kind == "workflow"],
        "data_providers": [d.to_dict() for d in kept if d.kind == "data_provider"],
        "files": files,
        "errors": errors,
        "duration_ms": round((time.perf_counter() - started) * 1000, 3),
    }


def definitions(result: dict[str, Any]) -> dict[tuple[str, str], Definition]:
    """The kept definitions of a discovery, by kind and name."""
    wanted = {("workflow", w["name"]) for w in result["workflows"]} | {("data_provider", p["name"]) for p in result["data_providers"]}
    out: dict[tuple[str, str], Definition] = {}
    for d in registered():
        key = (d.kind, d.name)
        if key in wanted and key not in out:
            out[key] = d
    return out
