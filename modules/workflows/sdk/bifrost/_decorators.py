"""@workflow, @param and @data_provider, and the registry they fill."""

from __future__ import annotations

import inspect
import re
import sys
import types
import typing
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable

from ._context import ExecutionContext

__all__ = ["workflow", "param", "data_provider", "DefinitionError", "Definition", "registered", "PARAM_TYPES"]

PARAM_TYPES = ("string", "int", "float", "bool", "json", "list", "email")
_NAME = re.compile(r"^[a-z0-9_]+$")
_WORKFLOW_ARGS = {
    "name", "description", "category", "tags", "execution_mode", "timeout_seconds", "retry_policy", "schedule",
    "endpoint_enabled", "allowed_methods", "disable_global_key", "public_endpoint",
}
_PROVIDER_ARGS = {"name", "description", "category", "cache_ttl_seconds"}


class DefinitionError(TypeError):
    """A decorator was given something it cannot accept. It names the file and line."""

    def __init__(self, message: str, filename: str = "", lineno: int = 0) -> None:
        self.filename, self.lineno, self.detail = filename, lineno, message
        where = f"{filename}:{lineno}: " if filename else ""
        super().__init__(where + message)


@dataclass
class Param:
    name: str
    type: str = "string"
    label: str | None = None
    required: bool = False
    validation: dict | None = None
    data_provider: str | None = None
    default_value: Any = None
    help_text: str | None = None
    options: list | None = None

    def to_dict(self) -> dict[str, Any]:
        d = {
            "name": self.name, "type": self.type, "label": self.label or _title(self.name), "required": self.required,
            "validation": self.validation, "data_provider": self.data_provider, "default_value": self.default_value,
            "help_text": self.help_text,
        }
        if self.options is not None:
            d["options"] = self.options
        return d


@dataclass
class Definition:
    """A workflow or data provider as the decorators declared it."""

    kind: str
    fn: Callable[..., Any]
    name: str
    description: str
    category: str
    params: list[Param]
    accepts_extra: bool
    context_param: str | None
    file: str
    line: int
    options: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    params_from: str = "hints"

    @property
    def is_async(self) -> bool:
        return inspect.iscoroutinefunction(self.fn)

    @property
    def arg_names(self) -> frozenset[str]:
        """The names the function accepts as keywords (cached)."""
        names = self.__dict__.get("_arg_names")
        if names is None:
            names = frozenset(n for n, p in inspect.signature(self.fn).parameters.items()
                              if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY))
            self.__dict__["_arg_names"] = names
        return names

    def to_dict(self) -> dict[str, Any]:
        d = {
            "kind": self.kind, "name": self.name, "description": self.description, "category": self.category,
            "parameters": [p.to_dict() for p in self.params], "accepts_extra": self.accepts_extra,
            "context_param": self.context_param, "is_async": self.is_async, "function": self.fn.__qualname__,
            "module": self.fn.__module__, "file": self.file, "line": self.line, "schema": schema(self),
            "warnings": list(self.warnings),
        }
        d.update(self.options)
        return d


# Every definition made in this process, in the order of definition.
_registry: list[Definition] = []


def registered() -> list[Definition]:
    return list(_registry)


def _title(name: str) -> str:
    return " ".join(w.capitalize() for w in re.split(r"[_\s]+", name) if w)


def _caller() -> tuple[str, int]:
    """The file and line of the decorator's use (outside this module)."""
    f = sys._getframe(1)
    here = __file__
    while f is not None and f.f_code.co_filename == here:
        f = f.f_back
    return (f.f_code.co_filename, f.f_lineno) if f else ("", 0)


def _fn_location(fn: Callable[..., Any]) -> tuple[str, int]:
    code = getattr(fn, "__code__", None)
    if code is None:
        return ("", 0)
    return (code.co_filename, code.co_firstlineno)


# ---------------------------------------------------------------- @param

