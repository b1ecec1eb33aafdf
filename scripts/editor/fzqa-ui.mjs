// The web app's own script (bundled by scripts/editor/build.sh into src/fzqa/static/fzqa-ui.js, served by the
// app itself: nothing is fetched from elsewhere).
//   - the SPARQL editor: CodeMirror 6 with the SPARQL mode of @codemirror/legacy-modes, highlighting, prefix
//     completion (the prefixes the graph declares; choosing or typing one adds its PREFIX line), Ctrl/Cmd+Enter
//     runs. It mirrors its text into the hidden Gradio textbox #editor, and takes what the server puts there.
//   - result tables (table.sparql-results): paged, and sorted by a click on a column header.
//   - the role tree (#tree-view [data-role]): a click or Enter opens the role's duties.
import { EditorView, keymap, lineNumbers, drawSelection, highlightActiveLine } from "@codemirror/view";
import { EditorState, Prec } from "@codemirror/state";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { StreamLanguage, HighlightStyle, syntaxHighlighting, bracketMatching } from "@codemirror/language";
import { autocompletion, completionKeymap } from "@codemirror/autocomplete";
import { tags } from "@lezer/highlight";
import { sparql } from "@codemirror/legacy-modes/mode/sparql";

// token classes; their colours (WCAG AA on white) are in fzqa.css, under the editor's id, so the page's own
// stylesheets cannot override them
const style = HighlightStyle.define([
  { tag: tags.keyword, class: "tok-keyword" },
  { tag: tags.variableName, class: "tok-variable" },
  { tag: tags.atom, class: "tok-iri" },
  { tag: tags.string, class: "tok-string" },
  { tag: tags.comment, class: "tok-comment" },
  { tag: tags.meta, class: "tok-meta" },
  { tag: [tags.operator, tags.bracket], class: "tok-punct" },
]);

const KEYWORDS = ["PREFIX", "SELECT", "DISTINCT", "WHERE", "OPTIONAL", "FILTER", "UNION", "MINUS", "VALUES",
  "BIND", "GRAPH", "ORDER BY", "GROUP BY", "HAVING", "LIMIT", "OFFSET", "CONSTRUCT", "DESCRIBE", "ASK", "COUNT",
  "GROUP_CONCAT", "STR", "LANG", "LANGMATCHES", "REGEX", "CONTAINS", "STRSTARTS", "BOUND", "EXISTS", "NOT EXISTS",
  "ASC", "DESC", "AS", "IN", "NOT IN"];

function declared(text) {
  const out = new Set();
  for (const m of text.matchAll(/^\s*PREFIX\s+([A-Za-z][\w.-]*)?:/gim)) out.add(m[1] || "");
  return out;
}

