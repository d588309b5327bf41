"""The valuation label table: rates as percentages, years and money in words, names not identifiers."""

import pytest

from app.valuation import engine, labels


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "zh",
            {
                "rate": "5%",
                "years": "10 年",
                "path": "各挂牌类型的权重 · 默认 · 专利价值度（CNIPA）",
                "dist": "围绕估计值的三角分布：低值 -2%，最可能值 0%，高值 +3%",
                "indicator": "不可规避性：2",
                "bounds": "0% 至 50%",
            },
        ),
        (
            "en",
            {
                "rate": "5%",
                "years": "10 years",
                "path": "Weights per listing type · Default · Patent value degree (CNIPA)",
                "dist": "triangular around the estimate: low -2%, most likely 0%, high +3%",
                "indicator": "Design-around difficulty: 2",
                "bounds": "0% to 50%",
            },
        ),
    ],
)
def test_values_and_names_read_as_words(app, lang, expected):
    with app.test_request_context(headers={"Accept-Language": lang}):
        assert labels.format_value("rfr", "royalty_rate", 0.05) == expected["rate"]
        assert labels.format_value("rfr", "years", 10.0) == expected["years"]
        assert labels.param_label("ensemble", "weights.default.cnipa_pvd") == expected["path"]
        dist = {"dist": "triangular", "low": -0.02, "mode": 0.0, "high": 0.03}
        assert labels.format_value("rfr", "royalty_rate_dist", dist) == expected["dist"]
        assert (
            labels.format_value("cnipa_pvd", "indicator_weights", {"design_around": 2.0})
            == expected["indicator"]
        )
        spec = next(s for s in engine.get("rfr").params_schema if s.name == "royalty_rate")
        assert labels.bounds_text(spec) == expected["bounds"]
        assert labels.format_value("rfr", "draws", 1_000_000) == "1,000,000"
