"""Hardening of the build on real files written to tmp_path: article numbers that would collide in the graph,
copies of a measure, titles and dates the text lacks, build limits, SHACL progress, an index built while a file
changes, a write that fails (disk full) and a damaged kg/ file — each a message, never a traceback, and the
previous build left usable."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from fzqa import kg, pipeline
from fzqa.corpus import CorpusError
from fzqa.index import ClauseIndexError
from fzqa.lexicon import load_lexicon
from fzqa.settings import Settings, load_settings
from fzqa.store import KnowledgeGraph, StoreError

ROOT = Path(__file__).resolve().parents[1]
EXTRA = ROOT / "tests" / "data" / "corpus-extra"
JIANGSU = (ROOT / "tests" / "data" / "jiangsu-2022.txt").read_text(encoding="utf-8")


def _project(tmp_path: Path, seeds: bool = True, files: dict[str, str] | None = None, **overrides: object) -> Settings:
    """corpus/ (the seeds and measures.toml, or only ``files``), ontology/ and kg/ in tmp_path."""
    if seeds:
        shutil.copytree(ROOT / "corpus", tmp_path / "corpus")
    else:
        (tmp_path / "corpus").mkdir()
    for name in ("ontology", "kg"):
        shutil.copytree(ROOT / name, tmp_path / name)
    for name, text in (files or {}).items():
        (tmp_path / "corpus" / name).write_text(text, encoding="utf-8")
    return load_settings({"root": tmp_path, **overrides})


def _line_of(text: str, start: str, nth: int = 1) -> int:
    return [i for i, ln in enumerate(text.split("\n"), 1) if ln.startswith(start)][nth - 1]


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@contextmanager
def _disk_full_after(nbytes: int) -> Iterator[None]:
    """Files cannot grow past ``nbytes`` (RLIMIT_FSIZE: a write past it fails with an OSError, as on a full disk;
    Python ignores SIGXFSZ). Works as root, unlike a read-only folder."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (nbytes, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))


