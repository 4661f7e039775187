"""What a plan says about itself: title, 文号, issuer, date, region, level, kind and period,
inferred from its text when an operator adding it does not say (`planqa add`, the admin page).

Pure functions over the text a reader produced; each field is None (or '') when the text gives
no evidence for it, never a guess from the five shipped plans.
"""

from __future__ import annotations

import hashlib
import re

from retrieval import lines as L

HEADER_LINES = 40  # the notice header and the title sit in the first lines of a plan
_NOTICE_TITLE = re.compile(r"关于印发.*?《(.+?)》|关于印发(.+?)的通知")
_QUOTED = re.compile(r"《(.+?)》")
_DOC_NUMBER = re.compile(
    r"([\u4e00-\u9fff]{1,8})\s*[〔\[［(（【]\s*((?:19|20)\d\d)\s*[〕\]］)）】]\s*(\d{1,4})\s*号"
)
_DATE = re.compile(r"((?:19|20)\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_CN_DATE = re.compile(
    r"([〇零一二三四五六七八九]{4})年([十一二三四五六七八九]{1,3})月([十一二三四五六七八九]{1,3})日"
)
_ISSUER_END = re.compile(
    r"(人民政府|办公厅|办公室|委员会|科学技术厅|科技厅|科技局|发展改革委|发展和改革委员会|[厅局委办])$"
)
_YEARS = re.compile(r"((?:19|20)\d\d)\s*[-－—–~～至到]\s*((?:19|20)\d\d)\s*年?")
_FIVE_YEAR = re.compile(r"[“\"]?十([一二三四五六七八九])五[”\"]?")
# The 十N五 plans: 十一五 2006–2010 … 十四五 2021–2025, 十五五 2026–2030.
FIRST_FIVE_YEAR_START = 1951  # the first plan, 1953, was late; from 十一五 on they start at 1951 + 5(N-1)
_CN_DIGIT = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0}
# zones: what a title calls an area that is neither a province, a city nor a county
ZONE_WORDS = (
    "自主创新示范区",
    "示范区",
    "高新区",
    "高新技术产业开发区",
    "开发区",
    "自贸试验区",
    "新区",
    "园区",
    "经济带",
    "都市圈",
    "城市群",
    "试验区",
)
# China's province-level divisions (a gazetteer: a name ending in 省 is not always a place, '科技强省')
PROVINCES = (
    "北京市",
    "天津市",
    "上海市",
    "重庆市",
    "河北省",
    "山西省",
    "辽宁省",
    "吉林省",
    "黑龙江省",
    "江苏省",
    "浙江省",
    "安徽省",
    "福建省",
    "江西省",
    "山东省",
    "河南省",
    "湖北省",
    "湖南省",
    "广东省",
    "海南省",
    "四川省",
    "贵州省",
    "云南省",
    "陕西省",
    "甘肃省",
    "青海省",
    "台湾省",
    "内蒙古自治区",
    "广西壮族自治区",
    "西藏自治区",
    "宁夏回族自治区",
    "新疆维吾尔自治区",
    "香港特别行政区",
    "澳门特别行政区",
)
_PROVINCE = "|".join(PROVINCES)
_PLACE = re.compile(
    f"^({_PROVINCE})?" + r"([\u4e00-\u9fff]{2,4}?(?:市|自治州|州|盟))?([\u4e00-\u9fff]{1,4}?(?:县|区|旗))?"
)
_KINDS = (
    ("outline", ("提纲", "摘要")),
    ("plan", ("规划", "纲要", "计划", "方案", "行动")),
    ("notice", ("通知",)),
)


def header_lines(text: str) -> list[str]:
    return [ln.strip() for ln in text.splitlines()[: HEADER_LINES * 3] if ln.strip()][:HEADER_LINES]


def infer_title(text: str, hint: str | None = None) -> str | None:
    """《…》 in a 关于印发…的通知 line; else a title the file declares; else the first line that
    looks like a title (short, not a heading, 文号, date or addressee line)."""
    lines = header_lines(text)
    for line in lines:
        line = L.squeeze_cjk_spaces(line)
        if match := _NOTICE_TITLE.search(line):
            return (match.group(1) or match.group(2)).strip()
    if hint:
        return hint.strip()
    for line in lines:
        if 4 <= len(line) <= 60 and not _looks_like_furniture(line) and not re.search(r"[，。；！？]", line):
            return line.strip("《》")
    return None


def _looks_like_furniture(line: str) -> bool:
    return bool(
        L.parse_heading(line)
        or _DOC_NUMBER.search(line)
        or _DATE.search(line)
        or line.endswith(("：", ":", "。"))
        or line.endswith("文件")
        or L.parse_column_title(line)
    )


def infer_doc_number(text: str) -> str | None:
    """苏政办发〔2021〕62号 (brackets of any shape normalised to 〔〕)."""
    for line in header_lines(text):
        if match := _DOC_NUMBER.search(line):
            return f"{match.group(1)}〔{match.group(2)}〕{match.group(3)}号"
    return None


