"""Importers for the reference directories: each reads a published file, writes in one transaction.

A malformed file stops the import with `ImportProblem` ("FILE line N: what was wrong") before or
instead of writing anything, so a directory is never left half-updated.
"""

from dataclasses import dataclass, field


class ImportProblem(ValueError):
    """A file that cannot be imported: where the problem is and what it is."""

    def __init__(self, source, where: str, reason: str):
        self.source = str(source)
        self.where = where
        self.reason = reason
        super().__init__(
            f"{self.source} {where}: {reason}" if where else f"{self.source}: {reason}"
        )


@dataclass
class ImportResult:
    """What an import did, for the command to report."""

    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    details: dict = field(default_factory=dict)

    def summary(self) -> str:
        parts = [f"{self.read} read"]
        counts = {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}
        parts += [f"{value} {name}" for name, value in {**counts, **self.details}.items() if value]
        return ", ".join(parts)
