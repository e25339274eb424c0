"""python -m bifrost._runtime discover ROOT   prints the workspace's registry as JSON
python -m bifrost._runtime zygote ROOT     the warm process runs fork from (the worker starts it)
"""

from __future__ import annotations

import json
import os
import sys


def _discover(root: str) -> int:
    # Workspace files may print while they import: keep stdout for the JSON.
    out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    from .discover import discover

    result = discover(root)
    out.write(json.dumps(result, default=str))
    out.write("\n")
    out.flush()
    return 0


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("discover", "zygote"):
        sys.stderr.write(__doc__ or "")
        return 2
    if argv[0] == "discover":
        return _discover(argv[1])
    from .zygote import main as zygote

    zygote(argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
