"""Greeting workflows: declared parameters and the execution context."""

import logging

from bifrost import context, param, workflow

logger = logging.getLogger(__name__)


@workflow(name="greet_user", category="Examples", tags=["example", "forms"], timeout_seconds=60)
@param("first_name", "string", label="First name", required=True, help_text="Who to greet")
@param("language", "string", default_value="en", validation={"pattern": "^(en|de|fr|nl)$", "message": "Use en, de, fr or nl"})
@param("times", "int", default_value=1, validation={"min": 1, "max": 5})
def greet_user(first_name, language="en", times=1):
    """Greet someone in their language, on behalf of whoever runs it."""
    word = {"en": "Hello", "de": "Hallo", "fr": "Bonjour", "nl": "Hallo"}[language]
    lines = [f"{word}, {first_name}!" for _ in range(times)]
    logger.info("greeted %s %d time(s) for %s", first_name, times, context.executed_by_email or "a local run")
    return {"lines": lines, "greeted_by": context.executed_by_name, "organization": context.org_name}
