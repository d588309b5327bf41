"""Built-in valuation models, one module each."""

from __future__ import annotations

from .cnipa_pvd import CnipaPvdModel
from .cost import CostModel
from .gbt42748 import GbtTemplateModel
from .market_comps import MarketCompsModel
from .oecd import OecdIndicatorsModel
from .profit_split import ProfitSplitModel, ProfitSplitModelV1
from .real_option import BinomialModel, BlackScholesModel
from .rfr import RfrModel, RfrModelV1

BUILTIN_MODELS = (
    RfrModel,
    ProfitSplitModel,
    MarketCompsModel,
    CostModel,
    BlackScholesModel,
    BinomialModel,
    CnipaPvdModel,
    GbtTemplateModel,
    OecdIndicatorsModel,
)

# Earlier versions whose stored valuations must still replay exactly (reachable by get(id, version)).
LEGACY_MODELS = (RfrModelV1, ProfitSplitModelV1)
