"""What a question asks: its intent, content terms, named places and plans, and whether it falls
outside what the plans can answer (other regions, later years, contact details, application
procedures, grant amounts, unrelated tasks, attempts to override instructions).

All pure functions over strings; the vocabularies are data at the top of the module.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from assistant.answerability import asked_details
from assistant.markup import inert
from assistant.plans import PlanDirectory, gazetteer, shipped_directory
from assistant.scope import (
    DEFAULT_PERIOD_WORDS,
    PeriodWords,
    find_places,
    period_reason,
    period_words,
    place_reason,
)
from assistant.text import grams
from retrieval.thesaurus import default_thesaurus

# ---------------------------------------------------------------- vocabularies

# places from the gazetteer (assistant/data/places.yaml); which plan covers which place comes from
# the corpus manifest (assistant/plans.py)
JIANGSU_PLACES = gazetteer().jiangsu
OTHER_PLACES = gazetteer().other

# multi-character question words only: removing single characters would cut content words
# (中心, 能源, 上海); the few single particles removed are never part of plan vocabulary here
_BOILERPLATE = re.compile(
    r"请问|请你|麻烦|帮我|帮忙|告诉我|介绍一下|说一下|讲一下|一下|具体|分别|到底|究竟|"
    r"是多少|有多少|多少|是什么|什么|有哪些|哪些|哪个|哪几|哪家|怎么样|怎样|怎么|如何|为什么|是否|有没有|"
    r"我们|我司|你们|咱们|能够|可以|应该|规划里|规划中|文件中|文中|里面|提出了|提出|提到|列了|列出|包括|包含|涉及|"
    r"目标值|相关|有关|关于|对于|这个|那个|这些|那些|其中|还有|另外|那么|除了|现在|目前|第几|这类|那类|有啥|啥|"
    r"叫法|说法|提法|一样|区别|异同|差别|不同|俺们|咱们|一家|那边|这边|能不能|可不可以|能否|是不是|自己|"
    r"一共|总共|几个方面|哪些方面|几方面|方面|几块|几部分|几点|几个|几类|几项|几家|几种|几大|几位|几名|几条|几成|分成|分为|定了|定的|是怎么定|怎么定|要达到|能达到|达到|要到|"
    r"[的了吗呢啊呀吧嘛么]"
)
_PUNCT = re.compile(r"[\s，,。．.！!？?；;：:、“”\"'‘’（）()《》<>【】\[\]{}—\-…/\\|]+")

INTENT_PATTERNS = {
    "compare": re.compile(
        r"分别|相比|比较|对比|哪个(更)?高|哪个(更)?多|差别|区别|异同|不同|差距|高出|低于|一样吗|相同吗|一致吗|"
        r"[和跟与同].{1,8}比|相较|特别之处|特殊之处|差异"
    ),
    "definition": re.compile(
        r"什么是|是什么意思|指什么|指的是|含义|定义|是指|何为|是啥|啥是|什么叫|介绍一下|是什么[?？]?$|要干啥|干什么"
    ),
    "eligibility": re.compile(
        r"(能|可以|可|怎样|如何)(享受|申请|获得|用|得到|争取|拿到|享有)|能不能|可不可以|能否|支持|扶持|政策工具|优惠|激励|奖补|帮助|资助|鼓励|补助|松绑"
    ),
    "list": re.compile(
        r"哪些|哪几|哪[一二三四五六七八九十两]+[个项类家条大]|哪[二三四五六七八九十两]+[\u4e00-\u9fff]|列了|列出|包括|包含|有什么|清单|列举|都有|名单|构成|组成"
    ),
    "number": re.compile(
        r"多少|几家|几个|几类|几项|几成|比重|占比|百分|%|％|增速|增幅|率|达到|规模|数量|目标值|指标|万人|亿元|排第几|第几"
    ),
}
_FOLLOWUP_START = re.compile(
    r"^(那|那么|那个|它|它们|其|这|该|此|还有|另外|同样|然后|如果是|换成|再|也|又|和|以及)"
)

_POINTS_BACK = re.compile(r"(那|这)(条|几条|几个|几家|几项|些|一项|一条|一个)|上面|刚才|前面说|上述|你说的")

# out of scope: (pattern, reason shown to the user)
INJECTION = re.compile(
    r"忽略|无视|ignore|disregard|system\s*prompt|系统提示|系统消息|系统通知|提示词|prompt|你的指令|你的设定|越狱|jailbreak|"
    r"developer\s*mode|开发者模式|不受.{0,4}限制|没有(任何)?限制|无限制|扮演|假装|角色扮演|你现在是|从现在开始你|现在开始你|"
    r"from now on|\bDAN\b|重复(上面|以上|前面)|原样(重复|输出)|重复一遍|repeat\s+(the|everything|all)|输出(你的|全部|所有)|"
    r"你的规则|初始指令|新规则|新的规则|按照上面|按上面的|不用管.{0,6}资料|无需.{0,6}(资料|依据)|不需要.{0,4}依据|不用依据|"
    r"编造|瞎编|随便编|捏造|估一个|估个数|猜一个|帮我估|随便说一个|没写也没关系|"
    # commitments the assistant cannot make on the bureau's behalf ('答复中承诺拨款')
    r"承诺[^。制]{0,20}(拨款|给予|资助|补贴|解决|办理|批准)|保证给|答应给|"
    # the system's own internals: configuration, keys, passwords, addresses of its stores
    r"配置文件|密钥|api\s*key|密码|口令|访问令牌|token|检索库地址|数据库(地址|密码|账号)|服务器地址|后台地址|源代码|环境变量",
    re.I,
)
# out of scope: (pattern, reason shown to the user)
OUT_OF_SCOPE = (
    (INJECTION, "这是改变助手规则、索取内部指令或要求编造内容的请求，本助手只依据规划原文回答"),
    # contact details, procedures, amounts, rates and conditions are details of a topic: whether
    # the plans hold them is decided by assistant.answerability, which cites where the topic is
    (
        re.compile(
            r"发文字号|文号|哪天印发|印发(日期|时间)|发布(日期|时间)|哪天发表|发表在|哪家报纸|刊登|什么职务|担任|简历"
        ),
        "规划正文不包含发文字号、印发或发表信息和人员情况",
    ),
    (
        re.compile(
            r"写.{0,12}(诗|绝句|律诗|词|歌|小说|作文|对联|段子|代码|程序)|七言|五言|作诗|笑话|天气|下雨|股票|股价|科技股|概念股|"
            r"涨停|炒股|买哪只|推荐几只|基金净值|彩票|菜谱|做饭|旅游|电影|足球|篮球|星座|算命|翻译|translate|poem|weather|"
            r"\bstock|recipe|joke",
            re.I,
        ),
        "这个请求与科技创新规划无关",
    ),
)
_YEAR = re.compile(r"(?<!\d)(20\d{2})(?!\d)")


@dataclass
class Question:
    """A question after analysis."""

    text: str
    standalone: str  # with a follow-up's subject carried over from the history
    intent: str
    terms: set[str] = field(default_factory=set)  # content n-grams of the standalone question
    own_terms: set[str] = field(default_factory=set)  # n-grams of this turn only
    own_weight: float = 0.3  # how much this turn's own words count beside the carried-over subject
    places: list[str] = field(default_factory=list)
    other_places: list[str] = field(default_factory=list)
    doc_hints: list[str] = field(default_factory=list)
    # doc_hints by what named them: one scope per plan named, one per region or the province named
    # by a place (assistant.plans.PlanHints.scopes); a comparison compares scopes
    plan_scopes: list[tuple[str, ...]] = field(default_factory=list)
    column_numbers: list[int] = field(default_factory=list)
    years: list[str] = field(default_factory=list)
    must_have: list[str] = field(default_factory=list)  # strings a supporting passage must contain
    unit: str | None = None  # the unit a number question asks for ('家', '亿元', '%')
    time: str | None = None  # 'past' (十三五 results) or 'future' (2025 targets)
    # the words that date a question or passage against the periods of the plans asked about
    period_words: PeriodWords = DEFAULT_PERIOD_WORDS
    out_of_scope: str | None = None
    followup: bool = False
    aliases: dict[str, list[str]] = field(default_factory=dict)  # a name in the question → its other names
    quoted: list[str] = field(default_factory=list)  # “…” phrases of this turn: strong anchors
    position: int | None = None  # '第十个': the item asked about in a list
    entities: list[str] = field(default_factory=list)  # 'A和B分别……': asked about side by side
    letter: str | None = None  # '其中的E': a letter of an acronym named earlier
    loose_hint: bool = False  # the only plan hint is a bare 江苏 (it may be part of a name: 江苏省……实验室)
    details: tuple = ()  # (Detail, cue words) pairs: what the question asks beyond its topic
    asked_terms: set[str] = field(default_factory=set)  # n-grams of the clause that asks, when the
    # asker describes themselves first ('我们是常州的软件企业，人手不够，有哪些税收优惠？')


_ORDINAL = re.compile(
    r"第([一二三四五六七八九十]{1,3}|\d{1,2})(?:个方面|个|项|条|类|种|大|家|部分|块|方面|点|条措施)"
)
# a follow-up that points back at the one item the previous turn picked ('它具体……', '这一项')
_POINTS_AT_ITEM = re.compile(r"^(它|其|这个|这一项|这项|该项|这一个|那个|那一项)|(它|该项|这一项)的")
_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}


def ordinal(text: str) -> int | None:
    """The position a question asks about: '第十个' → 10, '第3项' → 3 ('第几' and '第26位' are not)."""
    m = _ORDINAL.search(unicodedata.normalize("NFKC", text))
    if not m:
        return None
    word = m.group(1)
    if word.isdigit():
        return int(word) or None
    tens, _, ones = word.rpartition("十")
    if "十" not in word:
        return _CN_DIGITS.get(word) if len(word) == 1 else None
    value = (_CN_DIGITS.get(tens, 0) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)
    return value or None


_COUNT_ASKED = re.compile(r"哪([一二三四五六七八九十两]+)[个项类家条大种位名]")
_SEPARATORS = re.compile(r"[是和与及跟在把被到用]")


def content(text: str) -> str:
    """The question without boilerplate words and punctuation (segments joined by spaces)."""
    text = unicodedata.normalize("NFKC", text)
    for place in JIANGSU_PLACES + OTHER_PLACES:
        if place in text:
            text = text.replace(place, f" {place} ")
    text = _PUNCT.sub(" ", text)
    # '哪三个产业园' asks for what the plans call '三大产业园'
    text = _COUNT_ASKED.sub(r" \1大 ", text)
    text = _ORDINAL.sub(" ", text)  # '第十个' says where in a list, not what
    text = re.sub(r"现在|正在", " ", text)  # before the separators split their '在' off
    text = _SEPARATORS.sub(" ", text)
    return re.sub(r"\s+", " ", _BOILERPLATE.sub(" ", text)).strip()


_ENTITIES = re.compile(
    r"([\u4e00-\u9fffA-Za-z0-9]{2,12})(?:和|与|及|跟|、)([\u4e00-\u9fffA-Za-z0-9]{2,12})(?:分别|各自|各)"
)


def entities(text: str) -> list[str]:
    """The two things a question asks about side by side: '林洋能源和南通大学分别……'."""
    m = _ENTITIES.search(unicodedata.normalize("NFKC", text))
    return [m.group(1), m.group(2)] if m else []


_LETTER = re.compile(r"(?<![A-Za-z])([A-Z])(?![A-Za-z])")


def acronym_letter(text: str, standalone: str) -> str | None:
    """'其中的E指什么' after a question about 'SUPER工程': a lone capital letter of an acronym the
    conversation names (the plans spell such acronyms out: '科技园区赋能（Enhance）')."""
    m = _LETTER.search(text)
    if not m:
        return None
    letter = m.group(1)
    acronyms = re.findall(r"[A-Z]{2,}", standalone)
    return letter if any(letter in a for a in acronyms) else None


def without_plan_names(text: str, plans: PlanDirectory | None = None) -> str:
    """The question with the words that name plans removed: in a comparison each plan is answered on
    its own, and another plan's name ('省规划') is not what is asked of this one."""
    for word in (plans or shipped_directory()).all_names:
        text = text.replace(word, " ")
    return text