def param(name: str, type: str = "string", label: str | None = None, required: bool = False,
          validation: dict | None = None, data_provider: str | None = None, default_value: Any = None,
          help_text: str | None = None, **unknown: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declares a parameter of the workflow or data provider below it.

    ``type`` is one of string, int, float, bool, json, list, email.
    ``validation`` is ``{"pattern", "min", "max", "message"}``.
    """
    filename, lineno = _caller()
    if type not in PARAM_TYPES:
        raise DefinitionError(f"@param {name!r}: unknown type {type!r} (use one of: {', '.join(PARAM_TYPES)})", filename, lineno)
    if not isinstance(name, str) or not name.isidentifier():
        raise DefinitionError(f"@param {name!r}: the name must be a Python identifier", filename, lineno)
    if validation is not None and not isinstance(validation, dict):
        raise DefinitionError(f"@param {name!r}: validation must be a dict with pattern, min, max, message", filename, lineno)
    if validation and validation.get("pattern"):
        try:
            re.compile(validation["pattern"])
        except re.error as e:
            raise DefinitionError(f"@param {name!r}: validation pattern does not compile: {e}", filename, lineno) from None
    p = Param(name=name, type=type, label=label, required=bool(required), validation=validation,
              data_provider=data_provider, default_value=default_value, help_text=help_text)
    if unknown:
        warnings.warn(f"{filename}:{lineno}: @param {name!r}: unknown arguments ignored: {', '.join(sorted(unknown))}", stacklevel=2)

    def apply(fn: Callable[..., Any]) -> Callable[..., Any]:
        d = getattr(fn, "__bifrost_definition__", None)
        if d is not None:
            # @param above @workflow: it comes first in the source.
            if d.params_from == "hints":
                d.params, d.params_from = [], "param"
            d.params.insert(0, p)
            return fn
        pending = fn.__dict__.setdefault("__bifrost_params__", [])
        pending.insert(0, p)  # decorators apply bottom-up; the source order is top-down
        return fn

    return apply


# ------------------------------------------------------- parameter hints

_HINT_TYPES = {str: "string", int: "int", float: "float", bool: "bool", list: "list", dict: "json", tuple: "list", set: "list"}


def _hint_param(name: str, hint: Any, has_default: bool, default: Any) -> Param:
    required = not has_default
    ptype, options = "string", None
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        rest = [a for a in args if a is not type(None)]
        if len(rest) < len(args):
            required = False
        hint = rest[0] if len(rest) == 1 else str
        origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Literal:
        options = list(args)
        if options and all(isinstance(o, bool) for o in options):
            ptype = "bool"
        elif options and all(isinstance(o, int) and not isinstance(o, bool) for o in options):
            ptype = "int"
    elif hint is typing.Any or hint is inspect.Parameter.empty:
        ptype = "string"
    elif origin is not None:
        ptype = _HINT_TYPES.get(origin, "json")
    elif isinstance(hint, type):
        ptype = _HINT_TYPES.get(hint, "string")
    elif isinstance(hint, str):
        base = hint.replace(" ", "")
        if base.endswith("|None") or base.startswith("Optional["):
            required = False
            base = base.removesuffix("|None").removeprefix("Optional[").removesuffix("]")
        ptype = {"str": "string", "int": "int", "float": "float", "bool": "bool"}.get(base, "list" if base.startswith("list") else "json" if base.startswith("dict") else "string")
    p = Param(name=name, type=ptype, required=required, default_value=default if has_default else None, options=options)
    return p


def _is_context(name: str, hint: Any, first: bool) -> bool:
    if hint is ExecutionContext or (isinstance(hint, str) and hint.split(".")[-1] == "ExecutionContext"):
        return True
    return first and name == "context" and hint in (inspect.Parameter.empty, typing.Any)


def _signature(fn: Callable[..., Any]) -> tuple[list[Param], bool, str | None]:
    """Parameters from the signature: hints, defaults, **kwargs, the context parameter."""
    sig = inspect.signature(fn)
    try:
        hints = typing.get_type_hints(fn)
    except Exception:
        hints = dict(getattr(fn, "__annotations__", {}))
    params: list[Param] = []
    accepts_extra, context_param = False, None
    for i, (name, p) in enumerate(sig.parameters.items()):
        if p.kind is inspect.Parameter.VAR_KEYWORD:
            accepts_extra = True
            continue
        if p.kind is inspect.Parameter.VAR_POSITIONAL:
            continue
        hint = hints.get(name, p.annotation)
        if context_param is None and _is_context(name, hint, i == 0):
            context_param = name
            continue
        has_default = p.default is not inspect.Parameter.empty
        params.append(_hint_param(name, hint, has_default, p.default if has_default else None))
    return params, accepts_extra, context_param


def _build(kind: str, fn: Callable[..., Any], name: str | None, description: str | None, category: str,
           options: dict[str, Any], unknown: dict[str, Any], where: tuple[str, int]) -> Definition:
    filename, lineno = where
    if not callable(fn):
        raise DefinitionError(f"@{kind} decorates a function, not {fn!r}", filename, lineno)
    name = name or fn.__name__
    if not isinstance(name, str) or not _NAME.match(name):
        raise DefinitionError(f"@{kind} name {name!r} must match ^[a-z0-9_]+$ (lower-case letters, digits, underscores)", filename, lineno)
    if description is None:
        doc = inspect.getdoc(fn) or ""
        description = doc.strip().splitlines()[0].strip() if doc.strip() else ""
    sig_params, accepts_extra, context_param = _signature(fn)
    declared = list(fn.__dict__.pop("__bifrost_params__", []))
    params, source = (declared, "param") if declared else (sig_params, "hints")
    if declared:
        # A declared parameter's default comes from the signature when @param gives none.
        defaults = {p.name: p for p in sig_params}
        for p in params:
            s = defaults.get(p.name)
            if s is not None and p.default_value is None and s.default_value is not None:
                p.default_value = s.default_value
    seen: set[str] = set()
    for p in params:
        if p.name in seen:
            raise DefinitionError(f"@{kind} {name}: parameter {p.name!r} is declared twice", filename, lineno)
        seen.add(p.name)
    ffile, fline = _fn_location(fn)
    d = Definition(kind=kind, fn=fn, name=name, description=description or "", category=category or "General",
                   params=params, accepts_extra=accepts_extra, context_param=context_param,
                   file=ffile, line=fline, options=options, params_from=source)
    if unknown:
        msg = f"@{kind} {name}: unknown arguments ignored: {', '.join(sorted(unknown))}"
        d.warnings.append(msg)
        warnings.warn(f"{filename}:{lineno}: {msg}", stacklevel=3)
    fn.__bifrost_definition__ = d  # type: ignore[attr-defined]
    _registry.append(d)
    return d


def _cron_ok(expr: str) -> bool:
    parts = expr.split()
    if len(parts) not in (5, 6):
        return False
    return all(re.fullmatch(r"[0-9A-Za-z*/,?LW#-]+", part) for part in parts)


# -------------------------------------------------------------- @workflow

def workflow(_fn: Callable[..., Any] | None = None, *, name: str | None = None, description: str | None = None,
             category: str = "General", tags: list[str] | None = None, execution_mode: str | None = None,
             timeout_seconds: int = 1800, retry_policy: dict | None = None, schedule: str | None = None,
             endpoint_enabled: bool = False, allowed_methods: list[str] | None = None,
             disable_global_key: bool = False, public_endpoint: bool = False, **unknown: Any) -> Any:
    """Makes a function a workflow. Usable bare (``@workflow``) or called (``@workflow(name=...)``)."""
    where = _caller()
    filename, lineno = where
    if execution_mode is None:
        execution_mode = "sync" if endpoint_enabled else "async"
    if execution_mode not in ("sync", "async"):
        raise DefinitionError(f"@workflow execution_mode must be 'sync' or 'async', not {execution_mode!r}", filename, lineno)
    if isinstance(timeout_seconds, bool) or not isinstance(timeout_seconds, int) or not 1 <= timeout_seconds <= 7200:
        raise DefinitionError(f"@workflow timeout_seconds must be a whole number from 1 to 7200, not {timeout_seconds!r}", filename, lineno)
    if schedule is not None and (not isinstance(schedule, str) or not _cron_ok(schedule)):
        raise DefinitionError(f"@workflow schedule {schedule!r} is not a cron expression (5 fields, or 6 with seconds)", filename, lineno)
    if retry_policy is not None:
        if not isinstance(retry_policy, dict):
            raise DefinitionError("@workflow retry_policy must be a dict with max_attempts, backoff_seconds, max_backoff_seconds", filename, lineno)
        retry_policy = {
            "max_attempts": int(retry_policy.get("max_attempts", 3)),
            "backoff_seconds": float(retry_policy.get("backoff_seconds", 1)),
            "max_backoff_seconds": float(retry_policy.get("max_backoff_seconds", 60)),
        }
    methods = [m.upper() for m in (allowed_methods if allowed_methods is not None else ["POST"])]
    options = {
        "tags": list(tags or []), "execution_mode": execution_mode, "timeout_seconds": timeout_seconds,
        "retry_policy": retry_policy, "schedule": schedule, "endpoint_enabled": bool(endpoint_enabled),
        "allowed_methods": methods, "disable_global_key": bool(disable_global_key), "public_endpoint": bool(public_endpoint),
    }

    def apply(fn: Callable[..., Any]) -> Callable[..., Any]:
        _build("workflow", fn, name, description, category, options, unknown, where)
        return fn

    return apply(_fn) if _fn is not None else apply


# --------------------------------------------------------- @data_provider

def data_provider(_fn: Callable[..., Any] | None = None, *, name: str | None = None, description: str | None = None,
                  category: str = "General", cache_ttl_seconds: int = 300, **unknown: Any) -> Any:
    """Makes a function a data provider: it returns ``[{"label", "value", "metadata"?}]`` options for form fields."""
    where = _caller()
    filename, lineno = where
    if isinstance(cache_ttl_seconds, bool) or not isinstance(cache_ttl_seconds, int) or cache_ttl_seconds < 0:
        raise DefinitionError(f"@data_provider cache_ttl_seconds must be a whole number of seconds, not {cache_ttl_seconds!r}", filename, lineno)
    options = {"cache_ttl_seconds": cache_ttl_seconds}

    def apply(fn: Callable[..., Any]) -> Callable[..., Any]:
        _build("data_provider", fn, name, description, category, options, unknown, where)
        return fn

    return apply(_fn) if _fn is not None else apply


# ------------------------------------------------------------ JSON Schema

_SCHEMA_TYPES = {"string": "string", "email": "string", "int": "integer", "float": "number", "bool": "boolean", "list": "array"}


def schema(d: Definition) -> dict[str, Any]:
    """The JSON Schema of a definition's inputs (for forms and API clients)."""
    props: dict[str, Any] = {}
    required: list[str] = []
    for p in d.params:
        s: dict[str, Any] = {"title": p.label or _title(p.name)}
        if p.type == "json":
            pass  # any JSON value
        else:
            s["type"] = _SCHEMA_TYPES[p.type]
        if p.type == "email":
            s["format"] = "email"
        if p.help_text:
            s["description"] = p.help_text
        if p.default_value is not None:
            s["default"] = p.default_value
        if p.options is not None:
            s["enum"] = list(p.options)
        v = p.validation or {}
        if v.get("pattern") and p.type in ("string", "email"):
            s["pattern"] = v["pattern"]
        lo, hi = v.get("min"), v.get("max")
        if p.type in ("int", "float"):
            if lo is not None:
                s["minimum"] = lo
            if hi is not None:
                s["maximum"] = hi
        elif p.type in ("string", "email"):
            if lo is not None:
                s["minLength"] = lo
            if hi is not None:
                s["maxLength"] = hi
        elif p.type == "list":
            if lo is not None:
                s["minItems"] = lo
            if hi is not None:
                s["maxItems"] = hi
        if p.data_provider:
            s["x-data-provider"] = p.data_provider
        if v.get("message"):
            s["x-validation-message"] = v["message"]
        props[p.name] = s
        if p.required:
            required.append(p.name)
    out: dict[str, Any] = {"type": "object", "properties": props, "additionalProperties": d.accepts_extra}
    if required:
        out["required"] = required
    return out
