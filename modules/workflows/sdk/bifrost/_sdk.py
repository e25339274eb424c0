"""The platform modules a workflow uses: config, secrets, oauth,
integrations, forms, executions, workflows, organizations, roles.

Every call runs with the execution's identity and organization; a call the
user may not make raises PermissionDeniedError (a PermissionError).
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from ._errors import IntegrationError
from ._rpc import call

__all__ = [
    "config", "secrets", "oauth", "integrations", "forms", "executions", "workflows", "organizations", "roles",
    "OAuthCredentials",
]

# Values of secrets this process received: scrubbed from its log lines.
_secret_values: set[str] = set()


def _remember(*values: Any) -> None:
    for v in values:
        if isinstance(v, str) and len(v) >= 4:
            _secret_values.add(v)


class config:
    """Configuration values: the organization's, else the global one."""

    @staticmethod
    async def get(key: str, org_id: str | None = None, default: Any = None) -> Any:
        """The value of ``key`` for the organization, else the global value, else ``default``."""
        r = call("config.get", key=key, org_id=org_id)
        if not r.get("found"):
            return default
        if r.get("secret"):
            _remember(r.get("value"))
        return r.get("value")

    @staticmethod
    async def set(key: str, value: Any, org_id: str | None = None) -> None:
        """Stores ``value`` under ``key`` in the organization (its type comes from the value)."""
        call("config.set", key=key, value=value, org_id=org_id)

    @staticmethod
    async def list(org_id: str | None = None) -> dict[str, Any]:
        """Every key and value readable in the organization (secret references show the secret's name)."""
        return call("config.list", org_id=org_id) or {}

    @staticmethod
    async def delete(key: str, org_id: str | None = None) -> bool:
        """Deletes the organization's ``key``; True when there was one."""
        return bool(call("config.delete", key=key, org_id=org_id))


class secrets:
    """Encrypted secrets: the organization's, else the global one."""

    @staticmethod
    async def get(name: str) -> str | None:
        """The secret's value, or None when there is no secret of that name."""
        r = call("secrets.get", name=name)
        if not r.get("found"):
            return None
        _remember(r.get("value"))
        return r.get("value")

    @staticmethod
    async def set(name: str, value: str) -> None:
        """Stores (or replaces) the organization's secret ``name``."""
        _remember(value)
        call("secrets.set", name=name, value=value)

    @staticmethod
    async def list(org_id: str | None = None) -> list[str]:
        """The names of the secrets readable in the organization (never values)."""
        return call("secrets.list", org_id=org_id) or []

    @staticmethod
    async def delete(name: str) -> bool:
        """Deletes the organization's secret ``name``; True when there was one."""
        return bool(call("secrets.delete", name=name))


class OAuthCredentials(dict):
    """An integration's credentials: a dict that also offers its keys as
    attributes, ``is_expired()`` and ``get_auth_header()``."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def expires_at_datetime(self) -> _dt.datetime | None:
        v = self.get("expires_at")
        if not v:
            return None
        try:
            return _dt.datetime.fromisoformat(str(v).replace("Z", "+00:00"))
        except ValueError:
            return None

    def is_expired(self) -> bool:
        exp = self.expires_at_datetime
        return exp is not None and exp <= _dt.datetime.now(_dt.timezone.utc)

    def get_auth_header(self) -> str:
        kind = self.get("token_type") or "Bearer"
        if kind.lower() == "bearer":
            kind = "Bearer"
        return f"{kind} {self.get('access_token', '')}"


def _credentials(r: Any) -> OAuthCredentials | None:
    if not r:
        return None
    _remember(r.get("access_token"), r.get("refresh_token"), r.get("client_secret"))
    return OAuthCredentials(r)


class oauth:
    """OAuth integrations' credentials, always with a fresh access token."""

    @staticmethod
    async def get(connection_name: str, org_id: str | None = None) -> OAuthCredentials | None:
        """The connection's credentials (``access_token`` has at least a minute to live), or None when there is no such connection."""
        return _credentials(call("oauth.get", name=connection_name, org_id=org_id))

    @staticmethod
    async def get_connection(connection_name: str, org_id: str | None = None) -> OAuthCredentials:
        """Like get(), but an unknown connection is an IntegrationError."""
        creds = await oauth.get(connection_name, org_id)
        if creds is None:
            raise IntegrationError(f"There is no integration named {connection_name!r}.")
        return creds

    @staticmethod
    async def refresh_token(name: str, org_id: str | None = None) -> OAuthCredentials | None:
        """Gets a new access token now and returns the credentials."""
        return _credentials(call("oauth.refresh", name=name, org_id=org_id))

    @staticmethod
    async def list_providers(org_id: str | None = None) -> list[str]:
        """The names of the integrations usable in the organization."""
        return call("oauth.list", org_id=org_id) or []


