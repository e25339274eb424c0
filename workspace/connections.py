"""Reading configuration, a secret and an OAuth token.

Set them up under Config, Secrets and Integrations first (docs/integrations.md):
a config key `psa_url`, a secret `psa_api_key`, and an integration named
`microsoft_graph`. Missing ones are reported, not fatal.
"""

import logging

from bifrost import IntegrationError, config, oauth, secrets, workflow

logger = logging.getLogger(__name__)


@workflow(category="Examples", tags=["example", "integrations"])
async def check_connections() -> dict:
    """Report which connections this organization has set up."""
    psa_url = await config.get("psa_url", default=None)
    api_key = await secrets.get("psa_api_key")
    try:
        graph = await oauth.get("microsoft_graph")
    except IntegrationError as e:
        logger.warning("microsoft_graph is not usable: %s", e)
        graph = None
    logger.info("psa_url=%s, api key set=%s", psa_url, api_key is not None)
    return {
        "psa_url": psa_url,
        "psa_api_key": "set" if api_key else "missing",
        "microsoft_graph": "connected, token expires " + str(graph["expires_at"]) if graph else "missing",
    }
