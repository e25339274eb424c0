"""Errors a workflow raises, and the ones the SDK raises to it."""

from __future__ import annotations

__all__ = [
    "BifrostError",
    "UserError",
    "WorkflowError",
    "ValidationError",
    "IntegrationError",
    "ConfigurationError",
    "PermissionDeniedError",
    "NotAvailableError",
]


class BifrostError(Exception):
    """Base of the SDK's errors."""


class UserError(BifrostError):
    """An error whose message is shown to the person who ran the workflow.

    Any other exception shows them a generic failure; admins also see the
    traceback.
    """

    def __init__(self, message: str = "", *args: object) -> None:
        super().__init__(message, *args)
        self.message = message

    def __str__(self) -> str:
        return self.message


class WorkflowError(BifrostError):
    """A workflow failed in a way it reports itself."""


class ValidationError(BifrostError):
    """The inputs do not fit the workflow's parameters.

    ``errors`` lists ``{"field", "message"}`` for each bad input.
    """

    def __init__(self, message: str = "The inputs are not valid.", errors: list[dict] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = list(errors or [])

    def __str__(self) -> str:
        if not self.errors:
            return self.message
        details = "; ".join(f"{e.get('field')}: {e.get('message')}" for e in self.errors)
        return f"{self.message} {details}"


class IntegrationError(BifrostError):
    """An OAuth integration or another service could not be used."""


class ConfigurationError(BifrostError):
    """Configuration a workflow needs is missing or wrong."""


class PermissionDeniedError(BifrostError, PermissionError):
    """The user the workflow runs as may not do this."""


class NotAvailableError(BifrostError):
    """The call is not available here: outside a running workflow, or a feature this server lacks."""
