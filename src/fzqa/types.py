"""Frozen dataclasses passed between the stages (stdlib only)."""

from __future__ import annotations

from dataclasses import dataclass, field

# Norm kinds, in the order used for display.
KINDS: tuple[str, ...] = (
    "obligation",
    "prohibition",
    "permission",
    "principle",
    "sanction",
    "reward",
    "scope",
    "meta",
)
# Frequency periods (contract in ARCHITECTURE.md).
PERIODS: tuple[str, ...] = ("year", "half-year", "quarter", "month", "year-end", "term", "periodic")


@dataclass(frozen=True)
class Item:
    """An enumerated item （一） of an article."""

    number: int
    text: str  # the item's own words, without its marker, whitespace-cleaned
    start: int  # offset of the item's first character (marker included) in the raw text
    end: int  # offset just past the item's last character in the raw text


@dataclass(frozen=True)
class Article:
    """An article 第X条; ``text`` is its own words without the heading, items included."""

    number: int
    text: str
    start: int
    end: int
    lead: str = ""  # the words before the first item (the lead-in); the whole text when there are no items
    items: tuple[Item, ...] = ()
    chapter: str | None = None  # heading of the enclosing 第X章, e.g. "第一章 总则"
    section: str | None = None  # heading of the enclosing 第X节
    part: str | None = None  # heading of the enclosing 第X编
    line: int = 0  # 1-based line of the 第X条 heading in the raw file (for file:line messages)


@dataclass(frozen=True)
class Measure:
    """One regulation, parsed from its raw text."""

    id: str  # file stem, e.g. "guangxi-2018"
    title: str
    articles: tuple[Article, ...]
    number: str | None = None  # document number, e.g. 桂办发〔2018〕1号
    issuers: tuple[str, ...] = ()
    date: str | None = None  # ISO date of issue or publication
    effective: str | None = None  # ISO date of entry into force, where the text states one
    interpreted_by: str | None = None  # the body the measure's own article names to interpret it (本条例由…负责解释)
    source: str | None = None  # path of the raw file
    sha256: str = ""  # hash of the raw bytes
    warnings: tuple[str, ...] = ()  # what the parser noticed (file:line: article numbering, missing title/date …)


@dataclass(frozen=True)
class Frequency:
    period: str  # one of PERIODS
    min_count: int | None = None  # "at least N times per period"; None when the text gives no number
    cue: str = ""  # the words in the text that state it, e.g. 每年至少2次


@dataclass(frozen=True)
class Norm:
    """One norm stated by a provision (an item, or an article without items)."""

    id: str  # e.g. guizhou-2020/art_6__item_1/n2
    measure: str
    article: int
    item: int | None
    kind: str  # one of KINDS
    bearers: tuple[str, ...]  # role prefLabels (zh): of ontology/roles.ttl, or minted from the text (= bearer_text)
    action: str
    quote: str  # the provision's own words that state the norm (a substring of the provision text)
    frequency: Frequency | None = None
    cites: tuple[str, ...] = ()  # titles of cited instruments, without 《》
    condition: str | None = None
    imposed_by: tuple[str, ...] = ()  # for sanctions and rewards: who imposes them
    coverage: str | None = None  # for scope norms: "direct" or "by-reference"
    levels: tuple[str, ...] = ()  # for scope norms: the levels covered (county, city, province, township)
    topic: str | None = None  # for meta norms: purpose, interpretation or entry-into-force
    bearer_text: str | None = None  # the bearer as the text names it (NFKC); None when the text names none
    deadline: str | None = None  # the time limit as written, e.g. 30日内, 两周内, 一个月内
    # the article whose words name the bearer when it is not the norm's own: the measure's catalogue of that
    # sanction (对党员的纪律处分种类: 警告…), so that a bearer read from elsewhere says where it was read
    bearer_article: int | None = None


@dataclass(frozen=True)
class Citation:
    measure: str
    article: int | None
    item: int | None = None
    quote: str = ""

    def key(self) -> tuple[str, int | None, int | None]:
        return (self.measure, self.article, self.item)


@dataclass(frozen=True)
class Hit:
    measure: str
    article: int
    item: int | None
    score: float
    text: str


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str
    citations: tuple[Citation, ...] = ()
    abstained: bool = False
    sparql: str | None = None
    lang: str = "zh"
    details: dict[str, object] = field(default_factory=dict, compare=False, hash=False)
    # the direct answer in one line, read before the grounds: the provisions' key words, each with its citations
    # (the same citation labels as in ``answer``); empty when the answer is already one line (abstention)
    summary: str = ""


@dataclass(frozen=True)
class Unit:
    """One searchable clause: an item (with its article's lead-in attached) or an article without items."""

    measure: str
    article: int
    item: int | None
    text: str  # the provision's own words (the item's, or the article's)
    lead: str = ""  # the article's lead-in, attached to items for context (not part of ``text``)
    roles: tuple[str, ...] = ()  # bearer role prefLabels of the provision's norms (metadata, not text)
    kinds: tuple[str, ...] = ()  # norm kinds of the provision's norms
    periods: tuple[str, ...] = ()  # frequency periods of the provision's norms
