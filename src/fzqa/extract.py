"""Measure → Norms: kind, bearer roles, short action, frequency, cited instruments, conditions,
who imposes a sanction, and scope rules.

The text of a provision is cut into sentences (。；) and each sentence into norms at the points where a
new subject, a new object (对…) or a prohibition (不得…) begins. Every cue word and role name comes from
the ontology files through :mod:`fzqa.lexicon`; this module holds only the procedure.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from itertools import pairwise

from fzqa.corpus import cn_number
from fzqa.lexicon import Lexicon, Match, load_lexicon, norm_text
from fzqa.lexicon import RoleWord as RoleWordT
from fzqa.types import Article, Frequency, Measure, Norm

EXTRACT_VERSION = "2"

_SENTENCE_END = "。；;！？!?\n"
_CLAUSE_SEP = "，,"
_CITE = re.compile(r"《([^《》]+)》")
_CITE_NFKC = re.compile(r"《[^《》]*》")
_CJK_CHAR = re.compile(r"[\u3400-\u9fff]")
_LEADING_NOISE = re.compile(r"^[\s,，、:：;；]+|[\s,，、:：;；。]+$")
_DE_PHRASE = re.compile(r"[^的,;。:]{1,20}的")  # a modifier ending in 的 (负责合法性审查的部门)
_BRACKETS = re.compile(r"\([^()]*\)")
_JOINERS = re.compile(r"和|及其|及|以及|或者|或|与|、|,")
_DEFINED_AS = re.compile(r"\(以下(简)?称[^()]*\)")  # 县级以上地方人民政府(以下称决策机关)
# Sizes in characters, read off the corpus-extra texts: a bearer's first head starts within 20 characters of
# its clause (县级以上地方各级人民政府…); a bare noun before the head is at most 4 (决策承办单位, 审计机关);
# a heading word of an item (检查。, 通报。) is at most 8 characters.
_MAX_MODIFIER = 20
_MAX_NOUN_MODIFIER = 4
_MAX_HEADING = 8


def _join_en(items: list[str], joiners: list[str]) -> str:
    """A, B and C: the items with the last joiner's word before the last one ("or" wins if any joiner is or)."""
    if len(items) == 1:
        return items[0]
    word = "or" if "or" in joiners else "and"
    return ", ".join(items[:-1]) + f" {word} " + items[-1]


@dataclass(frozen=True)
class _Bearer:
    text: str  # as the text names it (NFKC)
    labels: tuple[str, ...]  # thesaurus prefLabels it links to, or (text,) for a role minted from the text
    article: int | None = None  # the article that names it, when not the norm's own (a catalogue of sanctions)
    agent: bool = False  # named as the agent of a delegated act (由X负责…), not as a subject


@dataclass
class _Context:
    """What a provision inherits: the article lead's subject and kind, the previous clause's subject, the
    chapter's kind. There is no default bearer: a norm whose text names none gets the unspecified marker."""

    subject: tuple[str, ...] = ()  # role labels of the bearer carried over
    subject_text: str | None = None  # that bearer as written
    list_kind: str | None = None  # kind given by a lead-in to the items (conditions → sanction)
    item_kind: str | None = None  # kind of the items of a list of sanctions (问责方式包括:) or principles (下列原则:)
    duty_list: bool = False
    procedure_list: bool = False  # items are the steps of a procedure (按照下列程序:), each opening with its doer
    lead_cites: tuple[str, ...] = ()
    chapter_kind: str | None = None  # meta (附则) or sanction (法律责任), from the chapter title
    sanctioned: _Bearer | None = None  # whom the previous sanction fell on (对直接责任者…;情节较重的,给予…)
    # whom the provision's first sanction fell on: the doer of a list of conditions (X有下列情形之一的,由…责令
    # 改正;造成严重后果的,对直接负责的主管人员…处理: the items are X's conduct)
    first_sanctioned: _Bearer | None = None
    last_kind: str | None = None  # kind of the provision's previous norm (…的,依照前款规定处理)
    # the carried subject was named as the doer of a sanctioned conduct (党组织和党员违反…的,都必须受到追究): it
    # binds no duty of a later paragraph (重点查处…)
    subject_sanctioned: bool = False
    # the measure's catalogues of sanctions: each sanction's words (警告, 开除党籍) and whom the catalogue names
    catalogue: tuple[tuple[str, _Bearer], ...] = ()


@dataclass(frozen=True)
class _Span:
    start: int
    end: int


def _spans(text: str, seps: str) -> list[_Span]:
    """Cut ``text`` after each separator; spans keep the separator."""
    out: list[_Span] = []
    start = 0
    depth = 0
    for i, ch in enumerate(text):
        if ch in "《〈“(（":
            depth += 1
        elif ch in "》〉”)）":
            depth = max(0, depth - 1)
        elif ch in seps and depth == 0:
            if text[start : i + 1].strip(seps + " "):
                out.append(_Span(start, i + 1))
            start = i + 1
    if text[start:].strip():
        out.append(_Span(start, len(text)))
    return out


def _strip_span(text: str, span: _Span) -> _Span:
    """Without surrounding blanks, and without a trailing comma left by cutting a sentence into norms."""
    s, e = span.start, span.end
    while s < e and text[s].isspace():
        s += 1
    while e > s and (text[e - 1].isspace() or text[e - 1] in "，,、"):
        e -= 1
    return _Span(s, e)