def content_grams(text: str) -> set[str]:
    """Character n-grams within the question's content words (jieba with the policy dictionary), so
    no n-gram straddles two words ('划提' in '规划提了') and question words add nothing."""
    from retrieval import segment

    out: set[str] = set()
    for piece in content(text).split(" "):
        for word in segment.words(piece) if piece else ():
            if len(word) >= 2 or word.isascii():
                out |= grams(word)
    return out


def plan_hints(text: str, plans: PlanDirectory | None = None) -> list[str]:
    """The plans a question names or implies (assistant.plans.PlanDirectory.hints)."""
    return (plans or shipped_directory()).hints(text).doc_ids


_COUNTED = re.compile(
    r"(?<![第\d])[两三四五六七八九十]+[大个项类条种家所座]|都是些啥|都有啥|有啥|是些啥|哪几"
)
_EACH = re.compile(r"各(是|定|有|为|自|要|达到|多少|提|说|讲|写|怎么)|谁(最|更)?(高|多|大|低|少)|哪个(最|更)")
# words that ask for results or for targets, besides the period words of the plans asked about
# (assistant.scope.period_words: '十三五|2020年' and '十四五|2025' for the shipped plans)
_PAST_CUES = "实绩|完成情况|完成了|做到|现在|目前|已经|去年|基础"
_FUTURE_CUES = "目标|到.{0,4}年|要达到|力争|将要|计划|打算|争取|想要|冲到|冲进|冲刺"


