"""The pure Chinese <-> English dictionary lookup behind cross-language search (and matching)."""

import ast
from pathlib import Path

import pytest

from app.catalogue.search import crosslang


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("电池", "battery"),
        ("半导体", "semiconductor"),
        ("发动机", "engine"),
        ("锂", "lithium"),
        ("锂电池", "lithium battery"),
        ("数据处理", "data processing"),  # from CC-CEDICT, not the glossary
        ("图像传感器芯片", "image sensor chip"),  # not an entry: segmented and translated part by part
        ("锂电池组", "lithium battery"),  # a lone character (组) is too ambiguous to require
        ("battery", "电池"),
        ("batteries", "电池"),  # the singular is looked up
        ("lithium battery", "锂电池"),
        ("engine", "发动机"),
        ("Zhejiang University", "浙江大学"),
    ],
)
def test_translations(term, expected):
    assert expected in crosslang.translations(term)


def test_english_translations_come_with_their_plural_for_an_unstemmed_index():
    assert crosslang.translations("电池", "zh")[:2] == ["battery", "batteries"]
    assert crosslang.plural("battery") == "batteries"
    assert crosslang.plural("fuel cell") == "fuel cells"
    assert crosslang.plural("switch") == "switches"


def test_the_glossary_decides_for_words_it_has():
    assert "殴打" not in crosslang.translations("battery")  # CC-CEDICT's "battery" (assault)
    assert crosslang.translations("method") == ["方法"]


def test_nothing_for_function_words_unknown_words_and_other_text():
    assert crosslang.translations("the") == []
    assert crosslang.translations("xqzzyv") == []
    assert crosslang.translations("12345") == []
    assert crosslang.translations("") == []


def test_expand_query_keeps_known_phrases_whole():
    parts = crosslang.expand_query("lithium battery for 电动汽车")
    assert [(p.text, p.lang) for p in parts] == [
        ("lithium battery", "en"),
        ("for", "en"),
        ("电动汽车", "zh"),
    ]
    assert "锂电池" in parts[0].translations
    assert parts[1].translations == ()
    assert "electric vehicle" in parts[2].translations


def test_language():
    assert crosslang.language("锂电池 pack") == "zh"
    assert crosslang.language("battery") == "en"
    assert crosslang.language("123") is None


def test_module_is_pure():
    """Matching reuses it outside requests: no Flask, no database."""
    tree = ast.parse(Path(crosslang.__file__).read_text(encoding="utf-8"))
    imported = {
        (node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert not imported & {"flask", "sqlalchemy", "flask_babel", "app"}
