"""A catch-all form handler and results of every type."""

from bifrost import UserError, workflow


@workflow(category="Forms")
async def form_handler(context, **params):
    """Receives whatever the form sends."""
    return {"received": params, "user": context.email}


@workflow(category="Forms")
def html_report(title: str = "Report"):
    return f"<h1>{title}</h1><table><tr><td>1</td></tr></table>"


@workflow(category="Forms")
def text_result():
    return "just some text"


@workflow(category="Forms")
def partial_failure():
    return {"success": False, "processed": 3, "failed": 1}


@workflow(category="Forms")
def user_error():
    raise UserError("The mailbox is full; clear it first.")


@workflow(category="Forms")
def crash():
    secret_sauce = {"internal": True}
    raise RuntimeError("database password is hunter2")
