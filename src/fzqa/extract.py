"""Measure → Norms: kind, bearer roles, short action, frequency, cited instruments, conditions,
who imposes a sanction, and scope rules.

The text of a provision is cut into sentences (。；) and each sentence into norms at the points where a
new subject, a new object (对…) or a prohibition (不得…) begins. Every cue word and role name comes from
the ontology files through :mod:`fzqa.lexicon`; this module holds only the procedure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from fzqa.corpus import cn_number
from fzqa.lexicon import Lexicon, Match, load_lexicon, norm_text
from fzqa.types import Article, Frequency, Measure, Norm

EXTRACT_VERSION = "1"

_SENTENCE_END = "。；;！？!?"
_CLAUSE_SEP = "，,"
_CITE = re.compile(r"《([^《》]+)》")
_CITE_NFKC = re.compile(r"《[^《》]*》")
_CJK_CHAR = re.compile(r"[\u3400-\u9fff]")
_LEADING_NOISE = re.compile(r"^[\s,，、:：;；]+|[\s,，、:：;；。]+$")


@dataclass
class _Context:
    """What a provision inherits: the article lead's subject and kind, the previous sentence's subject."""

    subject: tuple[str, ...] = ()
    list_kind: str | None = None  # kind given by a lead-in to the items (conditions → sanction)
    duty_list: bool = False
    lead_cites: tuple[str, ...] = ()
    fallback: tuple[str, ...] = field(default_factory=tuple)


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

    # ---------------------------------------------------------------- roles in a piece of text
    def _masked(self, text: str) -> tuple[str, list[Match]]:
        """NFKC text with cited titles blanked, its role mentions, and the text with those mentions blanked."""
        t = _CITE_NFKC.sub(lambda m: "□" * len(m.group(0)), norm_text(text))
        roles = self.lex.match_roles(t)
        masked = list(t)
        for m in roles:
            masked[m.start : m.end] = "□" * (m.end - m.start)
        return "".join(masked), roles

    def modal(self, text: str) -> re.Match[str] | None:
        """The first modal word outside role names and cited titles."""
        return self.lex.has_cue("modalCue", self._masked(text)[0])

    def subject(self, text: str) -> tuple[str, ...]:
        """Roles named as the subject: before the first modal word, not preceded by an object cue."""
        masked, roles = self._masked(text)
        modal = self.lex.has_cue("modalCue", masked)
        if not modal:
            # no modal word: a role that opens the clause and is followed by more words is its subject
            # ("党委主要负责人每年年底前向上级党委报告…"); a bare list of roles is not
            lead = roles[0] if roles else None
            if lead and not masked[: lead.start].strip(" □") and _CJK_CHAR.search(masked[lead.end :]):
                r = self.lex.roles.get(lead.label)
                return (lead.label,) if r is not None and not r.is_post else ()
            return ()
        out: list[str] = []
        for m in roles:
            if m.start >= modal.start():
                break
            if self.lex.has_cue("objectCue", masked[: m.start]):
                continue
            if m.label not in out and m.label in self.lex.roles and not self.lex.roles[m.label].is_post:
                out.append(m.label)
        return tuple(out)

    def roles_in(self, text: str) -> tuple[str, ...]:
        """Roles (not posts) named in ``text``, outside cited titles."""
        out: list[str] = []
        for m in self._masked(text)[1]:
            if m.label not in out and not self.lex.roles[m.label].is_post:
                out.append(m.label)
        return tuple(out)

    # ---------------------------------------------------------------- kinds and frequencies
    def kind(self, text: str, clauses: list[str]) -> str | None:
        for code, cue in self.kind_cues:
            for p in cue.patterns:
                if p.pattern.startswith("^"):
                    if any(p.search(c) for c in clauses):
                        return code
                elif p.search(text):
                    return code
        return None

    def frequency(self, text: str) -> Frequency | None:
        t = norm_text(text)
        for code, cue in self.period_cues:  # a stated count wins
            for p in cue.patterns:
                m = p.search(t)
                if m and "count" in p.groupindex and m.group("count"):
                    return Frequency(code, cn_number(m.group("count")), m.group(0))
        as_needed = self.lex.has_cue("asNeededCue", t) is not None
        for code, cue in self.period_cues:
            for p in cue.patterns:
                m = p.search(t)
                if m:
                    return Frequency(code, None if as_needed else cue.default_count, m.group(0))
        return None

    # ---------------------------------------------------------------- norms of one provision
    def groups(self, text: str) -> list[_Span]:
        """Sentences, each cut where a new norm begins."""
        out: list[_Span] = []
        for sent in _spans(text, _SENTENCE_END):
            clauses = [
                _Span(sent.start + c.start, sent.start + c.end)
                for c in _spans(text[sent.start : sent.end], _CLAUSE_SEP)
            ]
            cur: _Span | None = None
            prohibition_open = False
            cur_freq = False
            for c in clauses:
                body = norm_text(text[c.start : c.end]).strip()
                freq = self.frequency(body) is not None
                starts_new = cur is not None and (
                    prohibition_open
                    or (freq and cur_freq)  # a second frequency is a second norm (每季度…, 任期内…)
                    or self.lex.has_cue("newNormCue", body) is not None
                    or any(p.search(body) for p in self.lex.cue("Prohibition").patterns if p.pattern.startswith("^"))
                    or body.startswith("不得")
                    or bool(self.subject(body))
                )
                if cur is None or starts_new:
                    if cur is not None:
                        out.append(cur)
                    cur = c
                    cur_freq = freq
                else:
                    cur = _Span(cur.start, c.end)
                    cur_freq = cur_freq or freq
                prohibition_open = body.startswith("不得") or body.startswith("反对")
            if cur is not None:
                out.append(cur)
        return [s for s in (_strip_span(text, g) for g in out) if s.end > s.start]

    def provision_norms(
        self, measure: Measure, article: Article, item: int | None, text: str, ctx: _Context
    ) -> list[Norm]:
        norms: list[Norm] = []
        base = f"{measure.id}/art_{article.number}" + (f"__item_{item}" if item is not None else "")
        # an item of a list of conditions (有下列情形之一的) is one condition, whatever its sentences
        spans = [_strip_span(text, _Span(0, len(text)))] if ctx.list_kind and item is not None else self.groups(text)
        for g in spans:
            quote = text[g.start : g.end]
            t = norm_text(quote)
            clauses = [
                norm_text(text[g.start + c.start : g.start + c.end]).strip(" ,") for c in _spans(quote, _CLAUSE_SEP)
            ]
            explicit = self.subject(t)
            if explicit:
                ctx.subject = explicit
            subject = explicit or ctx.subject or ctx.fallback
            kind = self.kind(t, clauses)
            condition: str | None = None
            if ctx.list_kind and item is not None:
                kind = ctx.list_kind
                condition = _LEADING_NOISE.sub("", text)
            if kind is None or (kind == "principle" and ctx.duty_list and item is not None):
                kind = "obligation"
            bearers = subject
            imposed: tuple[str, ...] = ()
            cites = tuple(dict.fromkeys(m.group(1) for m in _CITE.finditer(quote)))
            if kind in ("sanction", "reward"):
                if ctx.list_kind and item is not None:
                    bearers, imposed = ctx.subject or subject, ()
                    cites = cites or ctx.lead_cites
                else:
                    target = self.lex.has_cue("targetCue", t)
                    cond_m = self.lex.has_cue("conditionCue", t)
                    target_roles = self.roles_in(target.group("target")) if target else ()
                    if target and target_roles:
                        bearers, imposed = target_roles, tuple(r for r in subject if r not in target_roles)
                        condition = target.group("cond")
                    elif cond_m and self.roles_in(cond_m.group("cond")):
                        bearers, condition = self.roles_in(cond_m.group("cond")), cond_m.group("cond")
                    else:
                        imposed = subject
                        if target:
                            condition = (target.group("cond") or "") + target.group("target")
            coverage: str | None = None
            levels: tuple[str, ...] = ()
            topic: str | None = None
            if kind == "scope":
                bearers = self.roles_in(t) or subject
                coverage = self.lex.coverage_codes["ByReference" if self.lex.has_cue("ByReference", t) else "Direct"]
                above = self.lex.has_cue("levelAndAboveCue", t)
                if above:
                    rank = next(
                        (lv.rank for lv in self.lex.levels.values() if lv.label.startswith(above.group("level"))), 0
                    )
                    levels = tuple(c for c, lv in self.lex.levels.items() if lv.rank <= rank)
                    # a bearer with a level of its own (乡镇党政主要负责人) adds that level
                    own = {lv for r in bearers if (lv := self.lex.level_of(r)) is not None}
                    levels += tuple(c for c in self.lex.levels if c in own and c not in levels)
                else:
                    levels = tuple(dict.fromkeys(lv for r in bearers if (lv := self.lex.level_of(r)) is not None))
            if kind == "meta":
                for name, code in self.lex.topic_codes.items():
                    if self.lex.has_cue(name, t):
                        topic = code
                        break
            if kind == "meta" or not bearers:
                bearers = ctx.fallback
            norms.append(
                Norm(
                    id=f"{base}/n{len(norms) + 1}",
                    measure=measure.id,
                    article=article.number,
                    item=item,
                    kind=kind,
                    bearers=bearers,
                    action=self.action(quote, explicit),
                    quote=quote,
                    frequency=self.frequency(quote),
                    cites=cites,
                    condition=condition,
                    imposed_by=imposed,
                    coverage=coverage,
                    levels=levels,
                    topic=topic,
                )
            )
        return norms

    def action(self, quote: str, subject: tuple[str, ...]) -> str:
        """The norm's words without its subject and modal, cut to a short phrase."""
        t = quote
        if subject:
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
    def extract(self, measure: Measure) -> list[Norm]:
        # The measure's addressees (its direct scope rule) bear norms whose text names no one.
        fallback: tuple[str, ...] = ()
        for art in measure.articles:
            t = norm_text(art.text)
            if self.lex.has_cue("Direct", t) and not self.lex.has_cue("ByReference", t):
                fallback = self.roles_in(t)
                if fallback:
                    break
        if not fallback:
            fallback = tuple(r for r in self.lex.bearer_roles() if not self.lex.roles[r].broader)[:1]
        norms: list[Norm] = []
        for art in measure.articles:
            ctx = _Context(fallback=fallback)
            if art.items:
                lead = norm_text(art.lead)
                ctx.subject = self.subject(lead) or self.roles_in(lead)[:1]
                ctx.duty_list = self.lex.has_cue("dutyListCue", lead) is not None
                if self.lex.has_cue("conditionListCue", lead):
                    ctx.list_kind = self.kind(lead, [lead]) or "sanction"
                    ctx.lead_cites = tuple(dict.fromkeys(m.group(1) for m in _CITE.finditer(art.lead)))
                for it in art.items:
                    item_ctx = _Context(
                        subject=ctx.subject,
                        list_kind=ctx.list_kind,
                        duty_list=ctx.duty_list,
                        lead_cites=ctx.lead_cites,
                        fallback=fallback,
                    )
                    norms.extend(self.provision_norms(measure, art, it.number, it.text, item_ctx))
            else:
                norms.extend(self.provision_norms(measure, art, None, art.text, ctx))
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
        "frequency": None
        if n.frequency is None
        else {"period": n.frequency.period, "min_count": n.frequency.min_count, "cue": n.frequency.cue},
        "cites": list(n.cites),
        "condition": n.condition,
        "imposed_by": list(n.imposed_by),
        "coverage": n.coverage,
        "levels": list(n.levels),
        "topic": n.topic,
        "quote": n.quote,
    }
