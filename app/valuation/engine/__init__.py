"""Pure valuation engine (stdlib, numpy, scipy): models, registry, results, weighting, sensitivity."""
