"""The execution context: who runs the workflow, for which organization."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass, field
from typing import Any

from ._errors import NotAvailableError

__all__ = ["Organization", "ExecutionContext", "context", "current"]


@dataclass(frozen=True)
class Organization:
    """The organization a workflow runs for."""

    id: str
    name: str
    is_active: bool = True


@dataclass
class ExecutionContext:
    """Who runs a workflow, for which organization, and with which inputs.

    A workflow receives it as a parameter annotated ``ExecutionContext`` or
    as a first parameter named ``context``; anywhere else,
    ``from bifrost import context`` reaches the same object.
    """

    user_id: str = ""
    email: str = ""
    name: str = ""
    scope: str = "GLOBAL"
    organization: Organization | None = None
    is_platform_admin: bool = False
    is_function_key: bool = False
    execution_id: str = ""
    workflow_name: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)
    startup: Any = None

    @property
    def org_id(self) -> str | None:
        return self.organization.id if self.organization else None

    @property
    def org_name(self) -> str | None:
        return self.organization.name if self.organization else None

    @property
    def is_global_scope(self) -> bool:
        return self.scope == "GLOBAL"

    @property
    def executed_by(self) -> str:
        return self.user_id

    @property
    def executed_by_email(self) -> str:
        return self.email

    @property
    def executed_by_name(self) -> str:
        return self.name

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "ExecutionContext":
        org = d.get("organization")
        return cls(
            user_id=d.get("user_id") or "",
            email=d.get("email") or "",
            name=d.get("name") or "",
            scope=d.get("scope") or "GLOBAL",
            organization=Organization(id=org["id"], name=org.get("name", ""), is_active=org.get("is_active", True)) if org else None,
            is_platform_admin=bool(d.get("is_platform_admin")),
            is_function_key=bool(d.get("is_function_key")),
            execution_id=d.get("execution_id") or "",
            workflow_name=d.get("workflow_name") or "",
            parameters=dict(d.get("parameters") or {}),
            startup=d.get("startup"),
        )


_current: contextvars.ContextVar[ExecutionContext | None] = contextvars.ContextVar("bifrost_context", default=None)


def current() -> ExecutionContext:
    """The running execution's context; a clear error outside one."""
    ctx = _current.get()
    if ctx is None:
        raise NotAvailableError("There is no execution context: this works only while a workflow runs in Bifrost.")
    return ctx


def _set(ctx: ExecutionContext | None) -> None:
    _current.set(ctx)


class _ContextProxy:
    """``from bifrost import context``: the running execution's context."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        return getattr(current(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(current(), name, value)

    def __repr__(self) -> str:
        ctx = _current.get()
        return f"<bifrost.context {ctx!r}>" if ctx else "<bifrost.context (no execution)>"

    def __bool__(self) -> bool:
        return _current.get() is not None


context: Any = _ContextProxy()
