"""Parameters from type hints (no @param)."""

from typing import Literal, Optional

from bifrost import ExecutionContext, workflow


@workflow
def typed_inputs(
    name: str,
    count: int,
    ratio: float = 0.5,
    enabled: bool = True,
    tags: list[str] | None = None,
    options: dict = None,
    color: Literal["red", "green"] = "red",
    note: Optional[str] = None,
    untyped=None,
    ctx: ExecutionContext = None,
):
    """Echo typed inputs."""
    return {
        "name": name, "count": count, "ratio": ratio, "enabled": enabled, "tags": tags, "options": options,
        "color": color, "note": note, "untyped": untyped, "ctx_user": ctx.email if ctx else None,
    }


@workflow
def sync_add(a: int, b: int = 2) -> int:
    return a + b


@workflow
async def async_add(a: int, b: int = 2) -> int:
    return a + b
