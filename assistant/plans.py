"""Which plans a question points at, from the corpus manifest (title, level, region, kind, author)
and the place gazetteer (`assistant/data/places.yaml`), not from doc_ids written in code.

A plan is named explicitly ('省规划', '苏南纲要', '南通规划', '高新技术产业发展规划', '王秦的文章')
or implied by a place its region covers ('无锡' → the 苏南 plan; '海安' → the 南通 plan). An explicit
name wins over a place: '省规划专栏8里苏州……' is about the provincial plan, not the 苏南 one.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from assistant.scope import Coverage, coverage_of

PLACES_PATH = Path(__file__).resolve().parent / "data" / "places.yaml"

# words for a plan by its kind (an article is cited as 文章; an outline as 提纲)
KIND_WORDS = {"article": ("署名文章", "这篇文章", "文章"), "outline": ("提纲",)}
# words for the plan of the province's own level ('省里的规划')
PROVINCE_PLAN_WORDS = ("省规划", "省级规划", "省里", "省科技", "省“十四五”")
# short forms of words in plan titles, as people say them (the thesaurus has the full list)
TITLE_SHORT_FORMS = {"自主创新示范区": ("自创区", "自主创新示范区"), "科技创新规划": ("科技创新规划",)}
# words for any plan ('规划里', '纲要中'): where to look, not what is asked
GENERIC_SCOPE_WORDS = ("规划", "纲要", "示范区")
# words inside some plan names that are also what questions ask about ('省科技' names the plan, but
# 科技 in '科技型中小企业' is content)
CONTENT_IN_NAMES = ("科技", "十四五", "创新")
_PERIOD = re.compile(
    r"[“”\"]?(?:十[一二三四五六七八九]五)[”“\"]?|[（(]\s*20\d\d\s*[-—～~至]\s*20\d\d\s*年?\s*[）)]"
)


@dataclass(frozen=True)
class Gazetteer:
    province: tuple[str, ...]
    cities: dict[str, tuple[str, ...]]  # city → its county-level places
    regions: dict[str, tuple[str, ...]]  # region → its cities
    other: tuple[str, ...]

    @property
    def jiangsu(self) -> tuple[str, ...]:
        """Every Jiangsu place name, longest first (so 连云港 is found before 连云)."""
        names = {*self.province, *self.cities, *self.regions}
        for counties in self.cities.values():
            names.update(counties)
        names.discard("苏")
        return tuple(sorted(names, key=len, reverse=True))

    def within(self, inner: str, outer: str) -> bool:
        """Whether `inner` lies in `outer`: a county in its city, a city or county in its region,
        any Jiangsu place in the province ('武进' in 常州, '苏州' in 苏南)."""
        if inner == outer:
            return False
        city = self.city_of(inner)
        if outer in self.province:
            return city is not None or inner in self.regions
        if outer in self.cities:
            return city == outer and inner != outer
        return outer in self.regions and city is not None and city in self.regions[outer]

    def outermost(self, places: Sequence[str]) -> list[str]:
        """The places that do not lie in another of them: 常州 and 武进 are one scope, 常州."""
        return [p for p in places if not any(self.within(p, o) for o in places)]

    def city_of(self, place: str) -> str | None:
        if place in self.cities:
            return place
        return next((c for c, counties in self.cities.items() if place in counties), None)


@functools.cache
def gazetteer(path: Path = PLACES_PATH) -> Gazetteer:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Gazetteer(
        province=tuple(data["province"]),
        cities={c: tuple(v or ()) for c, v in data["jiangsu"].items()},
        regions={r: tuple(v) for r, v in data["regions"].items()},
        other=tuple(data["other"]),
    )


@dataclass(frozen=True)
class PlanNames:
    """The words that name one plan explicitly, and the places its region covers."""

    doc_id: str
    level: str
    kind: str
    names: tuple[str, ...]
    places: tuple[str, ...] = field(default=())
    region_name: str = ""  # '苏南', '南通': naming it names the plan's region itself
    title_names: tuple[str, ...] = ()  # names made of the title's content words ('高新技术产业发展规划')


def _region_places(region: str, g: Gazetteer) -> tuple[str, str | None]:
    """(short name, city) of a manifest region: '苏南（南京、无锡……）' → ('苏南', None), '南通市' → ('南通', '南通')."""
    short = re.split(r"[（(]", region)[0].strip().removesuffix("市").removesuffix("省")
    return short, g.city_of(short)


def plan_names(entry, g: Gazetteer | None = None) -> PlanNames:
    """Explicit names and covered places of a manifest entry."""
    g = g or gazetteer()
    short, city = _region_places(entry.region or "", g)
    core = _PERIOD.sub("", entry.title)
    core = re.sub(r"^(江苏省|江苏|[\u4e00-\u9fff]{2,3}市)", "", core).strip('“”" ')
    bracketed = re.findall(r"[（(]([^）)]+)[）)]", core)
    core = re.sub(r"[（(][^）)]*[）)]", "", core).strip()
    names: set[str] = set()
    title_names = (
        {core, core.replace("发展", "")} if entry.kind in ("plan", "outline") and len(core) >= 4 else set()
    )
    if title_names:
        names.update(title_names)
        for word, forms in TITLE_SHORT_FORMS.items():
            if word in core:
                names.update(forms)
        tail = core[-2:]  # 规划 / 纲要
        if entry.level != "province" and short and short not in g.province:
            names.update({f"{short}{tail}", f"{short}规划", f"{short}的规划"})
    names.update(w for w in KIND_WORDS.get(entry.kind, ()))
    names.update(b[:2] for b in bracketed if b.startswith("提纲"))
    if entry.author:
        names.add(entry.author)
    if entry.level == "province" and entry.kind == "plan":
        names.update(PROVINCE_PLAN_WORDS)
    places: set[str] = set()
    if entry.level == "province":
        places.update(g.province)
    elif short in g.regions:
        places.add(short)
        for c in g.regions[short]:
            places.add(c)
            places.update(g.cities.get(c, ()))
    elif city:
        places.add(city)
        places.update(g.cities.get(city, ()))
    elif short:
        places.add(short)
    return PlanNames(
        entry.doc_id,
        entry.level,
        entry.kind,
        tuple(sorted(names, key=len, reverse=True)),
        tuple(places),
        region_name=short if entry.level != "province" else "",
        title_names=tuple(title_names),
    )


# a lone 省 between separators names the provincial plan ('省、苏南和南通')
_LONE_PROVINCE = re.compile(r"(^|[，,、和与跟及])省([，,、和与跟及的]|$)")
# the province as a word of its own ('江苏 技术合同成交额 目标', '江苏的……', '全省……'), not the
# head of a name ('江苏省产业技术研究院')
_PROVINCE_WORD = re.compile(r"(?:^|\s)(?:江苏省?)(?=\s|$|的)|江苏省?的|全省")
# other kinds of 示范区 are not the 苏南 zone ('农业高新技术产业示范区')
_OTHER_ZONES = re.compile(
    r"[\u4e00-\u9fff]{0,8}(?:产业|农业|园区|科普|生态|双创|融合|可持续发展议程创新)示范区"
)


def _side_by_side(name: str, text: str) -> bool:
    """Whether a place is named beside another as a thing compared ('省规划和南通……', '南通、苏南')."""
    return re.search(rf"[和与跟及、]{re.escape(name)}|{re.escape(name)}[和与跟及、]", text) is not None


@dataclass(frozen=True)
class PlanHints:
    doc_ids: list[str]
    explicit: bool  # named by a plan name, not implied by a place
    loose: bool  # only the province, implied by a bare 江苏/全省 (it may be part of a name)
    # the plans by what named them: each plan named by its own name is a scope, the plans of one
    # region or of the province named by a place are one ('南通' names every 南通 plan, one scope)
    scopes: tuple[tuple[str, ...], ...] = ()


def _hints(keyed: list[tuple[str, str]], explicit: bool, loose: bool) -> PlanHints:
    """Hints from (scope key, doc_id) pairs in order; a plan counts in its first scope only."""
    scopes: dict[str, list[str]] = {}
    seen: set[str] = set()
    for key, doc in keyed:
        if doc not in seen:
            seen.add(doc)
            scopes.setdefault(key, []).append(doc)
    return PlanHints(
        list(dict.fromkeys(d for _, d in keyed)), explicit, loose, tuple(map(tuple, scopes.values()))
    )


class PlanDirectory:
    """The corpus's plans by the words that point at them."""

    def __init__(self, entries: Iterable, g: Gazetteer | None = None, thesaurus=None):
        self.g = g or gazetteer()
        # the policy thesaurus questions are read with (the retriever's, which knows the corpus)
        self.thesaurus = thesaurus
        entries = list(entries)
        # the years, terms and regions the plans cover (what a question outside them is refused for)
        self.coverage = coverage_of(entries)
        self._entries = {e.doc_id: e for e in entries}
        plans = [plan_names(e, self.g) for e in entries]
        # a name two plans share ('科技创新规划' of the province and of a city) names neither
        counts: dict[str, int] = {}
        for p in plans:
            for n in p.names:
                counts[n] = counts.get(n, 0) + 1
        self.plans = [
            PlanNames(
                p.doc_id,
                p.level,
                p.kind,
                tuple(n for n in p.names if counts[n] == 1),
                p.places,
                p.region_name,
                p.title_names,
            )
            for p in plans
        ]
        self.doc_ids = [p.doc_id for p in self.plans]
        # each distinct name and place once, with the plans (by position) it points at: at 500
        # plans most names and places are shared, and a question is matched against each once
        self._by_name = _positions((n, i) for i, p in enumerate(self.plans) for n in p.names)
        self._by_place = _positions(
            (pl, i) for i, p in enumerate(self.plans) if p.level != "province" for pl in p.places
        )
        jiangsu = set(self.g.jiangsu)
        # places a plan covers that the gazetteer does not place in Jiangsu (an added 杭州 or 临江
        # plan): a question naming them is about that plan, not refused as about another region
        self.added_places = tuple(
            sorted({pl for p in self.plans for pl in p.places if pl not in jiangsu}, key=len, reverse=True)
        )

    @functools.lru_cache(maxsize=1024)  # noqa: B019 (a directory lives as long as its runtime)
    def coverage_for(self, doc_ids: tuple[str, ...]) -> Coverage:
        """The coverage of the plans a question names ('南通……' is about the 南通 plan's period),
        the whole corpus's when it names none."""
        named = [self._entries[d] for d in doc_ids if d in self._entries]
        if not named:
            return self.coverage
        own = coverage_of(named)
        return Coverage(own.start, own.end, own.written, own.terms, self.coverage.regions)

    @property
    def scope_words(self) -> tuple[str, ...]:
        """Words that say where to look, not what is asked: plan names other than those made of
        the title's content words (高新技术产业发展规划 is also what questions ask about)."""
        words = {
            n
            for p in self.plans
            for n in p.names
            if n not in p.title_names and not any(w in n for w in CONTENT_IN_NAMES)
        } | set(GENERIC_SCOPE_WORDS)
        return tuple(sorted(words, key=len, reverse=True))

    @property
    def all_names(self) -> tuple[str, ...]:
        """Every explicit plan name, longest first (removed from a sub-question about one plan)."""
        return tuple(sorted({n for p in self.plans for n in p.names}, key=len, reverse=True))

    def _named(self, index: dict[str, list[int]], text: str) -> list[PlanNames]:
        """The plans, in directory order, that a name or place of `index` found in the text points at."""
        found = {i for name, plans in index.items() if name in text for i in plans}
        return [self.plans[i] for i in sorted(found)]

    def hints(self, text: str) -> PlanHints:
        text = _OTHER_ZONES.sub(" ", text)
        explicit = [(p.doc_id, p.doc_id) for p in self._named(self._by_name, text)]
        province_plans = [p.doc_id for p in self.plans if p.level == "province" and p.kind == "plan"]
        if _LONE_PROVINCE.search(text):
            explicit += [("province", d) for d in province_plans]
        # a plan whose region is named counts as named ('南通的规划', '苏南的目标')
        local = [p for p in self.plans if p.level != "province"]
        by_place = [
            (f"region:{p.region_name or p.doc_id}", p.doc_id) for p in self._named(self._by_place, text)
        ]
        province_named = any(w in text for w in self.g.province if w != "苏")
        if explicit:
            # a plan whose region itself is named joins an explicitly named one ('省规划和南通的……'),
            # a city inside its region does not ('省规划专栏8里苏州……' is about the provincial plan)
            regional = [
                (f"region:{p.region_name}", p.doc_id)
                for p in local
                if p.region_name and _side_by_side(p.region_name, text)
            ]
            # the province beside a named local plan ('苏南自创区……和全省目标比'); beside a named
            # province-wide text (an article, an outline) a bare 江苏 is that text's subject
            local_ids = {p.doc_id for p in local}
            locals_named = any(d in local_ids for _, d in explicit + regional)
            province = [("province", d) for d in province_plans] if locals_named and province_named else []
            return _hints(explicit + regional + province, True, False)
        if by_place:  # '江苏和南通……' compares the province with the city
            province = [("province", d) for d in province_plans] if province_named else []
            return _hints(province + by_place, False, False)
        if province_named:  # loose unless the province stands as a word of its own
            return _hints(
                [("province", d) for d in province_plans], False, _PROVINCE_WORD.search(text) is None
            )
        return PlanHints([], False, False)


def _positions(pairs: Iterable[tuple[str, int]]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for key, i in pairs:
        out.setdefault(key, []).append(i)
    return out


@functools.cache
def shipped_directory() -> PlanDirectory:
    """The directory of the shipped corpus (for analysis outside a runtime: tests, scripts)."""
    from retrieval.corpus import load_manifest

    return PlanDirectory(load_manifest(Path(__file__).resolve().parent.parent / "corpus"))


def directory_for(entries: Sequence | None) -> PlanDirectory:
    return PlanDirectory(entries) if entries is not None else shipped_directory()


__all__ = [
    "Gazetteer",
    "PlanDirectory",
    "PlanHints",
    "PlanNames",
    "directory_for",
    "gazetteer",
    "plan_names",
    "shipped_directory",
]
