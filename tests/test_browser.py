"""The UI in a real browser (Debian's Chromium via Playwright) against the real server on loopback.

Screenshots of each tab go to /tmp/fzqa-shots/. Every request the page makes is recorded: nothing may leave
the loopback server (the app must work offline).
"""

from __future__ import annotations

import csv
import io
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest_web import SHOTS, WAIT, Live, app_page, guizhou_6_6_pair, pick

pytestmark = [pytest.mark.browser, pytest.mark.slow]

COUNTY_MAYOR = "县长每年必须做什么？"


@pytest.fixture
def page(browser: Any, live: Live) -> Iterator[Any]:
    yield from app_page(browser, live, {"width": 1400, "height": 1000})


def ask(pg: Any, question: str) -> None:
    before = pg.locator("#chat .message-row").count()
    pg.fill("#question textarea", question)
    pg.click("#send")
    pg.wait_for_function(
        "n => document.querySelectorAll('#chat .message-row').length >= n + 2", arg=before, timeout=WAIT
    )


def open_tab(pg: Any, name: str) -> None:
    pg.get_by_role("tab", name=name).click()


def test_county_mayor_answer_with_citations(page: Any) -> None:
    ask(page, COUNTY_MAYOR)
    answer = page.locator("#chat .bot-row").last.inner_text()
    assert "贵州 第六条（六）" in answer and "每年至少举办2次" in answer
    cited = page.locator("#chat .bot-row").last.locator('ol a[href*="#fzqa-cite/"]')
    labels = [cited.nth(i).inner_text().strip() for i in range(cited.count())]
    assert "贵州 第六条（六）" in labels and "广西 第六条（一）" in labels
    # a citation opens the whole provision, with the other measure's provision of the same number beside it
    cited.filter(has_text="贵州 第六条（六）").click()
    boxes = guizhou_6_6_pair(page)
    assert "谁执法谁普法" in boxes.nth(1).inner_text()
    page.screenshot(path=str(SHOTS / "ask.png"), full_page=True)
    # the SPARQL behind the answer goes to the SPARQL tab and runs there
    page.locator("#answer-sparql-acc").get_by_text("SPARQL").first.click()
    page.click("#to-sparql")
    page.wait_for_function(
        "() => document.querySelector('#editor .cm-content')?.innerText.includes('VALUES ?role')", timeout=WAIT
    )
    page.click("#run")
    page.wait_for_function(
        "() => document.querySelector('#sparql-table')?.innerText.includes('每年至少举办2次')", timeout=WAIT
    )


def test_a_follow_up_in_the_chat_keeps_the_previous_question(page: Any) -> None:
    ask(page, COUNTY_MAYOR)
    ask(page, "那县委书记呢？")
    answer = page.locator("#chat .bot-row").last.inner_text()
    assert "县委书记的每年和年终须履行的职责" in answer and "贵州 第五条（六）" in answer


def test_example_question_and_english(page: Any) -> None:
    page.locator(".example", has_text="What must a county mayor do every year?").click()
    page.wait_for_selector('#chat ol a[href*="#fzqa-cite/"]', timeout=WAIT)
    cited = page.locator('#chat ol a[href*="#fzqa-cite/"]')
    labels = [cited.nth(i).inner_text().strip() for i in range(cited.count())]
    assert "Guizhou art. 6(6)" in labels


def test_markup_in_a_question_is_text(page: Any) -> None:
    q = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">县长每年必须做什么？'
    ask(page, q)
    assert page.evaluate("() => window.__xss") is None
    user = page.locator("#chat .user-row").last.inner_text()
    assert "<script>" in user and "<img" in user
    assert page.locator("#chat script").count() == 0
    assert page.locator("#chat img[src='x']").count() == 0