@functools.lru_cache(maxsize=64)
def _time_patterns(words: PeriodWords) -> tuple[re.Pattern, re.Pattern, re.Pattern]:
    return (
        re.compile(f"{words.past}|{_PAST_CUES}"),
        re.compile(f"{_FUTURE_CUES}|{words.future}"),
        re.compile(words.future),
    )


def time_orientation(text: str, words: PeriodWords = DEFAULT_PERIOD_WORDS) -> str | None:
    """'past' (results of the term before the plans'), 'future' (the plans' targets) or None."""
    past_re, future_re, horizon = _time_patterns(words)
    past, future = bool(past_re.search(text)), bool(future_re.search(text))
    if past and not horizon.search(text):
        return "past"
    if future and not past:
        return "future"
    return None


def dates_itself(text: str, words: PeriodWords = DEFAULT_PERIOD_WORDS) -> bool:
    """Whether the text says whether it asks for results or targets."""
    past_re, future_re, _ = _time_patterns(words)
    return bool(past_re.search(text) or future_re.search(text))


# The asker describing themselves before the question ('我在苏州一所高校工作，', '我们是常州武进的
# 企业，'): the clause runs from the pronoun to the next comma or full stop.
_ASKER_CLAUSE = re.compile(
    r"(?:^|[，,。；;！!])\s*(?:我们|我司|我单位|本人|本公司|俺们|咱们|我|俺)(?:是|在|位于|来自|从)?[^，,。；;？?！!]{0,30}"
)


