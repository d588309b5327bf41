"""rank_texts (the app's text path on plain texts) and the evaluation metrics."""

import pytest

from app.matching import evaluation
from app.matching.evaluation import metrics, rank_texts

EN = ["lithium battery anode material", "image recognition neural network", "battery charging circuit"]
ZH = ["锂电池负极材料", "图像识别神经网络", "电池充电电路"]


@pytest.mark.parametrize(
    ("queries", "candidates", "lang"),
    [(EN, EN, "en"), (ZH, ZH, "zh"), (ZH, EN, "zh-en"), (EN, ZH, "en-zh")],
)
def test_rank_texts_puts_the_same_topic_first(queries, candidates, lang):
    ranked = rank_texts(queries[:2], candidates, [10, 11, 12], lang)
    assert [r[0] for r in ranked] == [0, 1]
    assert all(len(set(r)) == len(r) and set(r) <= {0, 1, 2} for r in ranked)
    assert 1 not in ranked[0]  # shares no word with a battery need: no match, not a low one


def test_rank_texts_hides_the_query_patent():
    ranked = rank_texts(EN[:1], EN, [10, 11, 12], "en", query_ids=[10])
    assert 0 not in ranked[0]
    assert ranked[0][0] == 2  # the other battery patent


def test_rank_texts_rejects_an_unknown_language():
    with pytest.raises(ValueError, match="lang"):
        rank_texts(EN, EN, [1, 2, 3], "fr")


def test_metrics():
    p, rr, ndcg = metrics([5, 1, 7], {1, 9}, k=2)
    assert p == 0.5
    assert rr == 0.5
    assert ndcg == pytest.approx((1 / 1.5849625) / (1 + 1 / 1.5849625), rel=1e-4)


def test_rank_texts_expands_every_query_as_the_app_does():
    """The app expands every need into the other language; so does the evaluation, also when the
    pool is in the need's language (Chinese patents carry English keywords)."""
    pool = ["电路 Keywords: image", "电路 Keywords: battery"]
    [ranked] = rank_texts(["锂电池电路"], pool, [1, 2], "zh")
    assert ranked[:1] == [1]  # was a tie on 电路, broken by id: the translation decides now


def test_the_bm25_baseline_scores_each_pool_with_its_own_index():
    """Its cache was keyed on the pool's id(), which Python reuses once a pool is freed: the next
    pool of the same size was then scored with the last pool's index."""
    cache: dict = {}
    first = [["battery", "cell"], ["image", "camera"]]
    old_id = id(first)
    evaluation._bm25_scores(first, ["battery"], cache)
    del first
    for _ in range(1000):  # CPython hands a freed list's memory to the next list
        second = [["image", "camera"], ["battery", "cell"]]
        if id(second) == old_id:
            break
    scores = evaluation._bm25_scores(second, ["battery"], cache)
    assert scores[1] > scores[0]


def test_chinese_is_decided_on_the_train_and_val_files_together(tmp_path):
    """19 patents a file: the training split pools both files (ids kept apart), test stays alone."""
    (tmp_path / "patentsberta").mkdir()
    (tmp_path / "cn-sample").mkdir()
    for split in ("train", "test"):
        (tmp_path / "patentsberta" / f"df_claim_cpc_{split}.csv").write_text(
            "id,date,text,G06F,H01M\n1,2015,a battery cell,0,1\n", encoding="utf-8"
        )
    for n, split in enumerate(("train", "val", "test")):
        rows = "".join(f'CN{n}{i},电池{split}{i},"[""G06F{n}/0{i}""]",1\n' for i in range(2 + n))
        (tmp_path / "cn-sample" / f"sample_{split}.csv").write_text(
            "\ufeffpublication_number,text,labels,n_labels\n" + rows, encoding="utf-8"
        )
    train = evaluation.datasets(tmp_path, "train")
    needs, pool = train["zh"]
    assert needs == pool
    assert len({p.id for p in pool}) == len(pool) == 2 + 3
    assert {p.codes for p in pool} == {("G06F0",), ("G06F1",)}
    assert len(train["zh-en"][0]) == 5
    assert len(evaluation.datasets(tmp_path, "test")["zh"][1]) == 4
