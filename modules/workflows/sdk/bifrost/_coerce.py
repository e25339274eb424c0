"""Inputs to keyword arguments: coercion to the declared types and validation."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from ._decorators import Definition, Param
from ._errors import ValidationError

__all__ = ["coerce_inputs"]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TRUE = {"true", "1", "yes", "on", "y", "t"}
_FALSE = {"false", "0", "no", "off", "n", "f", ""}


class _Bad(Exception):
    pass


def _to_int(v: Any) -> int:
    if isinstance(v, bool):
        raise _Bad("must be a whole number")
    if isinstance(v, int):
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str):
        s = v.strip()
        if re.fullmatch(r"[+-]?\d+", s):
            return int(s)
        if re.fullmatch(r"[+-]?\d+\.0*", s):
            return int(float(s))
    raise _Bad("must be a whole number")


def _to_float(v: Any) -> float:
    if isinstance(v, bool):
        raise _Bad("must be a number")
    if isinstance(v, (int, float)):
        f = float(v)
    elif isinstance(v, str):
        try:
            f = float(v.strip())
        except ValueError:
            raise _Bad("must be a number") from None
    else:
        raise _Bad("must be a number")
    if math.isnan(f) or math.isinf(f):
        raise _Bad("must be a finite number")
    return f


def _to_bool(v: Any) -> bool:
    if isinstance(v, bool):
        return v
    if isinstance(v, int) and v in (0, 1):
        return bool(v)
    if isinstance(v, str):
        s = v.strip().lower()
        if s in _TRUE:
            return True
        if s in _FALSE:
            return False
    raise _Bad("must be true or false")


def _to_list(v: Any) -> list:
    if isinstance(v, list):
        return v
    if isinstance(v, tuple):
        return list(v)
    if isinstance(v, str):
        s = v.strip()
        if s.startswith("["):
            try:
                parsed = json.loads(s)
            except ValueError:
                raise _Bad("must be a list (a JSON array or comma-separated values)") from None
            if isinstance(parsed, list):
                return parsed
        return [part.strip() for part in s.split(",") if part.strip()] if s else []
    raise _Bad("must be a list")


def _to_json(v: Any) -> Any:
    if isinstance(v, str):
        s = v.strip()
        if s[:1] in ("{", "["):
            try:
                return json.loads(s)
            except ValueError:
                raise _Bad("must be valid JSON") from None
    return v


def _coerce(p: Param, v: Any) -> Any:
    t = p.type
    if t == "string":
        if isinstance(v, (dict, list)):
            raise _Bad("must be text")
        return v if isinstance(v, str) else str(v)
    if t == "email":
        s = v.strip() if isinstance(v, str) else ""
        if not _EMAIL.match(s):
            raise _Bad("must be an email address")
        return s
    if t == "int":
        return _to_int(v)
    if t == "float":
        return _to_float(v)
    if t == "bool":
        return _to_bool(v)
    if t == "list":
        return _to_list(v)
    return _to_json(v)


def _validate(p: Param, v: Any) -> None:
    rules = p.validation or {}
    message = rules.get("message")
    if p.options is not None and v not in p.options:
        raise _Bad(message or f"must be one of: {', '.join(map(str, p.options))}")
    pattern = rules.get("pattern")
    if pattern and isinstance(v, str) and not re.fullmatch(pattern, v):
        raise _Bad(message or f"must match {pattern}")
    lo, hi = rules.get("min"), rules.get("max")
    if lo is None and hi is None:
        return
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        size, what = v, ""
    elif isinstance(v, (str, list)):
        size, what = len(v), " characters" if isinstance(v, str) else " items"
    else:
        return
    if lo is not None and size < lo:
        raise _Bad(message or f"must be at least {lo}{what}")
    if hi is not None and size > hi:
        raise _Bad(message or f"must be at most {hi}{what}")


def coerce_inputs(d: Definition, inputs: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments for d's function: declared parameters coerced
    and validated; with **kwargs, the other inputs too. Raises
    ValidationError naming every bad input before any user code runs."""
    inputs = dict(inputs or {})
    kwargs: dict[str, Any] = {}
    errors: list[dict[str, str]] = []
    for p in d.params:
        present = p.name in inputs and inputs[p.name] is not None and not (isinstance(inputs[p.name], str) and inputs[p.name] == "" and p.type != "string")
        if not present:
            if p.required:
                errors.append({"field": p.name, "message": "is required"})
            elif p.default_value is not None:
                kwargs[p.name] = p.default_value
            elif p.name in inputs:
                kwargs[p.name] = None
            continue
        try:
            v = _coerce(p, inputs[p.name])
            _validate(p, v)
        except _Bad as e:
            errors.append({"field": p.name, "message": str(e)})
            continue
        kwargs[p.name] = v
    if errors:
        raise ValidationError("The inputs are not valid.", errors)
    if d.accepts_extra:
        declared = {p.name for p in d.params}
        for k, v in inputs.items():
            if k not in declared and k != d.context_param:
                kwargs[k] = v
    return kwargs
