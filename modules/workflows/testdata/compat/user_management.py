"""Workflows in the original platform's style: every decorator argument."""

import logging

from bifrost import ExecutionContext, UserError, param, workflow

logger = logging.getLogger(__name__)


@workflow(
    name="create_user",
    description="Create a user in the client's tenant",
    category="User Management",
    tags=["m365", "users"],
    execution_mode="sync",
    timeout_seconds=120,
    retry_policy={"max_attempts": 3, "backoff_seconds": 2, "max_backoff_seconds": 30},
    schedule=None,
    endpoint_enabled=True,
    allowed_methods=["POST", "GET"],
    disable_global_key=True,
    public_endpoint=False,
)
@param("first_name", "string", label="First name", required=True, help_text="Given name")
@param("last_name", "string", required=True, validation={"min": 2, "max": 40, "message": "2 to 40 letters"})
@param("email", "email", required=True, validation={"pattern": r"^[^@]+@contoso\.com$", "message": "must be a contoso.com address"})
@param("age", "int", validation={"min": 16, "max": 99})
@param("salary", "float", default_value=1000.5)
@param("license", "bool", default_value=False)
@param("groups", "list", data_provider="get_groups")
@param("settings", "json")
async def create_user(context: ExecutionContext, first_name, last_name, email, age=None, salary=1000.5, license=False, groups=None, settings=None):
    logger.info("creating %s %s", first_name, last_name)
    if email.startswith("taken@"):
        raise UserError(f"{email} already exists")
    return {
        "user": f"{first_name} {last_name}",
        "email": email,
        "age": age,
        "salary": salary,
        "license": license,
        "groups": groups or [],
        "settings": settings,
        "by": context.email,
        "org": context.org_id,
    }


@workflow(category="User Management", schedule="0 3 * * 1-5")
def nightly_report(context):
    """Send the nightly user report."""
    return {"scope": context.scope, "global": context.is_global_scope}


@workflow(is_tool=True, description="Newer code passes unknown arguments")
def tool_workflow():
    return "ok"
