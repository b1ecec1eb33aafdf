"""The Gradio Blocks of the web app: 问答 assistant, 条文检索 clause search, SPARQL, 图谱 browse.

Chinese by default, English switchable. Everything user-controlled that ends up in HTML is escaped; the
page loads nothing from the network (Gradio's bundled assets and the system's fonts only).
"""

from __future__ import annotations

import csv
import html
import io
import json
import os
import re
import shutil
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import gradio as gr

from fzqa.store import QueryError, check_query
from fzqa.types import KINDS, PERIODS

if TYPE_CHECKING:
    from fzqa.server import Services

ID_NS = "https://w3id.org/fzqa/id/"
FZQA_NS = "https://w3id.org/fzqa#"
LANGS = [("中文", "zh"), ("English", "en")]
HTML_LANG = "zh-CN"  # the page's lang in Chinese mode (simplified Chinese glyphs, not Japanese ones)
# the page's lang is the chosen language's (window.fzqaLang), whatever the browser's: Gradio sets it from the
# browser's locale while it starts (a Japanese browser: lang "ja", Japanese glyphs for Chinese text), sometimes after
# the page's load script has run, so the page keeps it (an observer from the head on, before Gradio mounts)
KEEP_LANG_JS = (
    f"window.fzqaLang = window.fzqaLang || '{HTML_LANG}'; (() => {{ const h = document.documentElement; "
    "const keep = () => { if (h.lang !== window.fzqaLang) h.lang = window.fzqaLang; }; keep(); "
    "if (!window.fzqaKeepLang) { window.fzqaKeepLang = new MutationObserver(keep); "
    "window.fzqaKeepLang.observe(h, { attributes: true, attributeFilter: ['lang'] }); } })();"
)
# run when the page loads: Chinese is the default language
ON_LOAD_JS = f"() => {{ {KEEP_LANG_JS} }}"

# (zh, en) for every piece of interface text
T: dict[str, tuple[str, str]] = {
    "title": ("# 法治建设第一责任人职责 · 实施办法问答", "# Rule-of-law first responsibility · measures Q&A"),
    "subtitle": (
        "广西、贵州两部实施办法的知识图谱：提问、检索条文、运行 SPARQL、浏览图谱。每个回答都引用原文条款。",
        "A knowledge graph of the Guangxi and Guizhou implementation measures: ask, search provisions, run "
        "SPARQL, browse. Every answer cites the provisions it rests on.",
    ),
    "lang": ("界面语言", "Language"),
    "tab_ask": ("问答", "Assistant"),
    "tab_search": ("条文检索", "Search"),  # short: four English tabs fit on a phone
    "tab_sparql": ("SPARQL", "SPARQL"),
    "tab_browse": ("图谱", "Browse"),
    "chat": ("对话", "Conversation"),
    "question": ("问题（中文或英文）", "Question (Chinese or English)"),
    "question_ph": ("例如：县长每年必须做什么？", "e.g. What must a county mayor do every year?"),
    "send": ("提问", "Ask"),
    "clear": ("清空", "Clear"),
    "examples": ("示例问题（点击即问）：", "Example questions (click to ask):"),
    "short_answer": ("简答", "In short"),
    "provision_hint": (
        '<p class="status" id="provision-hint">点击回答中带编号的引用（如 [1]）查看条文全文，'
        "并对照另一部办法的同号条文。</p>",
        '<p class="status" id="provision-hint">Click a numbered citation in an answer (e.g. [1]) to read the '
        "whole provision beside the other measure's provision of the same number.</p>",
    ),
    "sparql_acc": ("查看回答背后的 SPARQL", "The SPARQL behind this answer"),
    "to_sparql": ("在 SPARQL 页打开", "Open in the SPARQL tab"),
    "search_q": ("检索内容", "Search text"),
    "search_ph": ("例如：法治专题讲座", "e.g. law lectures"),
    "measure": ("办法", "Measure"),
    "role": ("责任主体", "Role"),
    "kind": ("规范类型", "Kind"),
    "period": ("频次", "Frequency"),
    "k": ("结果数", "Results"),
    "do_search": ("检索", "Search"),
    "results": ("检索结果（勾选要导出的条文）", "Results (tick the provisions to export)"),
    "select_all": ("全选", "Select all"),
    "select_none": ("全不选", "Select none"),
    "export": ("导出所选（Markdown、CSV、Word）", "Export selection (Markdown, CSV, Word)"),
    "exported": ("导出文件", "Exported files"),
    "named": ("命名查询", "Named query"),
    "editor": ("SPARQL 查询", "SPARQL query"),
    "run": ("运行", "Run"),
    "result_table": ("结果", "Results"),
    "dl_csv": ("下载 CSV", "Download CSV"),
    "dl_json": ("下载 JSON", "Download JSON"),
    "dl_ttl": ("下载 Turtle", "Download Turtle"),
    "dl_jsonld": ("下载 JSON-LD", "Download JSON-LD"),
    "editor_help": (
        "Ctrl+Enter（Mac：⌘+Enter）运行；输入前缀（如 fzqa:）时自动补上 PREFIX 声明，Ctrl+空格 显示补全。"
        "结果每页 25 行，点击列名排序；IRI 显示为前缀名，悬停可见完整 IRI。",
        "Ctrl+Enter (Mac: ⌘+Enter) runs; typing a prefix (e.g. fzqa:) adds its PREFIX line, Ctrl+Space shows "
        "completions. Results show 25 rows a page; click a column name to sort; IRIs show as prefixed names, the "
        "full IRI on hover.",
    ),
    "yearly": ("只看每年及年终的职责", "Yearly and year-end duties only"),
    "graph_result": ("结果（RDF 图，Turtle）", "Result (RDF graph, Turtle)"),
    "browse_role": ("选择责任主体或职务", "Pick a role or post"),
    "duties": ("职责与条文", "Duties and provisions"),
    "thesaurus": ("责任主体层级（上位 → 下位）", "Role thesaurus (broader → narrower)"),
    "classes": ("本体中的类", "Classes of the ontology"),
    "any": ("（全部）", "(any)"),
}
DUTY_KINDS = ("obligation", "prohibition")
# (zh, en) example questions; in Chinese mode the last one shows that English questions work too
EXAMPLES: tuple[tuple[str, str], ...] = (
    ("县长每年必须做什么？", "What must a county mayor do every year?"),
    (
        "贵州和广西对法治专题讲座的次数要求有什么不同？",
        "How do Guizhou and Guangxi differ on the number of rule-of-law lectures?",
    ),
    ("党政主要负责人不得做什么？", "What are principal Party and government leaders prohibited from doing?"),
    ("镇长适用这两部办法吗？", "Do the two measures apply to a township head?"),
    ("哪些情形会被问责？", "In which situations is someone held accountable?"),
    ("What must a county mayor do every year?", "What must a county Party secretary do at year end?"),
)


def example(i: int, lang: str) -> str:
    zh, en = EXAMPLES[i]
    return en if lang == "en" else zh


def _kind_label(kind: str, lang: str) -> str:
    """The norm kind's label from the ontology (fzqa.ttl), in the interface language."""
    from fzqa.lexicon import load_lexicon

    zh, en = load_lexicon().kind_labels.get(kind, (kind, kind))
    return en if lang == "en" else zh


def _period_label(period: str, lang: str) -> str:
    """The frequency period's label from the ontology (fzqa.ttl), in the interface language."""
    from fzqa.lexicon import load_lexicon

    zh, en = load_lexicon().period_labels.get(period, (period, period))
    return en if lang == "en" else zh


STATIC = Path(__file__).with_name("static")  # served at STATIC_URL (server.py); package data (pyproject)
STATIC_URL = "/fzqa-static"


def _static_version(name: str) -> str:
    """A short hash of a static file, in its URL, so a browser never runs a stale copy."""
    import hashlib

    path = STATIC / name
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12] if path.is_file() else "0"


# the page's own script (scripts/editor/build.sh): the SPARQL editor, result tables, the clickable role tree
HEAD = (
    f"<script>{KEEP_LANG_JS}</script>"
    f'<script src="{STATIC_URL}/fzqa-ui.js?v={_static_version("fzqa-ui.js")}" defer></script>'
)
EDITOR_LABEL_JS = (
    "(l) => { const c = document.querySelector('#editor .cm-content'); if (c) c.setAttribute("
    f"'aria-label', l === 'en' ? {json.dumps(T['editor'][1])} : {json.dumps(T['editor'][0])}); }}"
)


def editor_host(services: Services) -> str:
    """Where the page's script mounts the SPARQL editor; it offers the prefixes the graph declares."""
    prefixes = json.dumps(services.kg.prefixes, ensure_ascii=False, sort_keys=True)
    return (
        f'<div id="editor" data-prefixes="{_e(prefixes)}" data-label-zh="{_e(T["editor"][0])}" '
        f'data-label-en="{_e(T["editor"][1])}"></div>'
    )


