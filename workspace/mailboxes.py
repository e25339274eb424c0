"""A workflow whose form comes from its type hints."""

from typing import Literal

from bifrost import ExecutionContext, UserError, workflow


@workflow(category="Examples", tags=["example", "m365"])
async def provision_mailbox(
    ctx: ExecutionContext,
    display_name: str,
    alias: str,
    mailbox_type: Literal["user", "shared", "room"] = "user",
    quota_gb: int = 50,
    members: list[str] | None = None,
    send_welcome: bool = True,
) -> dict:
    """Plan a mailbox (a dry run: nothing is created)."""
    if " " in alias:
        raise UserError("The alias cannot contain spaces.")
    return {
        "address": f"{alias}@{(ctx.org_name or 'example').lower().replace(' ', '')}.com",
        "display_name": display_name,
        "type": mailbox_type,
        "quota_gb": quota_gb,
        "members": members or [],
        "welcome_mail": send_welcome and mailbox_type == "user",
    }
