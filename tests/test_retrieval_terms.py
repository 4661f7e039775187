from pathlib import Path

from retrieval.terms import (
    POLICY_TERMS_PATH,
    corpus_policy_terms,
    dictionary_terms,
    extract_policy_terms,
    load_aliases,
    load_policy_terms,
)

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def test_quoted_terms_are_extracted_and_split():
    text = "实施“揭榜挂帅”“小升高”，建设“1+3+10+N”体系，坚持“一体两翼，双湖五海”布局，“高”水平，“121”。"
    terms = extract_policy_terms([text])
    assert {"揭榜挂帅", "小升高", "1+3+10+N", "一体两翼", "双湖五海"} <= set(terms)
    assert "高" not in terms and "121" not in terms  # single characters and bare numbers are noise


def test_long_quotes_are_skipped():
    assert extract_policy_terms(["“这是一个远远超过十二个字的很长很长的引用”"]) == []


def test_column_titles_give_their_parts():
    terms = extract_policy_terms([], ["专栏7 苏南自创区“卓越工程”（SUPER工程）", "创新布局专栏1：海工船舶"])
    assert {"苏南自创区", "卓越工程", "SUPER工程", "海工船舶"} <= set(terms)
    assert not any(t.startswith("专栏") for t in terms)


def test_named_platforms_and_programmes():
    terms = extract_policy_terms(["建设光电科学紫琅实验室，实施产业创新紫琅专项，组建院所共建联合实验室。"])
    assert {"紫琅实验室", "紫琅专项"} <= set(terms)
    assert "联合实验室" not in terms


def test_committed_policy_terms_match_the_corpus():
    # Regenerate with `python -m retrieval.terms` when the corpus or the extraction rules change.
    assert load_policy_terms(POLICY_TERMS_PATH) == corpus_policy_terms(CORPUS)
    for term in ("紫琅专项", "揭榜挂帅", "小升高", "1+3+10+N", "卓越工程", "SUPER工程"):
        assert term in load_policy_terms()


def test_aliases_are_groups_and_join_the_dictionary():
    groups = load_aliases()
    assert all(len(g) >= 2 for g in groups)
    assert any({"SUPER工程", "卓越工程"} <= set(g) for g in groups)
    assert {"高企", "双碳", "省产研院"} <= set(dictionary_terms())