// where the next PREFIX line goes: after the header comment and the PREFIX lines already there
function prefixInsertAt(doc) {
  let pos = 0;
  for (let i = 1; i <= doc.lines; i++) {
    const line = doc.line(i);
    if (/^\s*(#|PREFIX\b|BASE\b|$)/i.test(line.text)) pos = line.to + (i < doc.lines ? 1 : 0);
    else break;
  }
  return Math.min(pos, doc.length);
}

function prefixLine(name, iri) {
  return `PREFIX ${name}: <${iri}>\n`;
}

// inside an IRI, a string or a comment on this line, ``name:`` is no prefixed name
function inCode(before) {
  let quote = null;
  for (let i = 0; i < before.length; i++) {
    const ch = before[i];
    if (quote) {
      if (ch === "\\") i++;
      else if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === "#") return false;
  }
  if (quote) return false;
  const lt = before.lastIndexOf("<");
  return !(lt >= 0 && before.indexOf(">", lt) < 0 && !/[\s=]/.test(before[lt + 1] || " "));
}

function addPrefix(view, name, known) {
  const text = view.state.doc.toString();
  if (!(name in known) || declared(text).has(name)) return;
  const at = prefixInsertAt(view.state.doc);
  view.dispatch({ changes: { from: at, insert: prefixLine(name, known[name]) } });
}

function completions(known) {
  return (context) => {
    const word = context.matchBefore(/[?$]?[A-Za-z_][\w.-]*:?|[?$]/);
    if (!word || (word.from === word.to && !context.explicit)) return null;
    const line = context.state.doc.lineAt(word.from);
    if (!inCode(line.text.slice(0, word.from - line.from))) return null;
    const text = context.state.doc.toString();
    const options = [];
    if (/^[?$]/.test(word.text)) {
      const seen = new Set(text.match(/[?$][A-Za-z_]\w*/g) || []);
      for (const v of seen) if (v !== word.text) options.push({ label: v, type: "variable" });
    } else {
      for (const [name, iri] of Object.entries(known)) {
        options.push({
          label: `${name}:`,
          detail: iri,
          type: "namespace",
          apply: (view, completion, from, to) => {
            view.dispatch({ changes: { from, to, insert: `${name}:` }, selection: { anchor: from + name.length + 1 } });
            addPrefix(view, name, known);
          },
        });
      }
      for (const k of KEYWORDS) options.push({ label: k, type: "keyword" });
    }
    return { from: word.from, options, validFor: /^[?$]?[\w.-]*:?$/ };
  };
}

// typing the ":" of a known, undeclared prefix adds its PREFIX line
function prefixOnColon(known) {
  return EditorView.inputHandler.of((view, from, to, insert) => {
    if (insert !== ":") return false;
    const line = view.state.doc.lineAt(from);
    const before = line.text.slice(0, from - line.from);
    const m = before.match(/(^|[^\w.:<\/#?$@-])([A-Za-z][\w.-]*)$/);
    if (!m || !(m[2] in known) || /^\s*PREFIX\s+\S*$/i.test(before) || !inCode(before)) return false;
    view.dispatch({ changes: { from, to, insert: ":" }, selection: { anchor: from + 1 } });
    addPrefix(view, m[2], known);
    return true;
  });
}

let view = null;

function textbox() {
  return document.querySelector("#editor-text textarea");
}

function mirror(text) {
  const box = textbox();
  if (!box || box.value === text) return;
  box.value = text;
  box.dispatchEvent(new Event("input", { bubbles: true }));
}

function mountEditor(host) {
  if (host.dataset.mounted) return;
  host.dataset.mounted = "1";
  let known = {};
  try {
    known = JSON.parse(host.dataset.prefixes || "{}");
  } catch (e) {
    known = {};
  }
  const box = textbox();
  const run = () => {
    const button = document.querySelector("#run");
    if (button) button.click();
    return true;
  };
  view = new EditorView({
    parent: host,
    state: EditorState.create({
      doc: box ? box.value : "",
      extensions: [
        Prec.highest(keymap.of([{ key: "Mod-Enter", run }])),
        lineNumbers(),
        history(),
        drawSelection(),
        highlightActiveLine(),
        bracketMatching(),
        StreamLanguage.define(sparql),
        syntaxHighlighting(style),
        autocompletion({ override: [completions(known)], icons: false }),
        prefixOnColon(known),
        keymap.of([...completionKeymap, ...defaultKeymap, ...historyKeymap]),
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({
          // the page's language when the editor is first shown (the language switch updates it later)
          "aria-label": (document.documentElement.lang === "en" ? host.dataset.labelEn : host.dataset.labelZh) || "SPARQL",
          "aria-describedby": "editor-help",
          spellcheck: "false",
        }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) mirror(u.state.doc.toString());
        }),
      ],
    }),
  });
}

// the server put new text into the textbox (a named query was chosen, or an answer's SPARQL was opened)
function setText(text) {
  if (!view) return;
  text = text == null ? "" : String(text);
  if (view.state.doc.toString() === text) return;
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
}

function getText() {
  if (view) return view.state.doc.toString();
  const box = textbox();
  return box ? box.value : "";
}

// ------------------------------------------------------------------------------------------- result tables
function cellKey(td) {
  const v = td.dataset.v !== undefined ? td.dataset.v : td.textContent;
  const n = td.dataset.num !== undefined ? Number(td.dataset.num) : NaN;
  return { v, n };
}

function enhanceTable(table) {
  if (table.dataset.enhanced) return;
  table.dataset.enhanced = "1";
  const size = Number(table.dataset.pageSize || 25);
  const body = table.tBodies[0];
  if (!body) return;
  let page = 0;
  const pager = document.createElement("div");
  pager.className = "pager";
  pager.id = "sparql-pager";
  const prev = document.createElement("button");
  const next = document.createElement("button");
  const info = document.createElement("span");
  prev.type = next.type = "button";
  prev.textContent = table.dataset.prev || "‹";
  next.textContent = table.dataset.next || "›";
  prev.className = "pager-prev";
  next.className = "pager-next";
  info.className = "pager-info";
  info.setAttribute("aria-live", "polite");
  pager.append(prev, info, next);
  const rows = () => Array.from(body.rows);
  function show() {
    const all = rows();
    const pages = Math.max(1, Math.ceil(all.length / size));
    page = Math.min(Math.max(0, page), pages - 1);
    all.forEach((tr, i) => {
      tr.hidden = Math.floor(i / size) !== page;
    });
    const from = all.length ? page * size + 1 : 0;
    const to = Math.min(all.length, (page + 1) * size);
    info.textContent = (table.dataset.pageFmt || "{from}–{to} / {n}")
      .replace("{from}", from).replace("{to}", to).replace("{n}", all.length)
      .replace("{page}", page + 1).replace("{pages}", pages);
    prev.disabled = page === 0;
    next.disabled = page >= pages - 1;
    pager.hidden = pages <= 1;
  }
  prev.addEventListener("click", () => { page--; show(); });
  next.addEventListener("click", () => { page++; show(); });
  table.after(pager);
  const heads = Array.from(table.tHead ? table.tHead.rows[0].cells : []);
  heads.forEach((th, col) => {
    const button = th.querySelector("button.sort");
    if (!button) return;
    button.addEventListener("click", () => {
      const asc = th.getAttribute("aria-sort") !== "ascending";
      heads.forEach((h) => h.removeAttribute("aria-sort"));
      th.setAttribute("aria-sort", asc ? "ascending" : "descending");
      const sorted = rows().map((tr, i) => ({ tr, i, k: cellKey(tr.cells[col]) }));
      sorted.sort((a, b) => {
        let c;
        if (!Number.isNaN(a.k.n) && !Number.isNaN(b.k.n)) c = a.k.n - b.k.n;
        else c = a.k.v.localeCompare(b.k.v, "zh-CN", { numeric: true });
        return (asc ? c : -c) || a.i - b.i;
      });
      sorted.forEach((s) => body.appendChild(s.tr));
      page = 0;
      show();
    });
  });
  show();
}

// ------------------------------------------------------------------------------------------- role tree
// "label|n": a new value each time, so that picking the same role again still reaches the server
let picks = 0;

function pickRole(label) {
  const box = document.querySelector("#b-role-pick textarea");
  if (!box) return;
  box.value = `${label}|${++picks}`;
  box.dispatchEvent(new Event("input", { bubbles: true }));
  const duties = document.querySelector("#duties-view");
  if (duties) duties.scrollIntoView({ block: "nearest" });
}

document.addEventListener("click", (e) => {
  const node = e.target.closest && e.target.closest("#tree-view [data-role]");
  if (node) {
    e.preventDefault();
    pickRole(node.dataset.role);
  }
});
document.addEventListener("keydown", (e) => {
  if (e.key !== "Enter" && e.key !== " ") return;
  const node = e.target.closest && e.target.closest("#tree-view svg [data-role]");
  if (node) {
    e.preventDefault();
    pickRole(node.dataset.role);
  }
});

// the role whose duties are shown is marked in the tree (aria-current), however it was chosen
function markCurrentRole() {
  const duties = document.querySelector("#duties[data-role]");
  const current = duties ? duties.dataset.role : null;
  document.querySelectorAll("#tree-view [data-role]").forEach((n) => {
    const on = n.dataset.role === current;
    if (on !== n.classList.contains("current")) {
      n.classList.toggle("current", on);
      if (on) n.setAttribute("aria-current", "true");
      else n.removeAttribute("aria-current");
    }
  });
}

function scan() {
  const host = document.querySelector("#editor");
  if (host && textbox()) mountEditor(host);
  document.querySelectorAll("table.sparql-results:not([data-enhanced])").forEach(enhanceTable);
  markCurrentRole();
}

new MutationObserver(scan).observe(document.documentElement, { childList: true, subtree: true });
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", scan);
else scan();

window.fzqaSparql = { get: getText, set: setText };
