"""The context reached through the proxy, from helper code."""

import logging

from bifrost import context, workflow

log = logging.getLogger("helpers")


def describe():
    return f"{context.executed_by_email} in {context.org_name or 'GLOBAL'} ({context.execution_id})"


@workflow
def who_am_i():
    log.debug("debug line")
    log.info("info line", extra={"data": {"k": 1}})
    log.warning("warning line")
    log.error("error line")
    print("printed line")
    total = 41 + 1
    items = ["a", "b"]
    handle = open  # a callable: not captured
    _private = "hidden"
    return {"who": describe(), "params": context.parameters, "admin": context.is_platform_admin}
