"""Sampling for split 'held-out-5' of eval/extract-labels.jsonl (reads the texts via the parser and the labels).

Unit: a sentence (cut after 。；;) of a provision (article lead, or item) of the four texts with articles.
Candidates: sentences not containing (NFKC, blanks removed) the anchor of any earlier label of the same provision,
minus the held-out-4 exclusions (see EXCLUDE below). Per measure, candidates are ordered by
sha256('held-out-5:<measure>:<article>:<item>:<sentence NFKC, blanks removed>') hex, lowest first (item = 'None'
for an article lead), and the first N are taken.
Run: PYTHONPATH=src .venv/bin/python eval/labelling/held-out-5-sample.py
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

from fzqa.corpus import parse_file

MAIN = Path(__file__).resolve().parents[2]
LABELS = MAIN / "eval" / "extract-labels.jsonl"
# The brief: 12 (accountability 2016, or all that remain if fewer), 24, 18, 18. The accountability regulation has
# no candidate left (every sentence holds an earlier anchor or is excluded), so its 12 places are shared equally by
# the other three measures (4 each), the next ones in their hash order, to keep >= 70 labels.
TAKE = {
    "central-2016-ccp-accountability-regulation": 12,
    "central-2018-ccp-disciplinary-regulation": 24,
    "central-2019-major-administrative-decision-procedure": 18,
    "central-2022-petition-work-regulation": 18,
}
SHORTFALL_TO = (
    "central-2018-ccp-disciplinary-regulation",
    "central-2019-major-administrative-decision-procedure",
    "central-2022-petition-work-regulation",
)


def norm(s: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s))


def sentences(text: str) -> list[str]:
    """Cut after 。 ； ; (the terminator stays with its sentence); empty pieces dropped."""
    out = []
    for para in text.split("\n"):
        for s in re.findall(r"[^。；;]+[。；;]?", para):
            if s.strip():
                out.append(s.strip())
    return out


# held-out-4 exclusions, made mechanical:
DEFINES = re.compile(r"是指|分为|所称|本条例称")  # only defines a term
LIST_LEAD = re.compile(r"包括[^。；;]*[:：]$")  # lists contents (…包括下列内容：); and the items of its article
ITEM_PARA = re.compile(r"^[（(]\s*[一二三四五六七八九十]+\s*[）)]")
COUNTING = re.compile(r"不计算在|不计入")  # a rule on counting a period
MODAL = re.compile(r"应当|必须|不得|可以|严禁|禁止|负责|给予|予以")


def is_item_heading(sents: list[str], i: int) -> bool:
    """An item's heading sentence: the first of an item with more sentences, ending in 。, short (<= 20 chars)
    and stating no modal (坚持依法按政策解决问题。)."""
    s = sents[0]
    return i == 0 and len(sents) > 1 and s.endswith("。") and len(norm(s)) <= 20 and not MODAL.search(s)


def main() -> None:
    anchors: dict[tuple, list[str]] = {}
    for line in LABELS.read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        if "_comment" in d or d.get("split") == "held-out-5":  # the split this script draws
            continue
        anchors.setdefault((d["measure"], d["article"], d["item"]), []).append(norm(d["anchor"]))
    verbose = "-v" in sys.argv
    pools = {}
    for mid in TAKE:
        m = parse_file(MAIN / "tests" / "data" / "corpus-extra" / f"{mid}.txt")
        cands = []
        for a in m.articles:
            # the article's own words outside its items (lead-in and any paragraphs after the items), as the
            # earlier labels' anchors with item null are read
            own = "\n".join(p for p in a.text.split("\n") if not (a.items and ITEM_PARA.match(p)))
            provs = [(None, own)] + [(it.number, it.text) for it in a.items]
            list_article = bool(a.items) and bool(LIST_LEAD.search(a.lead.strip()))
            counts = Counter(norm(s) for _, t in provs for s in sentences(t))
            for item, text in provs:
                sents = sentences(text)
                for i, s in enumerate(sents):
                    ns = norm(s)
                    why = None
                    if any(an in ns for an in anchors.get((mid, a.number, item), [])):
                        why = "labelled"
                    elif DEFINES.search(s):
                        why = "defines"
                    elif LIST_LEAD.search(s) or (list_article and item is not None):
                        why = "list"
                    elif COUNTING.search(s):
                        why = "counting"
                    elif item is not None and is_item_heading(sents, i):
                        why = "item heading"
                    elif counts[ns] > 1:
                        why = "repeated"
                    if why:
                        if verbose and (why != "labelled" or "accountability" in mid):
                            print(f"  excluded ({why}): {mid} {a.number} {item} {s}")
                        continue
                    key = f"held-out-5:{mid}:{a.number}:{item}:{ns}"
                    cands.append((hashlib.sha256(key.encode("utf-8")).hexdigest(), a.number, item, s))
        cands.sort()
        pools[mid] = cands
    take = dict(TAKE)
    short = sum(max(0, n - len(pools[mid])) for mid, n in TAKE.items())
    for k, mid in enumerate(SHORTFALL_TO):
        take[mid] += short // len(SHORTFALL_TO) + (1 if k < short % len(SHORTFALL_TO) else 0)
    for mid, cands in pools.items():
        n = min(take[mid], len(cands))
        print(f"# {mid}: {len(cands)} candidates, taking {n}")
        for _h, art, item, s in cands[:n]:
            print(json.dumps({"measure": mid, "article": art, "item": item, "sentence": s}, ensure_ascii=False))


if __name__ == "__main__":
    main()
