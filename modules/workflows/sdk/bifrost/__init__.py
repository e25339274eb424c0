"""Bifrost's workflow SDK.

    from bifrost import workflow, param, context, config, secrets, oauth

    @workflow(category="Users")
    @param("email", "email", required=True)
    async def offboard_user(context, email):
        creds = await oauth.get("microsoft_graph")
        ...

Standard library only; the Bifrost worker makes it importable for every
workflow. See docs/sdk.md.
"""

from ._context import ExecutionContext, Organization, context
from ._decorators import data_provider, param, workflow
from ._errors import (
    BifrostError,
    ConfigurationError,
    IntegrationError,
    NotAvailableError,
    PermissionDeniedError,
    UserError,
    ValidationError,
    WorkflowError,
)
from ._files import files
from ._sdk import (
    OAuthCredentials,
    config,
    executions,
    forms,
    integrations,
    oauth,
    organizations,
    roles,
    secrets,
    workflows,
)

__all__ = [
    "workflow", "param", "data_provider", "ExecutionContext", "Organization", "context",
    "config", "secrets", "oauth", "integrations", "files", "forms", "executions", "organizations", "roles", "workflows",
    "OAuthCredentials",
    "BifrostError", "UserError", "WorkflowError", "ValidationError", "IntegrationError", "ConfigurationError",
    "PermissionDeniedError", "NotAvailableError",
]

__version__ = "1.0.0"