CSS = """
/* WCAG AA: white on the primary buttons at 5.0:1 (amber-700; Gradio's orange gave 2.8:1), and a visible focus ring
   on every control, the language radios included */
:root, .dark {
  --button-primary-background-fill: #b45309 !important; --button-primary-background-fill-hover: #92400e !important;
  --button-primary-text-color: #ffffff !important; --button-primary-border-color: #b45309 !important;
}
:focus-visible, label:focus-within { outline: 3px solid #1d4ed8 !important; outline-offset: 2px; }
#tree-view { overflow-x: auto; }
/* numbered citations in the answers (blue-700 on the message background: 6.7:1) and the side panel they open */
#chat a[href*="#fzqa-cite/"] { color: #1d4ed8 !important; text-decoration: underline; white-space: nowrap;
  border-radius: 3px; }
#chat a[href*="#fzqa-cite/"][aria-current="true"] { background: #dbeafe; color: #1e3a8a !important; }
#chat a[href*="#fzqa-cite/"]:focus { outline: 3px solid #1d4ed8 !important; outline-offset: 1px; }
#provision:focus-visible, #provision-pair:focus-visible { outline: 3px solid #1d4ed8 !important; }
/* clause search: the hits that contain the query's words, then a divider, then those only near in meaning */
.hits tr.related td { color: #374151; }
.hits tr.divider td { background: #f3f4f6; color: #374151; font-weight: 600; border-top: 2px solid #6b7280; }
.hits mark { background: #fef08a; color: #111827; padding: 0 1px; }
.badge.match { background: #dcfce7; color: #14532d; }
.badge.near { background: #f3f4f6; color: #374151; }
.hits .lead { font-size: 0.9em; color: #4b5563; margin-bottom: 2px; }
.prov-pair { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: 12px; }
.prov { border: 1px solid #e5e7eb; border-radius: 8px; padding: 10px 12px; background: #fafafa; }
.prov.other { background: #f8fafc; border-style: dashed; }
.prov-cite { font-weight: 600; color: #3730a3; }
.prov-full { font-size: 0.85em; color: #6b7280; margin-bottom: 6px; }
.prov-lead { font-size: 0.9em; color: #4b5563; margin-bottom: 4px; }
.prov-text { line-height: 1.7; }
.prov-none { color: #9ca3af; font-style: italic; }
.hits { width: 100%; border-collapse: collapse; }
.hits td, .hits th { border-bottom: 1px solid #e5e7eb; padding: 4px 6px; vertical-align: top; text-align: left; }
.hits td.c { white-space: nowrap; font-weight: 600; color: #3730a3; }
.badge { display: inline-block; border-radius: 6px; padding: 0 6px; margin-right: 4px; font-size: 0.8em;
  background: #e0e7ff; color: #3730a3; }
.badge.freq { background: #fef3c7; color: #92400e; }
.badge.k-prohibition { background: #fee2e2; color: #991b1b; }
.badge.k-sanction { background: #fde68a; color: #78350f; }
.badge.k-principle { background: #dcfce7; color: #166534; }
.duties h4 { margin: 10px 0 4px; }
.duties details { margin: 2px 0 6px 12px; }
.duties summary { cursor: pointer; }
.duties .q { color: #374151; }
ul.tree, ul.tree ul { list-style: none; padding-left: 16px; margin: 0; }
ul.tree li { border-left: 1px solid #cbd5e1; padding-left: 8px; margin: 2px 0; }
.ext { font-size: 0.8em; color: #6b7280; }
pre.err { white-space: pre-wrap; background: #fef2f2; color: #991b1b; border: 1px solid #fecaca; padding: 8px;
  border-radius: 6px; }
.status { color: #4b5563; }
"""
# the SPARQL tab, the browse tab and the phone layout: static/fzqa.css
CSS += (STATIC / "fzqa.css").read_text(encoding="utf-8")


def t(key: str, lang: str) -> str:
    zh, en = T[key]
    return en if lang == "en" else zh


def _e(text: Any) -> str:
    return html.escape("" if text is None else str(text), quote=True)


# ASCII punctuation that can start Markdown syntax (CommonMark escapes any of it with a backslash); ':' too, so
# that no bare URL becomes a GFM autolink
_MD_ACTIVE = frozenset("\\`*_{}[]()#+-.!|~:$=")
# the lighter set for Markdown files people read raw (exports): enough that no link, image or HTML is formed
_MD_EXPORT = frozenset("\\`*_[]!|~")


def md_text(text: Any, active: frozenset[str] = _MD_ACTIVE) -> str:
    """``text`` as literal text inside Markdown: no image, link, HTML or emphasis can come out of it (an image
    would make every reader's browser fetch its URL). &, < and > become entities, the rest a backslash; a lone
    surrogate (which cannot be sent as UTF-8) shows as U+FFFD."""
    out = []
    for ch in "" if text is None else str(text):
        if "\ud800" <= ch <= "\udfff":
            out.append("\ufffd")
        elif ch in "&<>":
            out.append(html.escape(ch))
        elif ch in active:
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


