"""Built-in valuation models, one module each."""

from __future__ import annotations

from .profit_split import ProfitSplitModel
from .rfr import RfrModel

BUILTIN_MODELS = (RfrModel, ProfitSplitModel)
