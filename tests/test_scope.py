"""The corpus's coverage in time and place comes from its manifest: an added 十五五 plan or a plan of
another province makes questions about them answerable, and the refusals say what is covered."""

from types import SimpleNamespace

from assistant.plans import PlanDirectory
from assistant.question import analyse
from assistant.scope import coverage_of, period_reason, term_name, term_of


def entry(doc_id, title, region, level="city", period="2021-2025", kind="plan"):
    return SimpleNamespace(
        doc_id=doc_id, title=title, region=region, level=level, period=period, kind=kind, author=None
    )


FOURTEENTH = [
    entry("prov-14", "江苏省“十四五”科技创新规划", "江苏省", "province"),
    entry("nt-14", "南通市“十四五”科技创新规划", "南通市"),
]
ADDED = [
    entry("lj-15", "临江市“十五五”科技创新发展规划", "临江市", period="2026-2030"),
    entry("hz-15", "杭州市“十五五”科技创新规划", "杭州市", period="2026-2030"),
]


def test_terms_are_counted_from_the_plans_periods():
    assert [term_of(y) for y in (2021, 2025, 2026, 2030)] == [14, 14, 15, 15]
    assert term_name(15) == "十五五"
    cov = coverage_of(FOURTEENTH + ADDED)
    assert (cov.start, cov.end, cov.written, cov.terms) == (2021, 2030, 2026, (14, 15))
    assert cov.regions == ("江苏省", "南通市", "临江市", "杭州市")


def test_a_corpus_of_fourteenth_plans_refuses_later_years_and_terms():
    cov = coverage_of(FOURTEENTH)
    assert "2030年" in period_reason("到2030年研发投入强度要达到多少？", cov)
    assert "“十五五”" in period_reason("十五五期间有什么打算", cov)
    assert "实际完成情况" in period_reason("2023年实际建成了多少家？", cov)
    assert period_reason("到2025年高企要达到多少家？", cov) is None
    assert period_reason("十三五期间取得了哪些成就？", cov) is None


def test_an_added_fifteenth_plan_answers_its_own_period():
    plans = PlanDirectory(FOURTEENTH + ADDED)
    assert analyse("临江市到2030年研发经费投入强度目标是多少？", plans=plans).out_of_scope is None
    assert analyse("临江“十五五”期间要建设哪些实验室？", plans=plans).out_of_scope is None
    # the period is the named plan's: the 南通 plan is a 十四五 one
    assert "2021—2025" in analyse("南通十五五有什么安排？", plans=plans).out_of_scope
    # and no plan reaches 2035 or the 十六五
    assert "2035年" in analyse("2035年临江的目标是什么？", plans=plans).out_of_scope
    assert "十六五" in analyse("十六五期间临江有什么打算？", plans=plans).out_of_scope


def test_a_plan_of_another_province_makes_its_places_covered():
    refused = analyse("杭州的研发投入目标是多少？", plans=PlanDirectory(FOURTEENTH)).out_of_scope
    assert refused and "杭州" in refused and "江苏省、南通市" in refused
    plans = PlanDirectory(FOURTEENTH + ADDED)
    q = analyse("杭州的研发投入目标是多少？", plans=plans)
    assert q.out_of_scope is None and q.doc_hints == ["hz-15"]
    # a place still covered by no plan is refused, naming what is covered
    assert "临江市、杭州市" in analyse("合肥有哪些新型研发机构？", plans=plans).out_of_scope


def test_a_corpus_without_periods_refuses_no_year():
    cov = coverage_of([entry("x", "某市科技创新规划", "某市", period=None)])
    assert period_reason("到2035年要达到多少？", cov) is None


def test_a_regions_many_plans_are_one_scope_and_two_regions_are_compared():
    nantong = [entry(f"nt-{i}", f"南通市科技专项规划第{i}号", "南通市") for i in range(3)]
    plans = PlanDirectory([FOURTEENTH[0], *nantong])
    q = analyse("南通的研发投入强度目标是多少？", plans=plans)
    assert q.plan_scopes == [tuple(e.doc_id for e in nantong)] and q.intent == "number"
    q = analyse("南通和全省的研发投入强度目标分别是多少？", plans=plans)
    assert len(q.plan_scopes) == 2 and q.intent == "compare"
    assert sorted(q.doc_hints) == sorted(["prov-14", *(e.doc_id for e in nantong)])


def test_results_and_targets_are_dated_by_the_named_plans_period():
    from assistant.scope import period_words

    assert period_words(coverage_of(FOURTEENTH)) == period_words(coverage_of(FOURTEENTH[:1]))
    plans = PlanDirectory(FOURTEENTH + ADDED)
    # for the 十五五 plan of 临江 the 十四五 is its results, for the 南通 plan its targets
    assert analyse("临江“十四五”期间研发投入强度达到了多少？", plans=plans).time == "past"
    assert analyse("南通“十四五”期间研发投入强度要达到多少？", plans=plans).time == "future"
    assert analyse("临江到2030年研发投入强度要达到多少？", plans=plans).time == "future"
    assert analyse("南通十三五末研发投入强度是多少？", plans=plans).time == "past"
