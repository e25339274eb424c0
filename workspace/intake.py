"""A catch-all form handler: whatever fields the form has arrive as keyword arguments."""

from bifrost import context, workflow


@workflow(category="Examples", tags=["example", "forms"], endpoint_enabled=True)
async def intake_form(**fields) -> dict:
    """Accept any form and echo what was submitted."""
    return {"received": fields, "field_count": len(fields), "submitted_by": context.executed_by_email}