class Extractor:
    def __init__(self, lexicon: Lexicon) -> None:
        self.lex = lexicon
        self.kind_cues = lexicon.kind_cues()
        self.period_cues = lexicon.period_cues()
        self._head = lexicon.cue("bearerHeadCue").patterns
        self._pred = lexicon.cue("predicateCue").patterns
        self._join = lexicon.cue("bearerJoinCue").patterns
        self._modifier = re.compile("|".join(f"(?:{p.pattern})" for p in lexicon.cue("bearerModifierCue").patterns))

    # ---------------------------------------------------------------- bearers named by the text
    def _heads(self, t: str, start: int) -> list[tuple[int, int]]:
        return sorted({(m.start(), m.end()) for p in self._head for m in p.finditer(t, start)})

    def _predicate_at(self, t: str, pos: int) -> bool:
        return self._predicate_len(t, pos) > 0

    def _predicate_len(self, t: str, pos: int) -> int:
        return max((len(m.group(0)) for p in self._pred if (m := p.search(t[pos:]))), default=0)

    def _modifier_ok(self, mod: str, head: str = "") -> bool:
        """Words before a bearer's first head: 的-phrases, levels and quantifiers, or a short noun (决策承办)."""
        bare = _DE_PHRASE.sub("", mod)
        # a modal or 由 outside a 的-phrase, or opening it, is no part of a name (应当由负责…的部门);
        # inside one it is (违犯党纪应当受到党纪责任追究的党组织)
        if self.lex.has_cue("notInBearerCue", bare) or self.lex.has_cue("notInBearerCue", mod[:3]):
            return False
        rest = self._modifier.sub("", bare)
        if self.lex.has_cue("passiveModifierCue", rest):
            return True
        if (rest and not _CJK_CHAR.fullmatch(rest[0])) or any(not _CJK_CHAR.fullmatch(ch) for ch in rest):
            return False  # an item marker or a number is no part of a bearer's name
        # a verb opens it, or a two-character verb stands inside it (充分发挥党委…); one character inside is a
        # noun's (党政主要负责人: 要)
        ctx = rest + head  # the head decides some words (组织 before 部门 is a noun)
        verb = any((n := self._predicate_len(ctx, i)) and (i == 0 or n >= 2) for i in range(len(rest)))
        return not rest or (len(rest) <= _MAX_NOUN_MODIFIER and not verb)

    def np_at(self, t: str, start: int = 0, need_predicate: bool = True, loose: bool = False) -> tuple[int, int] | None:
        """The bearer noun phrase that opens ``t[start:]``: modifiers, then heads joined by 和/、/及其…; with
        ``need_predicate`` it must be followed by the start of a predicate (应当, 负责, 贯彻…), without it by
        nothing; ``loose``: by anything."""
        heads = self._heads(t, start)
        if (
            not heads
            or heads[0][0] - start > _MAX_MODIFIER
            or not self._modifier_ok(t[start : heads[0][0]], t[heads[0][0] :])
        ):
            return None
        end = heads[0][1]
        for h_start, h_end in heads[1:]:
            if self._predicate_at(t, end):
                return (start, end)
            if h_start < end:
                continue
            if not any(p.search(t[end:h_start]) for p in self._join) or self.lex.has_cue("agentCue", t[end:h_start]):
                break
            end = h_end
        if loose or self._predicate_at(t, end) or (not need_predicate and not t[end:].strip(" :")):
            return (start, end)
        return None

    def subject_of(self, clause: str) -> tuple[int, int] | None:
        """The subject of a clause (not an object introduced by 对)."""
        c = clause.lstrip()
        if not c or c.startswith("对"):
            return None
        off = len(clause) - len(c)
        span = self.np_at(c, 0)
        return None if span is None else (span[0] + off, span[1] + off)

    def doer_at(self, clause: str) -> tuple[int, int] | None:
        """A bearer that opens a clause whatever verb follows (党员领导干部离职后违反…): only levels, quantifiers and
        的-phrases before its head, and no object marker (向从事公务的人员…, 对…)."""
        if self.lex.has_cue("objectCue", clause[:2]):
            return None
        heads = self._heads(clause, 0)
        if not heads or self._modifier.sub("", _DE_PHRASE.sub("", clause[: heads[0][0]])):
            return None
        return self.np_at(clause, 0, loose=True)

    def agent_of(self, clause: str) -> str | None:
        """The agent after 由 (由决策承办单位负责…, 应当由…部门进行…)."""
        comp = self.lex.has_cue("compositionCue", clause)
        if comp:  # 召集人一般由党委和政府负责同志担任: the holder named whole, 负责 and all
            who = comp.group("who")
            heads = self._heads(who, 0)
            if heads and heads[-1][1] == len(who) and self._modifier_ok(who[: heads[0][0]], who[heads[0][0] :]):
                return who
        m = self.lex.has_cue("agentCue", clause)
        if not m:
            return None
        # whatever verb follows: 由所涉及的机关、单位协商受理
        span = self.np_at(clause, m.end(), loose=True)
        return clause[span[0] : span[1]] if span else None

    def target_of(self, clause: str) -> str | None:
        """Whom a clause opening with 对 is about, when that is a bearer (对党组织的问责方式…, 对…的领导干部)."""
        c = clause.strip()
        if not c.startswith("对"):
            return None
        skip = 2 if c.startswith("对于") else 1
        c = "对" + c[skip:]
        span = self.np_at(c, 1, need_predicate=False)
        if span and not c[span[1] :].strip(" :"):
            return c[1 : span[1]]
        # 对在信访工作中…造成严重后果的机关、单位及其工作人员: a 的-phrase of any length, then the bearer to the end
        last_de = c.rfind("的")
        if last_de > 0:
            span = self.np_at(c, last_de + 1, need_predicate=False)
            if span and span[0] == last_de + 1 and not c[span[1] :].strip(" :"):
                return c[1 : span[1]]
        # 对党组织的问责方式包括: the bearer before a 的
        rest = c[1:]
        for i, ch in enumerate(rest):
            if ch == "的":
                span = self.np_at(rest[:i], 0, need_predicate=False)
                if span and span[1] == i:
                    return rest[:i]
        return None

    def topic_subject(self, clauses: list[str]) -> bool:
        """Whether a norm's subject is a thing, not a bearer (上述问责方式,可以…; 听证会材料应当…送达)."""
        if not clauses:
            return False
        first = clauses[0]
        if (
            first.endswith("的")
            or self._predicate_at(first, 0)
            or self.subject_of(first)
            or first.startswith("对")
            or self.lex.has_cue("conditionOpenerCue", first)
        ):
            return False
        m = self.modal(first)
        if m:
            return m.start() > 0
        nxt = self.modal(clauses[1]) if len(clauses) > 1 else None
        if nxt is None and len(clauses) == 1 and "的" in first and self.kind(first, clauses) is None:
            # 公开征求意见的期限一般不少于30日: a measure of a thing, with no modal and no cue, binds no one named
            return True
        return nxt is not None and nxt.start() == 0

    def resolve(self, text: str) -> tuple[str, ...]:
        """Thesaurus roles a bearer as written names (its whole words), or the text itself: a role to mint."""
        t = _DEFINED_AS.sub("", text).strip()
        plain = _BRACKETS.sub("", t)
        for cand in (t, plain, self._lead_modifiers(plain)):
            c = self.lex.canonical(cand)
            if c and not self.lex.roles[c].is_post:
                return (c,)
        ms = [m for m in self.lex.match_roles(plain) if not self.lex.roles[m.label].is_post]
        if ms:
            rest = list(plain)
            for m in ms:
                rest[m.start : m.end] = " " * (m.end - m.start)
            if not _JOINERS.sub("", self._modifier.sub("", "".join(rest).replace("的", ""))).strip():
                return tuple(dict.fromkeys(m.label for m in ms))
        return (t,)

    def _lead_modifiers(self, t: str) -> str:
        while True:
            m = self._modifier.match(t)
            if not m or not m.group(0):
                return t
            t = t[m.end() :]

    def named_bearer(self, text: str) -> _Bearer | None:
        """The bearer a norm's own words name: the subject of its first clause that has one, else the agent (由…)."""
        clauses = [text[c.start : c.end].strip(" ,") for c in _spans(text, _CLAUSE_SEP)]
        # the subject of a main clause binds; a condition's subject (党员…的,党组织应当…) only when no main
        # clause has one (决策机关认为风险可控的,可以作出决策)
        # a condition runs up to its last clause in 的 (信访人对复核意见不服,仍然…提出投诉请求的,X不再受理)
        last_de = max((i for i, c in enumerate(clauses[:-1]) if c.endswith("的")), default=-1)
        main = clauses[last_de + 1 :]
        if last_de >= 0:
            for c in main:
                span = self.subject_of(c)
                if span:
                    return self._bearer(c[span[0] : span[1]])
        # 信访人采用走访形式提出信访事项(的),应当到…: the doer opening the norm, whatever its verb, when a later
        # clause opens with a modal and names no one
        opens_modal = any((m := self.modal(c)) is not None and m.start() == 0 for c in clauses[1:])
        doer = self.doer_at(clauses[0]) if opens_modal and clauses else None
        if doer:
            return self._bearer(clauses[0][doer[0] : doer[1]])
        # 对…信访事项,有关机关、单位能够当场告知的,应当当场书面告知: the doer opening the condition right before a
        # main clause that opens with a modal and names no one
        for c, after in pairwise(clauses[1:]):
            if c.endswith("的") and (m := self.modal(after)) is not None and m.start() == 0:
                doer = self.doer_at(c)
                if doer:
                    return self._bearer(c[doer[0] : doer[1]])
        bare: list[str] = []  # a list of bearers cut by commas (各省、自治区、直辖市党委,中央各部委,…可以…)
        # a main clause with no modal (决策机关领导人员提出决策事项建议的,交有关单位研究论证) is a step no one is named
        # for: the doer of the condition is not its bearer (a sanction, …的,给予…处分, falls on that doer all the same)
        passive_main = (
            last_de >= 0
            and not any(self.modal(c) for c in main)
            and not self.lex.has_cue("Sanction", ",".join(main))
            and not self.lex.has_cue("Reward", ",".join(main))
        )
        for i, c in enumerate(clauses):
            if passive_main and i <= last_de:
                continue
            span = self.subject_of(c)
            if span:
                surface = ",".join([*bare, c[span[0] : span[1]]])
                return self._bearer(surface)
            whole = None if c.startswith("对") else self.np_at(c, 0, need_predicate=False)
            if whole and whole[1] == len(c.rstrip(" :")):
                bare.append(c)
                nxt = self.modal(clauses[i + 1]) if i + 1 < len(clauses) else None
                if nxt is not None and nxt.start() == 0:
                    surface = ",".join(bare)
                    return self._bearer(surface)
            else:
                bare = []
        for c in clauses:
            agent = self.agent_of(c)
            if agent:
                return dataclasses.replace(self._bearer(agent), agent=True)
        return None

    def role_facets(self, label: str) -> tuple[str | None, str | None]:
        """A minted role's kind (PartyOrgan, GovernmentOrgan, PostHolder, InspectionTeam) and level, where its
        words say so."""
        t = norm_text(label)
        order = ("InspectionTeam", "PostHolder", "PartyOrgan", "GovernmentOrgan")
        kind = next((k for k in order if k in self.lex.bearer_kinds and self.lex.has_cue(k, t)), None)
        levels = list(dict.fromkeys(m.label for m in self.lex.match_levels(t)))
        return kind, (levels[0] if len(levels) == 1 else None)

    def role_english(self, label: str) -> str | None:
        """An English label for a role minted from the text, composed from the role words (rolewords.ttl) and the
        thesaurus's labels, or None when the name holds a word the vocabulary lacks or a shape the composer does
        not know (never a guess). Shapes: modifiers, then nouns joined by 和/、/或者 (各级党委和政府 → Party
        committees and governments at all levels); a noun of a noun (省委巡视组 → inspection team of the provincial
        Party committee), whose head is shared by the nouns joined before it (党委和政府信访部门 → petition
        departments of Party committees and governments); X及其Y (机关及其工作人员 → organs and their staff)."""
        words = self.lex.role_words()
        t = "".join(norm_text(label).split())
        tokens: list[RoleWordT] = []
        i = 0
        longest = max((len(w) for w in words), default=0)
        while i < len(t):
            sizes = range(min(longest, len(t) - i), 0, -1)  # longest match first
            w = next((words[t[i : i + n]] for n in sizes if t[i : i + n] in words), None)
            if w is None:
                return None  # a word the vocabulary lacks
            tokens.append(w)
            i += len(w.zh)
        post = [w for w in tokens if w.kind == "PostModifier"]
        plural = any(w.plural for w in tokens)
        # the parts joined by 及其: each a list of groups (nouns, with the pre-modifiers inside them)
        parts: list[list[tuple[list[RoleWordT], list[RoleWordT]]]] = [[]]
        joiners: list[list[str]] = [[]]
        mods: list[RoleWordT] = []
        nouns: list[RoleWordT] = []
        for w in [*tokens, RoleWordT("", "Joiner", "")]:
            if w.kind == "Noun":
                nouns.append(w)
                continue
            if w.kind in ("PreModifier", "PostModifier"):
                if nouns:
                    return None  # a modifier after a noun
                if w.kind == "PreModifier":
                    mods.append(w)
                continue
            if not nouns or len(nouns) > 2:
                return None  # a joiner with nothing before it, or three nouns in a row
            parts[-1].append((mods, nouns))
            joiners[-1].append(w.en)
            mods, nouns = [], []
            if w.en == "and their":
                parts.append([])
                joiners.append([])
        if not parts[-1] or not tokens:
            return None

        def noun(w: RoleWordT, many: bool) -> str:
            return (w.en_plural or w.en) if many else w.en

        def phrase(groups: list[tuple[list[RoleWordT], list[RoleWordT]]], js: list[str], many: bool) -> str | None:
            if len(groups) > 1 and any(len(n) > 1 for _, n in groups[:-1]):
                return None  # a noun of a noun before the last conjunct: the reading is not clear
            the = "" if many else "the "
            last_mods, last = groups[-1]
            if len(last) == 2 and len(groups) > 1:
                # 党委和政府信访部门: the head belongs to every conjunct
                owners = [" ".join([*(m.en for m in ms), noun(n[0], many)]) for ms, n in groups[:-1]]
                owners.append(" ".join([*(m.en for m in last_mods), noun(last[0], many)]))
                return f"{noun(last[1], many)} of {the}{_join_en(owners, js[:-1])}"
            items = []
            for ms, n in groups:
                head = noun(n[-1], many)
                if len(n) == 2:
                    owner = " ".join([*(m.en for m in ms), noun(n[0], many)])
                    items.append(f"{head} of {the}{owner}")
                else:
                    items.append(" ".join([*(m.en for m in ms), head]))
            return _join_en(items, js[:-1])

        if len(parts) > 2 or (len(parts) == 2 and any(len(n) > 1 for _, n in parts[1])):
            return None  # X及其Y、Z的W: which words 及其 joins is not clear
        out: list[str] = []
        for groups, js in zip(parts, joiners, strict=True):
            p = phrase(groups, js, plural or len(parts) > 1)  # X及其Y: their Ys
            if p is None:
                return None
            out.append(p)
        text = " and their ".join(out)
        if post:
            text += " " + " ".join(w.en for w in post)
        return text

    # ---------------------------------------------------------------- thesaurus roles in a piece of text
    def _masked(self, text: str) -> tuple[str, list[Match]]:
        """NFKC text with cited titles and role mentions blanked, and those role mentions."""
        t = _CITE_NFKC.sub(lambda m: "□" * len(m.group(0)), norm_text(text))
        roles = self.lex.match_roles(t)
        masked = list(t)
        for m in roles:
            masked[m.start : m.end] = "□" * (m.end - m.start)
        return "".join(masked), roles

    def roles_in(self, text: str) -> tuple[str, ...]:
        """Thesaurus roles (not posts) named in ``text``, outside cited titles."""
        out: list[str] = []
        t = _CITE_NFKC.sub(lambda m: "□" * len(m.group(0)), norm_text(text))
        for m in self.lex.match_roles(t):
            if m.label not in out and not self.lex.roles[m.label].is_post:
                out.append(m.label)
        return tuple(out)

    def modal(self, text: str) -> re.Match[str] | None:
        """The first modal word outside role names and cited titles (主要负责人 holds no 要)."""
        return self.lex.has_cue("modalCue", self._masked(text)[0])

    # ---------------------------------------------------------------- kinds, frequencies, deadlines
    def kind(self, text: str, clauses: list[str], bearer: str | None = None) -> str | None:
        """The kind a norm's cue words give; words of its bearer's name (负责合法性审查的部门) are no cue."""
        if self.lex.has_cue("definitionCue", text) or self.lex.has_cue("precedenceCue", text):
            return "meta"
        if bearer:
            blank = "□" * len(bearer)
            text, clauses = text.replace(bearer, blank), [c.replace(bearer, blank) for c in clauses]
        if self.lex.has_cue("grantCue", text):
            return "permission"
        if self.lex.has_cue("applicabilityCue", self._main(clauses)):
            return "scope"
        # what the norm proposes (提出追究责任的建议) is not what it does
        for p in self.lex.cue("proposalCue").patterns:
            text = p.sub(lambda m: "□" * len(m.group(0)), text)
            clauses = [p.sub(lambda m: "□" * len(m.group(0)), c) for c in clauses]
        # a cue inside a condition (涉及组织调整或者组织处理的,应当…) does not make the norm's kind
        last_de = max((i for i, c in enumerate(clauses[:-1]) if c.endswith("的")), default=-1)
        main = clauses[last_de + 1 :] if last_de >= 0 else [c for c in clauses if not c.endswith("的")]
        if main and len(main) < len(clauses):
            text, clauses = ",".join(main), main
        found: str | None = None
        for code, cue in self.kind_cues:
            for p in cue.patterns:
                if p.pattern.startswith("^"):
                    at = next((i for i, c in enumerate(clauses) if p.search(c)), None)
                    # X应当全面发挥职能作用,坚持和发展…: a 坚持 clause after a subject's modal, with none of its own,
                    # goes on with that duty
                    if (
                        at is not None
                        and code == "principle"
                        and at > 0
                        and self.modal(clauses[at]) is None
                        and bearer  # a named subject (blanked here) before a modal
                        and any(self.modal(c) for c in clauses[:at])
                    ):
                        at = None
                    if at is not None:
                        found = code
                elif p.search(text):
                    found = code
                if found:
                    break
            if found:
                break
        if found == "prohibition":
            # 可以适当延长…,但延长期限不得超过30日: a limit after 但 on what the norm allows
            proviso = self.lex.has_cue("provisoCue", text)
            if proviso and self.lex.has_cue("Permission", text[: proviso.start()]):
                ban = min(m.start() for p in self.lex.cue("Prohibition").patterns if (m := p.search(text)))
                if ban > proviso.start():
                    found = "permission"
        if found is None and clauses and self.lex.has_cue("declarationCue", clauses[0]):
            found = "principle"  # 信访工作是…的重要组成部分: what a thing is, binding no one
        allowed = self.lex.has_cue("discretionCue", text) if found == "sanction" else None
        # 可以给予批评教育…: a sanction only allowed, unless one is required before it (应当…;…可以…)
        if allowed is not None and self.lex.has_cue("Obligation", text[: allowed.start()]) is None:
            found = "permission"
        if found == "permission":  # 可以 against 应当: the earlier word wins
            may = min(m.start() for p in self.lex.cue("Permission").patterns if (m := p.search(text)))
            must = [m.start() for p in self.lex.cue("Obligation").patterns if (m := p.search(text))]
            if must and min(must) < may:
                found = "obligation"
        return found

    def frequency(self, text: str) -> Frequency | None:
        t = norm_text(text)
        for code, cue in self.period_cues:  # a stated count wins
            for p in cue.patterns:
                m = p.search(t)
                if m and "count" in p.groupindex and m.group("count"):
                    return Frequency(code, cn_number(m.group("count")), m.group(0))
        for code, cue in self.period_cues:
            for p in cue.patterns:
                m = p.search(t)
                if m:
                    # "as needed" in the frequency's own clause (每年根据工作需要听取…), not in another one
                    # (…每半年报告一次工作情况,可以根据需要召开专题会议)
                    start = max(t.rfind(sep, 0, m.start()) for sep in _CLAUSE_SEP + _SENTENCE_END) + 1
                    ends = [i for sep in _CLAUSE_SEP + _SENTENCE_END if (i := t.find(sep, m.end())) >= 0]
                    as_needed = self.lex.has_cue("asNeededCue", t[start : min(ends, default=len(t))]) is not None
                    return Frequency(code, None if as_needed else cue.default_count, m.group(0))
        return None

    def deadline(self, text: str) -> str | None:
        m = self.lex.has_cue("deadlineCue", norm_text(text))
        return m.group("deadline") if m else None

    # ---------------------------------------------------------------- norms of one provision
    def groups(self, text: str) -> list[_Span]:
        """Sentences, each cut where a new norm begins."""
        out: list[_Span] = []
        for sent in _spans(text, _SENTENCE_END):
            if self.lex.has_cue("definitionCue", norm_text(text[sent.start : sent.end]).strip()):
                out.append(sent)  # a definition is one statement (直接责任者,是指…,对造成的损失…起决定性作用的党员)
                continue
            clauses = [
                _Span(sent.start + c.start, sent.start + c.end)
                for c in _spans(text[sent.start : sent.end], _CLAUSE_SEP)
            ]
            cur: _Span | None = None
            prohibition_open = False
            cur_freq = False
            bodies = [norm_text(text[c.start : c.end]).strip(" ,") for c in clauses]
            for ci, c in enumerate(clauses):
                body = bodies[ci]
                # a conduct goes on to a later clause in 的 (…方式,公开发表…、反对四项基本原则,反对…的文章…的,给予…)
                conduct_ahead = any(b.endswith("的") for b in bodies[ci:])
                freq = self.frequency(body) is not None
                so_far = norm_text(text[cur.start : cur.end]) if cur is not None else ""
                # an opening 对于…的党组织, (one clause), or an adverbial that states nothing of its own (根据工作
                # 需要,乡镇党委和政府…可以…; 其中对党的领导干部,纪委…有权…): the norm that follows is theirs
                opener = "," not in so_far.rstrip(" ,") and (
                    so_far.startswith("对")
                    or (
                        bool(so_far.strip(" ,"))
                        and self.kind(so_far, [so_far]) is None
                        and self.subject_of(so_far) is None
                        and not (
                            (whole := self.np_at(so_far.rstrip(" ,"), 0, need_predicate=False))
                            and whole[1] == len(so_far.rstrip(" ,"))
                        )
                        # a clause with a doer of its own (决策机关集体讨论决策草案时,) is no bare adverbial, unless a
                        # conjunction opens it (其中对党的领导干部,)
                        and (
                            self.np_at(so_far, 0, loose=True) is None
                            or self.lex.has_cue("conditionOpenerCue", so_far) is not None
                        )
                    )
                )
                # a condition (…的,) belongs to the norm that follows it: 党员依法受到刑事责任追究的,党组织应当…
                # (…有任人唯亲、…等违反干部选拔任用规定行为,对直接责任者…: a conduct named as such is one too)
                condition_open = so_far.rstrip(" ,").endswith("的") or (
                    self.lex.has_cue("conductCue", so_far.rstrip(" ,")) is not None
                )
                starts_new = (
                    cur is not None
                    and not condition_open
                    and (
                        prohibition_open
                        or (freq and cur_freq)  # a second frequency is a second norm (每季度…, 任期内…)
                        # a new object (对…) after a complete norm; after a bare condition (违反…等,对直接责任者…,
                        # 给予…) it is that condition's norm
                        or (
                            self.lex.has_cue("newNormCue", body) is not None
                            and (self.modal(so_far) is not None or self.kind(so_far, [so_far]) is not None)
                        )
                        # 反对… opens a prohibition after a complete norm (坚持…,反对以言代法); inside a conduct
                        # (以组织讲座…等方式,反对党的基本理论…的,给予…) it is part of that conduct
                        or (
                            any(
                                p.search(body)
                                for p in self.lex.cue("Prohibition").patterns
                                if p.pattern.startswith("^")
                            )
                            and (self.modal(so_far) is not None or self.kind(so_far, [so_far]) is not None)
                            and not conduct_ahead
                        )
                        # 不得… after a complete norm or a verb phrase going on with one (…,自觉维护…秩序,不得…);
                        # after a subject and a time (受到留党察看处分的党员,恢复党员权利后二年内,不得…) it is that
                        # subject's ban
                        or (
                            body.startswith("不得")
                            and (
                                self.modal(so_far) is not None
                                or self.kind(so_far, [so_far]) is not None
                                or not self._opens_with_subject(so_far)
                            )
                        )
                        # a subject after an opening 对…, (对于违犯党纪的党组织,上级党组织应当…) is that norm's
                        or (self.subject_of(body) is not None and not opener)
                        # 由X负责… after a complete norm is a norm of X (决策机关…应当明确承办单位，由承办单位负责…)
                        or (
                            body.startswith("由") and self.agent_of(body) is not None and self.modal(so_far) is not None
                        )
                        # …,必要时可以由决策承办单位…解释说明 after a step its doer opens (听证参加人陈述意见,…): a
                        # norm of the agent, with a modal of its own
                        or (
                            (agent := self.lex.has_cue("agentCue", body)) is not None
                            and self.modal(body[: agent.start()]) is not None
                            and self.agent_of(body) is not None
                            and self.np_at(so_far, 0, loose=True) is not None
                        )
                    )
                )
                if cur is None or starts_new:
                    if cur is not None:
                        out.append(cur)
                    cur = c
                    cur_freq = freq
                else:
                    cur = _Span(cur.start, c.end)
                    cur_freq = cur_freq or freq
                # 反对… inside a conduct that goes on to a clause in 的 (…方式,反对党的基本理论…,造成严重不良影响的,
                # 对策划者…给予…) opens no prohibition
                prohibition_open = body.startswith("不得") or (body.startswith("反对") and not conduct_ahead)
            if cur is not None:
                out.append(cur)
        return [s for s in (_strip_span(text, g) for g in out) if s.end > s.start]

    def _opens_with_subject(self, text: str) -> bool:
        """Whether the first clause of ``text`` is, or opens with, a bearer (党员受到…; 受到…处分的党员,)."""
        first = _spans(text, _CLAUSE_SEP)[0]
        c = text[first.start : first.end].strip(" ,")
        if self.subject_of(c):
            return True
        whole = None if c.startswith("对") else self.np_at(c, 0, need_predicate=False)
        return whole is not None and whole[1] == len(c)

    def _bearer(self, surface: str) -> _Bearer:
        clean = _DEFINED_AS.sub("", surface).strip()
        return _Bearer(clean, self.resolve(clean))

    def _carry(self, ctx: _Context, b: _Bearer) -> None:
        ctx.subject, ctx.subject_text = b.labels, b.text

    def provision_norms(
        self, measure: Measure, article: Article, item: int | None, text: str, ctx: _Context, first: int = 1
    ) -> list[Norm]:
        norms: list[Norm] = []
        base = f"{measure.id}/art_{article.number}" + (f"__item_{item}" if item is not None else "")
        # an item of a list of conditions (有下列情形之一的) is one condition, whatever its sentences
        in_list = ctx.list_kind is not None and item is not None
        spans = [_strip_span(text, _Span(0, len(text)))] if in_list else self.groups(text)
        prev_end = 0
        for g in spans:
            quote = text[g.start : g.end]
            t = norm_text(quote)
            new_paragraph = "\n" in text[prev_end : g.start]
            prev_end = g.end
            # a party a paragraph names (对策划者…,给予…) is that paragraph's: a new paragraph with a sanction of the
            # catalogue is new conduct (未经组织批准参加…的,给予警告…), on the catalogue's party. One that applies or
            # aggravates the paragraph before (依照前款规定处理; 有上述行为的,从重或者加重处分) keeps it.
            if (
                new_paragraph
                and ctx.sanctioned is not None
                and ctx.sanctioned.article is None
                and not self.lex.has_cue("previousRuleCue", t)
                and (
                    self._catalogued(t, ctx.catalogue) is not None
                    # a paragraph opening with a conduct of its own (教唆他人违纪的,应当…追究党纪责任), not with the
                    # degree or the conduct of the one before (情节严重的; 有上述行为的), nor aggravating its sanction
                    # for a like conduct (…纵容、唆使…的,从重或者加重处分)
                    or (
                        (m := self.lex.has_cue("conditionCue", t)) is not None
                        and not self.lex.has_cue("sameConductCue", m.group("cond"))
                        and not self.lex.has_cue("aggravationCue", t)
                        and self.doer_at(m.group("cond")) is None
                        and self.subject_of(m.group("cond")) is None
                    )
                )
            ):
                ctx.sanctioned = None
            clauses = [
                norm_text(text[g.start + c.start : g.start + c.end]).strip(" ,") for c in _spans(quote, _CLAUSE_SEP)
            ]
            named = self.named_bearer(t)
            if named and self.lex.has_cue("Direct", named.text):
                named = None  # 本条例适用于各级…机关: the scope's verb is no part of a name; _scope_bearer reads it
            kind = self.kind(t, clauses, named.text if named else None)
            if kind == "meta" and self.lex.has_cue("definitionCue", t):
                named = None  # a definition binds no one (直接责任者,是指…)
            target = self.target_of(clauses[0]) if clauses else None
            # whom a 对X, clause names anywhere in the norm (…经商办企业的,对直接责任者和领导责任者,给予…)
            any_target = next((x for c in clauses if (x := self.target_of(c))), None)
            # a lead-in that is a sentence of its own states a norm (党中央加强对信访工作的统一领导:; 对…建议,按照
            # 下列规定进行研究论证后,报请决策机关决定…:); a heading of a list (对党组织的问责方式包括:, 对党员的纪律
            # 处分种类:) states none, and its bearer carries to what follows
            if (
                kind is None
                and t.rstrip().endswith(":")
                and len(clauses) == 1
                and not (named is not None and self.subject_of(clauses[0]) is not None)
            ):
                if named or target:
                    who = named or self._bearer(str(target))
                    self._carry(ctx, who)
                continue
            if kind is None and g is spans[0] and len(spans) > 1 and len(_CJK_CHAR.findall(t)) <= _MAX_HEADING:
                continue  # the heading word of an item (检查。), not a norm
            if (named is None or named.agent) and ctx.procedure_list and item is not None and clauses:
                # an item of a procedure opens with its doer, whatever its verb (决策承办单位介绍决策草案…), and an
                # agent further on (听证参加人陈述意见…,必要时可以由决策承办单位…解释说明) is not the step's doer
                span = self.np_at(clauses[0], 0, loose=True)
                if span and span[0] == 0 and span[1] < len(clauses[0]):
                    named = self._bearer(clauses[0][: span[1]])
            if named and not (named.agent and ctx.subject):
                self._carry(ctx, named)
            bearer = _Bearer(ctx.subject_text or "", ctx.subject) if ctx.subject else None
            if named and named.agent and ctx.subject:
                # …,由决策承办单位负责…。…,应当明确牵头的决策承办单位: the agent of a delegated act is that act's
                # bearer; the subject carried on is still the article's
                bearer = _Bearer(named.text, named.labels)
            if named is None and not in_list and self.topic_subject(clauses):
                bearer = None  # the norm is about a thing (问责方式, 材料) and names no one
            condition: str | None = None
            if in_list:
                kind = ctx.list_kind
                condition = _LEADING_NOISE.sub("", text)
            if ctx.chapter_kind == "meta" and kind != "scope":
                kind = "meta"
            elif ctx.chapter_kind == "sanction" and (
                kind in (None, "principle")
                # a duty its bearer states outright (党员干部必须正确行使…) stays a duty; a duty on a condition
                # (…的,由其上级机关责令…) or on no one is the chapter's sanction
                or (kind == "obligation" and (named is None or any(c.endswith("的") for c in clauses)))
            ):
                kind = "sanction"
            elif (
                ctx.item_kind
                and item is not None
                and kind in (None, "obligation")
                # a duty an item of principles lays on a body it names as a clause's subject (…作出的处理决定,
                # 下级党组织必须执行) stays that body's duty
                and not (
                    ctx.item_kind == "principle"
                    and kind == "obligation"
                    and named is not None
                    and any(self.subject_of(c) for c in clauses)
                )
            ):
                kind = ctx.item_kind
            if (
                kind is None
                and named is None
                and norms
                and norms[-1].kind == "permission"
                and norms[-1].quote.rstrip()[-1:] not in "。！？!?"
                and not new_paragraph
            ):
                # X有权采取通报、诫勉方式进行问责;提出组织调整或者组织处理的建议: a clause with no modal of its
                # own goes on with the grant before it in the same sentence
                kind = "permission"
            if kind is None or (kind == "principle" and ctx.duty_list and item is not None):
                kind = "obligation"
            if kind == "obligation" and ctx.last_kind and self.lex.has_cue("previousRuleCue", t):
                kind = ctx.last_kind
            if kind == "obligation" and self._catalogued(self._main(clauses), ctx.catalogue) is not None:
                kind = "sanction"  # 应当延长一年留党察看期限: a sanction the measure lists, in the norm's main clause
            ctx.last_kind = kind
            new_sentence = text[: g.start].rstrip()[-1:] in "。！？!?"
            # (…党员受到留党察看处分,其党内职务自然撤销。对于担任党外职务的,应当建议党外组织撤销…: not the member's)
            if (
                named is None
                and (new_paragraph or new_sentence)
                and ctx.subject_sanctioned
                and kind in ("obligation", "prohibition")
            ):
                bearer = None  # the doer of a sanctioned conduct is no one's duty bearer in a later paragraph
            imposed: tuple[str, ...] = ()
            cites = tuple(dict.fromkeys(m.group(1) for m in _CITE.finditer(quote)))
            # 可以给予批评教育…: a permission to sanction falls, like a sanction, on whom it is about
            allowed_sanction = (
                kind == "permission"
                and not in_list
                and self.lex.has_cue("discretionCue", t) is not None
                and self.lex.has_cue("Sanction", t) is not None
            )
            if kind in ("sanction", "reward") or allowed_sanction:
                if in_list:
                    cites = cites or ctx.lead_cites
                    # 有下列行为之一,对直接责任者…给予…: (一)…; whom the lead's sanction falls on, not who imposes it
                    # (…有下列情形之一的,由其上级机关、单位责令改正)
                    if (ctx.first_sanctioned or ctx.sanctioned) is not None:
                        bearer = ctx.first_sanctioned or ctx.sanctioned
                else:
                    carried = bearer
                    bearer, imposed, cond = self._sanctioned(t, clauses, bearer, target or any_target, ctx.sanctioned)
                    # no one imposes a sanction on themselves: an imposer that is the bearer was only carried over
                    imposed = tuple(r for r in imposed if bearer is None or r not in bearer.labels)
                    condition = cond or condition
                    if bearer is None:
                        bearer = self._catalogued(t, ctx.catalogue)
                    if bearer is not carried:
                        ctx.sanctioned = bearer
                    ctx.subject_sanctioned = named is not None and bearer is not None and bearer.labels == named.labels
                    if ctx.first_sanctioned is None:
                        ctx.first_sanctioned = bearer
            else:
                if named is not None:
                    ctx.subject_sanctioned = False
                # 对于受到解散处理的党组织中的党员,应当逐个审查。…予以劝退或者除名: the party a duty opens with (对X,)
                # is whom the article's later sanctions that name no one fall on
                if target and ctx.sanctioned is None and not self.lex.has_cue("definitionCue", t):
                    ctx.sanctioned = self._bearer(target)
                if kind == "permission" and self.lex.has_cue("leniencyCue", t) and (target or any_target):
                    # a softened sanction falls, like a sanction, on whom it is about
                    # (对不明真相的参加人员,…可以免予处分)
                    bearer = self._bearer(str(target or any_target))
            coverage: str | None = None
            levels: tuple[str, ...] = ()
            topic: str | None = None
            if kind == "scope":
                bearer = self._scope_bearer(t) or bearer
                labels = bearer.labels if bearer else ()
                coverage = self.lex.coverage_codes["ByReference" if self.lex.has_cue("ByReference", t) else "Direct"]
                above = self.lex.has_cue("levelAndAboveCue", t)
                if above:
                    rank = next(
                        (lv.rank for lv in self.lex.levels.values() if lv.label.startswith(above.group("level"))), 0
                    )
                    levels = tuple(c for c, lv in self.lex.levels.items() if lv.rank <= rank)
                    # a bearer with a level of its own (乡镇党政主要负责人) adds that level
                    own = {lv for r in labels if r in self.lex.roles and (lv := self.lex.level_of(r)) is not None}
                    levels += tuple(c for c in self.lex.levels if c in own and c not in levels)
                else:
                    levels = tuple(
                        dict.fromkeys(
                            lv for r in labels if r in self.lex.roles and (lv := self.lex.level_of(r)) is not None
                        )
                    )
            if kind == "meta":
                bearer = named  # a meta rule binds whom it names (由…解释), no one else
                for name, code in self.lex.topic_codes.items():
                    if self.lex.has_cue(name, t):
                        topic = code
                        break
            bearers = bearer.labels if bearer and bearer.labels else (self.lex.unspecified,)
            norms.append(
                Norm(
                    id=f"{base}/n{first + len(norms)}",
                    measure=measure.id,
                    article=article.number,
                    item=item,
                    kind=kind,
                    bearers=bearers,
                    action=self.action(quote, named is not None),
                    quote=quote,
                    # a permission (可以…定期研究) sets no one a frequency
                    frequency=None if kind == "permission" else self.frequency(quote),
                    cites=cites,
                    condition=condition,
                    imposed_by=imposed,
                    coverage=coverage,
                    levels=levels,
                    topic=topic,
                    bearer_text=bearer.text if bearer and bearer.labels else None,
                    bearer_article=bearer.article if bearer and bearer.labels else None,
                    deadline=None if kind == "prohibition" else self.deadline(quote),  # 五年内不得: a ban's span
                )
            )
        return norms

    def _sanctioned(
        self, t: str, clauses: list[str], bearer: _Bearer | None, target: str | None, previous: _Bearer | None = None
    ) -> tuple[_Bearer | None, tuple[str, ...], str | None]:
        """Whom a sanction or reward falls on, who imposes it, and on what condition."""
        imposer = next((a for c in clauses if (a := self.agent_of(c))), None)
        by = self.resolve(imposer) if imposer else ()
        others = tuple(r for r in (bearer.labels if bearer else ()))
        # 对考评不合格的党政主要负责人进行约谈 / 对在…中履职不力的领导班子和领导干部,…由…进行约谈
        m = self.lex.has_cue("targetCue", t)
        if m and self.roles_in(m.group("target")):
            roles = self.roles_in(m.group("target"))
            return _Bearer(m.group("target"), roles), by or tuple(r for r in others if r not in roles), m.group("cond")
        if m and not target:
            # 对直接负责的主管人员和其他直接责任人员依规依纪依法严肃处理: a target the thesaurus lacks, named whole
            whole = (m.group("cond") or "") + m.group("target")
            span = self.np_at(whole, 0, need_predicate=False)
            if span and span[1] == len(whole):
                target = whole
        found = self.lex.has_cue("foundTargetCue", t)
        if not target and found:
            span = self.np_at(found.group("who") + "有", 0)
            target = found.group("who")[: span[1]] if span else None
        if target:
            who = self._bearer(target)
            return who, by or tuple(r for r in others if r not in who.labels), None
        # X…的, (由Y)…予以问责: the sanction falls on X
        cond = self.lex.has_cue("conditionCue", t)
        if cond:
            span = self.subject_of(clauses[0]) if clauses else None
            # the doer who opens a condition, whatever verb follows (党员领导干部离职后违反…的,给予…处分);
            # not an object after 向/对/将… (向从事公务的人员…赠送…的)
            if span is None and clauses:
                span = self.doer_at(clauses[0])
            if span is None and clauses:  # 驻外机构…中的党员,触犯…的: a clause that is only its doer
                whole = self.np_at(clauses[0], 0, need_predicate=False)
                span = whole if whole and whole[1] == len(clauses[0]) and len(clauses) > 1 else None
            if span is None and clauses:
                span = self._list_doer(clauses[0])
            if span:
                return self._bearer(clauses[0][span[0] : span[1]]), by, cond.group("cond")
            roles = self.roles_in(cond.group("cond"))
            if roles:
                return _Bearer(cond.group("cond"), roles), by, cond.group("cond")
        # 对其进行教育…: a pronoun names no one; the one named before is meant
        if m and (bearer is not None or previous is None):
            return bearer, by or others, (m.group("cond") or "") + m.group("target")
        if previous is not None:  # 情节较重的,给予…处分: on whom the sentence before named
            return previous, by or tuple(r for r in others if r not in previous.labels), None
        return bearer, by or others, None

    @staticmethod
    def _main(clauses: list[str]) -> str:
        """The main clauses of a norm: those after its last condition (a clause ending in 的)."""
        last_de = max((i for i, c in enumerate(clauses[:-1]) if c.endswith("的")), default=-1)
        return ",".join(clauses[last_de + 1 :])

    def _list_doer(self, clause: str) -> tuple[int, int] | None:
        """The doer of a list of conditions, named right before it (对信访事项有权处理的机关、单位有下列情形之一的):
        a bearer whose modifiers may open with 对, as long as they are a 的-phrase."""
        m = self.lex.has_cue("conditionListCue", clause)
        if not m:
            return None
        pre = clause[: m.start()]
        span = self.np_at(pre, 0, need_predicate=False)
        return span if span and span[1] == len(pre) else None

    def _catalogued(self, t: str, catalogue: tuple[tuple[str, _Bearer], ...]) -> _Bearer | None:
        """Whom a sanction that names no one falls on: the one the measure's catalogue of that sanction names
        (…的,给予警告或者严重警告处分 → 对党员的纪律处分种类: 警告…), when the catalogues agree on one."""
        exc = self.lex.has_cue("exceptionCue", t)
        if exc:  # the sanctions of an exception (除…外) are not the norm's own
            t = t[: exc.start()] + t[exc.end() :]
        whom = {b for words, b in catalogue if words in t}
        return next(iter(whom)) if len(whom) == 1 else None

    def catalogue(self, measure: Measure) -> tuple[tuple[str, _Bearer], ...]:
        """The sanctions a measure lists for a named party (对党员的纪律处分种类:(一)警告;…): each item's
        heading words, with that party as the measure names it and the article that names it."""
        out: list[tuple[str, _Bearer]] = []
        for art in measure.articles:
            lead = norm_text(art.lead)
            if not art.items or not self.lex.has_cue("sanctionListCue", lead):
                continue
            whom = self.target_of(lead.strip())
            if not whom:
                continue
            b = self._bearer(whom)
            for it in art.items:
                words = _LEADING_NOISE.sub("", norm_text(it.text))
                cjk = len(_CJK_CHAR.findall(words))
                if words and cjk == len(words) and cjk <= _MAX_HEADING:  # a heading word (警告), not a sentence
                    out.append((words, _Bearer(b.text, b.labels, art.number)))
        return tuple(out)

    def _scope_bearer(self, t: str) -> _Bearer | None:
        """Whom a scope rule covers: the thesaurus roles it names, else the bearer it names as written."""
        roles = self.roles_in(t)
        direct = self.lex.has_cue("Direct", t)
        span = self.np_at(t, direct.end(), loose=True) if direct else None
        if span is None:
            span = self.np_at(t, 0, loose=True)
        if span is None:
            span = self.subject_of(t)
        surface = t[span[0] : span[1]] if span else None
        if roles:
            return _Bearer(surface or "、".join(roles), roles)
        return self._bearer(surface) if surface else None

    def action(self, quote: str, has_subject: bool) -> str:
        """The norm's words without its subject and modal, cut to a short phrase."""
        t = quote
        if has_subject:
            modal = self.modal(t)
            if modal and modal.start() < 40:
                t = t[modal.start() :]
        t = re.sub(r"^(应当|必须|应|要|须)(具体|切实)?", "", t)
        t = _LEADING_NOISE.sub("", t)
        if len(t) > 60:
            cut = max((t.rfind(sep, 0, 60) for sep in "，,、"), default=-1)
            t = t[: cut if cut >= 15 else 60] + "…"
        return t

    # ---------------------------------------------------------------- a whole measure
    def _chapter_kind(self, article: Article) -> str | None:
        title = norm_text(article.chapter or "")
        if self.lex.has_cue("metaChapterCue", title):
            return "meta"
        if self.lex.has_cue("sanctionChapterCue", title):
            return "sanction"
        return None

    def extract(self, measure: Measure) -> list[Norm]:
        norms: list[Norm] = []
        catalogue = self.catalogue(measure)
        for art in measure.articles:
            ctx = _Context(chapter_kind=self._chapter_kind(art), catalogue=catalogue)
            if not art.items:
                norms.extend(self.provision_norms(measure, art, None, art.text, ctx))
                continue
            lead = norm_text(art.lead)
            ctx.duty_list = self.lex.has_cue("dutyListCue", lead) is not None
            ctx.procedure_list = self.lex.has_cue("procedureListCue", lead) is not None
            if self.lex.has_cue("conditionListCue", lead):
                ctx.list_kind = self.kind(lead, [lead]) or "sanction"
                ctx.lead_cites = tuple(dict.fromkeys(m.group(1) for m in _CITE.finditer(art.lead)))
            elif self.lex.has_cue("sanctionListCue", lead):
                ctx.item_kind = "sanction"
            elif self.lex.has_cue("principleListCue", lead):
                ctx.item_kind = "principle"
            elif self.lex.has_cue("definitionCue", lead) or self.lex.has_cue("contentsListCue", lead.strip()):
                # 本条例所称重大行政决策事项包括:(一)…, 合法性审查的内容包括:(一)…: the items define a term or name
                # contents, binding no one
                ctx.item_kind = "meta"
            # the lead-in states norms of its own (the lead duty, the penalty of a list of conditions)
            lead_ctx = _Context(chapter_kind=ctx.chapter_kind, catalogue=catalogue)
            own = self.provision_norms(measure, art, None, art.lead, lead_ctx)
            if ctx.list_kind:  # 有下列情形之一的,应当从重或者加重处分: the lead states the list's norm
                # (信访人…应当遵守法律、法规,…不得有下列行为: only the clause that leads to the list)
                own = [
                    dataclasses.replace(n, kind=ctx.list_kind)
                    if n.kind == "obligation" and self.lex.has_cue("conditionListCue", norm_text(n.quote))
                    else n
                    for n in own
                ]
            norms.extend(own)
            # 党中央加强对信访工作的统一领导:(一)…: a lead-in stating its bearer's duty makes the items that duty's
            last_own = own[-1] if own else None
            if (
                last_own is not None
                and not ctx.list_kind
                and not ctx.item_kind
                and last_own.kind == "obligation"
                and last_own.bearer_text is not None
                and norm_text(last_own.quote).rstrip().endswith(":")
            ):
                ctx.duty_list = True
            if lead_ctx.subject:
                ctx.subject, ctx.subject_text = lead_ctx.subject, lead_ctx.subject_text
            ctx.sanctioned, ctx.first_sanctioned = lead_ctx.sanctioned, lead_ctx.first_sanctioned
            for it in art.items:
                item_ctx = dataclasses.replace(ctx)
                norms.extend(self.provision_norms(measure, art, it.number, it.text, item_ctx))
            # paragraphs after the last item are the article's own words too
            last = art.items[-1].text
            at = art.text.rfind(last)
            tail = art.text[at + len(last) :] if at >= 0 else ""
            if tail.strip():
                tail_ctx = dataclasses.replace(ctx, list_kind=None, item_kind=None)
                norms.extend(self.provision_norms(measure, art, None, tail, tail_ctx, first=len(own) + 1))
        return norms


def extract(measure: Measure, lexicon: Lexicon | None = None) -> list[Norm]:
    """The norms stated by every provision of ``measure``."""
    return Extractor(lexicon or load_lexicon()).extract(measure)


def norm_to_json(n: Norm) -> dict[str, object]:
    """The `fzqa norms --json` contract (plus a few extra keys)."""
    return {
        "id": n.id,
        "measure": n.measure,
        "article": n.article,
        "item": n.item,
        "kind": n.kind,
        "bearer": n.bearers[0] if n.bearers else None,
        "bearers": list(n.bearers),
        "action": n.action,
        "bearer_text": n.bearer_text,
        "bearer_article": n.bearer_article,
        "frequency": None
        if n.frequency is None
        else {"period": n.frequency.period, "min_count": n.frequency.min_count, "cue": n.frequency.cue},
        "deadline": n.deadline,
        "cites": list(n.cites),
        "condition": n.condition,
        "imposed_by": list(n.imposed_by),
        "coverage": n.coverage,
        "levels": list(n.levels),
        "topic": n.topic,
        "quote": n.quote,
    }