class Downloads:
    """The one folder the UI writes generated files to (SPARQL results, clause exports). It sits inside
    Gradio's cache, so Gradio serves the files without copying them; one sub-folder per result, at most
    ``keep`` of them (the oldest go first); Gradio's delete_cache also removes them after the cache_ttl
    setting, and the folder goes when the server stops."""

    def __init__(self, keep: int, root: Path | None = None) -> None:
        from gradio.utils import get_upload_folder

        base = Path(root or get_upload_folder())
        self.root = base / f"fzqa-downloads-{os.getpid()}"
        self.keep = keep
        self._lock = threading.Lock()
        for stale in base.glob("fzqa-downloads-*"):  # left by a server that was killed: nobody serves them
            pid = stale.name.rsplit("-", 1)[-1]
            if pid.isdigit() and stale != self.root and not _running(int(pid)):
                shutil.rmtree(stale, ignore_errors=True)

    def new(self, prefix: str) -> Path:
        """A fresh sub-folder, after deleting the oldest so that at most ``keep`` remain."""
        with self._lock:
            self.root.mkdir(parents=True, exist_ok=True)
            subs = sorted((p for p in self.root.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime_ns)
            for old in subs[: max(0, len(subs) - self.keep + 1)]:
                shutil.rmtree(old, ignore_errors=True)
            return Path(tempfile.mkdtemp(prefix=prefix, dir=self.root))

    def usage(self) -> dict[str, Any]:
        files = [p for p in self.root.rglob("*") if p.is_file()] if self.root.is_dir() else []
        return {"folder": str(self.root), "files": len(files), "bytes": sum(p.stat().st_size for p in files)}

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return True


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write ``path`` through a temporary name in the same folder, so no half-written file is ever served."""
    tmp = path.with_name(f".{path.name}.part")
    if isinstance(data, str):
        tmp.write_text(data, encoding="utf-8")
    else:
        tmp.write_bytes(data)
    os.replace(tmp, path)


def key_of(measure: str, article: int | None, item: int | None) -> str:
    return f"{measure}|{'' if article is None else article}|{'' if item is None else item}"


def parse_key(key: str) -> tuple[str, int | None, int | None]:
    m, a, i = [*key.split("|"), "", ""][:3]
    return m, int(a) if a else None, int(i) if i else None


def cite(measure: str, article: int | None, item: int | None, lang: str) -> str:
    from fzqa.qa import en_citation, short_citation

    return en_citation(measure, article, item) if lang == "en" else short_citation(measure, article, item)


def _period_badge(period: str | None, min_count: Any, lang: str) -> str:
    if not period:
        return ""
    text = _period_label(period, lang)
    if min_count and int(min_count) > 1:
        text += f" ≥{int(min_count)}" + ("×" if lang == "en" else "次")
    return f'<span class="badge freq">{_e(text)}</span>'


def _kind_badge(kind: str, lang: str) -> str:
    return f'<span class="badge k-{_e(kind)}">{_e(_kind_label(kind, lang))}</span>'


# ------------------------------------------------------------------------------------------- views
def provision_html(services: Services, key: str | None, lang: str) -> str:
    """The provision of ``key`` beside the other measure's provision of the same number."""
    if not key:
        return ""
    measure, article, item = parse_key(key)
    if article is None:
        return ""
    p = services.provision(measure, article, item)
    if p is None:
        return f'<div class="prov-none">{_e(key)}</div>'

    def box(d: dict[str, Any], other: bool) -> str:
        full = d.get("full_citation") or _full(d["measure"], d["article"], d["item"])
        lead = f'<div class="prov-lead">{_e(d["lead"])}</div>' if d.get("lead") else ""
        label = d["citation_en"] if lang == "en" else d["citation"]
        return (
            f'<div class="prov{" other" if other else ""}"><div class="prov-cite">{_e(label)}</div>'
            f'<div class="prov-full">{_e(full)}</div>{lead}<div class="prov-text">{_e(d["text"])}</div></div>'
        )

    others = p["corresponding"]
    if others:
        right = "".join(box(o, True) for o in others)
    else:
        from fzqa.qa import short_citation

        a = services.assistant
        names = [short_citation(m, article, item) for m in a.measure_ids if m != measure]
        none = ("no corresponding provision in " if lang == "en" else "无对应条文：") + "、".join(names)
        right = f'<div class="prov other"><div class="prov-none">{_e(none)}</div></div>'
    region = _e(
        ("Provision " if lang == "en" else "条文全文：") + (p["citation_en"] if lang == "en" else p["citation"])
    )
    return (
        f'<div class="prov-pair" id="provision-pair" role="region" aria-label="{region}">{box(p, False)}{right}</div>'
    )


def _full(measure: str, article: int | None, item: int | None) -> str:
    from fzqa.server import full_citation

    return full_citation(measure, article, item)


CITE_HREF = "#fzqa-cite/"  # a numbered citation links to #fzqa-cite/<lang>/<measure>/<article>/<item>
# js_on_load of the side panel: a click (or Enter) on a numbered citation anywhere in the chat opens its provision
# there (server function provision_view), marks the link as the current one, and brings the panel into view and
# focus (below the chat on a phone). One listener for the page, in the capture phase, before the link navigates.
CITE_JS = """
window.__fzqaCite = { element, props, server };
element.setAttribute('aria-live', 'polite');  // a screen reader reads the provision out when it opens
if (!window.__fzqaCiteListener) {
  window.__fzqaCiteListener = true;
  document.addEventListener('click', (ev) => {
    const a = ev.target instanceof Element ? ev.target.closest('a[href*="#fzqa-cite/"]') : null;
    if (!a) return;
    ev.preventDefault();
    ev.stopPropagation();
    const ref = decodeURIComponent(a.getAttribute('href').split('#fzqa-cite/')[1] || '');
    document.querySelectorAll('a[aria-current="true"]').forEach((x) => x.removeAttribute('aria-current'));
    a.setAttribute('aria-current', 'true');
    const c = window.__fzqaCite;
    c.server.provision_view(ref).then((html) => {
      c.props.value = html;
      requestAnimationFrame(() => {
        const panel = document.getElementById('provision-pair') || c.element;
        panel.setAttribute('tabindex', '-1');
        const r = panel.getBoundingClientRect();
        if (r.top < 0 || r.top > window.innerHeight - 80) panel.scrollIntoView({ block: 'start' });
        panel.focus({ preventScroll: true });
      });
    });
  }, true);
}
"""
# after an answer: scroll the chat so that the new question and the start of its answer are in view (Gradio's own
# autoscroll shows the end, which is the citation list)
SCROLL_JS = """() => { setTimeout(() => {
  const rows = document.querySelectorAll('#chat .message-row.user-row');
  const row = rows[rows.length - 1];
  if (!row) return;
  let box = row.parentElement;
  while (box && box !== document.body) {
    const o = getComputedStyle(box).overflowY;
    if ((o === 'auto' || o === 'scroll') && box.scrollHeight > box.clientHeight) break;
    box = box.parentElement;
  }
  if (box && box !== document.body) {
    // below the chat's own buttons (share, clear, copy), which float over the top of the box
    const bar = document.querySelector('#chat .top-panel');
    const gap = 8 + (bar ? bar.getBoundingClientRect().height : 0);
    box.scrollTop += row.getBoundingClientRect().top - box.getBoundingClientRect().top - gap;
  }
}, 150); }"""


def cite_ref(measure: str, article: int | None, item: int | None, lang: str) -> str:
    """The link target of a numbered citation: the provision and the language to show it in."""
    return f"{CITE_HREF}{lang}/{measure}/{'' if article is None else article}/{'' if item is None else item}"


def provision_ref_html(services: Services, ref: str) -> str:
    """The side panel for a numbered citation's link target (``lang/measure/article/item``, see :func:`cite_ref`);
    empty for anything else (the page sends it, so it is not trusted)."""
    parts = [*ref.removeprefix(CITE_HREF).split("/"), "", "", ""][:4]
    lang, measure, article, item = parts
    if lang not in ("zh", "en") or not article.isdigit() or not (item == "" or item.isdigit()):
        return ""
    if measure not in services.assistant.measure_ids:
        return ""
    return provision_html(services, key_of(measure, int(article), int(item) if item else None), lang)


def _linked(text: str, links: dict[str, str]) -> str:
    """``text`` as literal Markdown, each citation label of ``links`` (label → link Markdown) in it made the link.
    Longer labels first, and an article's label is not taken from the front of one of its items' labels."""
    if not links:
        return md_text(text)
    alts = "|".join(re.escape(lb) for lb in sorted(links, key=len, reverse=True))
    out, at = [], 0
    for m in re.finditer(f"(?:{alts})(?![（(][一二三四五六七八九十0-9])", text):
        out += [md_text(text[at : m.start()]), links[m.group(0)]]
        at = m.end()
    return "".join(out) + md_text(text[at:])


def answer_markdown(answer: Any, lang: str) -> str:
    """The assistant's message: the one-line answer first, then the answer, then the list of what it cites. Each
    cited provision has a number; its label in the text becomes a link with that number, which opens it in the
    side panel (the page's script, :data:`CITE_JS`). The text is literal (it may echo the question); only our own
    Markdown is markup: the bold labels, the links and the numbered list."""
    del lang  # the answer's own language: its citation labels are in it
    en = answer.lang == "en"
    numbered = [c for c in answer.citations if c.article is not None]
    links: dict[str, str] = {}
    items: list[str] = []
    for n, c in enumerate(numbered, start=1):
        label = cite(c.measure, c.article, c.item, answer.lang)
        href = cite_ref(c.measure, c.article, c.item, answer.lang)
        links[label] = f"[{md_text(label)}\u2009\\[{n}\\]]({href})"
        items.append(f"{n}. [{md_text(label)}]({href}) {md_text(_full(c.measure, c.article, c.item))}")
    body = _linked(answer.answer, links)
    summary = getattr(answer, "summary", "")
    if summary:
        body = f"**{t('short_answer', answer.lang)}**：{_linked(summary, links)}\n\n{body}"
    if answer.citations:
        label = "Citations" if en else "引用"
        others = [md_text(cite(c.measure, None, None, answer.lang)) for c in answer.citations if c.article is None]
        body += f"\n\n**{label}**：\n\n" + "\n".join(items)
        if others:
            body += ("\n\n" if items else "") + "；".join(others)
    return body


def _marked(text: str, words: tuple[str, ...]) -> str:
    """``text`` escaped, each occurrence of ``words`` in a <mark>."""
    ws = [w for w in sorted(set(words), key=len, reverse=True) if w]
    if not ws:
        return _e(text)
    out, at = [], 0
    for m in re.finditer("|".join(re.escape(w) for w in ws), text):
        out.append(f"{_e(text[at : m.start()])}<mark>{_e(m.group(0))}</mark>")
        at = m.end()
    return "".join(out) + _e(text[at:])


def clause_search(
    services: Services,
    q: str,
    k: int,
    measure: str | None = None,
    role: str | None = None,
    kind: str | None = None,
    period: str | None = None,
) -> dict[str, Any]:
    """The clause search of the UI: every provision the filters allow, ranked; those that contain the query's
    words (or the thesauri's words for what it names: :meth:`ClauseIndex.match_groups`) first, with the words
    found; then, up to ``k`` hits, those that are only near in meaning. ValueError for bad input."""
    from fzqa.index import matched_words

    index = services.index
    if not (1 <= k <= services.settings.max_k):
        raise ValueError(f"k must be between 1 and {services.settings.max_k}, got {k}")
    res = index.search_detailed(q, len(index), measure=measure, role=role, kind=kind, period=period)
    groups = index.match_groups(q)
    leads = services.assistant.leads
    hits = []
    for h in res.hits:
        lead = leads.get((h.measure, h.article), "") if h.item is not None else ""
        found = matched_words(lead + h.text, groups)
        hits.append(
            {
                "measure": h.measure,
                "article": h.article,
                "item": h.item,
                "score": round(h.score, 6),
                "text": h.text,
                "lead": lead,
                "matched": list(found),
            }
        )
    matching = [h for h in hits if h["matched"]]
    related = [h for h in hits if not h["matched"]]
    shown = matching[:k] + related[: max(0, k - len(matching))]
    return {"query": res.query, "groups": [list(g) for g in groups], "matching": len(matching), "hits": shown}


def search_status(res: dict[str, Any], lang: str) -> str:
    """How many hits contain the query's words, and what the rest are."""
    n, shown = res["matching"], len(res["hits"])
    near = sum(1 for h in res["hits"] if not h["matched"])
    if lang == "en":
        if not res["groups"]:
            return f"{shown} hits, ranked by meaning (the query names no word to look for)"
        text = f"**{n}** provision{'s' if n != 1 else ''} contain{'s' if n == 1 else ''} the words"
        if n > shown - near:
            text += f" (the first {shown - near} shown: raise Results for more)"
        return text + (f"; then {near} related, not containing them" if near else "")
    if not res["groups"]:
        return f"共 {shown} 条，按语义排序（检索内容中没有可逐字查找的词）"
    text = f"**{n}** 条含检索词"
    if n > shown - near:
        text += f"（显示前 {shown - near} 条，可调大结果数）"
    return text + (f"；其后 {near} 条为语义相关、不含检索词" if near else "")


def hits_html(hits: list[dict[str, Any]], lang: str) -> str:
    """The hits as a table: those containing the query's words marked (and the words highlighted), then a divider,
    then those only near in meaning. An item shows its article's lead-in above it."""
    if not hits:
        return f'<p class="status">{"No hits." if lang == "en" else "没有结果。"}</p>'
    en = lang == "en"
    rows = []
    divided = False
    for h in hits:
        words = tuple(h.get("matched") or ())
        if not words and not divided and any(x.get("matched") for x in hits):
            divided = True
            note = "Related, not containing the words" if en else "以下为语义相关的条文，不含检索词"
            rows.append(f'<tr class="divider" id="hits-divider"><td colspan="3">{_e(note)}</td></tr>')
        badge = (
            f'<span class="badge match">{"contains" if en else "含"}：{_e("、".join(words))}</span>'
            if words
            else f'<span class="badge near">{"related" if en else "相关"}</span>'
        )
        lead = f'<div class="lead">{_marked(h["lead"], words)}</div>' if h.get("lead") else ""
        rows.append(
            f'<tr class="{"match" if words else "related"}">'
            f'<td class="c">{_e(cite(h["measure"], h["article"], h["item"], lang))}</td>'
            f'<td>{badge}{lead}<div class="t">{_marked(h["text"], words)}</div></td><td>{h["score"]:.4f}</td></tr>'
        )
    head = ("Provision", "Text", "Score") if en else ("条文", "内容", "得分")
    return (
        f'<table class="hits" id="hits-table"><tr><th>{head[0]}</th><th>{head[1]}</th><th>{head[2]}</th></tr>'
        f"{''.join(rows)}</table>"
    )


def measure_metadata(services: Services) -> dict[str, dict[str, str]]:
    """Title, document number, issuers and date of each measure, from the graph (named query measure_metadata)."""
    out: dict[str, dict[str, str]] = {}
    for r in services.kg.select("measure_metadata"):
        out[str(r["measure"]).removeprefix(ID_NS)] = {
            k: str(r.get(k) or "") for k in ("title", "short", "number", "issuers", "date", "inForce")
        }
    return out


def export_name(query: str, measure: str | None, day: str) -> str:
    """fzqa-clauses-<measure or all>-<yyyymmdd>-<query>: the query's ASCII words, or a short hash of it (Chinese)."""
    import hashlib

    words = re.findall(r"[A-Za-z0-9]+", query.lower())
    slug = "-".join(words)[:40].strip("-")  # a file name people can read; the query itself is inside the file
    if not slug or len("".join(words)) * 2 < len(re.sub(r"\s", "", query)):  # mostly Chinese: a hash names it
        slug = hashlib.sha256(query.encode("utf-8")).hexdigest()[:8]
    return f"fzqa-clauses-{measure or 'all'}-{day.replace('-', '')}-{slug}"


def export_files(
    hits: list[dict[str, Any]],
    selected: list[str],
    lang: str,
    out: Path | None = None,
    *,
    query: str = "",
    filters: dict[str, str] | None = None,
    measures: dict[str, dict[str, str]] | None = None,
    day: str | None = None,
) -> list[str]:
    """Markdown, CSV and DOCX (A4) of the selected hits (in result order), fit to hand out: each clause with its
    full citation and, for an item, its article's lead-in (whose duty it is); the measures' title, document number,
    issuers and date; the query, the filters and the export date, in the file and in its name. In ``out``
    (default: a new temporary folder)."""
    import datetime

    chosen = [h for h in hits if key_of(h["measure"], h["article"], h["item"]) in set(selected)]
    if not chosen:
        return []
    en = lang == "en"
    out = out or Path(tempfile.mkdtemp(prefix="fzqa-export-"))
    day = day or datetime.date.today().isoformat()
    measures = measures or {}
    filters = {k: v for k, v in (filters or {}).items() if v}
    only = filters.get("measure")
    name = export_name(query, only, day)
    rows = []
    for h in chosen:
        meta = measures.get(h["measure"], {})
        rows.append(
            {
                "citation": cite(h["measure"], h["article"], h["item"], lang),
                "full_citation": _full(h["measure"], h["article"], h["item"]),
                "measure": h["measure"],
                "article": h["article"],
                "item": "" if h["item"] is None else h["item"],
                "lead": h.get("lead") or "",
                "text": h["text"],
                "contains": "、".join(h.get("matched") or ()),
                "measure_title": meta.get("title", ""),
                "document_number": meta.get("number", ""),
                "issuers": meta.get("issuers", ""),
                "date": meta.get("date", ""),
                "query": query,
                "filters": "; ".join(f"{k}={v}" for k, v in filters.items()),
                "exported": day,
            }
        )
    title = "Selected provisions" if en else "所选条文"
    none = "(not stated)" if en else "（原文未载）"
    labels = (
        ("Query", "Filters", "Exported", "Provisions", "Sources", "document number", "issued by", "date")
        if en
        else ("检索内容", "筛选", "导出日期", "条数", "出处", "文号", "印发机关", "日期")
    )
    head_lines = [
        f"{labels[0]}：{query or '—'}",
        f"{labels[1]}：{'; '.join(f'{k}={v}' for k, v in filters.items()) or ('none' if en else '无')}",
        f"{labels[2]}：{day}",
        f"{labels[3]}：{len(rows)}",
    ]
    sources = []
    for m in dict.fromkeys(r["measure"] for r in rows):
        meta = measures.get(m, {})
        sources.append(
            f"《{meta.get('title') or m}》，{labels[5]}：{meta.get('number') or none}；{labels[6]}："
            f"{meta.get('issuers') or none}；{labels[7]}：{meta.get('date') or none}"
        )

    def item_text(r: dict[str, Any]) -> str:
        from fzqa.corpus import cn_numeral

        return f"（{cn_numeral(int(r['item']))}）{r['text']}" if r["item"] != "" else str(r["text"])

    md = [f"# {title}", ""]
    md += [md_text(x, _MD_EXPORT) + "  " for x in head_lines] + [""]
    md += [f"**{labels[4]}**", ""] + [f"- {md_text(x, _MD_EXPORT)}" for x in sources] + [""]
    for r in rows:
        md += [f"## {md_text(r['citation'], _MD_EXPORT)}", "", f"*{md_text(r['full_citation'], _MD_EXPORT)}*", ""]
        if r["lead"]:
            md += [md_text(r["lead"], _MD_EXPORT), ""]
        md += [md_text(item_text(r), _MD_EXPORT), ""]
    write_atomic(out / f"{name}.md", "\n".join(md))
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\r\n")
    w.writeheader()
    w.writerows(rows)
    write_atomic(out / f"{name}.csv", "\ufeff" + buf.getvalue())  # BOM: Excel reads UTF-8
    write_atomic(out / f"{name}.docx", _docx(title, head_lines, labels[4], sources, rows, item_text))
    return [str(out / f"{name}.{ext}") for ext in ("md", "csv", "docx")]


A4_MM = (210, 297)  # ISO 216 A4, the paper of Chinese official documents (GB/T 9704)
MARGIN_MM = 25  # GB/T 9704 sets 37/35 mm top/bottom and 28/26 mm sides for 公文; 25 mm is Word's A4 default


def _docx(
    title: str, head: list[str], sources_label: str, sources: list[str], rows: list[dict[str, Any]], body: Any
) -> bytes:
    """The export as a Word document on A4, with a Chinese font for East Asian text."""
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Mm

    doc = Document()
    for sec in doc.sections:
        sec.page_width, sec.page_height = Mm(A4_MM[0]), Mm(A4_MM[1])
        sec.left_margin = sec.right_margin = sec.top_margin = sec.bottom_margin = Mm(MARGIN_MM)
    normal = doc.styles["Normal"]
    rpr = normal.element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    doc.add_heading(title, level=1)
    for line in head:
        doc.add_paragraph(line)
    doc.add_paragraph().add_run(sources_label).bold = True
    for src in sources:
        doc.add_paragraph(src, style="List Bullet")
    for r in rows:
        doc.add_heading(str(r["citation"]), level=2)
        doc.add_paragraph().add_run(str(r["full_citation"])).italic = True
        if r["lead"]:
            doc.add_paragraph(str(r["lead"]))
        doc.add_paragraph(body(r))
    data = io.BytesIO()
    doc.save(data)
    return data.getvalue()


def named_choices(services: Services, lang: str) -> list[tuple[str, str]]:
    """The named queries for the dropdown: in Chinese mode the Chinese title with the English one beside it
    (the .rq files' title@zh: and title: lines)."""
    qs = services.kg.queries
    if lang == "en":
        return [(q.title, n) for n, q in qs.items()]
    return [(f"{q.title_zh or q.title} · {q.title}", n) for n, q in qs.items()]


def _values_term(value: str) -> str:
    """An example value (from the .rq header) as a SPARQL term: an IRI, or a string literal."""
    if re.match(r"^https?://[^\s<>\"{}|^`\\]+$", value):
        return f"<{value}>"
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid SPARQL string literal


def prefill(services: Services, name: str | None, lang: str = "zh") -> tuple[str, str]:
    """A named query's text, with a VALUES line for each required parameter (its example from the .rq header),
    and its description in the interface language.

    The VALUES lines go at the top of every WHERE group, sub-SELECTs included: a sub-SELECT is evaluated on its
    own, so a value bound only outside it does not reach it (compare_measures gave no rows from the UI, where
    the command line, which substitutes the values everywhere, gave 18)."""
    if not name:
        return "", ""
    q = services.kg.queries.get(name)
    if q is None:
        return "", ""
    # the header comment (title, description, parameters in two languages) is shown above the editor: the editor
    # gets the query itself, under one line that says where it comes from
    lines = q.text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.strip() and not line.startswith("#")), len(lines))
    text = f"# ontology/queries/{q.name}.rq\n" + "".join(lines[start:])
    examples = q.examples()
    values = "".join(f"  VALUES ?{p} {{ {_values_term(examples[p])} }}\n" for p in q.required() if p in examples)
    if values:
        text = re.sub(r"(\bWHERE\s*\{[ \t]*\n?)", lambda mm: mm.group(1) + values, text)
    zh = lang != "en"
    title = (q.title_zh or q.title) if zh else q.title
    description = (q.description_zh or q.description) if zh else q.description
    helps = dict(q.params_zh) if zh else {}
    params = "".join(f"\n- `?{_e(p)}`: {_e(helps.get(p) or h)}" for p, h in q.params)
    return text, f"**{_e(title)}** — {_e(description)}{params}"