def asker_places(text: str, places: list[str], plans: PlanDirectory | None = None) -> list[str]:
    """The places named only in the asker's description of themselves, when the question also
    names a place or plan of its own: '我在苏州一所高校，按苏南规划……' asks about the 苏南 plan, and
    苏州 is where the asker is. A question that is all description ('我们苏州的企业能享受什么')
    keeps its place."""
    clauses = " ".join(m.group(0) for m in _ASKER_CLAUSE.finditer(text))
    if not clauses:
        return []
    rest = _ASKER_CLAUSE.sub(" ", text)
    framed = [p for p in places if p in clauses and p not in rest]
    topic = [p for p in places if p in rest]
    return framed if topic or plan_hints(rest, plans) else []


_ASKING = re.compile(r"哪|什么|多少|几[个家项条]|吗|呢|怎么|如何|能否|是否|有没有|啥")


def asked_clause(text: str) -> str:
    """The clause that asks, when the question opens with the asker describing themselves
    ('我们是……企业，人手不够，省规划里有哪些税收优惠？' → the last clause); else the text."""
    if not _ASKER_CLAUSE.match(text):
        return text
    clauses = [c for c in re.split(r"[，,；;。]", text) if c.strip()]
    asking = [c for c in clauses[1:] if _ASKING.search(c)]
    return asking[-1] if asking else text


