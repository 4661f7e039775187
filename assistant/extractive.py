"""The offline answer backend: no model, answers composed from the plans' own words.

It recognises what is asked (a number, the items of a 专栏 or section, a table cell, a comparison
across plans, a support/eligibility question, a definition) and picks the sentences, items or table
rows that best cover the question, each tied to the span of the chunk it comes from. It never
writes a fact of its own: every segment shows text taken from its chunk.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.draft import Draft, Segment, source_label
from assistant.items import best_rows, list_items, matching_columns, row_label
from assistant.plans import PlanDirectory, gazetteer, shipped_directory
from assistant.question import (
    INTENT_PATTERNS,
    JIANGSU_PLACES,
    Question,
    analyse,
    asked_clause,
    content,
    content_grams,
    ordinal,
    without_plan_names,
)
from assistant.sibling_lists import counted_noun, heading_name, sibling_sections
from assistant.table_handler import TableHandler
from assistant.tables import OpKind
from assistant.text import GramWeights, clause_spans, grams, norm, sentence_spans
from retrieval.catalog import Catalog
from retrieval.models import Chunk, SearchHit

Retrieve = Callable[[str, Sequence[str] | None], list[SearchHit]]

_TARGET_WORDS = re.compile(r"到20\d\d年|达到|达|超过|力争|突破|以上|左右|不低于|翻一番|累计|新增")
_SUPPORT_WORDS = re.compile(
    r"支持|鼓励|落实|实施|推动|培育|加大|完善|引导|建立|提供|给予|扶持|优惠|奖补|加计扣除|贷款|基金|担保|保险|创新券"
)
_MAX_QUOTE = 220
# how much a heading a list question names whole counts over one that shares some of its words
NAMED_HEADING_BONUS = 0.2
_PERIOD_WORDS = re.compile(r"[“\"]?(?:十[一二三四五六七八九]五|20\d\d\s*[-—～~至]\s*20\d\d\s*年?)[”\"]?")


def loosely_in(name: str, text: str) -> bool:
    """The name, or its characters in order with short gaps ('研发投入达3000亿元、占地区生产总值比重'
    for 研发投入占地区生产总值比重): plans often split a long term around a figure."""
    if name in text:
        return True
    if len(name) < 6:
        return False
    return re.search("[^。；]{0,14}".join(map(re.escape, name)), text) is not None


@functools.cache
def _scope_grams(plans: PlanDirectory) -> frozenset[str]:
    scope: set[str] = set()
    for word in (*JIANGSU_PLACES, *plans.scope_words):
        scope |= grams(word)
    return frozenset(scope)


def scope_free(terms: set[str], plans: PlanDirectory | None = None) -> set[str]:
    """The question's n-grams without those of place and plan names (for per-plan sub-questions)."""
    return (terms - _scope_grams(plans or shipped_directory())) or terms


def container_score(title: float, intro: float) -> float:
    """How well a 专栏/section matches: its title counts most; an intro that names the concept
    ('统筹推进科技创新“七大行动”') can stand in for a plain title."""
    if title < 0.2:
        return title  # an intro alone does not make a section the answer's scope
    return 0.8 * max(title, 0.9 * intro) + 0.2 * min(title, intro)


def item_named(label: str, question: str) -> bool:
    """Whether the question names a list item by its label ('新一代信息技术' in '……新一代信息技术领域的……')."""
    name = re.sub(r"^\d{1,2}\s*[.．、]\s*", "", label).strip('“”"： ')
    return len(name) >= 2 and norm(name) in norm(question)


_CN_COUNT = "零一二三四五六七八九十"
_ITEM_START = re.compile(r"[ \t]*(?:\d{1,2}\s*[.．、]|（\d{1,2}）|[A-F][^\n：:]{2,12}[：:])")
_LETTER_IN = re.compile(r"(?<![A-Za-z])[A-Z](?![A-Za-z])")


def enumerated(text: str, start: int, end: int, n: int) -> tuple[int, int] | None:
    """The span of the n-th element of an enumeration that states its own count inside
    text[start:end] ('人工智能、量子信息、……、深空深海等十大……' → n=10: '深空深海')."""
    sentence = text[start:end]
    for m in re.finditer(r"等([一二三四五六七八九十]|\d{1,2})[大个项类种]", sentence):
        count = int(m.group(1)) if m.group(1).isdigit() else _CN_COUNT.index(m.group(1))
        if count < n:
            continue
        head = sentence[: m.start()]
        cut = max(head.rfind(p) for p in "，,：:；;")  # the enumeration starts after the last clause break
        elements = head[cut + 1 :].split("、")
        if len(elements) != count:
            continue
        offset = start + cut + 1 + sum(len(e) + 1 for e in elements[: n - 1])
        return offset, offset + len(elements[n - 1])
    return None


# who an asker says they are: the kinds of applicant the plans' measures name
_ASKER_KIND_GRAMS = frozenset(
    grams("企业 中小企业 小微企业 科技型 高新技术企业 高校 科研院所 人才 青年 团队 创业 机构 新型研发机构")
)
_ORDINAL_POINTS = "一二三四五六七八九十"


def enumeration_rest(segments: list[Segment], following) -> list[Segment]:
    """A list answer whose quote opens an enumeration ('……“三期叠加”……。一是……') goes on with
    the enumeration's later points ('二是……', '三是……'), in its passage or the section's next
    passages (`following(chunk)`), each point its own quote: the points are what is asked for."""
    out: list[Segment] = []
    for seg in segments:
        out.append(seg)
        opened = [k for k, c in enumerate(_ORDINAL_POINTS) if f"{c}是" in seg.chunk.text[seg.start : seg.end]]
        if not opened or opened[0] != 0:
            continue
        n = max(opened) + 1
        for chunk, pos in [(seg.chunk, seg.end), *((c, 0) for c in following(seg.chunk))]:
            while n < len(_ORDINAL_POINTS):
                m = _POINT[n].search(chunk.text, pos)
                if m is None:
                    break
                out.append(Segment(chunk, m.start(1), m.end()))
                n, pos = n + 1, m.end()
    return out


