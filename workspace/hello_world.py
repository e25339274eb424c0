"""An example workflow: greets someone, in the client organization it runs for."""

import logging

from bifrost import context, workflow

logger = logging.getLogger(__name__)


@workflow(category="Examples", tags=["example"])
async def hello_world(name: str, excited: bool = False) -> dict:
    """Say hello to someone."""
    greeting = f"Hello, {name}{'!' if excited else '.'}"
    logger.info("greeting %s for %s", name, context.org_name or "the global scope")
    return {"greeting": greeting, "organization": context.org_name}
