"""Files a workflow reads and writes (synchronous).

Three locations: ``workspace`` (the workspace folder), ``temp`` (a folder of
this execution, removed when it ends) and ``uploads`` (files users uploaded
through forms). A path cannot leave its location's folder.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Literal

from ._errors import PermissionDeniedError, ValidationError

__all__ = ["files"]

Location = Literal["workspace", "temp", "uploads"]

_roots: dict[str, str] = {}


def _configure(workspace: str, temp: str, uploads: str) -> None:
    _roots.update(workspace=workspace, temp=temp, uploads=uploads)


def _root(location: str) -> str:
    if location not in ("workspace", "temp", "uploads"):
        raise ValidationError(f"location must be workspace, temp or uploads, not {location!r}")
    root = _roots.get(location)
    if not root:
        if location == "temp":
            root = _roots["temp"] = tempfile.mkdtemp(prefix="bifrost-run-")
        elif location == "workspace":
            root = _roots["workspace"] = os.getcwd()
        else:
            raise ValidationError("uploads are not available here")
    os.makedirs(root, mode=0o700, exist_ok=True)
    return os.path.realpath(root)


def _resolve(path: str, location: str) -> str:
    root = _root(location)
    if not isinstance(path, str):
        raise ValidationError("path must be a string")
    full = os.path.realpath(os.path.join(root, path.lstrip("/\\")))
    if full != root and not full.startswith(root + os.sep):
        raise PermissionDeniedError(f"{path!r} is outside the {location} folder")
    return full


class files:
    """Read and write files in the workspace, the execution's temp folder or uploads."""

    @staticmethod
    def read(path: str, location: Location = "workspace", encoding: str = "utf-8") -> str:
        with open(_resolve(path, location), encoding=encoding) as f:
            return f.read()

    @staticmethod
    def read_bytes(path: str, location: Location = "workspace") -> bytes:
        with open(_resolve(path, location), "rb") as f:
            return f.read()

    @staticmethod
    def write(path: str, content: str, location: Location = "workspace", encoding: str = "utf-8") -> str:
        full = _resolve(path, location)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding=encoding) as f:
            f.write(content)
        return path

    @staticmethod
    def write_bytes(path: str, content: bytes, location: Location = "workspace") -> str:
        full = _resolve(path, location)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as f:
            f.write(content)
        return path

    @staticmethod
    def list(directory: str = "", location: Location = "workspace") -> list[str]:
        full = _resolve(directory, location)
        if not os.path.isdir(full):
            return []
        return sorted(os.listdir(full))

    @staticmethod
    def delete(path: str, location: Location = "workspace") -> bool:
        full = _resolve(path, location)
        if full == _root(location):
            raise PermissionDeniedError(f"the {location} folder itself cannot be deleted")
        if os.path.isdir(full):
            shutil.rmtree(full)
            return True
        try:
            os.remove(full)
            return True
        except FileNotFoundError:
            return False

    @staticmethod
    def exists(path: str, location: Location = "workspace") -> bool:
        return os.path.exists(_resolve(path, location))
