"""The assistant's numbered citations, the clause search's true matches and the exports, in a real browser (Debian's
Chromium via Playwright) against the real server on loopback, at a laptop's size (1366×768) and a phone's (390×844).

Screenshots go to pytest's tmp_path; the checks are on the DOM and its geometry.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest_web import WAIT, Live, guizhou_6_6_pair, pick

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SIZES = {"laptop": (1366, 768), "phone": (390, 844)}
CITE = 'a[href*="#fzqa-cite/"]'

# WCAG contrast of an element's text against the first opaque background behind it
CONTRAST_JS = """(el) => {
  const rgb = (c) => c.match(/[0-9.]+/g).map(Number);
  const lum = (c) => { const [r, g, b] = rgb(c).slice(0, 3).map((v) => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  let bg = null;
  for (let e = el; e && !bg; e = e.parentElement) {
    const c = getComputedStyle(e).backgroundColor, v = rgb(c);
    if (v.length < 4 || v[3] > 0.99) bg = c;
  }
  const [a, b] = [lum(getComputedStyle(el).color), lum(bg || 'rgb(255, 255, 255)')].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}"""
NO_OVERFLOW_JS = "() => document.documentElement.scrollWidth <= window.innerWidth + 1"


def open_page(browser: Any, live: Live, size: str) -> tuple[Any, Any, list[str]]:
    w, h = SIZES[size]
    ctx = browser.new_context(viewport={"width": w, "height": h}, locale="zh-CN", accept_downloads=True)
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(live.url + "/")
    pg.wait_for_selector("#question textarea", timeout=WAIT)
    return ctx, pg, errors


def ask(pg: Any, question: str) -> Any:
    before = pg.locator("#chat .bot-row").count()
    pg.fill("#question textarea", question)
    pg.click("#send")
    pg.wait_for_function("n => document.querySelectorAll('#chat .bot-row').length > n", arg=before, timeout=WAIT)
    return pg.locator("#chat .bot-row").last


@pytest.mark.parametrize("size", list(SIZES))
def test_a_numbered_citation_opens_its_provision(browser: Any, live: Live, size: str, tmp_path: Path) -> None:
    ctx, page, errors = open_page(browser, live, size)
    bot = ask(page, "县长每年必须做什么？")
    text = bot.inner_text()
    assert text.lstrip().startswith("简答"), text[:80]  # the direct answer comes first
    first_line = text.strip().splitlines()[0]
    assert "每年至少举办2次法治专题讲座" in first_line and "[5]" in first_line
    # every numbered marker in the text names a citation of the list below, by the same number
    listed = [a.inner_text() for a in bot.locator(f"ol {CITE}").all()]
    assert "贵州 第六条（六）" in listed
    n = listed.index("贵州 第六条（六）") + 1
    marker = bot.locator(CITE, has_text=f"贵州 第六条（六） [{n}]").first
    assert marker.get_attribute("href", timeout=WAIT).endswith("/guizhou-2020/6/6")
    assert page.evaluate(CONTRAST_JS, marker.element_handle()) >= 4.5
    marker.click()
    guizhou_6_6_pair(page)
    pair = page.locator("#provision-pair")
    assert marker.get_attribute("aria-current") == "true" and pair.get_attribute("role") == "region"
    assert page.url.rstrip("/") == live.url  # the link opened the panel; it did not navigate
    top = pair.evaluate("e => e.getBoundingClientRect().top")
    assert 0 <= top < SIZES[size][1], f"the provision panel is out of view (top {top})"
    assert page.evaluate(NO_OVERFLOW_JS), "the page scrolls sideways"
    page.screenshot(path=str(tmp_path / f"citation-{size}.png"), full_page=True)
    # by keyboard: a marker takes the focus visibly and Enter opens it
    other = bot.locator(CITE, has_text="广西 第七条").first
    other.focus()
    assert page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") not in ("none", "")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.querySelector('#provision-pair .prov-cite')?.innerText === '广西 第七条'", timeout=WAIT
    )
    ctx.close()
    assert errors == []


def test_each_answer_keeps_its_citations_and_the_chat_shows_the_new_answer_from_its_start(
    browser: Any, live: Live
) -> None:
    ctx, page, errors = open_page(browser, live, "laptop")
    ask(page, "党政主要负责人不得做什么？")
    ask(page, "县长每年必须做什么？")  # a long answer: its end is far below its start
    first = page.locator("#chat .bot-row").first
    # the start of the new answer is in the chat's view (not its citation list at the end)
    page.wait_for_timeout(500)
    seen = page.evaluate(
        """() => { const rows = document.querySelectorAll('#chat .bot-row');
        const row = rows[rows.length - 1], r = row.getBoundingClientRect();
        let box = row.parentElement;
        while (box && !(['auto', 'scroll'].includes(getComputedStyle(box).overflowY)
                        && box.scrollHeight > box.clientHeight)) box = box.parentElement;
        const b = box.getBoundingClientRect();
        return r.top >= b.top - 1 && r.top < b.bottom - 20; }"""
    )
    assert seen, "the new answer's first line is scrolled out of the chat"
    clear = page.evaluate(
        """() => { const rows = document.querySelectorAll('#chat .message-row.user-row');
        const bar = document.querySelector('#chat .top-panel');
        return !bar || rows[rows.length - 1].getBoundingClientRect().top >= bar.getBoundingClientRect().bottom - 1; }"""
    )
    assert clear, "the new question is scrolled under the chat's own buttons"
    # the first answer still has its own citation list, and its markers still open provisions
    assert first.locator(f"ol {CITE}", has_text="贵州 第五条（四）").count() == 1
    first.locator(CITE, has_text="贵州 第五条（四）").first.click()
    page.wait_for_function(
        "() => document.querySelector('#provision-pair')?.innerText.includes('不得违规干预司法活动')", timeout=WAIT
    )
    ctx.close()
    assert errors == []


def test_english_answer_has_numbered_citations(browser: Any, live: Live) -> None:
    ctx, page, errors = open_page(browser, live, "laptop")
    bot = ask(page, "What must a county mayor do every year?")
    assert bot.inner_text().lstrip().startswith("In short")
    bot.locator(CITE, has_text=re.compile(r"^Guizhou art\. 6\(6\)\s\[\d+\]$")).first.click()
    page.wait_for_function(
        "() => document.querySelector('#provision-pair .prov-cite')?.innerText === 'Guizhou art. 6(6)'", timeout=WAIT
    )
    ctx.close()
    assert errors == []


def hit_rows(page: Any) -> list[tuple[str, str]]:
    """(class, citation) of each row of the hits table, the divider included."""
    return [
        (r.get_attribute("class") or "", r.locator("td").first.inner_text())
        for r in page.locator("#hits-table tr:not(:first-child)").all()
    ]


@pytest.mark.parametrize("size", list(SIZES))
def test_clause_search_marks_true_matches_and_reruns_on_a_filter(browser: Any, live: Live, size: str) -> None:
    ctx, page, errors = open_page(browser, live, size)
    page.get_by_role("tab", name="条文检索").click()
    page.fill("#search-q textarea", "普法")
    pick(page, "f-measure", "贵州")
    page.click("#do-search")
    page.wait_for_selector("#hits-table", timeout=WAIT)
    rows = hit_rows(page)
    classes = [c for c, _ in rows]
    n = classes.count("match")
    assert n >= 1 and "divider" in classes
    assert classes.index("divider") == n and all(c == "related" for c in classes[n + 1 :])  # true matches first
    status = page.locator("#search-status").inner_text()
    assert re.search(rf"\b{n}\b\s*条含检索词", status), status
    # each marked row shows the words it contains, highlighted; no related row has one
    for r in page.locator("#hits-table tr.match").all():
        assert r.locator("mark").count() >= 1
    assert page.locator("#hits-table tr.related mark").count() == 0
    assert all(cite.startswith("贵州") for c, cite in rows if c != "divider")
    assert page.evaluate(NO_OVERFLOW_JS), "the page scrolls sideways"
    # a changed filter runs the search again: Guangxi's provisions on 普法, counted again
    pick(page, "f-measure", "广西")
    page.wait_for_function(
        "() => { const c = [...document.querySelectorAll('#hits-table tr.match td.c')];"
        " return c.length > 0 && c.every(td => td.innerText.startsWith('广西')); }",
        timeout=WAIT,
    )
    ctx.close()
    assert errors == []


def test_english_clause_search_finds_the_lecture_clauses_first(browser: Any, live: Live) -> None:
    ctx, page, errors = open_page(browser, live, "laptop")
    page.get_by_role("tab", name="条文检索").click()
    page.fill("#search-q textarea", "law lectures")  # the placeholder's own example in English
    page.click("#do-search")
    page.wait_for_selector("#hits-table tr.match", timeout=WAIT)
    rows = hit_rows(page)
    assert {cite for c, cite in rows if c == "match"} == {"贵州 第五条（六）", "贵州 第六条（六）"}
    assert rows[0][1] in ("贵州 第五条（六）", "贵州 第六条（六）")
    assert page.locator("#hits-table tr.match mark", has_text="法治专题讲座").count() == 2
    assert not any(cite.endswith("第十一条") for _, cite in rows[:5])  # the generic interpretation article is not near
    ctx.close()
    assert errors == []


def test_export_is_training_material_on_a4(browser: Any, live: Live) -> None:
    ctx, page, errors = open_page(browser, live, "phone")
    page.get_by_role("tab", name="条文检索").click()
    page.fill("#search-q textarea", "法治专题讲座")
    page.click("#do-search")
    page.wait_for_selector("#hits-table", timeout=WAIT)
    page.locator("#picks label", has_text="贵州 第六条（六）").click()
    page.click("#export")
    page.wait_for_function("() => document.querySelectorAll('#exported a[href]').length >= 3", timeout=WAIT)
    hrefs = {
        Path(h.split("?")[0]).suffix: h
        for h in page.eval_on_selector_all("#exported a[href]", "els => els.map(e => e.href)")
    }
    day = datetime.date.today()
    for h in hrefs.values():  # named by the measure filter (none: all), the date and the query (a hash for Chinese)
        name = Path(h.split("?")[0]).name
        assert re.fullmatch(rf"fzqa-clauses-all-{day:%Y%m%d}-[0-9a-f]{{8}}\.(md|csv|docx)", name), name
    lead = "政府主要负责人在推进法治建设中应当履行以下主要职责"  # whose duty item (6) is
    with httpx.Client(trust_env=False, timeout=20) as c:
        md = c.get(hrefs[".md"]).text
        assert "## 贵州 第六条（六）" in md and lead in md and "（六）完善行政机关工作人员学法用法制度" in md
        assert "检索内容：法治专题讲座" in md and f"导出日期：{day.isoformat()}" in md
        assert "中共贵州省委办公厅" in md and "2020-09-09" in md and "文号：（原文未载）" in md
        rows = list(csv.DictReader(io.StringIO(c.get(hrefs[".csv"]).content.decode("utf-8-sig"))))
        assert [(r["measure"], r["article"], r["item"]) for r in rows] == [("guizhou-2020", "6", "6")]
        assert rows[0]["lead"].startswith(lead) and rows[0]["issuers"] == "中共贵州省委办公厅"
        assert rows[0]["query"] == "法治专题讲座" and rows[0]["exported"] == day.isoformat()
        docx = c.get(hrefs[".docx"]).content
    from docx import Document

    doc = Document(io.BytesIO(docx))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert lead in text and "每年至少举办2次" in text and "检索内容：法治专题讲座" in text
    # the page is A4 (210 × 297 mm = 11906 × 16838 twentieths of a point) in the file's own section properties
    xml = zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml").decode("utf-8")
    size = re.search(r"<w:pgSz [^>]*/>", xml)
    assert size is not None
    w, h = (int(re.search(rf'w:{a}="(\d+)"', size.group(0)).group(1)) for a in ("w", "h"))  # type: ignore[union-attr]
    assert abs(w - 11906) <= 2 and abs(h - 16838) <= 2, size.group(0)
    ctx.close()
    assert errors == []