@pytest.fixture
def listener() -> Iterator[tuple[str, list[str]]]:
    """A loopback HTTP server that records every request it gets: the URL of an image nobody may fetch."""
    got: list[str] = []

    class Record(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            got.append(self.path)
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            del format, args

    server = ThreadingHTTPServer(("127.0.0.1", 0), Record)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/p.png", got
    server.shutdown()
    server.server_close()


def test_markdown_in_a_question_is_text(page: Any, listener: tuple[str, list[str]]) -> None:
    """An image, a link and an autolink in the question: shown as typed, nothing fetched; our own Markdown (the
    bold citations label) still renders."""
    url, got = listener
    q = f"![x]({url}) [here]({url}) <{url}> **bold** {url} {COUNTY_MAYOR}"
    ask(page, q)
    user = page.locator("#chat .user-row").last
    assert f"![x]({url})" in user.inner_text() and "**bold**" in user.inner_text()
    assert user.locator("img").count() == 0 and user.locator("a").count() == 0 and user.locator("strong").count() == 0
    bot = page.locator("#chat .bot-row").last
    assert bot.locator("strong", has_text=re.compile("^(引用|Citations)$")).count() == 1
    assert bot.locator("img").count() == 0
    # the clause search shows a Markdown query as text as well
    open_tab(page, "条文检索")
    page.fill("#search-q textarea", f"![x]({url}) 法治专题讲座")
    page.click("#do-search")
    page.wait_for_selector("#hits-table", timeout=WAIT)
    page.wait_for_timeout(1000)  # time for any image fetch to arrive
    assert got == [], f"the page fetched {got} from the URL in the question"


def test_clause_search_filter_and_export(page: Any, live: Live) -> None:
    open_tab(page, "条文检索")
    page.fill("#search-q textarea", "法治专题讲座")
    pick(page, "f-measure", "贵州")
    page.click("#do-search")
    page.wait_for_selector("#hits-table", timeout=WAIT)
    rows = page.locator("#hits-table td.c")
    cites = [rows.nth(i).inner_text() for i in range(rows.count())]
    assert cites and all(c.startswith("贵州") for c in cites)
    assert "贵州 第六条（六）" in cites
    pick(page, "f-measure", "广西")  # a changed filter runs the search again, without a click
    page.wait_for_function(
        "() => { const c = [...document.querySelectorAll('#hits-table td.c')];"
        " return c.length > 0 && c.every(td => td.innerText.startsWith('广西')); }",
        timeout=WAIT,
    )
    pick(page, "f-measure", "贵州")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#hits-table td.c')].some(td => td.innerText === '贵州 第六条（六）')",
        timeout=WAIT,
    )
    page.locator("#picks label", has_text="贵州 第六条（六）").click()
    page.click("#export")
    links = page.locator("#exported a")
    links.first.wait_for(timeout=WAIT)
    page.wait_for_function("() => document.querySelectorAll('#exported a[href]').length >= 3", timeout=WAIT)
    page.screenshot(path=str(SHOTS / "search.png"), full_page=True)
    hrefs = {
        Path(h.split("?")[0]).suffix: h
        for h in page.eval_on_selector_all("#exported a[href]", "els => els.map(e => e.href)")
    }
    assert {".md", ".csv", ".docx"} <= set(hrefs)
    with httpx.Client(trust_env=False, timeout=20) as c:
        md = c.get(hrefs[".md"]).text
        assert "## 贵州 第六条（六）" in md and "第六条第（六）项" in md and "每年至少举办2次" in md
        assert md.count("## ") == 1  # only the selection
        rows_csv = list(csv.DictReader(io.StringIO(c.get(hrefs[".csv"]).content.decode("utf-8-sig"))))
        assert [(r["measure"], r["article"], r["item"]) for r in rows_csv] == [("guizhou-2020", "6", "6")]
        assert rows_csv[0]["full_citation"].startswith("《贵州省")
        from docx import Document

        doc = Document(io.BytesIO(c.get(hrefs[".docx"]).content))
        text = "\n".join(p.text for p in doc.paragraphs)
        assert "贵州 第六条（六）" in text and "每年至少举办2次" in text