class integrations:
    """The newer spelling of ``oauth``."""

    @staticmethod
    async def get(name: str, org_id: str | None = None) -> OAuthCredentials | None:
        return await oauth.get(name, org_id)

    @staticmethod
    async def list(org_id: str | None = None) -> list[str]:
        return await oauth.list_providers(org_id)


class forms:
    """Forms the user can see."""

    @staticmethod
    async def list() -> list[dict[str, Any]]:
        return call("forms.list") or []

    @staticmethod
    async def get(form_id: str) -> dict[str, Any] | None:
        return call("forms.get", form_id=form_id)


class executions:
    """Past executions the user can see."""

    @staticmethod
    async def list(workflow_name: str | None = None, status: str | None = None, start_date: Any = None,
                   end_date: Any = None, limit: int = 50) -> list[dict[str, Any]]:
        return call("executions.list", workflow_name=workflow_name, status=status, start_date=start_date,
                    end_date=end_date, limit=limit) or []

    @staticmethod
    async def get(execution_id: str) -> dict[str, Any] | None:
        return call("executions.get", execution_id=execution_id)


class workflows:
    """Other workflows: run one, list them."""

    @staticmethod
    async def execute(name: str, params: dict[str, Any] | None = None) -> Any:
        """Runs the workflow ``name`` as this user and returns its result."""
        return call("workflows.execute", name=name, params=params or {})

    @staticmethod
    async def list() -> list[dict[str, Any]]:
        return call("workflows.list") or []

    @staticmethod
    async def get(execution_id: str) -> dict[str, Any] | None:
        return call("executions.get", execution_id=execution_id)


class organizations:
    """Organizations (platform admins only)."""

    @staticmethod
    async def create(name: str, domain: str | None = None, is_active: bool = True) -> dict[str, Any]:
        return call("organizations.create", name=name, domain=domain, is_active=is_active)

    @staticmethod
    async def get(org_id: str) -> dict[str, Any] | None:
        return call("organizations.get", org_id=org_id)

    @staticmethod
    async def list() -> list[dict[str, Any]]:
        return call("organizations.list") or []

    @staticmethod
    async def update(org_id: str, **fields: Any) -> dict[str, Any]:
        return call("organizations.update", org_id=org_id, fields=fields)

    @staticmethod
    async def delete(org_id: str) -> bool:
        """Deactivates the organization (organizations are never deleted)."""
        return bool(call("organizations.delete", org_id=org_id))


class roles:
    """Roles and their members (platform admins only)."""

    @staticmethod
    async def create(name: str, description: str = "", permissions: list[str] | None = None, org_id: str | None = None) -> dict[str, Any]:
        return call("roles.create", name=name, description=description, permissions=permissions or [], org_id=org_id)

    @staticmethod
    async def get(role_id: str) -> dict[str, Any] | None:
        return call("roles.get", role_id=role_id)

    @staticmethod
    async def list() -> list[dict[str, Any]]:
        return call("roles.list") or []

    @staticmethod
    async def update(role_id: str, **fields: Any) -> dict[str, Any]:
        return call("roles.update", role_id=role_id, fields=fields)

    @staticmethod
    async def delete(role_id: str) -> bool:
        return bool(call("roles.delete", role_id=role_id))

    @staticmethod
    async def list_users(role_id: str) -> list[dict[str, Any]]:
        return call("roles.list_users", role_id=role_id) or []

    @staticmethod
    async def list_forms(role_id: str) -> list[dict[str, Any]]:
        return call("roles.list_forms", role_id=role_id) or []

    @staticmethod
    async def assign_users(role_id: str, user_ids: list[str]) -> None:
        call("roles.assign_users", role_id=role_id, user_ids=list(user_ids))

    @staticmethod
    async def assign_forms(role_id: str, form_ids: list[str]) -> None:
        call("roles.assign_forms", role_id=role_id, form_ids=list(form_ids))