def detect_intent(text: str, places: list[str], scopes: int) -> str:
    """The intent of a question naming `places` and `scopes` plan scopes (PlanHints.scopes)."""
    text = _POINTS_BACK.sub(" ", text)
    # places inside one another (常州 and 武进, 苏南 and 苏州) are one scope, not two to compare
    distinct = gazetteer().outermost([p for p in places if p not in ("江苏", "江苏省")])
    several = len(distinct) >= 2 or scopes >= 2
    if (INTENT_PATTERNS["compare"].search(text) or _EACH.search(text)) and (
        several or "和" in text or "与" in text
    ):
        return "compare"
    if several and INTENT_PATTERNS["number"].search(text):
        return "compare"
    if _COUNTED.search(text) and not re.search(r"多少|几[家个项]?[？?]?$", text):
        return "list"  # '三大产业创新集群是什么' asks for the three
    if INTENT_PATTERNS["definition"].search(text):
        return "definition"
    if INTENT_PATTERNS["eligibility"].search(text) and re.search(
        r"企业|公司|我们|我司|单位|机构|人才|人员|团队|高校|个人|创业|青年|科学家|我是", text
    ):
        return "eligibility"
    if INTENT_PATTERNS["list"].search(text):
        return "list"
    if INTENT_PATTERNS["number"].search(text):
        return "number"
    return "general"


def is_followup(text: str, history_questions: list[str]) -> bool:
    if not history_questions:
        return False
    stripped = content(text).replace(" ", "")
    return bool(_FOLLOWUP_START.match(text.strip()) or _POINTS_BACK.search(text)) or len(stripped) <= 8


def out_of_scope_reason(
    text: str,
    places: list[str],
    other_places: list[str],
    plans: PlanDirectory | None = None,
    doc_hints: list[str] | None = None,
) -> str | None:
    """Why the plans cannot answer: a request of another kind, a time the plans it names (or, naming
    none, all plans) do not cover, or a place no plan covers."""
    for pattern, reason in OUT_OF_SCOPE:
        if pattern.search(text):
            return reason
    coverage = (plans or shipped_directory()).coverage_for(tuple(doc_hints or ()))
    return period_reason(text, coverage) or place_reason(places, other_places, coverage)


_UNIT = re.compile(
    r"(?:多少|几)(万亿元|亿元|万元|万家|万人|家|件|个|人|名|位|项|所|座|条|倍)|百分之(?:多少|几)|(?:多少|几)(%|％)"
)


def asked_unit(text: str) -> str | None:
    """'多少家' → '家', '多少亿元' → '亿元', '百分之多少' → '%'."""
    match = _UNIT.search(_POINTS_BACK.sub(" ", text))  # '中天那几家呢' points back, it asks no count
    if not match:
        return None
    return match.group(1) or "%"


@functools.cache
def _alias_groups() -> tuple[tuple[str, ...], ...]:
    from retrieval.terms import load_aliases

    return tuple(tuple(unicodedata.normalize("NFKC", n) for n in g) for g in load_aliases())


def alias_mentions(text: str) -> dict[str, list[str]]:
    """Names from the alias list that the question uses, each with the group's other names."""
    out: dict[str, list[str]] = {}
    for group in _alias_groups():
        for name in sorted(group, key=len, reverse=True):
            if len(name) >= 2 and name in text:
                out[name] = [n for n in group if n != name]
                break
    return out


def carried_scope_reason(
    earlier: str, own_places: list[str], own_years: list[str], plans: PlanDirectory | None = None
) -> str | None:
    """Why the turn a follow-up leans on is out of scope ('浙江……？' → '那具体数字呢？'): a follow-up
    cannot escape the refusal its first turn would get, except by naming its own place (for a
    place) or its own year (for a year)."""
    plans = plans or shipped_directory()
    earlier = unicodedata.normalize("NFKC", earlier)
    if own_years:
        earlier = _YEAR.sub(" ", earlier)
    places = own_places or find_places(earlier, known_places(plans))
    others = [] if own_places else other_places(earlier, places, plans)
    return out_of_scope_reason(earlier, places, others, plans, plans.hints(earlier).doc_ids)