def _fzqa(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FZQA_")}
    env.update(FZQA_ROOT=str(root), PYTHONPATH=str(ROOT / "src"), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    return subprocess.run(
        [sys.executable, "-m", "fzqa.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


# ------------------------------------------------------------------------------------------- article numbers
def test_a_duplicated_article_number_fails_the_build_naming_both_lines(tmp_path: Path) -> None:
    s = _project(tmp_path)
    path = s.corpus / "guizhou-2020.txt"
    raw = path.read_text(encoding="utf-8")
    a3 = raw[raw.index("第三条") : raw.index("第四条")]
    text = raw.replace("第四条", a3 + "第四条", 1)
    path.write_text(text, encoding="utf-8")
    first, second = _line_of(text, "第三条"), _line_of(text, "第三条", 2)
    with pytest.raises(CorpusError) as exc:
        pipeline.load_corpus(s)
    msg = str(exc.value)
    assert f"{path}:{first} and {path}:{second}: 第三条 (article 3) occurs 2 times" in msg and "renumber" in msg
    assert isinstance(exc.value, pipeline.USER_ERRORS)
    # `fzqa parse` shows the structure, with the warning on stderr
    r = _fzqa(tmp_path, "parse", str(path))
    assert r.returncode == 0, r.stderr
    assert f"warning: {path}:{first} and {path}:{second}: 第三条 (article 3) occurs 2 times" in r.stderr
    assert r.stdout.count("第3条") == 2 and "Traceback" not in r.stderr


def test_gaps_and_articles_out_of_order_are_build_warnings(tmp_path: Path) -> None:
    a2, a3 = JIANGSU.index("第二条"), JIANGSU.index("第三条")
    a4 = JIANGSU.index("第四条")
    swapped = JIANGSU[:a2] + JIANGSU[a3:a4] + JIANGSU[a2:a3] + JIANGSU[a4:]  # 1, 3, 2, 4 …
    swapped = swapped.replace("第六条", "第八条")  # … 5, 8, 7: article 6 missing, 7 after 8
    s = _project(tmp_path, seeds=False, files={"jiangsu-2022.txt": swapped})
    messages: list[str] = []
    corpus = pipeline.read_corpus(s, messages.append)
    (m,) = corpus.measures
    assert [a.number for a in m.articles] == [1, 3, 2, 4, 5, 8, 7]
    path = s.corpus / "jiangsu-2022.txt"
    warnings = [x for x in messages if x.startswith("warning: ")]
    assert warnings == [
        f"warning: {path}:{_line_of(swapped, '第二条')}: 第二条 (article 2) comes after 第三条 (article 3): "
        "the articles are out of order",
        f"warning: {path}:{_line_of(swapped, '第七条')}: 第七条 (article 7) comes after 第八条 (article 8): "
        "the articles are out of order",
        f"warning: {path}:{_line_of(swapped, '第七条')}: article 6 missing: no 第六条 before 第七条 (article 7)",
    ]


# ------------------------------------------------------------------------------------------- copies, title, date
@pytest.mark.parametrize("how", ["same bytes", "same title and number"])
def test_a_copy_of_a_measure_is_refused_naming_both_files(tmp_path: Path, how: str) -> None:
    s = _project(tmp_path)
    seed = s.corpus / "guangxi-2018.txt"
    text = seed.read_text(encoding="utf-8")
    if how == "same title and number":
        text = text.replace("本实施办法自印发之日起施行。", "本实施办法自2018年2月1日起施行。")
    copy = s.corpus / "guangxi-2018-copy.txt"
    copy.write_text(text, encoding="utf-8")
    with pytest.raises(CorpusError) as exc:
        pipeline.load_corpus(s)
    msg = str(exc.value)
    assert str(copy) in msg and str(seed) in msg and how.replace("bytes", "text") in msg
    assert "remove one of the two files" in msg


def test_no_title_or_date_in_the_text_takes_the_catalogue_values_with_a_warning(tmp_path: Path) -> None:
    s = _project(tmp_path)
    path = s.corpus / "guizhou-2020.txt"
    raw = path.read_text(encoding="utf-8")
    path.write_text(raw[raw.index("第一条") :], encoding="utf-8")  # no title, source line or preamble
    m = {x.id: x for x in pipeline.load_corpus(s)}["guizhou-2020"]
    info = load_lexicon(s).measure_info("guizhou-2020")
    assert m.title == info.title and m.title != "第一条"
    assert m.date == "2020-09-09" == info.date
    assert m.warnings == (
        f"{path}:1: no title line before the first article; the title is {info.title!r}, from corpus/measures.toml",
        f"{path}: no date of issue or publication in the text; the date is 2020-09-09, from corpus/measures.toml",
    )


# ------------------------------------------------------------------------------------------- limits
def test_build_limits_refuse_with_a_message(tmp_path: Path) -> None:
    s = _project(tmp_path, max_measure_bytes=5000)
    with pytest.raises(CorpusError, match=r"guangxi-2018\.txt: 7033 bytes, more than .*max_measure_bytes = 5000"):
        pipeline.load_corpus(s)
    s = load_settings({"root": tmp_path, "max_norms": 50})
    with pytest.raises(CorpusError) as exc:
        pipeline.read_corpus(s)
    msg = str(exc.value)
    full = pipeline.read_corpus(load_settings({"root": tmp_path}))  # the same corpus within the default limit
    per_measure = Counter(n.measure for n in full.norms)
    assert f"{len(full.norms)} norms extracted" in msg and "max_norms = 50" in msg
    assert all(f"{m}: {k}" in msg for m, k in per_measure.items())


def test_the_default_limits_let_real_regulations_pass_comfortably(tmp_path: Path) -> None:
    extras = [p for p in sorted(EXTRA.glob("*.txt")) if "inner-party" not in p.name]  # that one has no articles
    s = _project(tmp_path, files={p.name: p.read_text(encoding="utf-8") for p in extras})
    defaults = load_settings()
    biggest = max(p.stat().st_size for p in extras)
    assert biggest * 5 < defaults.max_measure_bytes
    corpus = pipeline.read_corpus(s)
    assert len(corpus.measures) == 6
    assert len(corpus.norms) * 2 < defaults.max_norms  # the seeds and four central regulations in one build


# ------------------------------------------------------------------------------------------- SHACL progress
@pytest.mark.slow
def test_shacl_validation_reports_progress_and_finds_what_the_whole_run_finds(tmp_path: Path) -> None:
    s = _project(tmp_path, seeds=False, files={"jiangsu-2022.txt": JIANGSU})
    corpus = pipeline.read_corpus(s)
    graph = kg.build_graph(corpus.measures, corpus.norms, load_lexicon(s), s.ontology)
    shapes = s.ontology / "shapes.ttl"
    messages: list[str] = []
    v = kg.validate(graph, shapes, messages.append)
    assert v.conforms and v.violations == 0
    assert any("NormShape: nodes 1-" in x and f"of {len(corpus.norms)}" in x for x in messages), messages
    assert all(x.startswith("SHACL ") for x in messages)
    text = shapes.read_text(encoding="utf-8")
    broken = text.replace(
        "sh:path fzqa:shortTitle ; sh:minCount 1 ; sh:maxCount 1 ]", "sh:path fzqa:shortTitle ; sh:minCount 2 ]"
    )
    broken = broken.replace("sh:path fzqa:action ; sh:minCount 1 ]", "sh:path fzqa:action ; sh:minCount 2 ]")
    assert broken.count("sh:minCount 2") == 2
    shapes.write_text(broken, encoding="utf-8")
    whole, chunked = kg.validate(graph, shapes), kg.validate(graph, shapes, messages.append)
    assert not whole.conforms and not chunked.conforms
    assert whole.violations == chunked.violations == 1 + len(corpus.norms)


@pytest.mark.slow
def test_build_progress_shows_the_parser_warnings_and_shacl_chunks(tmp_path: Path) -> None:
    text = JIANGSU.replace("（2022年3月1日印发）\n", "")  # no date in the text, no catalogue entry
    s = _project(tmp_path, seeds=False, files={"jiangsu-2022.txt": text})
    shutil.rmtree(s.kg)
    messages: list[str] = []
    report = pipeline.build(s, skip_index=True, progress=messages.append)
    assert report.ok and report.measures == 1 and report.shacl == "conforms"
    path = s.corpus / "jiangsu-2022.txt"
    assert f"warning: {path}: no date of issue or publication in the text (add one to corpus/measures.toml)" in (
        messages
    )
    assert any(x.startswith("SHACL ") and "NormShape" in x for x in messages)
    assert all((s.kg / n).is_file() for n in kg.KG_FILES)


# ------------------------------------------------------------------------------------------- index and writes
@pytest.mark.slow
def test_an_index_built_while_a_file_changes_is_stale_and_a_failed_write_keeps_the_previous_one(
    tmp_path: Path,
) -> None:
    s = _project(tmp_path, seeds=False, files={"jiangsu-2022.txt": JIANGSU})
    path = s.corpus / "jiangsu-2022.txt"
    corpus = pipeline.read_corpus(s)  # parsed ...
    path.write_text(JIANGSU.replace("每季度组织一次", "每月组织一次"), encoding="utf-8")  # ... then changed
    pipeline.build_index(s, corpus=corpus)
    with pytest.raises(ClauseIndexError, match="is stale"):
        pipeline.open_index(s)
    pipeline.build_index(s)  # a build that reads the file as it is now is current
    assert len(pipeline.open_index(s).units) == len(pipeline.read_corpus(s).measures[0].articles) + 2
    before = _snapshot(s.index)
    with _disk_full_after(4096), pytest.raises(ClauseIndexError) as exc:
        pipeline.build_index(s)
    assert f"cannot write the clause index to {s.index}: " in str(exc.value)
    assert "left as it was" in str(exc.value)
    assert _snapshot(s.index) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus", "index", "kg", "ontology"]
    pipeline.open_index(s)


def test_a_failed_kg_write_is_a_message_and_keeps_the_previous_kg(tmp_path: Path) -> None:
    s = _project(tmp_path, seeds=False)
    before = _snapshot(s.kg)
    files = {n: data + b"\n# rebuilt\n" for n, data in before.items()}
    with _disk_full_after(16_384), pytest.raises(kg.KGError) as exc:
        pipeline.write_kg(s, files)
    msg = str(exc.value)
    assert f"cannot write the graph to {s.kg}: File too large" in msg and "left as it was" in msg
    assert isinstance(exc.value, pipeline.USER_ERRORS)
    assert _snapshot(s.kg) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus", "kg", "ontology"]  # no temporary folder left
    # kg/ in the way as a file: the same kind of message
    shutil.rmtree(s.kg)
    s.kg.write_text("not a folder", encoding="utf-8")
    with pytest.raises(kg.KGError, match=rf"cannot write the graph to {s.kg}: "):
        pipeline.write_kg(s, files)
    assert s.kg.read_text(encoding="utf-8") == "not a folder"


def test_a_damaged_kg_file_is_a_message(tmp_path: Path) -> None:
    s = _project(tmp_path, seeds=False)
    ttl = s.kg / kg.KG_FILES[0]
    ttl.write_bytes(ttl.read_bytes()[: len(ttl.read_bytes()) // 2] + b"\n<broken")
    with pytest.raises(StoreError, match=rf"{ttl} is damaged and cannot be read \(.*line.*\): run `fzqa build`"):
        pipeline.validate_kg(s)
    with pytest.raises(StoreError, match=rf"{ttl}: cannot load"):
        KnowledgeGraph(s)
    r = _fzqa(tmp_path, "validate")
    assert r.returncode == 2 and "damaged" in r.stderr and "Traceback" not in r.stderr, r.stderr
