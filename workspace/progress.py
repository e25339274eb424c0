"""An example of a longer run: its log lines appear live on the execution's page."""

import asyncio
import logging

from bifrost import workflow

logger = logging.getLogger(__name__)


@workflow(category="Examples", tags=["example"], timeout_seconds=120)
async def count_steps(steps: int = 15, interval_ms: int = 200) -> dict:
    """Log a line every interval_ms milliseconds, steps times, then report."""
    if steps < 0 or steps > 1000:
        raise ValueError("steps must be between 0 and 1000")
    for i in range(1, steps + 1):
        logger.info("step %d of %d", i, steps)
        await asyncio.sleep(interval_ms / 1000)
    return {"steps": steps, "interval_ms": interval_ms, "done": True}