def known_places(plans: PlanDirectory) -> tuple[str, ...]:
    """Jiangsu's places and those the corpus's added plans cover, longest first."""
    return _known_places(plans.added_places)


@functools.lru_cache(maxsize=16)  # one entry per corpus: sorted once, not once a question
def _known_places(added: tuple[str, ...]) -> tuple[str, ...]:
    if not added:
        return JIANGSU_PLACES
    return tuple(sorted({*JIANGSU_PLACES, *added}, key=lambda p: (-len(p), p)))


def other_places(text: str, places: list[str], plans: PlanDirectory) -> list[str]:
    """Places outside Jiangsu that the question names and no plan covers."""
    return [p for p in find_places(text, OTHER_PLACES) if p not in places and p not in plans.added_places]


@functools.cache
def _framing() -> tuple[re.Pattern, ...]:
    import yaml

    path = Path(__file__).resolve().parent / "data" / "framing.yaml"
    return tuple(re.compile(e["pattern"]) for e in yaml.safe_load(path.read_text(encoding="utf-8")))


def without_framing(text: str) -> str:
    """The question without the words that frame it: '请起草答复：有群众来信问，X？' → 'X？'."""
    out = text
    for pattern in _framing():
        out = pattern.sub("", out)
    out = out.strip(" ，,：:。")
    return out if len(out) >= 4 else text


# a two-character name is checked as a word at this many of its uses in the corpus, each cut by
# jieba with the characters around it (cutting the whole corpus took 100 s at 500 plans)
WORD_CHECK_USES = 20
WORD_CHECK_CONTEXT = 12  # characters on each side of a use


@functools.lru_cache(maxsize=8192)
def _is_corpus_word(name: str, corpus: str) -> bool:
    """Whether the corpus uses `name` as a word somewhere (not only inside others: 高企 in 提高企业)."""
    from retrieval import segment

    start = 0
    for _ in range(WORD_CHECK_USES):
        i = corpus.find(name, start)
        if i < 0:
            return False
        window = corpus[max(0, i - WORD_CHECK_CONTEXT) : i + len(name) + WORD_CHECK_CONTEXT]
        if name in segment.words(window):
            return True
        start = i + 1
    return False


def askers_words_in_plan_terms(text: str, thesaurus, plans: PlanDirectory | None = None) -> list[str]:
    """The plans' names for the words of the question the plans never use themselves ('高企' →
    高新技术企业, '研发强度' → 研发投入占地区生产总值比重): the asker's words cannot be covered by any
    passage, the plans' names can. Words the plans do use keep their own weight ('高新区')."""
    corpus = getattr(thesaurus, "_corpus", "")
    plan_names = set((plans or shipped_directory()).all_names)  # where to look, not what is asked
    out = []
    for i, name, role in thesaurus.mentioned(text):
        if name in plan_names:
            continue
        if role != "canonical" and not (corpus and _used_in(name, thesaurus)):
            out.append(thesaurus._groups[i].canonical)
    return list(dict.fromkeys(out))


def in_plan_words(text: str, thesaurus, plans: PlanDirectory | None = None) -> str:
    """The question with each word the plans never use replaced by the plans' one name for it
    ('高企' → 高新技术企业, '十三五末' → 2020年, '研发强度' → 研发投入占地区生产总值比重), so its
    terms, years and places are those a passage can hold. A word with several plan names is left
    as it is (`askers_words_in_plan_terms` adds them all)."""
    corpus = getattr(thesaurus, "_corpus", "")
    if not corpus:
        return text
    plan_names = set((plans or shipped_directory()).all_names)
    groups: dict[str, set[int]] = {}
    for i, name, role in thesaurus.mentioned(text):
        if role != "canonical" and name not in plan_names and not _used_in(name, thesaurus):
            groups.setdefault(name, set()).add(i)
    for name in sorted(groups, key=len, reverse=True):
        if len(groups[name]) == 1 and name in text:
            text = text.replace(name, thesaurus._groups[next(iter(groups[name]))].canonical)
    return text