_POINT = [re.compile(rf"(?:^|(?<=[。；;\n]))\s*({c}是[^。；;\n]*[。；;]?)") for c in _ORDINAL_POINTS]


@dataclass
class Scored:
    chunk: Chunk
    start: int
    end: int
    score: float


class ExtractiveAnswerer:
    """Composes answers from retrieved chunks; `weights` are n-gram IDFs over the corpus."""

    name = "extractive"

    def __init__(self, catalog: Catalog, weights: GramWeights, plans: PlanDirectory | None = None):
        self.catalog = catalog
        self.weights = weights
        self.plans = plans or shipped_directory()
        self.tables = TableHandler(catalog)

    # ------------------------------------------------------------ helpers

    def eligible(self, q: Question, chunk: Chunk) -> bool:
        """A passage can support the answer only if it names what the question names. A figure
        must be the named place's own; a measure of a plan that covers the place applies to it
        ('无锡的企业能……' is answered by the 苏南 plan, whose region lists 无锡)."""
        measures = q.intent in ("eligibility", "list", "general", "definition")
        region = chunk.region if measures else chunk.region.split("（")[0]
        haystack = f"{chunk.search_text} {region}"
        places = [m for m in q.must_have if not m.endswith("年")]
        if measures and chunk.level == "province" and all(p in JIANGSU_PLACES for p in places):
            places = []  # the province's measures apply in every city of the province
        if measures:  # a county's measures are its city's ('武进的企业' → 常州 in the 苏南 plan)
            places = [gazetteer().city_of(p) or p for p in places]
        years = [m for m in q.must_have if m.endswith("年")]
        return all(y in haystack for y in years) and (not places or any(p in haystack for p in places))

    @staticmethod
    def has_unit(q: Question, text: str) -> bool:
        if not q.unit:
            return True
        unit = "%％" if q.unit == "%" else None
        pattern = r"\d[\d.]*\s*[%％]" if unit else rf"\d[\d.]*\s*(?:多)?\s*{re.escape(q.unit)}"
        if q.unit in ("家", "件", "个", "名", "人", "项", "所", "座", "条"):
            pattern = rf"(?:\d[\d.]*|[一二三四五六七八九十百千万]+)\s*(?:万|余|多)?\s*{re.escape(q.unit)}"
        return re.search(pattern, text) is not None

    def names_places(self, q: Question, chunk: Chunk, text: str) -> bool:
        """The places (and past years) a number question names must be named by the quote, its
        passage's address (section, table header) or the plan's region."""
        where = f"{text} {chunk.context} {chunk.region.split('（')[0]}"
        return all(p in where for p in q.must_have)

    @staticmethod
    def time_fit(q: Question, chunk: Chunk, text: str) -> float:
        """Targets for 2025 answer a question about targets; 十三五 results answer one about results."""
        if q.time is None:
            return 0.0
        if re.search(r"发展目标|主要目标", chunk.section):
            past, future = False, True
        elif re.search(r"发展基础|面临形势|机遇挑战", chunk.section):
            past, future = True, False
        else:
            past = bool(re.search(r"十三五|2020年|已|截至|目前|实绩", text))
            future = bool(re.search(r"2025|十四五|力争|到20\d\d年|目标", text))
        if past == future:
            return 0.0
        if future and q.time == "future":
            # the plan's headline targets live in its 发展目标/主要目标 section
            return 0.18 if re.search(r"发展目标|主要目标", chunk.section) else 0.08
        return 0.08 if past and q.time == "past" else -0.25

    def cover(self, q: Question, text: str) -> float:
        """Weighted share of the question's n-grams in the text, counting an alias as its name."""
        have = grams(text)
        for name, others in q.aliases.items():
            if any(loosely_in(o, text) for o in others):
                have |= grams(name)
        return self.weights.coverage(q.terms, have)

    @staticmethod
    def names_heading(q: Question, title: str) -> bool:
        """Whether a list question names every word of a heading: '保障措施' is named whole by
        '……保障措施包括哪些', '政策保障措施清单' only in part. Only a list question
        asks for a heading's parts; other questions are about a passage's content."""
        if q.intent != "list":
            return False
        bare = re.sub(
            r"^(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、|\d+[.．、]|[^专]*专栏\s*\d*[：:]?)\s*",
            "",
            title,
        )
        bare = _PERIOD_WORDS.sub("", bare)  # every heading of a 十四五 plan is about 十四五
        own = content_grams(bare)
        return bool(own) and own <= q.terms

    def chunk_score(self, q: Question, chunk: Chunk) -> float:
        score = self.cover(q, chunk.search_text)
        if q.followup and q.own_terms:  # this turn's own words say which passage it is about
            score += q.own_weight * self.weights.coverage(q.own_terms, grams(chunk.search_text))
        if chunk.doc_id in q.doc_hints:
            score += 0.08
        return score

    def ranked(self, q: Question, hits: list[SearchHit]) -> list[tuple[float, Chunk]]:
        scored = []
        for rank, hit in enumerate(hits):
            if not self.eligible(q, hit.chunk):
                continue
            scored.append((self.chunk_score(q, hit.chunk) + 0.02 / (1 + rank), hit.chunk))
        return sorted(scored, key=lambda t: -t[0])

    def narrow(self, q: Question, chunk: Chunk, start: int, end: int) -> tuple[int, int]:
        """Cut a long sentence down to the run of clauses that carries the matched terms."""
        text = chunk.text
        if end - start <= _MAX_QUOTE:
            return start, end
        clauses = clause_spans(text, start, end)
        if not clauses:
            return start, end
        scores = [
            self.cover(q, text[s:e]) + (0.3 if q.intent == "number" and re.search(r"\d", text[s:e]) else 0)
            for s, e in clauses
        ]
        best = max(range(len(clauses)), key=lambda i: scores[i])
        lo = hi = best
        while True:  # grow towards neighbours that also carry terms, within the length budget
            grew = False
            for j in (lo - 1, hi + 1):
                if (
                    0 <= j < len(clauses)
                    and scores[j] > 0.05
                    and clauses[max(hi, j)][1] - clauses[min(lo, j)][0] <= _MAX_QUOTE
                ):
                    lo, hi = min(lo, j), max(hi, j)
                    grew = True
            if not grew:
                break
        s, e = clauses[lo][0], clauses[hi][1]
        return s, e if text[e - 1] not in "，,；;：:" else e - 1

    def sentences(self, q: Question, chunk: Chunk, chunk_score: float) -> list[Scored]:
        out = []
        for s, e in sentence_spans(chunk.text):
            piece = chunk.text[s:e]
            score = 0.65 * self.cover(q, piece) + 0.35 * chunk_score
            if q.followup and q.own_terms:  # '那“10”呢？': this turn's own words pick the sentence
                score += q.own_weight * self.weights.coverage(q.own_terms, grams(piece))
            if any(f"“{quoted}”" in piece for quoted in q.quoted):
                score += 0.15  # the plan's own quoted term, quoted the same way
            if len(q.doc_hints) == 1 and chunk.doc_id == q.doc_hints[0]:
                score += 0.1  # the question names this plan
            if q.intent in ("number", "compare"):
                score += self.time_fit(q, chunk, piece)
                score += 0.12 if re.search(r"\d", piece) else -0.1
                score += 0.04 if _TARGET_WORDS.search(piece) else 0
                if q.unit and not self.has_unit(q, piece):
                    continue
                if self.cover(q, f"{piece} {chunk.context}") < 0.45:
                    continue  # a figure about something else
                if not self.names_places(q, chunk, piece):
                    continue
            if q.intent == "eligibility" and _SUPPORT_WORDS.search(piece):
                score += 0.08
            out.append(Scored(chunk, s, e, score))
        return out

    # ------------------------------------------------------------ intents

    def table_candidates(self, q: Question, ranked: list[tuple[float, Chunk]]) -> list[tuple[float, Chunk]]:
        """Tables among the retrieved chunks plus every table of the plans the question names: the
        corpus has few tables, and a table row is easy to miss by retrieval alone."""
        single = q.doc_hints[0] if len(q.doc_hints) == 1 and not q.loose_hint else None
        out = [(s, c) for s, c in ranked[:10] if c.kind == "table" and (single is None or c.doc_id == single)]
        seen = {c.chunk_id for _, c in out}
        docs = [single] if single else (q.doc_hints if not q.loose_hint else []) or list(self.catalog.by_doc)
        for doc in docs:
            for chunk in self.catalog.by_doc.get(doc, []):
                if chunk.kind == "table" and chunk.chunk_id not in seen and self.eligible(q, chunk):
                    out.append((self.chunk_score(q, chunk), chunk))
        return out

    def table_answer(
        self, q: Question, ranked: list[tuple[float, Chunk]]
    ) -> tuple[float, list[Segment]] | None:
        best = None
        for cscore, chunk in self.table_candidates(q, ranked):
            if chunk.table is None or not chunk.table.rows:
                continue
            rows = best_rows(chunk.text, chunk.table.header, chunk.table.rows, q.terms, self.weights)
            if not rows or (rows[0].score < 0.2 and not q.followup):
                continue  # no row names what is asked (a follow-up's rows are picked by its own words)
            score = 0.6 * rows[0].score + 0.4 * cscore + self.time_fit(q, chunk, chunk.context)
            if any(y not in chunk.search_text for y in q.years):
                score -= 0.15  # a table of 2020 results does not answer a question about 2025
            header_text = " ".join(chunk.table.header) + (chunk.table.title or "")
            if not self.names_places(q, chunk, header_text + " ".join(rows[0].row)):
                continue
            if q.unit and q.unit not in f"{header_text} {rows[0].row[0]} {' '.join(rows[0].row[1:3])}":
                continue  # '多少万亿元' is not answered by a row measured in %
            if any(p in chunk.table.header for p in q.must_have) or (
                chunk.table.header and matching_columns(chunk.table.header, q.text, q.text)
            ):
                score += 0.1  # the question names a column of this table ('苏州', '“十三五”实绩')
            if best is None or score > best[0]:
                best = (
                    score,
                    chunk,
                    [r for r in rows[:3] if r.score >= 0.6 * rows[0].score and r.score > 0.1],
                )
        if best is None or not best[2]:
            return None
        score, chunk, matches = best
        if q.followup and q.own_terms:  # '中天那几家呢？': this turn's own words pick the rows
            own = best_rows(chunk.text, chunk.table.header, chunk.table.rows, q.own_terms, self.weights)
            if own and own[0].score >= 0.5:
                matches = [r for r in own[:4] if r.score >= 0.8 * own[0].score]
        if len(q.entities) >= 2:  # 'A和B分别……': the best row for each of them, when each has one
            per_entity = [
                best_rows(chunk.text, chunk.table.header, chunk.table.rows, content_grams(e), self.weights)
                for e in q.entities
            ]
            if all(rows and rows[0].score >= 0.5 for rows in per_entity):
                matches = list({rows[0].line_start: rows[0] for rows in per_entity}.values())
        header = chunk.table.header
        cols = matching_columns(header, q.text, q.standalone) if header else []
        if cols:  # a row with no figure in the asked column ('/') answers nothing
            matches = [m for m in matches if any(m.row[i].strip("/ ") for i in cols if i < len(m.row))]
            if not matches:
                return None
        title = chunk.table.title or chunk.column or ""
        segments = []
        for match in matches:
            label = row_label(match.row, header) or match.row[0]
            if header and len(header) == len(match.row):
                names = set(label.split(" "))
                order = cols + [i for i in range(len(header)) if i not in cols]
                cells = "，".join(
                    f"{header[i]}：{match.row[i]}"
                    for i in order
                    if match.row[i] not in names and header[i] != "序号"
                )
                display = f"{label}（{cells}）" if cells else label
            else:
                display = "｜".join(match.row)
            lead = f"《{chunk.doc_title}》{title}：" if not segments else ""
            segments.append(Segment(chunk, match.line_start, match.line_end, lead=lead, display=display))
        return score, segments

    def sentence_answer(
        self,
        q: Question,
        ranked: list[tuple[float, Chunk]],
        limit: int,
        per_chunk: int = 1,
        top_chunks: int = 4,
        keep: float = 0.75,
    ) -> list[Scored]:
        pool: list[Scored] = []
        for cscore, chunk in ranked[:top_chunks]:
            if chunk.kind == "table":
                continue
            pool.extend(self.sentences(q, chunk, cscore))
        pool.sort(key=lambda s: -s.score)
        picked: list[Scored] = []
        used: dict[str, int] = {}
        for cand in pool:
            if used.get(cand.chunk.chunk_id, 0) >= per_chunk:
                continue
            if picked and cand.score < picked[0].score * keep:
                break
            picked.append(cand)
            used[cand.chunk.chunk_id] = used.get(cand.chunk.chunk_id, 0) + 1
            if len(picked) >= limit:
                break
        return picked

    def defining_sentence(
        self, q: Question, ranked: list[tuple[float, Chunk]], shown: list[Segment]
    ) -> list[Segment]:
        """The sentence that uses the quoted term in the running text ('以……为引领、以……为基础的
        “1+3+10+N”科技创新平台体系'): it says in one line what a 专栏 then spells out."""
        if not q.quoted:
            return []
        inside = {s.chunk.chunk_id for s in shown}
        best = None
        for _, chunk in ranked[:8]:
            if chunk.chunk_id in inside or chunk.kind == "table":
                continue
            for s, e in sentence_spans(chunk.text):
                piece = chunk.text[s:e]
                if any(f"“{term}”" in piece for term in q.quoted):
                    score = self.cover(q, piece) + (
                        0.1 if shown and chunk.doc_id == shown[0].chunk.doc_id else 0.0
                    )
                    if best is None or score > best[0]:
                        best = (score, chunk, s, e)
        if best is None:
            return []
        _, chunk, s, e = best
        s, e = self.narrow(q, chunk, s, e)
        return [Segment(chunk, s, e, lead=f"{source_label(chunk)}：")]

    def rest_of_section(self, q: Question, picked: list[Scored], per_chunk: int = 2) -> list[Scored]:
        """Support measures in the other chunks of the best section: a long section is split into
        chunks, and a user asking what support there is wants the section's measures, not half."""
        if not picked:
            return []
        best = picked[0].chunk
        used = {p.chunk.chunk_id for p in picked}
        out = []
        for chunk in self.catalog.neighbours(best):
            if chunk.chunk_id in used or chunk.kind == "table":
                continue
            found = [
                Scored(chunk, s, e, 0.0)
                for s, e in sentence_spans(chunk.text)
                if _SUPPORT_WORDS.search(chunk.text[s:e]) and self.cover(q, chunk.text[s:e]) >= 0.15
            ]
            out += found[:per_chunk]
        return out

    def to_segments(self, q: Question, picked: list[Scored], widen: int = 0) -> list[Segment]:
        """One segment per chunk: the picked sentences joined into one span (plan order), widened by
        neighbouring sentences up to `widen` characters so the context around a fact comes along."""
        by_chunk: dict[str, list[Scored]] = {}
        for p in picked:
            by_chunk.setdefault(p.chunk.chunk_id, []).append(p)
        segments = []
        for group in by_chunk.values():
            chunk = group[0].chunk
            if widen:
                start, end = min(p.start for p in group), max(p.end for p in group)
                start, end = self.widen(chunk, start, end, widen)
                segments.append(Segment(chunk, start, end, lead=f"{source_label(chunk)}："))
                continue
            for i, p in enumerate(sorted(group, key=lambda p: p.start)):
                s, e = self.narrow(q, chunk, p.start, p.end)
                segments.append(Segment(chunk, s, e, lead=f"{source_label(chunk)}：" if i == 0 else ""))
        return segments

    @staticmethod
    def widen(chunk: Chunk, start: int, end: int, limit: int) -> tuple[int, int]:
        """Grow a span by whole neighbouring sentences up to `limit` characters; a span inside a list
        item ('3. 企业创新跨越工程……') does not grow back into the items before it."""
        text = chunk.text
        spans = sentence_spans(text)
        before = [sp for sp in spans if sp[1] <= start]
        after = [sp for sp in spans if sp[0] >= end]
        line_start = text.rfind("\n", 0, start) + 1
        if _ITEM_START.match(text, line_start):
            before = [sp for sp in before if sp[0] >= line_start]
        while before or after:
            grew = False
            if after and after[0][1] - start <= limit:
                end = after.pop(0)[1]
                grew = True
            if before and end - before[-1][0] <= limit:
                start = before.pop()[0]
                grew = True
            if not grew:
                break
        return start, end

    def list_answer(self, q: Question, ranked: list[tuple[float, Chunk]]) -> Draft | None:
        """The items of a 专栏 or a section: '专栏2列了哪些项目？'."""
        target: list[Chunk] = []
        if q.column_numbers:
            found = self.numbered_column(q, ranked, q.column_numbers[0])
            target = self.catalog.column(found[2], found[3]) if found else []
        elif ranked:
            top = ranked[0][1]
            target = self.catalog.column(top.doc_id, top.column) if top.column else [top]
        if not target:
            return None
        return self.column_draft(q, target)

    def column_draft(self, q: Question, target: list[Chunk]) -> Draft | None:
        """The items of a 专栏 spread over one or more chunks (its rows, when it is a table)."""
        segments: list[Segment] = []
        # the kind of list is decided over the whole 专栏: one item per chunk is common
        kind, _ = list_items("\n".join(c.text for c in target if c.kind != "table"))
        intro = self.intro(q, target, kind)
        for chunk in target:
            items = list_items(chunk.text, kind=kind, min_items=1)[1] if kind else []
            if chunk.kind == "table" and chunk.table and chunk.table.rows:
                for row in chunk.table.rows:
                    line = "\t".join(row)
                    pos = chunk.text.find(line)
                    if pos >= 0:
                        numbered = bool(chunk.table.header) and chunk.table.header[0] == "序号"
                        cells = row[1:] if numbered else row
                        segments.append(
                            Segment(
                                chunk,
                                pos,
                                pos + len(line),
                                lead="· ",
                                display="｜".join(c for c in cells if c),
                            )
                        )
                continue
            named = [i for i in items if item_named(i.label, q.text)]
            if named and len(named) < len(items):  # '新一代信息技术领域的攻关方向': that item only
                items = named
            for item in items:
                end = item.end
                line_end = chunk.text.find("\n", item.end)
                line_end = len(chunk.text) if line_end < 0 else line_end
                # '“1”：……' says nothing without its text; a short 'label：text' line is shown whole;
                # an item the question names is shown with its text
                if (
                    len(item.label.strip("“”")) <= 4
                    or (kind == "labelled" and line_end - item.start <= 160)
                    or named
                ):
                    end = line_end
                segments.append(Segment(chunk, item.start, end, lead="· "))
        if len([s for s in segments if s.chunk.kind != "table"]) in (1, 2) and not any(
            c.kind == "table" for c in target
        ):
            return self.prose_draft(q, target)  # two long items: their sentences say more than their titles
        if not segments:
            return self.prose_draft(q, target)
        segments = intro + segments
        first = target[0]
        where = first.column or (first.section_path[-1] if first.section_path else "")
        preface = f"《{first.doc_title}》{where}包括以下内容："
        notes = []
        if q.column_numbers and not q.doc_hints:
            others = [
                f"《{self.catalog.by_doc[d][0].doc_title}》的{label}"
                for d, label in self.catalog.columns()
                if d != first.doc_id and re.match(rf"^(创新布局)?专栏{q.column_numbers[0]}(?!\d)", label)
            ]
            if others:
                notes.append("另：" + "；".join(others[:3]) + "。如需查询，请在问题中注明规划名称。")
        return Draft(segments=segments, intent="list", preface=preface, notes=notes)

    def intro(self, q: Question, target: list[Chunk], kind: str | None) -> list[Segment]:
        """Sentences before the first item of a 专栏 that speak to the question ('聚焦海工船舶……')."""
        first = next((c for c in target if c.kind != "table"), None)
        if first is None:
            return []
        items = list_items(first.text, kind=kind, min_items=1)[1] if kind else []
        end = items[0].start if items else len(first.text)
        out = []
        for s, e in sentence_spans(first.text[:end]):
            if self.cover(q, first.text[s:e]) >= 0.3:
                s2, e2 = self.narrow(q, first, s, e)
                out.append(Segment(first, s2, e2))
        return out[:2]

    def prose_draft(self, q: Question, target: list[Chunk], limit: int = 6) -> Draft | None:
        """A 专栏 or section without list items: its sentences, most relevant first, plan order."""
        scored = [s for chunk in target if chunk.kind != "table" for s in self.sentences(q, chunk, 0.0)]
        if not scored:
            return None
        scored.sort(key=lambda s: -s.score)
        return Draft(segments=self.to_segments(q, scored[:limit], widen=360), intent="list")

    def best_container(
        self, q: Question, ranked: list[tuple[float, Chunk]]
    ) -> tuple[float, str, str, tuple] | None:
        """The 专栏 or section whose title best matches the question: (score, kind, doc_id, key)."""
        docs = q.doc_hints or list(dict.fromkeys(c.doc_id for _, c in ranked[:4]))
        best = None
        for doc in docs:
            for _, label in self.catalog.columns(doc):
                chunks = self.catalog.column(doc, label)
                # a 专栏 in several chunks (one per field: '新一代信息技术：……') opens in each of them
                opening = max(self.cover(q, c.text[:200]) for c in chunks)
                score = container_score(self.cover(q, f"{chunks[0].doc_title} {label}"), opening)
                score += 0.05  # a 专栏 is a list by nature: on a near-tie with a section, prefer it
                score += NAMED_HEADING_BONUS * self.names_heading(q, label)
                if best is None or score > best[0]:
                    best = (score, "column", doc, label)
            for path in self.catalog.paths(doc):
                own = self.catalog.at(doc, path)
                intro = own[0].text[:200] if own else ""
                title = self.catalog.by_doc[doc][0].doc_title
                score = container_score(self.cover(q, f"{title} {path[-1]}"), self.cover(q, intro))
                score += NAMED_HEADING_BONUS * self.names_heading(q, path[-1])
                if best is None or score > best[0]:
                    best = (score, "section", doc, path)
        top = ranked[0][1] if ranked else None
        if best and best[1] == "section" and top and top.column and top.doc_id == best[2]:
            # the passage that matches best is a 专栏 inside the section found: the 专栏 is the list
            if tuple(top.section_path[: len(best[3])]) == tuple(best[3]):
                return best[0], "column", top.doc_id, top.column
        return best

    def container_answer(self, q: Question, ranked: list[tuple[float, Chunk]]) -> Draft | None:
        found = self.best_container(q, ranked)
        if found is None or found[0] < 0.5:
            return None
        draft = self._container_draft(q, *found[1:])
        if draft is not None:
            draft.support = found[0]
        return draft

    def _container_draft(self, q: Question, kind: str, doc: str, key) -> Draft | None:
        if kind == "column":
            return self.column_draft(q, self.catalog.column(doc, key))
        children = self.catalog.children(doc, key)
        if len(children) >= 2:
            segments = []
            for child in children:
                under = self.catalog.section(doc, list(child), include_columns=True)
                if not under:
                    continue
                first = under[0]
                spans = sentence_spans(first.text) or [(0, len(first.text))]
                segments.append(Segment(first, spans[0][0], spans[0][1], lead="· ", display=child[-1]))
            if len(segments) >= 2:
                where = key[-1]
                # the section's opening often names its parts in one line ('组织实施……等七大工程')
                opening = self.catalog.at(doc, key)[:1]
                intro = self.intro(q, opening, None) if opening else []
                return Draft(
                    segments=intro[:1] + segments,
                    intent="list",
                    preface=f"《{self.catalog.by_doc[doc][0].doc_title}》“{where}”包括：",
                )
        own = self.catalog.section(doc, list(key))
        if not own:
            return None
        found_kind, items = list_items(own[0].text)
        if items:
            return self.column_draft(q, own)
        return self.prose_draft(q, own)

    def numbered_column(
        self, q: Question, ranked: list[tuple[float, Chunk]], number: int
    ) -> tuple[float, str, str, str] | None:
        """('column', doc_id, label) of 专栏<number> in the plan the question names or retrieval found."""
        docs = q.doc_hints or [c.doc_id for _, c in ranked] or list(self.catalog.by_doc)
        for doc in dict.fromkeys(docs):
            for doc_id, label in self.catalog.columns(doc):
                if re.match(rf"^专栏{number}(?!\d)", label) or (
                    re.match(rf"^创新布局专栏{number}(?!\d)", label) and "创新布局" in q.text
                ):
                    return 1.0, "column", doc_id, label
        return None

    def nth_item(
        self,
        q: Question,
        ranked: list[tuple[float, Chunk]],
        doc: str | None = None,
        column: int | None = None,
    ) -> tuple[list[Segment], float | None]:
        """The item at `q.position` of the list the question names ('十大产业集群的第十个'): a
        sub-section, a 专栏 item, or an element of an enumeration ('A、B……等十大……'), with how well
        that list matched (its items need not repeat the title or count the question names)."""
        n = q.position
        if not n:
            return [], None
        docs = [doc] if doc else None
        scoped = Question(**{**q.__dict__, "doc_hints": docs or q.doc_hints})
        found = (
            self.numbered_column(scoped, ranked, column) if column else self.best_container(scoped, ranked)
        )
        support = found[0] if found else None
        if found and found[0] >= 0.4:
            kind, found_doc, key = found[1:]
            title = self.catalog.by_doc[found_doc][0].doc_title
            if kind == "section":
                children = self.catalog.children(found_doc, key)
                under = (
                    self.catalog.section(found_doc, list(children[n - 1]), include_columns=True)
                    if len(children) >= n
                    else []
                )
                if under:
                    s, e = (sentence_spans(under[0].text) or [(0, len(under[0].text))])[0]
                    lead = f"《{title}》“{key[-1]}”的第{n}项是“{children[n - 1][-1]}”："
                    return [Segment(under[0], s, e, lead=lead)], support
            else:
                chunks = [c for c in self.catalog.column(found_doc, key) if c.kind != "table"]
                list_kind, _ = list_items("\n".join(c.text for c in chunks))
                items = [
                    (c, item)
                    for c in chunks
                    for item in (list_items(c.text, kind=list_kind, min_items=1)[1] if list_kind else [])
                ]
                if len(items) >= n:
                    chunk, item = items[n - 1]
                    end = chunk.text.find("\n", item.end)  # the item with its text, not its label alone
                    end = len(chunk.text) if end < 0 else end
                    return [Segment(chunk, item.start, end, lead=f"《{title}》{key}的第{n}项：")], support
        for _, chunk in ranked[:6]:
            if (doc and chunk.doc_id != doc) or chunk.kind == "table":
                continue
            for start, end in sentence_spans(chunk.text):
                found_item = enumerated(chunk.text, start, end, n)
                if found_item and self.cover(q, chunk.text[start:end]) >= 0.3:
                    s, e = found_item
                    return [Segment(chunk, s, e, lead=f"{source_label(chunk)}：所列第{n}项为")], support
        return [], support

    def heading_list(self, q: Question, ranked: list[tuple[float, Chunk]]) -> Draft | None:
        """'……有哪几项工程', '……有哪些专栏': the plan's headings of that kind, each with its address
        and first sentence (a 专栏 by its title line), not the contents of one of them."""
        noun = counted_noun(q.text)
        if noun is None or q.column_numbers or q.position:
            return None
        docs = q.doc_hints[:1] if len(q.doc_hints) == 1 else [c.doc_id for _, c in ranked[:1]]
        for doc in docs:
            title = self.catalog.by_doc[doc][0].doc_title if self.catalog.by_doc.get(doc) else ""
            segments = []
            if noun == "专栏":
                for _, label in self.catalog.columns(doc):
                    first = self.catalog.column(doc, label)[0]
                    spans = sentence_spans(first.text) or [(0, len(first.text))]
                    segments.append(Segment(first, spans[0][0], spans[0][1], lead="· ", display=label))
            else:
                for path in sibling_sections(self.catalog, doc, noun):
                    under = self.catalog.section(doc, list(path), include_columns=True)
                    if under:
                        spans = sentence_spans(under[0].text) or [(0, len(under[0].text))]
                        segments.append(
                            Segment(
                                under[0], spans[0][0], spans[0][1], lead="· ", display=heading_name(path[-1])
                            )
                        )
            if len(segments) >= 2:
                return Draft(
                    segments=segments,
                    intent="list",
                    preface=f"《{title}》中的{noun}有：",
                    support=1.0,
                )
        return None

    def next_in_section(self, chunk: Chunk, limit: int = 2) -> list[Chunk]:
        """The passages after this one in its section, in plan order."""
        chunks = self.catalog.by_doc.get(chunk.doc_id, [])
        at = next((i for i, c in enumerate(chunks) if c.chunk_id == chunk.chunk_id), None)
        if at is None:
            return []
        return [c for c in chunks[at + 1 : at + 1 + limit] if c.section == chunk.section]

    def passage_answer(self, q: Question, ranked: list[tuple[float, Chunk]]) -> Draft:
        """'……有哪些？': the items of the best-matching list, or its most relevant sentences."""
        headings = self.heading_list(q, ranked)
        if headings is not None:
            return headings
        table = self.table_answer(q, ranked)
        best_sentence = max((s.score for s in self.sentence_answer(q, ranked, limit=1)), default=0.0)
        if table and table[0] >= 0.85 and table[0] >= best_sentence:  # a row that names what is asked
            return Draft(segments=table[1], intent="table")
        draft = self.container_answer(q, ranked)
        if draft is not None and draft.segments:
            return draft
        top = ranked[0][1]
        sentences = self.sentence_answer(q, ranked, limit=5, per_chunk=5, top_chunks=3, keep=0.6)
        items = list_items(top.text)[1] if top.kind != "table" else []
        item_text = " ".join(top.text[i.start : i.end] for i in items)
        sentence_cov = max((self.cover(q, s.chunk.text[s.start : s.end]) for s in sentences), default=0)
        item_cov = self.cover(q, item_text) if items else 0
        if top.kind == "table" or (items and len(items) >= 3 and item_cov >= sentence_cov - 0.05):
            draft = self.list_answer(q, ranked)
            if draft is not None:
                return draft
        table = self.table_answer(q, ranked)
        if table and (not sentences or table[0] >= sentences[0].score):
            return Draft(segments=table[1], intent="table")
        return Draft(segments=self.to_segments(q, sentences, widen=360), intent="list")

    # ------------------------------------------------------------ entry point

    def spelled_out(self, q: Question, ranked: list[tuple[float, Chunk]]) -> str | None:
        """The question with its acronym letter replaced by what the plans spell it out as:
        '其中的E指什么' → '其中的科技园区赋能工程（Enhance）指什么'."""
        pattern = re.compile(rf"([\u4e00-\u9fff]{{2,16}})[（(]({q.letter}[a-z]{{2,}})[)）]")
        for _, chunk in ranked[:8]:
            m = pattern.search(chunk.text)
            if m:  # what comes before the letter ('SUPER工程里的', '其中的') only pointed at it
                letter_at = _LETTER_IN.search(q.text)
                return f"{m.group(1)}（{m.group(2)}）{q.text[letter_at.end() :]}"
        return None

    def answer(self, q: Question, hits: list[SearchHit], retrieve: Retrieve) -> Draft:
        draft = self._answer(q, hits, retrieve)
        if q.intent == "list" and draft.segments:
            draft.segments = enumeration_rest(draft.segments, self.next_in_section)
        places = [p for p in q.must_have if not p.endswith("年")]
        if draft.segments or len(places) < 2:
            return draft
        return self.per_place(q, places, retrieve)

    def per_place(self, q: Question, places: list[str], retrieve: Retrieve) -> Draft:
        """'苏州和宿迁的……分别是多少？' when no passage names them all: each place on its own, and
        a note for a place the plans say nothing about (rather than no answer at all)."""
        segments: list[Segment] = []
        missing = []
        for place in places:
            others = [p for p in places if p != place]
            text = q.text
            for other in others:
                text = text.replace(other, "")
            sub = analyse(re.sub(r"^[和与及、，,]+|[和与及、]+(?=[的分各])", "", text), plans=self.plans)
            if sub.out_of_scope or place not in sub.must_have:
                missing.append(place)
                continue
            found = self._answer(sub, retrieve(sub.standalone, sub.doc_hints[:1] or None), retrieve)
            seen = {(s.chunk.chunk_id, s.start) for s in segments}
            topic = Question(**{**sub.__dict__, "terms": scope_free(sub.terms, self.plans)})
            new = [
                s
                for s in found.segments
                if (s.chunk.chunk_id, s.start) not in seen
                and self.cover(topic, f"{s.quote} {s.chunk.context}")
                >= 0.6  # about what is asked, not just the place
            ]
            if new:
                segments += new
            else:
                missing.append(place)
        notes = [f"规划中没有找到{'、'.join(missing)}的相关内容。"] if segments and missing else []
        return Draft(segments=segments, intent=q.intent, notes=notes)

    def table_data_answer(self, q: Question, ranked: list[tuple[float, Chunk]]) -> Draft | None:
        """A ranking, filter or row by position asked of a table ('哪个市……最低', '由高校牵头的',
        '清单第3项……它的责任单位'), answered from the whole table as data."""
        text = q.standalone if q.followup else q.text
        top_is_table = bool(ranked) and ranked[0][1].kind == "table"
        if q.followup and ordinal(q.text):
            return None  # '第二个……' after a list: the position is in the list just shown, not a table
        if q.followup and self.tables.operation(text).kind is OpKind.LOOKUP:
            text = q.text  # a follow-up's own words name its row ('研发经费年均增速呢？')
        text = asked_clause(text)  # '我们是无锡的企业，……' describes the asker, it filters no table
        if not self.tables.wants_table(text, top_is_table):
            return None
        from retrieval import segment

        words = [w for w in segment.words(content(text).replace(" ", "")) if len(w) >= 2]
        single = q.doc_hints[:1] if len(q.doc_hints) == 1 and not q.loose_hint else []
        candidates = self.tables.candidates(text, [c for _, c in ranked[:10]])
        for doc in single or q.doc_hints:
            candidates += [c for c in self.catalog.by_doc.get(doc, []) if c.kind == "table"]
        if single:
            candidates = [c for c in candidates if c.doc_id == single[0]]
        found = self.tables.answer(text, words, candidates)
        if found is None or not found.segments:
            return None
        return Draft(segments=found.segments, intent="table")

    def _answer(self, q: Question, hits: list[SearchHit], retrieve: Retrieve) -> Draft:
        if q.intent == "eligibility" and q.asked_terms and q.asked_terms != q.terms:
            # '我们是无锡的规上企业，研发投入还不高，有哪些普惠性政策？': the asking clause says what
            # the measures are for; the description before it says who asks
            q = Question(**{**q.__dict__, "terms": q.asked_terms | (q.terms & _ASKER_KIND_GRAMS)})
        ranked = self.ranked(q, hits)
        table_draft = self.table_data_answer(q, ranked)
        if table_draft is not None:
            return table_draft
        if q.column_numbers and q.position:  # '专栏6的第二项'
            nth, support = self.nth_item(q, ranked, column=q.column_numbers[0])
            if nth:
                return Draft(segments=nth, intent="list", support=support)
        if q.letter:
            spelled = self.spelled_out(q, ranked)
            if spelled:
                q2 = analyse(spelled, plans=self.plans)
                q2.doc_hints = q2.doc_hints or q.doc_hints
                return self.answer(q2, retrieve(q2.standalone, None), retrieve)
        if q.intent == "compare" and len(q.doc_hints) >= 2:
            return self.compare(q, retrieve)
        if q.column_numbers:
            draft = self.list_answer(q, ranked)
            if draft is not None:
                return draft
        if not ranked:
            return Draft(intent=q.intent)
        if q.position and q.intent in ("list", "general", "definition"):
            nth, support = self.nth_item(q, ranked)
            if nth:
                return Draft(segments=nth, intent="list", support=support)
        if q.intent == "list":
            return self.passage_answer(q, ranked)
        table = self.table_answer(q, ranked)
        if q.intent in ("number", "compare"):
            sentences = self.sentence_answer(q, ranked, limit=2, per_chunk=2)
            if table and (not sentences or table[0] >= sentences[0].score - 0.05):
                return Draft(segments=table[1], intent="table")
            return Draft(segments=self.to_segments(q, sentences), intent=q.intent)
        best_sentence = max((s.score for s in self.sentence_answer(q, ranked, limit=1)), default=0.0)
        # a table row answers a 'what/who' question when the question names one of its columns
        # ('主导产业', '责任单位'); otherwise only when it clearly beats every sentence
        names_column = table is not None and bool(
            matching_columns(table[1][0].chunk.table.header or [], q.text, q.text)
        )
        names_table = re.search(r"表(里|中|内|格|上)|表\d", q.standalone) is not None  # '……布局表里，……'
        if table and (
            names_table
            or names_column
            and table[0] >= best_sentence - 0.1
            or table[0] >= 0.85
            and table[0] >= best_sentence
        ):
            return Draft(segments=table[1], intent="table")
        found = self.best_container(q, ranked)
        if found and found[1] == "column" and found[0] >= (0.6 if q.intent == "definition" else 0.8):
            draft = self.container_answer(q, ranked)  # '紫琅专项是什么？': the 专栏 of that name
            if draft is not None and draft.segments:
                defining = (
                    self.defining_sentence(q, ranked, draft.segments) if q.intent == "definition" else []
                )
                if defining:  # the one-line definition first, then the 专栏 that spells it out
                    first = draft.segments[0]
                    first.lead = f"{draft.preface}\n{first.lead}" if draft.preface else first.lead
                    draft.preface, draft.segments = "", defining + draft.segments
                return draft
        if q.intent == "eligibility":
            # '我们是盐城的小微企业……': where the asker is picks the plans, not the sentences
            # and after the asker's description, the clause that asks says what the measures are for
            topic = Question(**{**q.__dict__, "terms": scope_free(q.terms, self.plans)})
            q, ranked = topic, self.ranked(topic, hits)
            picked = self.sentence_answer(q, ranked, limit=6, per_chunk=4, top_chunks=6, keep=0.6)
            picked += self.rest_of_section(q, picked)
            return Draft(
                segments=self.to_segments(q, picked, widen=360),
                intent="eligibility",
                preface="规划中与此相关的支持举措有：",
            )
        if q.intent == "definition":
            picked = self.sentence_answer(q, ranked, limit=3, per_chunk=3, top_chunks=3)
            return Draft(segments=self.to_segments(q, picked, widen=320), intent="definition")
        return Draft(
            segments=self.to_segments(q, self.sentence_answer(q, ranked, limit=3, per_chunk=2), widen=240),
            intent=q.intent,
        )

    def compare(self, q: Question, retrieve: Retrieve) -> Draft:
        """One line per plan, each answered from that plan alone."""
        segments = []
        # the regions of the plans compared: naming them names the plans ('苏南规划'), not a topic
        regions = {p.region_name for p in self.plans.plans if p.doc_id in q.doc_hints} | set(
            gazetteer().province
        )
        for doc in q.doc_hints:
            hits = retrieve(q.standalone, [doc])
            terms = scope_free(content_grams(without_plan_names(q.standalone, self.plans))) or scope_free(
                q.terms, self.plans
            )
            # each plan's line answers what is compared: a figure, or else the plan's own words
            intent = "number" if INTENT_PATTERNS["number"].search(q.text) or q.unit else "general"
            # a place the plans are compared about ('省规划和苏南规划对南京的定位') is what each
            # plan's line must be about; the places that name the plans are not
            topic = [p for p in q.must_have if not p.endswith("年") and p not in regions]
            terms |= {g for p in topic for g in grams(p)}
            sub = Question(
                **{**q.__dict__, "intent": intent, "doc_hints": [doc], "must_have": topic, "terms": terms}
            )
            ranked = self.ranked(sub, hits)
            if not ranked:
                continue
            nth, _ = self.nth_item(sub, ranked, doc)
            if nth:
                segments.extend(nth)
                continue
            table = self.table_answer(sub, ranked)
            sentences = self.sentence_answer(sub, ranked, limit=1)
            if topic:  # the line must be about the place compared, in the sentence or its heading
                sentences = [
                    c
                    for c in self.sentence_answer(sub, ranked, limit=8, per_chunk=4, top_chunks=8, keep=0.0)
                    if all(p in f"{c.chunk.text[c.start:c.end]} {c.chunk.context}" for p in topic)
                ][:1]
            if table and (not sentences or table[0] >= sentences[0].score - 0.05):
                segments.extend(table[1])
            elif sentences:  # a figure stands alone; words need the sentence after them
                segments.extend(self.to_segments(sub, sentences[:1], widen=0 if intent == "number" else 200))
        return Draft(segments=segments, intent="compare")