# rows of a SPARQL result table per page (a phone screen shows about this many short rows in two swipes)
PAGE_SIZE = 25


def query_prefixes(query: str) -> dict[str, str]:
    """prefix → namespace of the PREFIX lines of ``query`` (read from its tokens, so comments do not count)."""
    from fzqa.store import tokenize

    try:
        tokens = tokenize(query)
    except QueryError:
        return {}
    out: dict[str, str] = {}
    for i, tk in enumerate(tokens[:-2]):
        if (
            tk.kind == "word"
            and tk.text.upper() == "PREFIX"
            and (tokens[i + 1].kind, tokens[i + 2].kind)
            == (
                "pname",
                "iri",
            )
        ):
            out[tokens[i + 1].text.rstrip(":")] = tokens[i + 2].text[1:-1]
    return out


def short_iri(iri: str, prefixes: dict[str, str]) -> str:
    """``iri`` as prefix:local with the longest matching namespace, or the IRI itself."""
    best = ""
    for p, ns in prefixes.items():
        if ns and iri.startswith(ns) and len(ns) > len(prefixes.get(best, "")) and len(iri) > len(ns):
            best = p
    return f"{best}:{iri[len(prefixes[best]) :]}" if best in prefixes and iri.startswith(prefixes[best]) else iri


