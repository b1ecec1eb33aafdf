"""The SPARQL tab, the graph browser and the phone layout in a real browser (Debian's Chromium via Playwright)
against the real app on loopback, at a laptop's size (1366×768) and a phone's (390×844).

Screenshots go to /tmp/fzqa-shots/; the phone test measures each tab's page for sideways scrolling. Every
request the page makes is recorded: nothing may leave the loopback server (the editor is served by the app).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from conftest_web import SHOTS, WAIT, Live, app_page, pick

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
# WCAG 2.5.5 (AAA) / Apple and Android guidance: a touch target at least this tall on a phone
TOUCH = 44
OVERFLOW_JS = "() => [document.scrollingElement.scrollWidth, window.innerWidth]"


@pytest.fixture
def page(browser: Any, live: Live) -> Iterator[Any]:
    yield from app_page(browser, live, DESKTOP, accept_downloads=True)


@pytest.fixture
def phone(browser: Any, live: Live) -> Iterator[Any]:
    yield from app_page(browser, live, PHONE, accept_downloads=True, is_mobile=True, has_touch=True)


def open_tab(pg: Any, name: str) -> None:
    pg.get_by_role("tab", name=name).click()


def editor_text(pg: Any) -> str:
    return str(pg.evaluate("() => window.fzqaSparql.get()"))


def replace_query(pg: Any, text: str, typed: bool = False) -> None:
    """Select all in the editor and type (key by key) or paste ``text``."""
    pg.locator("#editor .cm-content").click()
    pg.keyboard.press("Control+A")
    pg.keyboard.press("Delete")
    if typed:
        pg.keyboard.type(text)
        pg.keyboard.press("Escape")  # close any completion list
    else:
        pg.keyboard.insert_text(text)


def run_with_keys(pg: Any) -> None:
    before = pg.evaluate("() => document.querySelector('#sparql-status')?.innerText || ''")
    pg.locator("#editor .cm-content").click()
    pg.keyboard.press("Control+Enter")
    pg.wait_for_function(
        "b => { const s = document.querySelector('#sparql-status')?.innerText || '';"
        " const e = document.querySelector('#sparql-error-text'); return (s && s !== b) || e; }",
        arg=before,
        timeout=WAIT,
    )


def visible_rows(pg: Any) -> list[list[str]]:
    return list(
        pg.evaluate(
            "() => [...document.querySelectorAll('#sparql-table tbody tr')].filter(r => !r.hidden)"
            ".map(r => [...r.cells].map(c => c.innerText))"
        )
    )


def download_href(pg: Any, elem_id: str) -> str:
    """The URL a Gradio DownloadButton fetches."""
    pg.locator(f"#{elem_id}").wait_for(timeout=WAIT)
    href = pg.evaluate(
        "(id) => { const el = document.getElementById(id); const a = el.closest('a') || el.querySelector('a')"
        " || el.parentElement.closest('a'); return a ? a.href : null; }",
        elem_id,
    )
    if href:
        return str(href)
    with pg.expect_download() as d:
        pg.click(f"#{elem_id}")
    return str(d.value.url)


# ------------------------------------------------------------------------------------------- SPARQL tab
def test_ctrl_enter_select_star_paging_sorting_and_prefixed_names(page: Any) -> None:
    open_tab(page, "SPARQL")
    page.wait_for_selector("#editor .cm-content", timeout=WAIT)
    # highlighting: keywords, variables and IRIs get classes of their own
    for cls in ("tok-keyword", "tok-variable", "tok-comment", "tok-iri"):
        assert page.locator(f"#editor .{cls}").count() > 0, cls
    replace_query(
        page,
        "PREFIX fzqa: <https://w3id.org/fzqa#>\n"
        "SELECT * WHERE { ?norm a fzqa:Norm ; fzqa:kind ?kind ; fzqa:sourceProvision ?provision }\n"
        "ORDER BY ?norm LIMIT 60",
    )
    run_with_keys(page)
    page.wait_for_selector("#sparql-table", timeout=WAIT)
    heads = page.locator("#sparql-table thead th").all_inner_texts()
    assert sorted(h.strip() for h in heads) == ["kind", "norm", "provision"]  # SELECT * showed one column
    assert "60" in page.locator("#sparql-status").inner_text()
    rows = visible_rows(page)
    assert len(rows) == 25  # one page
    assert page.locator("#sparql-pager .pager-info").inner_text() == "第 1–25 行，共 60 行"
    # IRIs as prefixed names, the full IRI in the title
    first = page.locator("#sparql-table tbody tr:not([hidden]) td .iri").first
    assert first.inner_text().startswith("id:")
    assert first.get_attribute("title").startswith("https://w3id.org/fzqa/id/")
    page.click("#sparql-pager .pager-next")
    assert page.locator("#sparql-pager .pager-info").inner_text() == "第 26–50 行，共 60 行"
    assert visible_rows(page)[0] != rows[0]
    # a click on a header sorts by that column (and goes back to page 1)
    col = [h.strip() for h in heads].index("kind")
    page.locator("#sparql-table thead button.sort", has_text="kind").click()
    assert page.locator("#sparql-table thead th", has_text="kind").get_attribute("aria-sort") == "ascending"
    kinds = [r[col] for r in visible_rows(page)]
    assert kinds == sorted(kinds) and page.locator("#sparql-pager .pager-info").inner_text().startswith("第 1–25")
    page.locator("#sparql-table thead button.sort", has_text="kind").click()
    assert page.locator("#sparql-table thead th", has_text="kind").get_attribute("aria-sort") == "descending"
    kinds = [r[col] for r in visible_rows(page)]
    assert kinds == sorted(kinds, reverse=True)
    page.screenshot(path=str(SHOTS / "sparql-paged.png"), full_page=True)


def test_typing_a_known_prefix_adds_its_prefix_line_and_completion_offers_them(page: Any) -> None:
    open_tab(page, "SPARQL")
    page.wait_for_selector("#editor .cm-content", timeout=WAIT)
    replace_query(page, "SELECT ?c WHERE { ?c a owl:Class } LIMIT 3", typed=True)
    text = editor_text(page)
    assert text.startswith("PREFIX owl: <http://www.w3.org/2002/07/owl#>\n"), text
    assert text.count("PREFIX owl:") == 1
    run_with_keys(page)
    page.wait_for_selector("#sparql-table", timeout=WAIT)
    assert len(visible_rows(page)) == 3
    # completion: the graph's prefixes; choosing one declares it
    replace_query(page, "SELECT * WHERE { ?s ", typed=True)
    page.keyboard.type("sko")
    page.keyboard.press("Control+Space")
    option = page.locator(".cm-tooltip-autocomplete li", has_text="skos:")
    option.first.wait_for(timeout=WAIT)
    page.wait_for_timeout(300)  # CodeMirror ignores Enter in the first 75 ms of a completion list
    page.keyboard.press("Enter")
    text = editor_text(page)
    assert text.startswith("PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n") and "?s skos:" in text, text


def test_compare_measures_has_rows_in_the_ui(page: Any) -> None:
    open_tab(page, "SPARQL")
    pick(page, "named", "两部办法并排对照")
    page.wait_for_function("() => window.fzqaSparql && window.fzqaSparql.get().includes('?measureA {')", timeout=WAIT)
    assert "两部办法并排对照" in page.locator("#named-desc").inner_text()
    page.click("#run")
    page.wait_for_selector("#sparql-table", timeout=WAIT)
    rows = page.locator("#sparql-table tbody tr").count()
    assert rows > 0, page.locator("#sparql-status").inner_text()
    assert f"SELECT: {rows} 行" in page.locator("#sparql-status").inner_text()
    assert "贵州" in page.locator("#sparql-table").inner_text()


def test_downloads_csv_with_bom_json_and_describe_as_turtle_and_json_ld(page: Any) -> None:
    open_tab(page, "SPARQL")
    pick(page, "named", "Role thesaurus")
    page.wait_for_function("() => window.fzqaSparql && window.fzqaSparql.get().includes('?labelZh')", timeout=WAIT)
    page.click("#run")
    page.wait_for_selector("#sparql-table", timeout=WAIT)
    with httpx.Client(trust_env=False, timeout=20) as c:
        raw = c.get(download_href(page, "dl-csv")).content
        assert raw.startswith(b"\xef\xbb\xbf"), "no UTF-8 byte order mark: Excel garbles the Chinese"
        assert any(r["labelZh"] == "县长" for r in csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
        data = c.get(download_href(page, "dl-json")).json()
        assert "labelZh" in data["head"]["vars"]
        assert page.locator("#dl-ttl").count() == 0 or not page.locator("#dl-ttl").is_visible()
        replace_query(page, "DESCRIBE <https://w3id.org/fzqa/role/countyMayor>")
        run_with_keys(page)
        page.wait_for_selector("#dl-ttl", timeout=WAIT)
        assert page.locator("#sparql-table").count() == 0  # the table of the SELECT went
        ttl_url, jsonld_url = download_href(page, "dl-ttl"), download_href(page, "dl-jsonld")
        assert ttl_url.split("?")[0].endswith(".ttl") and jsonld_url.split("?")[0].endswith(".jsonld")
        assert "县长" in c.get(ttl_url).text
        doc = json.loads(c.get(jsonld_url).text)
        assert any(n.get("@id") == "https://w3id.org/fzqa/role/countyMayor" for n in doc)
    # no CSV or SPARQL JSON of a graph (they were the Turtle under another name)
    for gone in ("dl-csv", "dl-json"):
        assert page.locator(f"#{gone}").count() == 0 or not page.locator(f"#{gone}").is_visible()


def test_an_error_clears_the_old_result_and_says_what_is_missing(page: Any) -> None:
    open_tab(page, "SPARQL")
    page.click("#run")
    page.wait_for_selector("#sparql-table", timeout=WAIT)
    replace_query(page, "SELECT ?x WHERE {\n  ?x ?p ?o .\n  FILTER(STRLEN(?o) > 3\n}\nLIMIT 10")
    run_with_keys(page)
    err = page.locator("#sparql-error-text")
    err.wait_for(timeout=WAIT)
    assert "missing ')' before '}'" in err.inner_text() and "line 4, column 1" in err.inner_text()
    assert page.locator("#sparql-table").count() == 0
    assert not page.locator("#dl-csv").is_visible()
    replace_query(page, "SELECT ?x WHERE { ?x a ex:Thing }")
    run_with_keys(page)
    page.wait_for_function(
        "() => document.querySelector('#sparql-error-text')?.innerText.includes('prefix ex: is not declared')",
        timeout=WAIT,
    )
    assert "\\u{" not in err.inner_text()


# ------------------------------------------------------------------------------------------- graph browser
def test_clicking_a_role_opens_its_duties_including_by_reference(page: Any) -> None:
    open_tab(page, "图谱")
    page.wait_for_selector("#role-tree", timeout=WAIT)
    assert page.locator("#tree-legend").is_visible() and page.locator("#duties-legend").is_visible()
    page.locator("#role-tree [data-role='乡镇党委书记']").click()
    page.wait_for_function("() => document.querySelector('#duties')?.innerText.includes('乡镇党委书记')", timeout=WAIT)
    duties = page.locator("#duties")
    assert "没有规范" not in duties.inner_text()
    assert "参照执行" in duties.locator("#by-reference").inner_text()
    assert "贵州 第五条（六）" in duties.inner_text()  # the Party principal's yearly law lectures
    assert "乡镇党委书记" in page.locator("#b-role input").input_value()
    current = page.locator("#role-tree [aria-current='true']")
    current.wait_for(timeout=WAIT)
    assert current.get_attribute("data-role") == "乡镇党委书记"
    # by keyboard: a role in the tree is a control
    page.locator("#role-tree [data-role='县长']").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('#duties')?.innerText.includes('县长')", timeout=WAIT)
    every = duties.locator("details").count()
    page.locator("#b-yearly label").click()
    page.wait_for_function("() => document.querySelector('#duties')?.innerText.includes('仅每年及年终')", timeout=WAIT)
    yearly = duties.locator("details").count()
    assert 0 < yearly < every
    assert duties.locator("details .badge.freq").count() == yearly
    page.screenshot(path=str(SHOTS / "browse-role-click.png"), full_page=True)


# ------------------------------------------------------------------------------------------- language, a11y
def test_english_translates_examples_named_queries_and_tabs(page: Any) -> None:
    page.locator("#lang label", has_text="English").click()
    page.get_by_role("tab", name="Browse").wait_for(timeout=WAIT)
    page.wait_for_function("() => document.documentElement.lang === 'en'", timeout=WAIT)
    page.wait_for_function("() => document.querySelector('.example')?.innerText.startsWith('What')", timeout=WAIT)
    examples = page.locator(".example").all_inner_texts()
    assert len(examples) == 6
    assert all(not any("\u4e00" <= ch <= "\u9fff" for ch in e) for e in examples), examples
    open_tab(page, "SPARQL")
    page.click("#named input")
    options = page.locator(".options li.item").all_inner_texts()
    page.keyboard.press("Escape")
    assert "Role thesaurus" in options
    assert all(not any("\u4e00" <= ch <= "\u9fff" for ch in o) for o in options), options
    assert "Yearly and year-end duties of a role" in page.locator("#named-desc").inner_text()
    aria = page.locator("#editor .cm-content").get_attribute("aria-label")
    assert aria == "SPARQL query"


def test_a_result_on_screen_follows_the_language_switch(page: Any) -> None:
    open_tab(page, "SPARQL")  # a new page: Chinese
    replace_query(
        page, "PREFIX fzqa: <https://w3id.org/fzqa#>\nSELECT ?n WHERE { ?n a fzqa:Norm } ORDER BY ?n LIMIT 60"
    )
    run_with_keys(page)
    page.wait_for_function(
        "() => (document.querySelector('#sparql-pager .pager-info')?.innerText || '').includes('共 60 行')",
        timeout=WAIT,
    )
    assert "上一页" in page.locator("#sparql-pager").inner_text()
    page.locator("#lang label", has_text="English").click()  # the same result, its pager and status in English
    page.wait_for_function(
        "() => (document.querySelector('#sparql-pager .pager-info')?.innerText || '').includes('of 60')",
        timeout=WAIT,
    )
    assert "Previous" in page.locator("#sparql-pager").inner_text()
    assert "rows" in page.locator("#sparql-status").inner_text()


def test_one_h1_every_button_has_a_name_and_no_tab_scrolls_sideways(page: Any) -> None:
    assert page.locator("h1").count() == 1
    for i, tab in enumerate(("问答", "条文检索", "SPARQL", "图谱")):
        open_tab(page, tab)
        page.wait_for_timeout(300)
        shot = SHOTS / f"desktop-{i}.png"
        page.screenshot(path=str(shot), full_page=True)
        width, inner = page.evaluate(OVERFLOW_JS)
        assert width <= inner, f"{tab}: the page scrolls sideways at 1366 px ({width} > {inner}), see {shot}"
        unnamed = page.evaluate(
            "() => [...document.querySelectorAll('button, [role=button]')].filter(b => b.getClientRects().length)"
            ".filter(b => !((b.getAttribute('aria-label') || b.getAttribute('title') || b.innerText || '').trim()"
            " || (b.getAttribute('aria-labelledby') || '').trim())).map(b => b.outerHTML.slice(0, 120))"
        )
        assert unnamed == [], f"{tab}: buttons without an accessible name: {unnamed}"


# ------------------------------------------------------------------------------------------- phone
SMALL_TARGETS_JS = """(min) => [...document.querySelectorAll(
    'button, [role=tab], [role=button], label:has(> input[type=radio]), label:has(> input[type=checkbox])')]
  .filter(e => e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden')
  .filter(e => !e.closest('.cm-editor, .options, [aria-hidden=true], .visually-hidden'))
  .map(e => [e.getBoundingClientRect().height,
    (e.id || e.className || e.tagName) + ' ' + (e.innerText || '').slice(0, 20)])
  .filter(([h]) => h < min).map(([h, n]) => Math.round(h) + 'px ' + n)"""


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_phone_layout_every_tab_fits_and_stacks(phone: Any, lang: str) -> None:
    pg = phone
    if lang == "en":
        pg.locator("#lang label", has_text="English").click()
        pg.get_by_role("tab", name="Browse").wait_for(timeout=WAIT)
        pg.wait_for_function("() => document.documentElement.lang === 'en'", timeout=WAIT)
    names = ["问答", "条文检索", "SPARQL", "图谱"] if lang == "zh" else ["Assistant", "Search", "SPARQL", "Browse"]
    for name in names:  # every tab is a visible tab, none hidden in a "…" menu
        tab = pg.get_by_role("tab", name=name, exact=True)
        assert tab.is_visible(), f"the {name} tab is not shown on a phone"
    # assistant: the two provisions stack
    pg.fill("#question textarea", "县长每年必须做什么？")
    pg.click("#send")
    pg.locator('a[href*="#fzqa-cite/"]').first.wait_for(timeout=WAIT)  # a numbered citation in the answer
    pg.locator('a[href*="#fzqa-cite/"]').first.click()
    pg.wait_for_selector("#provision-pair", timeout=WAIT)
    boxes = pg.locator("#provision-pair .prov")
    a, b = boxes.nth(0).bounding_box(), boxes.nth(1).bounding_box()
    assert b["y"] >= a["y"] + a["height"] - 1 and a["width"] > PHONE["width"] * 0.7, (a, b)
    for name in names:
        open_tab(pg, name)
        pg.wait_for_timeout(400)
        if name in ("条文检索", "Search"):
            pg.fill("#search-q textarea", "法治专题讲座")
            pg.click("#do-search")
            pg.wait_for_selector("#picks label", timeout=WAIT)
            # the hits show once: the marked table has the text, the list to tick for export one line per hit
            assert pg.locator("#hits-table").is_visible()
            line = pg.evaluate(
                "() => { const s = document.querySelector('#picks label > span'); const st = getComputedStyle(s);"
                " return [s.getBoundingClientRect().height, parseFloat(st.fontSize)]; }"
            )
            assert line[0] <= 2 * line[1], line
        if name == "SPARQL":
            pg.click("#run")
            pg.wait_for_selector("#sparql-table", timeout=WAIT)
        if name in ("图谱", "Browse"):
            assert pg.locator("#role-list").is_visible() and not pg.locator("#role-tree").is_visible()
            pg.locator("#role-list button[data-role='乡镇党委书记']").click()
            pg.wait_for_function("() => document.querySelector('#by-reference') !== null", timeout=WAIT)
        pg.wait_for_timeout(300)
        shot = SHOTS / f"phone-{lang}-{names.index(name)}.png"
        pg.screenshot(path=str(shot), full_page=True)
        width, inner = pg.evaluate(OVERFLOW_JS)
        assert width <= inner, f"{name}: the page scrolls sideways on a phone ({width} > {inner} px), see {shot}"
        small = pg.evaluate(SMALL_TARGETS_JS, TOUCH)
        assert small == [], f"{name}: touch targets under {TOUCH} px: {small}"
