"""Preview a draft: how every patent's fair value range would move if it were approved."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from app.catalogue.models import Patent
from app.valuation.batch import entries_for, load_patents, patent_ids, ranges, value_entries
from app.valuation.engine import FairValueRange
from app.valuation.models import ParameterSet
from app.valuation.services import ValuationConfig, load_config


@dataclass(frozen=True)
class PreviewRow:
    """One patent's range today and under the draft."""

    patent: Patent
    old: FairValueRange | None
    new: FairValueRange | None

    @property
    def change(self) -> Decimal | None:
        if self.old is None or self.new is None:
            return None
        return self.new.mid - self.old.mid

    @property
    def change_ratio(self) -> float | None:
        """Relative move of the midpoint (0.1 = +10 %); None when there is no old midpoint."""
        if self.change is None or not self.old.mid:
            return None
        return float(self.change / self.old.mid)

    @property
    def sort_key(self) -> tuple[float, float]:
        """Largest relative moves first, then largest absolute ones; appearing/disappearing ranges on top."""
        if self.change is None:
            return (float("inf") if (self.old is None) != (self.new is None) else -1.0, 0.0)
        ratio = self.change_ratio
        return (abs(ratio) if ratio is not None else float("inf"), abs(float(self.change)))


def _ranges(patents: list[Patent], config: ValuationConfig) -> list[FairValueRange | None]:
    entries = entries_for(patents)
    results = value_entries(entries, config)
    return ranges(entries, config, results)


def preview(draft: ParameterSet, limit: int = 5000) -> list[PreviewRow]:
    """Rows for every valued patent (up to limit), largest moves first; nothing is stored."""
    patents = load_patents(patent_ids()[:limit])
    old = _ranges(patents, load_config())
    new = _ranges(patents, load_config(override=draft))
    rows = [PreviewRow(p, o, n) for p, o, n in zip(patents, old, new, strict=True)]
    return sorted(rows, key=lambda r: r.sort_key, reverse=True)