def test_named_sparql_query_table_and_errors(page: Any) -> None:
    open_tab(page, "SPARQL")
    pick(page, "named", "Role thesaurus")
    page.wait_for_function(
        "() => document.querySelector('#editor .cm-content')?.innerText.includes('?labelZh')", timeout=WAIT
    )
    page.click("#run")
    page.wait_for_function("() => document.querySelector('#sparql-table')?.innerText.includes('县长')", timeout=WAIT)
    assert "labelEn" in page.locator("#sparql-table").inner_text()
    page.locator("#dl-csv").wait_for(timeout=WAIT)
    page.screenshot(path=str(SHOTS / "sparql.png"), full_page=True)
    # a malformed query: a readable message with the position
    page.locator("#editor .cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.type("SELECT ?s WHERE { ?s ?p }")
    page.click("#run")
    err = page.locator("#sparql-error-text")
    err.wait_for(timeout=WAIT)
    assert "line 1, column" in err.inner_text()
    # an update is refused
    page.locator("#editor .cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.type("DROP ALL")
    page.click("#run")
    page.wait_for_function(
        "() => document.querySelector('#sparql-error-text')?.innerText.includes('read-only')", timeout=WAIT
    )


def test_browse_and_language_switch(page: Any) -> None:
    open_tab(page, "图谱")
    page.wait_for_selector("#role-tree", timeout=WAIT)
    assert page.locator("#role-tree text", has_text="县长").count() == 1
    duties = page.locator("#duties")
    assert "每年" in duties.inner_text() and "贵州 第六条（六）" in duties.inner_text()
    duties.locator("summary", has_text="每年至少举办2次").first.click()
    assert "每年至少举办2次" in duties.locator("details[open] .prov-text").first.inner_text()
    assert page.locator("#class-tree", has_text="fzqa:Obligation").count() == 1
    page.screenshot(path=str(SHOTS / "browse.png"), full_page=True)
    page.locator("#lang label", has_text="English").click()
    page.get_by_role("tab", name="Browse").wait_for(timeout=WAIT)
    page.wait_for_function(
        "() => document.querySelector('#duties')?.innerText.includes('Guizhou art. 6(6)')", timeout=WAIT
    )
    page.screenshot(path=str(SHOTS / "browse-en.png"), full_page=True)
    assert page.evaluate("() => document.documentElement.lang") == "en"  # follows the choice, not the browser
    open_tab(page, "Assistant")
    assert page.get_by_text("Example questions (click to ask):").count() == 1


CONTRAST_JS = """(sel) => {
  const el = document.querySelector(sel), cs = getComputedStyle(el);
  const rgb = (c) => c.match(/[0-9.]+/g).slice(0, 3).map(Number);
  const lum = (c) => { const [r, g, b] = rgb(c).map((v) => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const [a, b] = [lum(cs.color), lum(cs.backgroundColor)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}"""


def test_page_language_contrast_and_focus(browser: Any, live: Live) -> None:
    ctx = browser.new_context(viewport={"width": 1366, "height": 768}, locale="ja-JP")  # a browser in Japanese
    page = ctx.new_page()
    page.goto(live.url + "/")
    page.wait_for_selector("#question textarea", timeout=WAIT)
    assert page.evaluate("() => document.documentElement.lang") == "zh-CN"  # Chinese glyphs, whatever the browser
    ratio = page.evaluate(CONTRAST_JS, "#send")
    assert ratio >= 4.5, f"the ask button's text has a contrast of {ratio:.2f}:1 (WCAG AA needs 4.5:1)"
    page.locator("#lang input").first.focus()
    page.keyboard.press("ArrowDown")  # keyboard users see where they are on the language radios
    outline = page.evaluate("() => getComputedStyle(document.activeElement.closest('label')).outlineStyle")
    assert outline not in ("none", "")
    ctx.close()