# a cell value up to this many characters stays on one line (numbers, citations, short names); longer text wraps
SHORT_CELL = 24


def _cell(term: dict[str, str] | None, prefixes: dict[str, str]) -> str:
    if not term:
        return '<td data-v=""></td>'
    value = term.get("value", "")
    if term.get("type") == "uri":
        short = short_iri(value, prefixes)
        nowrap = ' class="s"' if len(short) <= SHORT_CELL else ""
        return f'<td data-v="{_e(short)}"{nowrap}><span class="iri" title="{_e(value)}">{_e(short)}</span></td>'
    if term.get("type") == "bnode":
        return f'<td data-v="_:{_e(value)}" class="s">_:{_e(value)}</td>'
    num = ""
    dt = term.get("datatype", "")
    if dt.endswith(("#integer", "#decimal", "#double", "#float", "#int", "#long", "#nonNegativeInteger")):
        num = f' data-num="{_e(value)}"'
    nowrap = ' class="s"' if len(value) <= SHORT_CELL else ""
    tag = f' <span class="lang">@{_e(term["xml:lang"])}</span>' if term.get("xml:lang") else ""
    return f'<td data-v="{_e(value)}"{num}{nowrap}>{_e(value)}{tag}</td>'


def results_html(headers: list[str], bindings: list[dict[str, Any]], prefixes: dict[str, str], lang: str) -> str:
    """A SPARQL result as an HTML table: every variable a column (``SELECT *`` included), IRIs as prefixed names
    with the full IRI in the title; the page's script pages it (PAGE_SIZE rows) and sorts it by a header."""
    en = lang == "en"
    sort_label = "sort by" if en else "按此列排序："
    head = "".join(
        f'<th scope="col"><button type="button" class="sort" aria-label="{_e(sort_label)} {_e(h)}">'
        f"{_e(h)}</button></th>"
        for h in headers
    )
    body = "".join("<tr>" + "".join(_cell(b.get(h), prefixes) for h in headers) + "</tr>" for b in bindings)
    attrs = (
        f'data-page-size="{PAGE_SIZE}" data-prev="{"‹ Previous" if en else "‹ 上一页"}" '
        f'data-next="{"Next ›" if en else "下一页 ›"}" '
        f'data-page-fmt="{"rows {from}–{to} of {n}" if en else "第 {from}–{to} 行，共 {n} 行"}"'
    )
    return (
        f'<div class="sparql-scroll"><table class="sparql-results" id="sparql-table" {attrs}>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def run_sparql(services: Services, query: str, lang: str) -> dict[str, Any]:
    """Run untrusted text through the worker pool; the result as a table, a graph, or an error message."""
    try:
        form = check_query(query)
        if form in ("CONSTRUCT", "DESCRIBE"):
            served = services.queries.run(query, "turtle")
            return {"form": form, "turtle": served.body, "count": served.count, "truncated": served.truncated}
        served = services.queries.run(query, "json")
    except QueryError as exc:
        return {"error": str(exc)}
    data = json.loads(served.body)
    if "boolean" in data:
        value = {"type": "literal", "value": str(data["boolean"]).lower()}
        return {
            "form": "ASK",
            "headers": ["boolean"],
            "bindings": [{"boolean": value}],
            "rows": [[value["value"]]],
            "count": 1,
            "truncated": False,
            "json": served.body,
        }
    headers = list(data["head"]["vars"])
    bindings = data["results"]["bindings"]
    rows = [[b.get(v, {}).get("value", "") for v in headers] for b in bindings]
    return {
        "form": form,
        "headers": headers,
        "bindings": bindings,
        "rows": rows,
        "count": served.count,
        "truncated": served.truncated,
        "json": served.body,
    }


def sparql_files(res: dict[str, Any], out: Path) -> dict[str, Path]:
    """The downloads of a result: a table as CSV (with a UTF-8 byte order mark, so that Excel reads the Chinese)
    and SPARQL JSON; a graph as Turtle and JSON-LD. Written atomically into ``out``."""
    if "turtle" in res:
        from fzqa.store import turtle_to_jsonld

        write_atomic(out / "result.ttl", res["turtle"])
        write_atomic(out / "result.jsonld", turtle_to_jsonld(res["turtle"]))
        return {"ttl": out / "result.ttl", "jsonld": out / "result.jsonld"}
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(res["headers"])
    w.writerows(res["rows"])
    write_atomic(out / "result.csv", "\ufeff" + buf.getvalue())
    write_atomic(out / "result.json", res["json"])
    return {"csv": out / "result.csv", "json": out / "result.json"}


def role_tree_svg(services: Services, lang: str) -> str:
    """The role thesaurus (broader → narrower) twice: a left-to-right SVG tree for wide screens and a nested
    list for narrow ones (the stylesheet shows one). Every role is a control: a click (or Enter) opens its
    duties below. A legend says which boxes are roles and which posts."""
    from fzqa.lexicon import load_lexicon

    roles = load_lexicon(services.settings).roles
    children: dict[str, list[str]] = {r: [] for r in roles}
    roots = []
    for label, role in sorted(roles.items(), key=lambda kv: (kv[1].is_post, kv[0])):
        parents = [b for b in role.broader if b in roles]
        if parents:
            children[parents[0]].append(label)
        else:
            roots.append(label)

    def name(label: str) -> str:
        return roles[label].label_en if lang == "en" else label

    def both(label: str) -> str:
        r = roles[label]
        return f"{r.label_en} · {label}" if lang == "en" else f"{label} · {r.label_en}"

    def width(label: str) -> int:
        s = name(label)
        return 16 + sum(14 if ord(ch) > 0x2E80 else 7 for ch in s)

    depth: dict[str, int] = {}
    order: list[str] = []

    def walk(label: str, d: int) -> None:
        depth[label] = d
        order.append(label)
        for c in children[label]:
            walk(c, d + 1)

    for root in roots:
        walk(root, 0)
    levels = max(depth.values(), default=0) + 1
    colw = [max((width(lb) for lb in order if depth[lb] == d), default=80) for d in range(levels)]
    xs = [20 + sum(colw[:d]) + 40 * d for d in range(levels)]
    ypos: dict[str, float] = {}
    leaf = 0

    def place(label: str) -> float:
        nonlocal leaf
        if not children[label]:
            ypos[label] = 20 + leaf * 32
            leaf += 1
        else:
            ys = [place(c) for c in children[label]]
            ypos[label] = (ys[0] + ys[-1]) / 2
        return ypos[label]

    for root in roots:
        place(root)
    w = xs[-1] + colw[-1] + 20
    h = 20 + leaf * 32 + 10
    open_label = "open the duties of" if lang == "en" else "查看职责："
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="role-tree" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
        f'role="group" aria-label="{_e(t("thesaurus", lang))}">'
    ]
    for label in order:
        for b in roles[label].broader:
            if b not in ypos:
                continue
            x1, y1 = xs[depth[b]] + width(b), ypos[b]
            x2, y2 = xs[depth[label]], ypos[label]
            mx = (x1 + x2) / 2
            parts.append(f'<path d="M{x1},{y1} C{mx},{y1} {mx},{y2} {x2},{y2}" fill="none" stroke="#94a3b8"/>')
    for label in order:
        x, y, wd = xs[depth[label]], ypos[label], width(label)
        kind = "post" if roles[label].is_post else "role"
        parts.append(
            f'<g class="node {kind}" data-role="{_e(label)}" tabindex="0" role="button" '
            f'aria-label="{_e(open_label)} {_e(both(label))}"><title>{_e(both(label))}</title>'
            f'<rect x="{x}" y="{y - 12}" width="{wd}" height="24" rx="6"/>'
            f'<text x="{x + 8}" y="{y + 5}" font-size="13">{_e(name(label))}</text></g>'
        )
    parts.append("</svg>")

    def item(label: str) -> str:
        kind = "post" if roles[label].is_post else "role"
        sub = "".join(item(c) for c in children[label])
        return (
            f'<li><button type="button" class="node {kind}" data-role="{_e(label)}" '
            f'aria-label="{_e(open_label)} {_e(both(label))}">{_e(name(label))}</button>'
            + (f"<ul>{sub}</ul>" if sub else "")
            + "</li>"
        )

    listing = f'<ul class="role-list" id="role-list">{"".join(item(r) for r in roots)}</ul>'
    en = lang == "en"
    legend = (
        '<p class="legend" id="tree-legend">'
        f'<span class="swatch role"></span>{"role (a body or office)" if en else "责任主体"}'
        f'<span class="swatch post"></span>{"post (a named office holder)" if en else "具体职务"}'
        f"<span>{'Click a role to see its duties.' if en else '点击责任主体或职务查看其职责。'}</span></p>"
    )
    return f'{legend}<div class="tree-svg">{"".join(parts)}</div>{listing}'


