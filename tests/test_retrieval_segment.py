import subprocess
import sys
from pathlib import Path

from retrieval import segment

ROOT = Path(__file__).resolve().parent.parent


def test_policy_terms_stay_whole():
    words = segment.words("深入实施“揭榜挂帅”制度，构建“1+3+10+N”平台体系")
    assert "揭榜挂帅" in words
    assert "1+3+10+n" in words  # lower-cased like everything the index sees


def test_full_width_and_case_are_folded():
    assert segment.words("ＳＵＰＥＲ工程") == segment.words("super工程")
    assert "super工程" in segment.words("SUPER工程")


def test_punctuation_and_stop_words_are_dropped():
    words = segment.words("科技创新的主要目标，和“十四五”规划。")
    assert "的" not in words and "和" not in words
    assert not any(w in words for w in ("，", "。", "“", "”"))


def test_bigrams_cover_each_cjk_run():
    assert segment.bigrams("卓越工程") == ["卓越", "越工", "工程"]
    assert segment.bigrams("G60科创走廊") == ["科创", "创走", "走廊"]
    assert segment.bigrams("A") == []


def test_tokens_match_a_term_split_differently():
    # the question says 研发投入强度, the plan says 研发投入占…比重: they share bigrams
    question = set(segment.tokenize("研发投入强度"))
    plan = set(segment.tokenize("研发投入占地区生产总值比重"))
    assert {"研发", "投入"} <= question & plan


def test_short_alias_is_not_found_inside_other_words():
    assert "高企" not in segment.words("提高企业创新能力")
    assert "高企" in segment.words("高企数量")


def test_signature_is_stable_across_processes():
    # The signature names the tokenizer an index was built with: another process (a worker, the
    # next `planqa serve`) must compute the same one, or every start would rebuild the index.
    code = "from retrieval import segment; print(segment.signature())"
    others = {
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
        ).stdout.strip()
        for _ in range(2)
    }
    assert others == {segment.signature()}
    assert len(segment.signature()) == 16
