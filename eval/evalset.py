"""Load, check and split the labelled question sets of eval/ (used by bench/qa.py and bench/retrieval.py).

    python eval/evalset.py check    # every gold/accept provision exists, fields are valid, splits follow the rule

The split rule (documented in eval/README.md): every question of ``questions.jsonl`` is ``tune`` (its former
holdout part was measured in aggregate several times by 2026-12-01 and was retired into tune on 2026-12-02);
``fresh-questions.jsonl``, written afterwards from the measures' texts by someone who had not seen the assistant's
code, thesauri or the other questions, was ``holdout`` until its two aggregate runs of 2026-12-02 and is ``tune``
since (retired the same way); ``fresh2-questions.jsonl``, written the same way on 2026-12-02, was ``holdout`` for
four aggregate runs and is ``tune`` since (retired the same way); ``fresh3-questions.jsonl``, written the same way
in the next session, was ``holdout`` for two aggregate runs and is ``tune`` since the session after (retired the same
way); ``fresh4-questions.jsonl``, written the same way in that session, was ``holdout`` for three aggregate runs and
is ``tune`` since the session after; ``fresh5-questions.jsonl``, written the same way in that session, was
``holdout`` for three aggregate runs and is ``tune`` since the session after; ``fresh6-questions.jsonl``, written the
same way in that session, was ``holdout`` for four aggregate runs and is ``tune`` since the session after;
``fresh7-questions.jsonl``, written the same way in that session, was ``holdout`` for four aggregate runs and is
``tune`` since the session after; ``fresh8-questions.jsonl``, written the same way in that session, was ``holdout``
for three aggregate runs and is ``tune`` since the session after; ``fresh9-questions.jsonl``, written the same way
in that session, is ``holdout`` as a whole, and so is the extra-corpus set.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / "eval"
QUESTIONS = EVAL / "questions.jsonl"
DEV = EVAL / "dev-questions.jsonl"
EXTRA = EVAL / "extra-questions.jsonl"
EXTRA_TUNE = EVAL / "extra-tune-questions.jsonl"
FRESH = EVAL / "fresh-questions.jsonl"
FRESH2 = EVAL / "fresh2-questions.jsonl"
FRESH3 = EVAL / "fresh3-questions.jsonl"
FRESH4 = EVAL / "fresh4-questions.jsonl"
FRESH5 = EVAL / "fresh5-questions.jsonl"
FRESH6 = EVAL / "fresh6-questions.jsonl"
FRESH7 = EVAL / "fresh7-questions.jsonl"
FRESH8 = EVAL / "fresh8-questions.jsonl"
FRESH9 = EVAL / "fresh9-questions.jsonl"
TOPICS = EVAL / "covered-topics.jsonl"
EXTRA_CORPUS = ROOT / "tests" / "data" / "corpus-extra"

TYPES = frozenset(
    {
        "role_duties",
        "period_duties",
        "prohibition",
        "sanction",
        "reward",
        "coverage",
        "comparison",
        "provision_number",
        "metadata",
        "count",
        "topic",
        "unanswerable",
    }
)
SPLITS = ("tune", "holdout")
LANGS = ("zh", "en")
STYLES = ("para", "text")

Key = tuple[str, int | None, int | None]


class EvalDataError(ValueError):
    """A question file is malformed; the message names the file and line."""


@dataclass(frozen=True)
class Question:
    id: str
    q: str
    lang: str
    type: str
    style: str
    answerable: bool
    gold: tuple[Key, ...]
    accept: tuple[Key, ...] = ()
    split: str = "holdout"
    role: str | None = None
    note: str = ""


@dataclass(frozen=True)
class Topic:
    id: str
    topic: str
    topic_en: str
    gold: tuple[Key, ...]

    def measures(self) -> tuple[str, ...]:
        return tuple(sorted({g[0] for g in self.gold}))


def _key(raw: object, where: str) -> Key:
    if not (isinstance(raw, list) and len(raw) == 3 and isinstance(raw[0], str)):
        raise EvalDataError(f"{where}: a citation is [measure, article|null, item|null], got {raw!r}")
    m, a, i = raw
    if not (a is None or isinstance(a, int)) or not (i is None or isinstance(i, int)) or (a is None and i is not None):
        raise EvalDataError(f"{where}: bad article/item in {raw!r}")
    return (m, a, i)


def _keys(d: dict[str, object], field: str, where: str) -> tuple[Key, ...]:
    raw = d.get(field) or []
    if not isinstance(raw, list):
        raise EvalDataError(f"{where}: {field!r} is a list of [measure, article, item]")
    return tuple(_key(g, where) for g in raw)


def _lines(path: Path) -> Iterable[tuple[str, dict[str, object]]]:
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path}:{n}"
        try:
            d = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvalDataError(f"{where}: not JSON ({exc.msg}, column {exc.colno})") from None
        if not isinstance(d, dict):
            raise EvalDataError(f"{where}: a line is one JSON object")
        yield where, d


def load_questions(path: Path) -> list[Question]:
    """Questions of a JSONL file. Fields missing in the old dev format get defaults (type 'topic', style 'text',
    answerable = gold non-empty, split 'tune' for the dev file)."""
    out: list[Question] = []
    seen: set[str] = set()
    for where, d in _lines(path):
        for f in ("id", "q"):
            if not isinstance(d.get(f), str) or not d[f]:
                raise EvalDataError(f"{where}: missing {f!r}")
        qid = str(d["id"])
        if qid in seen:
            raise EvalDataError(f"{where}: duplicate id {qid!r}")
        seen.add(qid)
        gold, accept = _keys(d, "gold", where), _keys(d, "accept", where)
        answerable = bool(d.get("answerable", bool(gold)))
        if answerable != bool(gold):
            raise EvalDataError(f"{where}: answerable={answerable} but gold has {len(gold)} citations")
        qtype = str(d.get("type", "unanswerable" if not gold else "topic"))
        if qtype not in TYPES:
            raise EvalDataError(f"{where}: unknown type {qtype!r}; known: {', '.join(sorted(TYPES))}")
        lang, style = str(d.get("lang", "zh")), str(d.get("style", "text"))
        if lang not in LANGS or style not in STYLES:
            raise EvalDataError(f"{where}: lang must be one of {LANGS}, style one of {STYLES}")
        split = str(d.get("split", "tune" if path.name in (DEV.name, QUESTIONS.name) else "holdout"))
        if split not in SPLITS:
            raise EvalDataError(f"{where}: split must be one of {SPLITS}")
        role = d.get("role")
        out.append(
            Question(
                qid,
                str(d["q"]),
                lang,
                qtype,
                style,
                answerable,
                gold,
                accept,
                split,
                str(role) if role else None,
                str(d.get("note", "")),
            )
        )
    return out


def load_topics(path: Path = TOPICS) -> list[Topic]:
    out = []
    for where, d in _lines(path):
        for f in ("id", "topic", "topic_en"):
            if not isinstance(d.get(f), str) or not d[f]:
                raise EvalDataError(f"{where}: missing {f!r}")
        gold = _keys(d, "gold", where)
        t = Topic(str(d["id"]), str(d["topic"]), str(d["topic_en"]), gold)
        if len(t.measures()) < 2:
            raise EvalDataError(f"{where}: a covered topic needs provisions of both measures")
        out.append(t)
    return out


def topic_questions(t: Topic) -> list[tuple[str, str]]:
    """(lang, question) asked for a covered topic."""
    return [
        ("zh", f"{t.topic}方面，两部办法分别有什么规定？"),
        ("en", f"What do the two measures each say about {t.topic_en}?"),
    ]


# ------------------------------------------------------------------------------------------- provisions
def provisions(corpus_dir: Path) -> dict[str, set[Key]]:
    """The citable provisions of each parsed measure of a folder: (m, None, None), every article (m, a, None)
    and every item (m, a, i). A file without articles is a measure with its measure-level key only."""
    out: dict[str, set[Key]] = defaultdict(set)
    for k in provision_texts(corpus_dir):
        out[k[0]].add(k)
    return dict(out)


def provision_texts(corpus_dir: Path) -> dict[Key, str]:
    """The words of every citable provision (an article's text includes its items; measure level: the title)."""
    from fzqa.corpus import parse_file

    out: dict[Key, str] = {}
    for p in sorted(corpus_dir.glob("*.txt")):
        m = parse_file(p, p.stem)
        out[(m.id, None, None)] = m.title
        for a in m.articles:
            out[(m.id, a.number, None)] = a.text
            out.update({(m.id, a.number, i.number): i.text for i in a.items})
    return out


def stage_corpus(src: Path, dst: Path) -> list[str]:
    """Copy the raw measures of ``src`` that have articles (and its measures.toml) into ``dst`` for a build in a
    separate folder; return a message for each file left out (the pipeline refuses a measure without 第…条)."""
    import shutil

    from fzqa.corpus import parse_file

    dst.mkdir(parents=True, exist_ok=True)
    skipped = []
    for p in sorted(src.glob("*.txt")):
        if parse_file(p, p.stem).articles:
            shutil.copy2(p, dst / p.name)
        else:
            skipped.append(
                f"{p.name}: left out, no articles (第…条); the pipeline cannot build a measure without articles"
            )
    if (src / "measures.toml").is_file():
        shutil.copy2(src / "measures.toml", dst / "measures.toml")
    else:
        # The catalogue is optional for the parser (every .txt is taken in with fields from its own text), but
        # fzqa.pipeline.corpus_hash reads corpus_dir/measures.toml unconditionally: an empty catalogue works around it.
        (dst / "measures.toml").write_text(
            "# no catalogue: measures are taken in with the fields their own text states\n", encoding="utf-8"
        )
    return skipped


def check_keys(questions: Sequence[Question], known: dict[str, set[Key]], label: str) -> list[str]:
    valid = set().union(*known.values()) if known else set()
    return [
        f"{label} {q.id}: {k} does not exist in the parsed corpus"
        for q in questions
        for k in (*q.gold, *q.accept)
        if k not in valid
    ]


# ------------------------------------------------------------------------------------------- the split rule
# Each file of questions over the two measures and the split all its questions must have.
MAIN_SPLITS = (
    (QUESTIONS, "tune"),
    (FRESH, "tune"),
    (FRESH2, "tune"),
    (FRESH3, "tune"),
    (FRESH4, "tune"),
    (FRESH5, "tune"),
    (FRESH6, "tune"),
    (FRESH7, "tune"),
    (FRESH8, "tune"),
    (FRESH9, "holdout"),
)
MAIN_FILES = tuple(f for f, _ in MAIN_SPLITS)
MAIN_SOURCES = " + ".join(f"{f.name} ({split})" for f, split in MAIN_SPLITS)


def load_main() -> list[Question]:
    """The questions over the two measures (``MAIN_SPLITS``), those of the files that exist."""
    return [q for f in MAIN_FILES if f.is_file() for q in load_questions(f)]


def check_all() -> list[str]:
    problems: list[str] = []
    main = load_questions(QUESTIONS)
    files = [(f, split, load_questions(f)) for f, split in MAIN_SPLITS if f.is_file()]
    dev = load_questions(DEV)
    extra = load_questions(EXTRA)
    topics = load_topics(TOPICS)
    known = provisions(ROOT / "corpus")
    problems += check_keys(dev, known, DEV.name)
    seen: dict[str, str] = {}
    for f, split, qs in files:
        problems += check_keys(qs, known, f.name)
        problems += [f"{f.name} {q.id}: every question of {f.name} is {split}" for q in qs if q.split != split]
        for q in qs:
            if q.id in seen:
                problems.append(f"{f.name} {q.id}: id also used in {seen[q.id]}")
            seen.setdefault(q.id, f.name)
    valid = set().union(*known.values())
    problems += [f"{TOPICS.name} {t.id}: {k} does not exist" for t in topics for k in t.gold if k not in valid]
    extra_known = provisions(EXTRA_CORPUS)
    problems += check_keys(extra, extra_known, EXTRA.name)
    extra_tune = load_questions(EXTRA_TUNE) if EXTRA_TUNE.is_file() else []
    problems += check_keys(extra_tune, extra_known, EXTRA_TUNE.name)
    problems += [f"{EXTRA_TUNE.name} {q.id}: the extra tune set is tune" for q in extra_tune if q.split != "tune"]
    clash = {q.id for q in extra} & {q.id for q in extra_tune}
    problems += [f"{EXTRA_TUNE.name} {i}: id also used in {EXTRA.name}" for i in sorted(clash)]
    by_id = {q.id: q for q in main}
    for q in dev:
        m = by_id.get(q.id)
        if m is None or (m.q, m.gold, m.lang) != (q.q, q.gold, q.lang):
            problems.append(f"{DEV.name} {q.id}: not the same question/gold in {QUESTIONS.name}")
        elif m.split != "tune":
            problems.append(f"{QUESTIONS.name} {q.id}: an original dev question must be in tune")
    problems += [f"{EXTRA.name} {q.id}: the extra set is holdout" for q in extra if q.split != "holdout"]
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["check"]:
        problems = check_all()
        for p in problems:
            print(p)
        main_qs = load_main()
        print(
            f"{len(main_qs)} questions ({sum(q.split == 'holdout' for q in main_qs)} holdout), "
            f"{len(load_questions(EXTRA))} extra, {len(load_topics())} covered topics: "
            f"{'OK' if not problems else f'{len(problems)} problems'}"
        )
        return 1 if problems else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    raise SystemExit(main())
