"""A workflow whose result is an HTML table."""

import html

from bifrost import workflow

LICENSES = [
    ("Microsoft 365 E3", 120, 112),
    ("Microsoft 365 Business Premium", 40, 40),
    ("Defender for Endpoint P2", 150, 131),
]


@workflow(category="Examples", tags=["example", "reports"])
def license_report(show_unused_only: bool = False) -> str:
    """License usage as a table."""
    rows = []
    for name, bought, used in LICENSES:
        if show_unused_only and bought == used:
            continue
        rows.append(f"<tr><td>{html.escape(name)}</td><td>{bought}</td><td>{used}</td><td>{bought - used}</td></tr>")
    return (
        "<table><thead><tr><th>License</th><th>Bought</th><th>Assigned</th><th>Free</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