def parse_date(line: str) -> str | None:
    """'2021年9月2日' or '二〇二一年九月二日' → '2021-09-02'."""
    if match := _DATE.search(line):
        y, m, d = (int(g) for g in match.groups())
    elif match := _CN_DATE.search(line):
        y = int("".join(str(_CN_DIGIT[c]) for c in match.group(1)))
        m, d = (_cn_small(g) for g in match.groups()[1:])
    else:
        return None
    return f"{y:04d}-{m:02d}-{d:02d}" if 1 <= m <= 12 and 1 <= d <= 31 else None


def _cn_small(text: str) -> int:
    if text == "十":
        return 10
    if text.startswith("十"):
        return 10 + _CN_DIGIT[text[1]]
    if "十" in text:
        tens, _, ones = text.partition("十")
        return _CN_DIGIT[tens] * 10 + (_CN_DIGIT[ones] if ones else 0)
    return _CN_DIGIT[text]


def infer_published(text: str) -> str | None:
    """The first date on a line of its own in the header (the notice's signing date)."""
    for line in header_lines(text):
        if len(line) <= 16 and (date := parse_date(line)):
            return date
    return None


def infer_issuer(text: str) -> str | None:
    """The signing bodies: short lines ending like an authority's name just above the date, or
    the body before 关于印发 in the notice title."""
    lines = header_lines(text)
    for i, line in enumerate(lines):
        if len(line) <= 16 and parse_date(line):
            names = []
            for above in reversed(lines[max(0, i - 3) : i]):
                if len(above) <= 20 and _ISSUER_END.search(above):
                    names.insert(0, above)
                else:
                    break
            if names:
                return "、".join(names)
    for line in lines:
        line = L.squeeze_cjk_spaces(line)
        if (
            "关于印发" in line
            and (body := line.split("关于印发")[0].strip())
            and _ISSUER_END.search(body.split()[-1])
        ):
            return body
    return None


def infer_period(title: str, text: str = "") -> str | None:
    """'（2021-2025年）' → '2021-2025'; 十四五 → 2021-2025, 十五五 → 2026-2030; title first."""
    for source in (title, text[:3000]):
        if match := _YEARS.search(source):
            return f"{match.group(1)}-{match.group(2)}"
        if match := _FIVE_YEAR.search(source):
            n = 10 + "一二三四五六七八九".index(match.group(1)) + 1
            start = FIRST_FIVE_YEAR_START + 5 * (n - 1) + 5  # 十一五 (n=11) → 2006
            return f"{start}-{start + 4}"
    return None


def infer_place(title: str, text: str = "") -> tuple[str, str]:
    """(region, level) from the title: 江苏省 → province, 南通市 → city, 如东县 → county, a
    示范区/高新区/… → zone (region: the words before it); else the place the text names most, 'other'."""
    plain = re.sub(r"[“”\"《》\s]", "", title)
    for word in ZONE_WORDS:
        if word in plain:
            head = plain.split(word)[0]
            head = re.sub(r"(国家|省级|国际)$", "", head)
            return head or plain.split(word)[0] + word, "zone"
    match = _PLACE.match(plain)
    if match and any(match.groups()):
        province, city, county = match.groups()
        if county and not county.endswith("区") or county and len(county) >= 3:
            return county, "county"
        if city:
            return city, "city"
        return province, "province"
    counts: dict[str, int] = {}
    for name in re.findall(_PROVINCE, text[:4000]):
        counts[name] = counts.get(name, 0) + 1
    if counts:
        return max(counts, key=counts.get), "other"
    return "", "other"


def infer_kind(title: str) -> str:
    for kind, words in _KINDS:
        if any(w in title for w in words):
            return kind
    return "other"


def derive_doc_id(filename: str, title: str, taken: set[str] = frozenset()) -> str:
    """An ASCII id, stable for the same file: the file name's ASCII words ('Nantong_Plan 2026.pdf'
    → 'nantong-plan-2026'), else 'plan-' + a hash of the title; '-2', '-3'… if taken."""
    stem = filename.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    words = re.findall(r"[a-z0-9]+", stem.lower())
    base = "-".join(words)[:60].strip("-")
    if len(base) < 3 or not re.search(r"[a-z]", base):
        base = "plan-" + hashlib.sha1(title.encode("utf-8")).hexdigest()[:8]
    doc_id, n = base, 2
    while doc_id in taken:
        doc_id, n = f"{base}-{n}", n + 1
    return doc_id


def infer_metadata(text: str, hints: dict | None = None, filename: str = "") -> dict:
    """Every manifest field the text gives evidence for (see the module docstring)."""
    hints = hints or {}
    title = infer_title(text, hints.get("title")) or filename.rsplit(".", 1)[0] or "未命名文档"
    region, level = infer_place(title, text)
    return {
        "title": title,
        "issuer": infer_issuer(text),
        "doc_number": infer_doc_number(text),
        "published": infer_published(text),
        "region": region,
        "level": level,
        "kind": infer_kind(title),
        "period": infer_period(title, text),
    }