def _used_in(name: str, thesaurus) -> bool:
    # a two-character name found inside the corpus may be part of other words (高企 in 提高企业):
    # it counts as used when it is one of the corpus's words
    return thesaurus.in_corpus(name) and (len(name) > 2 or _is_corpus_word(name, thesaurus._corpus))


def clean_history(questions: list[str]) -> list[str]:
    """Earlier questions, minus any that tried to change the rules (they carry no subject)."""
    return [q for q in questions if not INJECTION.search(q)]


def analyse(
    text: str,
    history_questions: list[str] | None = None,
    force_followup: bool = False,
    plans: PlanDirectory | None = None,
) -> Question:
    """Analyse a question; `history_questions` are the user's earlier questions, oldest first;
    `plans` is the corpus's plan directory (the shipped corpus's when not given)."""
    plans = plans or shipped_directory()
    thesaurus = plans.thesaurus or default_thesaurus()
    history_questions = [without_framing(q) for q in clean_history(history_questions or [])]
    # typos, traditional characters and English terms read as the plans' Chinese words
    # markup is not part of a question ('<img …> 南通……'): only its words are read
    # (English terms first: 'R&D' is a term before '&' is markup)
    text = without_framing(inert(thesaurus.normalise(unicodedata.normalize("NFKC", text))).strip())
    text = in_plan_words(text, thesaurus, plans)
    followup = is_followup(text, history_questions) or (force_followup and bool(history_questions))
    standalone = f"{history_questions[-1]} {text}" if followup else text
    # a follow-up that names its own place or plan replaces the earlier one ('苏南那边呢？')
    vocabulary = known_places(plans)
    own_places = find_places(text, vocabulary)
    own = plans.hints(text)
    own_hints = own.doc_ids
    places = own_places or find_places(standalone, vocabulary)
    others = other_places(text, places, plans)
    hints = own if own_hints else plans.hints(standalone)
    doc_hints = hints.doc_ids
    column_numbers = [int(n) for n in re.findall(r"专栏\s*(\d{1,2})", standalone)]
    years = _YEAR.findall(text)
    # a follow-up that names no place keeps its first turn's places ('研发经费年均增速呢？')
    scoped = text if own_places or not followup else standalone
    framed = asker_places(text, own_places, plans)
    must_have = [
        p
        for p in find_places(scoped, vocabulary + OTHER_PLACES)
        if p not in ("江苏", "江苏省", "全省", "我省") and p not in framed
    ]
    # a year before the plans' end (2025 for 十四五 plans) must be in the supporting passage; the end
    # is their horizon, which every target is for
    coverage = plans.coverage_for(tuple(doc_hints))
    must_have += [f"{y}年" for y in years if int(y) < coverage.end]
    period = period_words(coverage)
    intent = detect_intent(
        text if not followup else standalone, [p for p in places if p not in framed], len(hints.scopes)
    )
    unit = asked_unit(text)
    return Question(
        text=text,
        standalone=standalone,
        intent=intent,
        terms=content_grams(
            " ".join([standalone, *askers_words_in_plan_terms(standalone, thesaurus, plans)])
        ),
        own_terms=content_grams(text),
        places=places,
        other_places=others,
        doc_hints=doc_hints,
        plan_scopes=list(hints.scopes),
        column_numbers=column_numbers,
        years=years,
        must_have=must_have,
        unit=unit,
        time=time_orientation(text if not followup or dates_itself(text, period) else standalone, period),
        period_words=period,
        out_of_scope=out_of_scope_reason(text, places, others, plans, doc_hints)
        or (carried_scope_reason(history_questions[-1], own_places, years, plans) if followup else None),
        aliases=alias_mentions(standalone),
        loose_hint=hints.loose,
        quoted=[m for m in re.findall(r"[“\"]([^”\"]{1,20})[”\"]", text) if m.strip()],
        followup=followup,
        position=ordinal(text)
        or (ordinal(history_questions[-1]) if followup and _POINTS_AT_ITEM.search(text) else None),
        entities=entities(text),
        letter=acronym_letter(text, standalone),
        details=asked_details(text),
        asked_terms=content_grams(asked_clause(text)) if not followup else set(),
    )
