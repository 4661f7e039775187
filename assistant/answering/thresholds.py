"""Every score threshold, margin, bonus and limit of the offline answerer, in one typed config.

Scores are weighted shares of the question's n-grams (0..1, see `GramWeights.coverage`) plus the
bonuses below. Each field's comment says what it trades: what raising it does against lowering
it. The defaults are the shipped behaviour; `python -m evals.tune` searches a few of them on
evals/dataset.yaml and reports the result on evals/users.yaml. Pass another instance to
`ExtractiveAnswerer` (and `AnswerPipeline`) to answer with other values:

    AnswerThresholds(table_clear_win=0.9)
    dataclasses.replace(DEFAULT_THRESHOLDS, eligibility=SentencePick(4, 3, 6, 0.6, 360))
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SentencePick:
    """How many sentences an answer takes and from where.

    limit: sentences at most (more: fuller answers, more off-topic text);
    per_passage: at most this many from one passage (lower: more passages, each less complete);
    passages: the best-ranked passages looked at (more: more reach, more noise);
    keep: a sentence is kept while its score is at least this share of the best one's (lower:
    longer answers with weaker sentences);
    widen: neighbouring sentences added up to this many characters of quote (0: the sentence
    alone, narrowed to its matching clauses; more: more context, longer citations)."""

    limit: int
    per_passage: int = 1
    passages: int = 4
    keep: float = 0.75
    widen: int = 0


def _pick(*args, **kwargs):
    return field(default=SentencePick(*args, **kwargs))


@dataclass(frozen=True)
class AnswerThresholds:
    # ------------------------------------------------ ranking passages and sentences
    # a passage of the plan the question names gains this (higher: the named plan wins over a
    # better-matching passage of another; lower: the name matters less than the words)
    plan_hint_bonus: float = 0.08
    # tie-break by retrieval rank, divided by 1 + rank (higher: the retriever's order over coverage)
    retrieval_rank_bonus: float = 0.02
    # a sentence's score: this share of its own coverage of the question (higher: the sentence's
    # own words decide) ...
    sentence_cover_weight: float = 0.65
    # ... plus this share of its passage's (higher: sentences of the best passage win over a
    # better sentence elsewhere)
    sentence_passage_weight: float = 0.35
    # a sentence that quotes the question's quoted term the same way (higher: quoting outweighs
    # coverage)
    quoted_term_bonus: float = 0.15
    # a sentence of the one plan the question names (higher: the named plan even when another
    # plan's sentence matches better; lower: the words decide)
    named_plan_bonus: float = 0.1
    # figure questions: a sentence with a digit gains this (higher: any figure over the right words) ...
    figure_digit_bonus: float = 0.12
    # ... and one without loses this (higher: wordy sentences never answer a figure question)
    figure_no_digit_penalty: float = 0.1
    # figure questions: a sentence with target words (达到, 力争, 到2025年) gains this (higher:
    # targets over reported figures)
    target_word_bonus: float = 0.04
    # a figure's sentence with its passage's address must cover this share of the question
    # (higher: fewer figures about something else, more refusals of rephrased questions)
    figure_topic_min: float = 0.45
    # eligibility questions: a sentence with support words (支持, 鼓励, 贷款) gains this (higher:
    # measures over background sentences on the same topic)
    support_word_bonus: float = 0.08
    # a figure's time (target or result) that matches the question's gains this (higher: time
    # over topic) ...
    time_match_bonus: float = 0.08
    # ... this instead in the plan's 发展目标/主要目标 section (higher: headline targets win over a
    # better-matching target elsewhere)
    target_section_bonus: float = 0.18
    # ... and one of the other time loses this (higher: never a 2020 result for a 2025 target)
    time_mismatch_penalty: float = 0.25

    # ------------------------------------------------ quotes
    # a sentence longer than this is cut down to its matching clauses (higher: longer quotes with
    # more context; lower: tighter quotes that may lose a qualifier)
    max_quote_chars: int = 220
    # cutting a sentence for a figure question: a clause with a digit gains this (higher: the
    # figure's clause over the clause that names the topic)
    narrow_digit_bonus: float = 0.3
    # a neighbouring clause joins the quote when it covers more than this (lower: longer quotes)
    narrow_clause_min: float = 0.05
    # an alias counts as its name when the name's characters appear in order with gaps of at most
    # this many characters ('科技型企业达1万家、占……比重'; higher: more matches, some false) ...
    loose_gap_chars: int = 14
    # ... for names of at least this many characters (lower: more false matches of short names)
    loose_name_min_chars: int = 6

    # ------------------------------------------------ sentences each kind of answer takes
    # (SentencePick says what each of its numbers trades)
    best_sentence: SentencePick = _pick(1)  # the rival a table row or a 专栏 must beat
    # a figure question: two figures at most, each cut to its clauses (a figure stands alone)
    figure: SentencePick = _pick(2, per_passage=2)
    # support measures: many, from more passages, with their context (an asker wants them all)
    eligibility: SentencePick = _pick(6, per_passage=4, passages=6, keep=0.6, widen=360)
    # a definition: a few sentences of the best passages, with the sentences around them
    definition: SentencePick = _pick(3, per_passage=3, passages=3, widen=320)
    passage: SentencePick = _pick(3, per_passage=2, widen=240)  # any other question
    # a list question no list answers: its most relevant sentences, generously
    list_sentences: SentencePick = _pick(5, per_passage=5, passages=3, keep=0.6, widen=360)
    compare_line: SentencePick = _pick(1, widen=200)  # one plan's line in a comparison (words)
    # ... when the plans are compared about a place: the candidates searched for one naming it
    # (more: a line found further down, weaker sentences)
    compare_place_line: SentencePick = _pick(8, per_passage=4, passages=8, keep=0.0)
    # a table row read as data for a plan's line: how well the question must name it (1 = in full;
    # lower: rows named in other words, and rows that only share a word)
    compare_row_min: float = 0.7
    # a 专栏 or section without items: its best sentences, at most this many (more: fuller, longer)
    prose_sentences: int = 6
    # ... widened by neighbours up to this many characters (higher: more context, longer quotes)
    prose_widen: int = 360
    # eligibility: more support measures from the rest of the best section, this many a passage
    # (higher: fuller, longer answers) ...
    section_measures_per_passage: int = 2
    # ... each covering at least this share of the question (lower: more, less relevant measures)
    section_measure_min: float = 0.15

    # ------------------------------------------------ table rows
    # tables among this many best-ranked passages are candidates, besides the named plans' tables
    # (higher: more reach, slower, more rows about something else)
    table_passages: int = 10
    # the named plans' tables scored for one question, at most: those sharing most of its words
    # (bounds the work at 500 plans, whose 700 tables cost ~0.15 ms each; the shipped five have
    # 31 tables and all are scored)
    table_scan_limit: int = 40
    # the best row must cover this share of the question (higher: fewer rows about something else)
    table_row_min: float = 0.2
    # a table's score: this share of its best row's (higher: the row's words decide) ...
    table_row_weight: float = 0.6
    # ... plus this share of its passage's (higher: the table's title and address decide)
    table_passage_weight: float = 0.4
    # a table that lacks a year the question names loses this (higher: such tables never answer)
    table_year_penalty: float = 0.15
    # a table with a column the question names gains this (higher: tables win more often)
    table_column_bonus: float = 0.1
    # rows shown: at most this many (higher: fuller, noisier) ...
    table_rows_shown: int = 3
    # ... each scoring at least this share of the best row's (lower: more neighbouring rows) ...
    table_row_share: float = 0.6
    # ... and more than this (lower: rows that barely match are shown too)
    table_row_floor: float = 0.1
    # a follow-up's own words pick rows scoring at least this (lower: its words pick rows more
    # often instead of the subject's) ...
    followup_row_min: float = 0.5
    # ... at most this many (higher: fuller, noisier) ...
    followup_rows_shown: int = 4
    # ... each at least this share of the best (lower: more rows of the table)
    followup_row_share: float = 0.8
    # 'A和B分别……': each entity's best row must score this, or the table's best rows are shown
    # (lower: one row per entity more often, some of them wrong)
    entity_row_min: float = 0.5

    # ------------------------------------------------ choosing between kinds of answer
    # a table row beats every sentence outright at this score (and not below the best sentence);
    # higher: prose answers more often
    table_clear_win: float = 0.85
    # figure questions: a table row wins while its score is at most this far below the best
    # sentence's (higher: rows over sentences)
    figure_table_margin: float = 0.05
    # what/who questions naming one of the table's columns: the same margin (higher: rows over
    # sentences)
    column_table_margin: float = 0.1
    # list questions: the top passage's items are the answer while they cover the question at
    # most this much less than the best sentences (higher: items over sentences) ...
    list_item_margin: float = 0.05
    # ... and there are at least this many of them (lower: two-item passages count as lists)
    list_min_items: int = 3
    # list questions answered by sentences: a table row wins unless the best sentence scores more
    # than this above it (higher: rows over sentences)
    list_table_margin: float = 0.0

    # ------------------------------------------------ 专栏 and sections
    # a container's title must cover this share for its intro to count (lower: intros decide)
    container_title_min: float = 0.2
    # a container's score: this share of the better of title and discounted intro (higher: one
    # good match is enough) ...
    container_best_weight: float = 0.8
    # ... plus this share of the worse (higher: title and intro must both match)
    container_worst_weight: float = 0.2
    # an intro counts at this share of a title (higher: intros weigh as much as titles)
    container_intro_discount: float = 0.9
    # characters of a container's opening compared with the question (higher: more of its text
    # counts, so long containers match more questions)
    container_opening_chars: int = 200
    # containers of the plans of this many best-ranked passages are looked at (higher: more plans,
    # slower; each plan is scanned whole)
    container_passages: int = 4
    # a list question hinting more plans than this (a region named, with dozens of plans) scans the
    # headings of those among its best passages only (bounds the work at 500 plans; the shipped
    # corpus has five)
    container_plan_limit: int = 8
    # a 专栏 gains this over a section (higher: 专栏 win near-ties)
    column_preference: float = 0.05
    # a heading a list question names whole gains this over one that shares some of its words
    # (higher: the named heading even when another's intro matches better)
    named_heading_bonus: float = 0.2
    # a list question's container must score this to be the answer (lower: more lists, some
    # of the wrong container)
    container_min: float = 0.5
    # a what/who question is answered by a 专栏 of that name at this score (lower: more 专栏
    # answers, some to questions about one sentence of them) ...
    named_column_min: float = 0.8
    # ... a definition question at this one (the same trade)
    definition_column_min: float = 0.6
    # a sentence before a 专栏's first item is shown when it covers this share (lower: more
    # introductions, longer answers) ...
    intro_cover_min: float = 0.3
    # ... at most this many of them (the same trade)
    intro_sentences: int = 2
    # a 'label：text' item is shown whole up to this many characters (lower: labels alone)
    labelled_line_chars: int = 160
    # an item label this short ('“1”') is shown with its text (higher: longer lists)
    short_label_chars: int = 4
    # a container of at most this many items is answered by its sentences, not its item titles
    # (higher: prose for more short lists)
    prose_items_max: int = 2
    # other plans' 专栏 of the same number named in a note, at most (higher: a longer note)
    other_columns_noted: int = 3

    # ------------------------------------------------ the n-th item of a list
    # the list found must match at this score (lower: an item of the wrong list)
    nth_list_min: float = 0.4
    # enumerations ('A、B……等十大……') are looked for in this many best-ranked passages (higher:
    # more reach, an element of an unrelated enumeration more often) ...
    enumeration_passages: int = 6
    # ... in sentences covering this share of the question (lower: the same trade)
    enumeration_cover_min: float = 0.3
    # an acronym letter is spelled out from this many best-ranked passages (higher: more reach,
    # another acronym with the same letter more often)
    acronym_passages: int = 8
    # the definition of a quoted term is looked for in this many best-ranked passages (the same
    # trade) ...
    defining_passages: int = 8
    # ... one of the plan already shown gains this (higher: the same plan over a better sentence)
    defining_same_plan_bonus: float = 0.1
    # per-place answers: a place's passage must cover this share of the question's topic (higher:
    # more places noted as missing; lower: passages that only name the place)
    per_place_topic_min: float = 0.6
    # a later part of a question in several parts: weight of its own words beside its subject's
    # (higher: the part's new words over the subject carried over)
    part_own_weight: float = 0.6

    # ------------------------------------------------ answer or refuse (assistant.pipeline)
    # share of the question's content n-grams the best cited passage must contain (higher: more
    # refusals, fewer answers that do not answer)
    min_coverage: float = 0.3
    # share of the question's n-grams the corpus must know at all, or support is 0 (higher:
    # refuse questions with much framing the plans never use)
    known_terms_min: float = 0.3
    # share of the question's focus (less scope and cue words) the sentence holding an asked
    # detail (an amount, a date, a condition) must also hold, so that the detail is about what is
    # asked (higher: refuse details stated beside a rephrased topic; lower: cite a date or an amount
    # of a neighbouring measure, whose sentences share only the topic: ≤ 0.25)
    detail_focus_min: float = 0.35
    # the same for the figure a number question asks for (higher: refuse more figures; lower: a
    # figure about something else is given as the answer)
    figure_focus_min: float = 0.3


DEFAULT_THRESHOLDS = AnswerThresholds()

__all__ = ["DEFAULT_THRESHOLDS", "AnswerThresholds", "SentencePick"]