# the periods the "yearly only" filter keeps (their codes in fzqa.ttl)
YEARLY = ("year", "year-end")


def legend_html(lang: str) -> str:
    """What the badges in the duties mean: each kind of norm, and the frequency badge."""
    from fzqa.lexicon import load_lexicon

    lex = load_lexicon()
    kinds = "".join(_kind_badge(k, lang) for k in KINDS if k in lex.kind_labels)
    freq = _period_badge("year", 2, lang)
    en = lang == "en"
    return (
        f'<p class="legend" id="duties-legend"><b>{"Legend" if en else "图例"}</b>'
        f"{'kind of norm' if en else '规范类型'} {kinds} · "
        f"{'how often (from the text)' if en else '频次（依原文）'} {freq}</p>"
    )


def duties_html(services: Services, role_label: str | None, lang: str, kinds: Any = None, yearly: bool = False) -> str:
    """role → its norms (kind and frequency badges) → the provisions, grouped by measure. A role the measures
    cover only by reference (参照执行, fzqa:appliesDutiesOf in roles.ttl: 乡镇党委书记 → 党委主要负责人) shows
    the scope rule that refers it and the duties of the role it stands for. ``yearly``: only yearly and
    year-end duties."""
    from fzqa.lexicon import load_lexicon

    lex = load_lexicon(services.settings)
    if not role_label or role_label not in lex.roles:
        return ""
    en = lang == "en"
    role = lex.roles[role_label]
    rows = services.kg.select("role_norms", role=role.iri)
    refer = ""
    if not any(r["kind"] not in ("scope", "meta") for r in rows):
        targets = [x for x in lex.applies_duties_of(role_label) if x in lex.roles]
        scope = [r for r in services.kg.select("coverage", role=role.iri) if r.get("coverage") == "by-reference"]
        if targets and scope:
            target = lex.roles[targets[0]]
            cites = "、".join(cite(str(r["measure"]).removeprefix(ID_NS), r["article"], None, lang) for r in scope)
            tname = target.label_en if en else target.label
            refer = (
                '<p class="by-reference" id="by-reference">'
                + (
                    f"Covered by reference ({_e(cites)}): takes the duties of the {_e(tname)}."
                    if en
                    else f"参照执行（{_e(cites)}）：履行{_e(tname)}的职责。"
                )
                + "</p>"
            )
            rows = services.kg.select("role_norms", role=target.iri)
    seen: set[str] = set()
    by_measure: dict[str, list[dict[str, Any]]] = {}
    wanted = set(kinds) if kinds is not None else set(KINDS)
    for r in rows:
        if r["norm"] in seen or r["kind"] not in wanted or (yearly and r.get("period") not in YEARLY):
            continue
        seen.add(r["norm"])
        by_measure.setdefault(str(r["measure"]).removeprefix(ID_NS), []).append(r)
    head = (
        f"<p><b>{_e(role.label_en if en else role.label)}</b> · {len(seen)} {'norms' if en else '条规范'}"
        + (f" ({'yearly and year-end only' if en else '仅每年及年终'})" if yearly else "")
        + "</p>"
    )
    opening = f'<div class="duties" id="duties" data-role="{_e(role_label)}">{head}{refer}'
    if not by_measure:
        return f'{opening}<p class="status">{"No norms." if en else "没有规范。"}</p></div>'
    out = [opening]
    for measure, norms in by_measure.items():
        info = lex.measure_info(measure)
        out.append(f"<h4>{_e(info.short_en if en else info.short)} · {_e(info.title)}</h4>")
        for r in sorted(norms, key=lambda r: (r["article"], r.get("item") or 0)):
            item = r.get("item")
            text = services.assistant.provisions.get((measure, r["article"], item), "")
            badges = _kind_badge(str(r["kind"]), lang) + _period_badge(r.get("period"), r.get("minCount"), lang)
            out.append(
                f"<details><summary>{badges}<span class='q'>{_e(r['action'])}</span> "
                f"<b>（{_e(cite(measure, r['article'], item, lang))}）</b></summary>"
                f'<div class="prov"><div class="prov-full">{_e(_full(measure, r["article"], item))}</div>'
                f'<div class="prov-text">{_e(text)}</div></div></details>'
            )
    out.append("</div>")
    return "".join(out)


CLASS_QUERY = """PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?c ?sup ?en ?zh WHERE {
  ?c a owl:Class . FILTER(STRSTARTS(STR(?c), "https://w3id.org/fzqa#"))
  OPTIONAL { ?c rdfs:subClassOf ?sup . FILTER(isIRI(?sup)) }
  OPTIONAL { ?c rdfs:label ?en FILTER(LANG(?en) = "en") }
  OPTIONAL { ?c rdfs:label ?zh FILTER(LANG(?zh) = "zh") }
}"""
PREFIXES = {
    "http://data.europa.eu/eli/ontology#": "eli:",
    "http://docs.oasis-open.org/legalruleml/ns/v1.0/metamodel#": "lrml:",
    "http://www.w3.org/ns/odrl/2/": "odrl:",
    "http://www.w3.org/ns/prov#": "prov:",
    "http://www.w3.org/ns/org#": "org:",
    "http://purl.org/dc/terms/": "dcterms:",
    "http://www.w3.org/2004/02/skos/core#": "skos:",
    "http://www.w3.org/2006/time#": "time:",
}


def classes_html(services: Services, lang: str) -> str:
    """The ontology's own classes as a tree (subclass under superclass), with their aligned external classes."""
    recs = services.kg.run(CLASS_QUERY).records()
    labels: dict[str, str] = {}
    local_parent: dict[str, str] = {}
    external: dict[str, list[str]] = {}
    for r in recs:
        c = str(r["c"])
        labels[c] = str(r.get("en") if lang == "en" else r.get("zh") or r.get("en") or "") or c.split("#")[-1]
        sup = r.get("sup")
        if not sup:
            continue
        if str(sup).startswith(FZQA_NS):
            local_parent[c] = str(sup)
        else:
            short = next((p + str(sup)[len(ns) :] for ns, p in PREFIXES.items() if str(sup).startswith(ns)), str(sup))
            external.setdefault(c, [])
            if short not in external[c]:
                external[c].append(short)
    kids: dict[str, list[str]] = {}
    for c, p in local_parent.items():
        kids.setdefault(p, []).append(c)

    def node(c: str) -> str:
        ext = f' <span class="ext">⊑ {_e(", ".join(sorted(external.get(c, []))))}</span>' if external.get(c) else ""
        sub = "".join(node(k) for k in sorted(kids.get(c, [])))
        return (
            f"<li><b>fzqa:{_e(c.split('#')[-1])}</b> {_e(labels[c])}{ext}"
            + (f"<ul>{sub}</ul>" if sub else "")
            + "</li>"
        )

    roots = sorted(c for c in labels if c not in local_parent)
    return f'<ul class="tree" id="class-tree">{"".join(node(c) for c in roots)}</ul>'


