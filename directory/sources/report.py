"""What one run of a source did: rows read, skipped, refused, created, merged, changed."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

_EXAMPLES = 5


@dataclass
class ImportReport:
    source: str
    dry_run: bool = False
    read: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    errors: list[tuple[int, str]] = field(default_factory=list)
    duplicate_keys: int = 0
    zip_from_coordinates: int = 0
    placed_at_geocoded_rows: int = 0  # new locations at the point of a superseded extract's row
    created: int = 0
    merged: Counter[str] = field(default_factory=Counter)  # merged into a location of source X
    merge_examples: list[str] = field(default_factory=list)
    unchanged: int = 0
    updated: int = 0
    restored: int = 0
    archived: int = 0
    unknown_codes: dict[str, int] = field(default_factory=dict)  # code → rows, no decision
    seconds: float = 0.0

    @property
    def accepted(self) -> int:
        return self.created + sum(self.merged.values())

    def note_merge(self, into_source: str, example: str) -> None:
        self.merged[into_source] += 1
        if len(self.merge_examples) < _EXAMPLES:
            self.merge_examples.append(example)

    def lines(self, *, max_errors: int = 20) -> list[str]:
        title = f"source {self.source}" + (" (dry run: nothing written)" if self.dry_run else "")
        lines = [
            f"{title}: {self.read} rows read in {self.seconds:.1f} s",
            f"  new locations: {self.created}; unchanged rows: {self.unchanged}; "
            f"updated: {self.updated}; restored: {self.restored}; archived: {self.archived}",
        ]
        if self.duplicate_keys:
            lines.append(f"  rows repeating an earlier row's key, merged: {self.duplicate_keys}")
        for into, count in sorted(self.merged.items()):
            where = "one listed earlier in this file" if into == self.source else into
            lines.append(f"  rows merged into a location already listed ({where}): {count}")
        lines += [f"    e.g. {example}" for example in self.merge_examples]
        if self.placed_at_geocoded_rows:
            lines.append(
                "  new locations placed at the geocoded point of a superseded extract's row: "
                f"{self.placed_at_geocoded_rows}"
            )
        if self.zip_from_coordinates:
            lines.append(
                f"  ZIPs taken from the nearest ZIP to the coordinates: {self.zip_from_coordinates}"
            )
        if self.unknown_codes:
            codes = ", ".join(f"{code} ({n})" for code, n in sorted(self.unknown_codes.items()))
            lines.append(f"  codes with no decision in the code list, ignored: {codes}")
        for reason, count in sorted(self.skipped.items()):
            lines.append(f"  skipped {count}: {reason}")
        if self.errors:
            lines.append(f"  rows refused: {len(self.errors)}")
            lines += [f"    line {line}: {reason}" for line, reason in self.errors[:max_errors]]
            if len(self.errors) > max_errors:
                lines.append(f"    … and {len(self.errors) - max_errors} more")
        return lines
