"""Cross-language recall: do Chinese queries find the English records an English query finds?

Imports the real records in /work/shared/data (USPTO grants, PatentSBERTa claims: English; the CN
sample: Chinese) into a throwaway SQLite database through the catalogue importers, then asks the
application's search service one query per CPC subclass below, in English and in Chinese (the same
concept), and prints recall@20 against the records of that subclass:

* same language: the English query over the English records;
* cross language: the Chinese query over the English records, with the glossary and CC-CEDICT,
  with CC-CEDICT alone (glossary switched off: the curated glossary holds several of these terms,
  so this row shows what the packaged dictionary does without our help), and with translation off
  (what search did before).

recall@20 = relevant records among the first 20 hits / min(20, relevant records). A keyword names
a subclass's topic, not every record in it, so even the same-language figure is well below 1: the
point is the distance between the rows.

    .venv/bin/python bench/crosslang_recall.py
"""

from __future__ import annotations

import glob
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATA = Path(os.environ.get("IPEX_SHARED_DATA", "/work/shared/data"))
# CPC subclass -> (English query, Chinese query): a plain keyword for the subclass's main topic.
QUERIES = {
    "G06F": ("data processing", "数据处理"),
    "H01L": ("semiconductor", "半导体"),
    "H04L": ("network", "网络"),
    "H04N": ("image", "图像"),
    "H04W": ("wireless", "无线"),
    "A61K": ("pharmaceutical composition", "药物组合物"),
    "A61B": ("surgical", "手术"),
    "G06T": ("image processing", "图像处理"),
    "G02B": ("optical", "光学"),
    "G06Q": ("transaction", "交易"),
    "H04M": ("telephone", "电话"),
    "G09G": ("display", "显示"),
    "B41J": ("printer", "打印机"),
    "G02F": ("liquid crystal", "液晶"),
    "H01R": ("connector", "连接器"),
    "A61M": ("catheter", "导管"),
    "H05K": ("circuit board", "电路板"),
    "B01D": ("filter", "过滤器"),
    "C07K": ("antibody", "抗体"),
    "B60R": ("vehicle", "车辆"),
    "F02M": ("fuel injection", "燃油喷射"),
    "E21B": ("drilling", "钻井"),
    "B65D": ("container", "容器"),
    "C08L": ("polymer", "聚合物"),
    "G11C": ("memory", "存储器"),
    "G01C": ("navigation", "导航"),
    "F16H": ("gear", "齿轮"),
    "G01S": ("radar", "雷达"),
}
K = 20


def import_shared_data() -> None:
    from app.catalogue.importing import run_import
    from app.extensions import db

    files = sorted(glob.glob(str(DATA / "uspto-xml" / "**" / "ip*.xml"), recursive=True))
    files += sorted(glob.glob(str(DATA / "uspto-xml" / "**" / "US*.xml"), recursive=True))
    files += sorted(glob.glob(str(DATA / "patentsberta" / "*.csv")))
    files += sorted(glob.glob(str(DATA / "cn-sample" / "*.csv")))
    for name in files:
        run_import(name, None, skip_bad=True)
        db.session.commit()


def relevant_sets() -> tuple[dict[str, set[int]], set[int]]:
    """Patent ids per CPC/IPC subclass, and the ids of the English records."""
    from sqlalchemy import select

    from app.catalogue.models import Patent, PatentClassification
    from app.extensions import db

    by_subclass: dict[str, set[int]] = {}
    rows = db.session.execute(select(PatentClassification.patent_id, PatentClassification.code))
    for patent_id, code in rows:
        by_subclass.setdefault(code.replace(" ", "")[:4], set()).add(patent_id)
    english = set(db.session.scalars(select(Patent.id).where(Patent.title_zh.is_(None))))
    return by_subclass, english


def recall(text: str, relevant: set[int], within: set[int]) -> float:
    """recall@K of one query over the records in ``within`` (the language under test)."""
    from app.catalogue.search import SearchQuery, search
    from app.extensions import db

    hits = search(db.session, SearchQuery(text=text, types=("patent",), per_page=200)).hits
    ranked = [h.record_id for h in hits if h.record_id in within][:K]
    wanted = relevant & within
    return len(wanted.intersection(ranked)) / min(K, len(wanted)) if wanted else 0.0


def switch(mode: str) -> None:
    """Dictionary sources for the runs: both, CC-CEDICT without the glossary, or no translation."""
    from app.catalogue.search import crosslang

    crosslang._dictionary.cache_clear()
    if mode == "full":
        crosslang.GLOSSARY = ORIGINAL_GLOSSARY
        crosslang.translations = ORIGINAL_TRANSLATIONS
    elif mode == "cedict":
        empty = Path(tempfile.mkdtemp()) / "glossary.tsv"
        empty.write_text("", encoding="utf-8")
        crosslang.GLOSSARY = empty
        crosslang.translations = ORIGINAL_TRANSLATIONS
    else:
        crosslang.translations = lambda term, source_lang=None: []


def main() -> None:
    global ORIGINAL_GLOSSARY, ORIGINAL_TRANSLATIONS
    from app import create_app
    from app.catalogue.search import crosslang
    from app.extensions import db
    from config import Config

    ORIGINAL_GLOSSARY, ORIGINAL_TRANSLATIONS = crosslang.GLOSSARY, crosslang.translations
    folder = tempfile.mkdtemp(prefix="ipex-crosslang-")
    url = f"sqlite:///{folder}/recall.sqlite"
    app = create_app(type("BenchConfig", (Config,), {"SQLALCHEMY_DATABASE_URI": url}))
    with app.app_context():
        db.create_all()
        started = time.perf_counter()
        import_shared_data()
        by_subclass, english = relevant_sets()
        print(f"{len(english):,} English records imported in {time.perf_counter() - started:.0f} s; {url}")
        rows = []
        for mode in ("full", "cedict", "off"):
            switch(mode)
            for subclass, (en, zh) in QUERIES.items():
                relevant = by_subclass.get(subclass, set())
                if mode == "full":
                    rows.append([subclass, en, zh, len(relevant & english), recall(en, relevant, english)])
                rows[list(QUERIES).index(subclass)].append(recall(zh, relevant, english))
        switch("full")
        print(f"\n{'subclass':8s} {'English query':28s} {'Chinese query':12s} {'rel':>4s}  {'en->en':>6s} "
              f"{'zh->en':>6s} {'cedict':>6s} {'off':>6s}")  # fmt: skip
        for subclass, en, zh, size, *figures in rows:
            print(f"{subclass:8s} {en:28s} {zh:12s} {size:4d}  " + " ".join(f"{f:6.2f}" for f in figures))
        means = [statistics.mean(r[4 + i] for r in rows) for i in range(4)]
        print(f"\nmean recall@{K} over {len(rows)} subclasses (queries on the English records):")
        print(f"  same language, English query                      {means[0]:.3f}")
        print(f"  cross language, Chinese query, glossary + CEDICT  {means[1]:.3f}")
        print(f"  cross language, Chinese query, CC-CEDICT alone    {means[2]:.3f}")
        print(f"  cross language, Chinese query, translation off    {means[3]:.3f}")


if __name__ == "__main__":
    main()