# ------------------------------------------------------------------------------------------- the blocks
def build_ui(services: Services) -> gr.Blocks:
    from fzqa.lexicon import load_lexicon

    lex = load_lexicon(services.settings)
    role_choices = sorted(lex.roles, key=lambda r: (lex.roles[r].is_post, r))
    i18n: list[tuple[Any, str, str]] = []  # (component, text key, attribute)

    def reg(comp: Any, key: str, attr: str = "label") -> Any:
        i18n.append((comp, key, attr))
        return comp

    def measure_choices(lang: str) -> list[tuple[str, str]]:
        return [(t("any", lang), "")] + [
            (f"{m.short_en if lang == 'en' else m.short} · {m.title}", m.id) for m in lex.catalog
        ]

    def role_opts(lang: str, any_: bool) -> list[tuple[str, str]]:
        opts = [
            (f"{r} · {lex.roles[r].label_en}" if lang != "en" else f"{lex.roles[r].label_en} · {r}", r)
            for r in (lex.bearer_roles() if any_ else role_choices)
        ]
        return ([(t("any", lang), "")] if any_ else []) + opts

    def kind_opts(lang: str) -> list[tuple[str, str]]:
        return [(t("any", lang), "")] + [(_kind_label(k, lang), k) for k in KINDS]

    def period_opts(lang: str) -> list[tuple[str, str]]:
        return [(t("any", lang), "")] + [(_period_label(p, lang), p) for p in PERIODS]

    default_role = "县长" if "县长" in lex.roles else None
    names = list(services.kg.queries)
    first_query = "annual_duties" if "annual_duties" in names else (names[0] if names else None)
    first_text, first_desc = prefill(services, first_query, "zh")

    downloads = services.downloads = Downloads(services.settings.downloads_kept)
    ttl = services.settings.cache_ttl
    # Gradio deletes the files it served (downloads included) once they are ttl seconds old, checking every
    # minute (or every ttl when that is shorter), and all of them when the server stops
    cache = (min(60, ttl), ttl)
    with gr.Blocks(title="fzqa · 法治建设第一责任人", analytics_enabled=False, delete_cache=cache) as demo:
        with gr.Row():
            with gr.Column(scale=5):
                title = reg(gr.Markdown(t("title", "zh")), "title", "value")
                subtitle = reg(gr.Markdown(t("subtitle", "zh")), "subtitle", "value")
            with gr.Column(scale=1, min_width=160):
                lang = gr.Radio(LANGS, value="zh", label="语言 / Language", elem_id="lang")
        del title, subtitle
        with gr.Tabs(elem_id="tabs") as tabs:
            # ------------------------------------------------------------ 问答
            with reg(gr.Tab(t("tab_ask", "zh"), id="ask", elem_id="tab-ask"), "tab_ask"), gr.Row(elem_id="ask-row"):
                with gr.Column(scale=3, min_width=320):
                    chat = reg(
                        gr.Chatbot(
                            label=t("chat", "zh"),
                            elem_id="chat",
                            height=420,
                            sanitize_html=True,
                            allow_tags=False,
                            render_markdown=True,
                            line_breaks=True,
                            feedback_options=None,
                            latex_delimiters=[],
                            autoscroll=False,  # SCROLL_JS shows the start of the new answer instead of its end
                        ),
                        "chat",
                    )
                    with gr.Row():
                        question = reg(
                            gr.Textbox(
                                label=t("question", "zh"),
                                placeholder=t("question_ph", "zh"),
                                elem_id="question",
                                scale=6,
                                lines=1,
                                max_lines=4,
                            ),
                            "question",
                        )
                        with gr.Column(scale=1, min_width=120):
                            send = reg(gr.Button(t("send", "zh"), variant="primary", elem_id="send"), "send", "value")
                            clear = reg(gr.Button(t("clear", "zh"), elem_id="clear", size="sm"), "clear", "value")
                    reg(gr.Markdown(t("examples", "zh")), "examples", "value")
                    with gr.Row(elem_id="examples"):
                        example_buttons = [
                            gr.Button(example(i, "zh"), size="sm", elem_classes=["example"])
                            for i in range(len(EXAMPLES))
                        ]
                with gr.Column(scale=2, min_width=300, elem_id="side"):

                    def provision_view(ref: str) -> str:
                        """The provision a numbered citation of an answer links to (called by CITE_JS)."""
                        return provision_ref_html(services, str(ref or ""))

                    provision = reg(
                        gr.HTML(
                            t("provision_hint", "zh"),
                            elem_id="provision",
                            server_functions=[provision_view],
                            js_on_load=CITE_JS,
                        ),
                        "provision_hint",
                        "value",
                    )
                    with reg(
                        gr.Accordion(t("sparql_acc", "zh"), open=False, visible=False, elem_id="answer-sparql-acc"),
                        "sparql_acc",
                    ) as sparql_acc:
                        answer_sparql = gr.Code("", language=None, interactive=False, elem_id="answer-sparql")
                        to_sparql = reg(
                            gr.Button(t("to_sparql", "zh"), size="sm", elem_id="to-sparql"), "to_sparql", "value"
                        )

            # ------------------------------------------------------------ 条文检索
            with reg(gr.Tab(t("tab_search", "zh"), id="search", elem_id="tab-search"), "tab_search"):
                with gr.Row():
                    sq = reg(
                        gr.Textbox(
                            label=t("search_q", "zh"), placeholder=t("search_ph", "zh"), elem_id="search-q", scale=4
                        ),
                        "search_q",
                    )
                    sk = reg(
                        gr.Slider(
                            1,
                            min(50, services.settings.max_k),
                            value=services.settings.search_k,
                            step=1,
                            label=t("k", "zh"),
                            elem_id="search-k",
                            scale=1,
                        ),
                        "k",
                    )
                with gr.Row():
                    s_measure = gr.Dropdown(
                        measure_choices("zh"), value="", label=t("measure", "zh"), elem_id="f-measure"
                    )
                    s_role = gr.Dropdown(role_opts("zh", True), value="", label=t("role", "zh"), elem_id="f-role")
                    s_kind = gr.Dropdown(kind_opts("zh"), value="", label=t("kind", "zh"), elem_id="f-kind")
                    s_period = gr.Dropdown(period_opts("zh"), value="", label=t("period", "zh"), elem_id="f-period")
                do_search = reg(
                    gr.Button(t("do_search", "zh"), variant="primary", elem_id="do-search"), "do_search", "value"
                )
                search_status_md = gr.Markdown("", elem_id="search-status")
                hits_state = gr.State([])
                picks = reg(gr.CheckboxGroup([], label=t("results", "zh"), elem_id="picks"), "results")
                with gr.Row():
                    sel_all = reg(
                        gr.Button(t("select_all", "zh"), size="sm", elem_id="select-all"), "select_all", "value"
                    )
                    sel_none = reg(
                        gr.Button(t("select_none", "zh"), size="sm", elem_id="select-none"), "select_none", "value"
                    )
                    export = reg(gr.Button(t("export", "zh"), variant="secondary", elem_id="export"), "export", "value")
                exported = reg(
                    gr.File(label=t("exported", "zh"), file_count="multiple", interactive=False, elem_id="exported"),
                    "exported",
                )
                hits_view = gr.HTML("", elem_id="hits")

            # ------------------------------------------------------------ SPARQL
            with reg(gr.Tab(t("tab_sparql", "zh"), id="sparql", elem_id="tab-sparql"), "tab_sparql"):
                named = gr.Dropdown(
                    named_choices(services, "zh"), value=first_query, label=t("named", "zh"), elem_id="named"
                )
                named_desc = gr.Markdown(first_desc, elem_id="named-desc")
                editor_label = reg(gr.Markdown("#### " + t("editor", "zh"), elem_id="editor-label"), "editor", "value")
                # the editor (static/fzqa-ui.js mounts CodeMirror here); the hidden textbox holds its text for
                # the server (a named query's text, an answer's SPARQL) and the editor mirrors it both ways
                gr.HTML(editor_host(services), elem_id="editor-wrap")
                editor = gr.Textbox(first_text, lines=4, show_label=False, visible="hidden", elem_id="editor-text")
                editor_help = reg(gr.Markdown(t("editor_help", "zh"), elem_id="editor-help"), "editor_help", "value")
                run = reg(gr.Button(t("run", "zh"), variant="primary", elem_id="run"), "run", "value")
                sparql_error = gr.HTML("", elem_id="sparql-error")
                sparql_status = gr.Markdown("", elem_id="sparql-status")
                table = gr.HTML("", elem_id="sparql-result")
                graph_out = reg(
                    gr.Code("", language=None, visible=False, label=t("graph_result", "zh"), elem_id="sparql-graph"),
                    "graph_result",
                )
                with gr.Row(elem_id="sparql-downloads"):
                    dl_csv = reg(gr.DownloadButton(t("dl_csv", "zh"), visible=False, elem_id="dl-csv"), "dl_csv")
                    dl_json = reg(gr.DownloadButton(t("dl_json", "zh"), visible=False, elem_id="dl-json"), "dl_json")
                    dl_ttl = reg(gr.DownloadButton(t("dl_ttl", "zh"), visible=False, elem_id="dl-ttl"), "dl_ttl")
                    dl_jsonld = reg(
                        gr.DownloadButton(t("dl_jsonld", "zh"), visible=False, elem_id="dl-jsonld"), "dl_jsonld"
                    )
                del editor_label, editor_help

            # ------------------------------------------------------------ 图谱
            with reg(gr.Tab(t("tab_browse", "zh"), id="browse", elem_id="tab-browse"), "tab_browse"):
                reg(gr.Markdown("#### " + t("thesaurus", "zh")), "thesaurus", "value")
                tree = gr.HTML(role_tree_svg(services, "zh"), elem_id="tree-view")
                # a click on a role in the tree writes its label here (static/fzqa-ui.js), which picks it below
                role_pick = gr.Textbox("", show_label=False, visible="hidden", elem_id="b-role-pick")
                with gr.Row():
                    with gr.Column(scale=3):
                        with gr.Row():
                            b_role = gr.Dropdown(
                                role_opts("zh", False),
                                value=default_role,
                                label=t("browse_role", "zh"),
                                elem_id="b-role",
                            )
                            b_kinds = gr.CheckboxGroup(
                                kind_opts("zh")[1:], value=list(DUTY_KINDS), label=t("kind", "zh"), elem_id="b-kinds"
                            )
                        b_yearly = reg(gr.Checkbox(False, label=t("yearly", "zh"), elem_id="b-yearly"), "yearly")
                        reg(gr.Markdown("#### " + t("duties", "zh")), "duties", "value")
                        legend = gr.HTML(legend_html("zh"), elem_id="legend-view")
                        duties = gr.HTML(duties_html(services, default_role, "zh", DUTY_KINDS), elem_id="duties-view")
                    with gr.Column(scale=2):
                        reg(gr.Markdown("#### " + t("classes", "zh")), "classes", "value")
                        classes = gr.HTML(classes_html(services, "zh"), elem_id="classes-view")

        # ---------------------------------------------------------------- events: assistant
        def ask(q: str, history: list[dict[str, Any]] | None, lg: str, previous: str) -> tuple[Any, ...]:
            history = list(history or [])
            q = (q or "").strip()
            if not q:
                return history, "", gr.update(), gr.update(), gr.update(), previous
            answer = services.assistant.ask(q, previous=previous or None)  # 那县委书记呢？ follows the last question
            history.append({"role": "user", "content": md_text(q)})
            # the answer's citations are part of its message (numbered, each opening the provision), so they stay
            # with it when the next question comes
            history.append({"role": "assistant", "content": answer_markdown(answer, lg)})
            return (
                history,
                "",
                gr.skip(),
                gr.update(visible=bool(answer.sparql)),
                answer.sparql or "",
                q,
            )

        last_question = gr.State("")
        ask_in = [question, chat, lang, last_question]
        ask_out = [chat, question, provision, sparql_acc, answer_sparql, last_question]
        send.click(ask, ask_in, ask_out).then(None, None, None, js=SCROLL_JS)
        question.submit(ask, ask_in, ask_out).then(None, None, None, js=SCROLL_JS)
        for b in example_buttons:
            b.click(lambda q: q, b, question).then(ask, ask_in, ask_out).then(None, None, None, js=SCROLL_JS)
        clear.click(
            lambda lg: ([], t("provision_hint", lg), gr.update(visible=False), "", ""),
            lang,
            [chat, provision, sparql_acc, answer_sparql, last_question],
        )
        to_sparql.click(lambda s: (s, gr.Tabs(selected="sparql"), ""), answer_sparql, [editor, tabs, named_desc])

        # ---------------------------------------------------------------- events: clause search
        def search(q: str, measure: str, role: str, kind: str, period: str, k: float, lg: str) -> tuple[Any, ...]:
            filters = {"measure": measure or "", "role": role or "", "kind": kind or "", "period": period or ""}
            try:
                res = clause_search(services, q or "", int(k), *(v or None for v in filters.values()))
            except ValueError as exc:
                msg = f"⚠️ {md_text(exc)}"
                return [], gr.update(choices=[], value=[]), "", msg, {}
            hits = res["hits"]
            choices = [
                (
                    ("✓ " if h["matched"] else "")
                    + f"{cite(h['measure'], h['article'], h['item'], lg)}：{h['text'][:48]}"
                    + ("…" if len(h["text"]) > 48 else ""),
                    key_of(h["measure"], h["article"], h["item"]),
                )
                for h in hits
            ]
            context = {"query": res["query"], "filters": filters}  # what the export says it was searched for
            return hits, gr.update(choices=choices, value=[]), hits_html(hits, lg), search_status(res, lg), context

        search_ctx = gr.State({})
        s_in = [sq, s_measure, s_role, s_kind, s_period, sk, lang]
        s_out = [hits_state, picks, hits_view, search_status_md, search_ctx]
        do_search.click(search, s_in, s_out)
        sq.submit(search, s_in, s_out)

        def refilter(q: str, *rest: Any) -> tuple[Any, ...]:
            """A filter changed: search again when there is a query (the hits on screen match the filters)."""
            return search(q, *rest) if (q or "").strip() else tuple(gr.skip() for _ in s_out)

        for f in (s_measure, s_role, s_kind, s_period):
            f.change(refilter, s_in, s_out)
        sk.release(refilter, s_in, s_out)
        sel_all.click(lambda hits: [key_of(h["measure"], h["article"], h["item"]) for h in hits], hits_state, picks)
        sel_none.click(lambda: [], None, picks)

        def do_export(hits: list[dict[str, Any]], selected: list[str], lg: str, ctx: dict[str, Any]) -> Any:
            files = (
                export_files(
                    hits,
                    selected or [],
                    lg,
                    downloads.new("export-"),
                    query=str(ctx.get("query", "")),
                    filters=dict(ctx.get("filters") or {}),
                    measures=measure_metadata(services),
                )
                if selected
                else []
            )
            if not files:
                gr.Warning("Select at least one provision first." if lg == "en" else "请先勾选要导出的条文。")
                return None
            return files

        export.click(do_export, [hits_state, picks, lang, search_ctx], exported)

        # ---------------------------------------------------------------- events: SPARQL
        named.change(lambda n, lg: prefill(services, n, lg), [named, lang], [editor, named_desc])
        # the server changed the query text: the editor shows it
        editor.change(None, editor, None, js="(v) => { window.fzqaSparql && window.fzqaSparql.set(v); }")
        downloads_out = [dl_csv, dl_json, dl_ttl, dl_jsonld]

        def run_query(query: str, lg: str) -> tuple[Any, ...]:
            res = run_sparql(services, query or "", lg)
            hidden = tuple(gr.update(visible=False, value=None) for _ in downloads_out)
            if "error" in res:  # the previous result goes: what is on screen belongs to this query
                err = f'<pre class="err" id="sparql-error-text" role="alert">{_e(res["error"])}</pre>'
                return (err, "", "", gr.update(value="", visible=False), *hidden)
            note = "" if not res.get("truncated") else " (truncated)" if lg == "en" else "（已截断）"
            unit = ("triples" if lg == "en" else "个三元组") if "turtle" in res else ("rows" if lg == "en" else "行")
            status = f"{res['form']}: {res['count']} {unit}{note}"
            files = sparql_files(res, downloads.new("sparql-"))
            ups = tuple(
                gr.update(value=str(files[k]), visible=True) if k in files else gr.update(visible=False, value=None)
                for k in ("csv", "json", "ttl", "jsonld")
            )
            if "turtle" in res:
                return ("", status, "", gr.update(value=res["turtle"], visible=True), *ups)
            prefixes = {**services.kg.prefixes, **query_prefixes(query or "")}
            html_table = results_html(res["headers"], res["bindings"], prefixes, lg)
            return ("", status, html_table, gr.update(value="", visible=False), *ups)

        sparql_out = [sparql_error, sparql_status, table, graph_out, *downloads_out]
        last_run = gr.State("")  # the query whose result is on screen, shown again in the other language on a switch

        def run_and_keep(query: str, lg: str) -> tuple[Any, ...]:
            return (*run_query(query, lg), query or "")

        # the editor's own text is what runs (the js hands it over; the textbox may lag a keystroke behind)
        run.click(
            run_and_keep,
            [editor, lang],
            [*sparql_out, last_run],
            js="(q, l) => [window.fzqaSparql ? window.fzqaSparql.get() : q, l]",
            api_name="run_query",  # the name clients (and tests/test_hardening.py) call it by
        )

        def rerun(query: str, lg: str) -> tuple[Any, ...]:
            """The result on screen in the language just chosen (status, pager, sort labels, error text)."""
            return run_query(query, lg) if query else tuple(gr.skip() for _ in sparql_out)

        lang.change(rerun, [last_run, lang], sparql_out)

        # ---------------------------------------------------------------- events: browse
        b_in = [b_role, b_kinds, lang, b_yearly]
        for comp in (b_role, b_kinds, b_yearly):
            comp.change(lambda r, k, lg, y: duties_html(services, r, lg, k, y), b_in, duties)

        def picked(value: str) -> Any:
            label = (value or "").split("|", 1)[0]  # "label|n" (a counter, so the same role can be picked again)
            return gr.update(value=label) if label in lex.roles else gr.skip()

        role_pick.change(picked, role_pick, b_role)

        # ---------------------------------------------------------------- language
        def switch(lg: str, role_now: str | None, kinds_now: list[str]) -> list[Any]:
            ups: list[Any] = []
            for comp, key, attr in i18n:
                text = t(key, lg)
                if key in ("duties", "thesaurus", "classes", "editor"):
                    text = "#### " + text
                if isinstance(comp, gr.Tab):
                    ups.append(gr.Tab(label=text))
                elif isinstance(comp, gr.Accordion):
                    ups.append(gr.Accordion(label=text))
                elif isinstance(comp, gr.Textbox) and key in ("question", "search_q"):
                    ups.append(
                        gr.update(label=text, placeholder=t(key + "_ph" if key == "question" else "search_ph", lg))
                    )
                elif attr == "value":
                    ups.append(gr.update(value=text))
                else:
                    ups.append(gr.update(label=text))
            ups += [
                gr.update(choices=measure_choices(lg), label=t("measure", lg)),
                gr.update(choices=role_opts(lg, True), label=t("role", lg)),
                gr.update(choices=kind_opts(lg), label=t("kind", lg)),
                gr.update(choices=period_opts(lg), label=t("period", lg)),
                gr.update(choices=role_opts(lg, False), label=t("browse_role", lg)),
                gr.update(choices=kind_opts(lg)[1:], label=t("kind", lg)),
            ]
            return ups

        targets = [c for c, _, _ in i18n] + [
            s_measure,
            s_role,
            s_kind,
            s_period,
            b_role,
            b_kinds,
        ]
        lang.change(switch, [lang, b_role, b_kinds], targets)

        def switch_views(
            lg: str, role_now: str | None, kinds_now: list[str], yearly: bool, name: str | None
        ) -> list[Any]:
            """The rest of the language switch: example questions, named queries, the browse tab's views."""
            _, desc = prefill(services, name, lg)
            return [
                *(gr.update(value=example(i, lg)) for i in range(len(example_buttons))),
                gr.update(choices=named_choices(services, lg), label=t("named", lg)),
                desc,
                duties_html(services, role_now, lg, kinds_now, yearly),
                legend_html(lg),
                role_tree_svg(services, lg),
                classes_html(services, lg),
            ]

        lang.change(
            switch_views,
            [lang, b_role, b_kinds, b_yearly, named],
            [*example_buttons, named, named_desc, duties, legend, tree, classes],
        )
        # the page's lang follows the chosen language (not the browser's), so Chinese gets Chinese glyphs
        set_lang = (
            f"(l) => {{ window.fzqaLang = l === 'en' ? 'en' : '{HTML_LANG}'; "
            "document.documentElement.lang = window.fzqaLang; }"
        )
        lang.change(None, lang, None, js=set_lang)
        # the editor's accessible name follows too (its host is not re-rendered: that would drop what was typed)
        lang.change(None, lang, None, js=EDITOR_LABEL_JS)
    demo.queue(default_concurrency_limit=8)  # several users at once; the handlers share thread-safe services
    blocks: gr.Blocks = demo
    return blocks
