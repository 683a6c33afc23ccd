"""Files that keep every earlier version: the follow-up texts, the price list, the plan's status.

Saving moves the content it replaces into a folder of versions first (named by when that content
was saved), then writes the new content atomically; so no version is ever lost, and a crash
leaves the old file or the new one. Restoring is saving an earlier version's content.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

from . import atomic

STAMP: Final = "%Y-%m-%dT%H%M%S.%fZ"
_NAME: Final = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{6}\.\d{6}Z)(?:-\d+)?$")


@dataclass(frozen=True)
class Version:
    saved: datetime
    path: Path

    @property
    def label(self) -> str:
        return self.saved.astimezone().strftime("%Y-%m-%d %H:%M:%S")

    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")


def save(path: Path, text: str, versions_dir: Path) -> bool:
    """Write ``text`` to ``path``, first keeping the content it replaces in ``versions_dir``.

    False (nothing written) when the content is unchanged.
    """
    if path.exists():
        old = path.read_text(encoding="utf-8")
        if old == text:
            return False
        saved = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        target = versions_dir / f"{saved.strftime(STAMP)}{path.suffix}"
        n = 1
        while target.exists():
            target = versions_dir / f"{saved.strftime(STAMP)}-{n}{path.suffix}"
            n += 1
        atomic.write_bytes(target, old.encode("utf-8"))
    atomic.write_bytes(path, text.encode("utf-8"))
    return True


def earlier(versions_dir: Path, suffix: str) -> list[Version]:
    """The versions kept in ``versions_dir``, newest first."""
    out: list[Version] = []
    for f in versions_dir.glob(f"*{suffix}"):
        m = _NAME.match(f.stem)
        if m:
            out.append(Version(datetime.strptime(m.group(1), STAMP).replace(tzinfo=UTC), f))
    return sorted(out, key=lambda v: (v.saved, v.path.name), reverse=True)
