"""Data providers."""

from bifrost import data_provider, param


@data_provider(name="get_groups", description="Groups of the tenant", category="M365", cache_ttl_seconds=600)
def get_groups():
    return [{"label": "Sales", "value": "g1"}, {"label": "IT", "value": "g2", "metadata": {"members": 4}}]


@data_provider
@param("prefix", "string", required=True)
async def licenses(prefix):
    """Licenses starting with a prefix."""
    return [{"label": f"{prefix} E3", "value": "e3"}, {"label": f"{prefix} E5", "value": "e5"}]


@data_provider
def bad_provider():
    return {"not": "a list"}
