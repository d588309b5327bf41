"""Built-in valuation models, one module each."""

from __future__ import annotations

from .cost import CostModel
from .profit_split import ProfitSplitModel
from .real_option import BinomialModel, BlackScholesModel
from .rfr import RfrModel

BUILTIN_MODELS = (RfrModel, ProfitSplitModel, CostModel, BlackScholesModel, BinomialModel)
