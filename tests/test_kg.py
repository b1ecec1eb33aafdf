"""The graph (kg.py, pipeline.graph_files): the committed kg/ is current and reproducible, it passes SHACL and
the OWL reasoner, violations and inconsistencies are caught, dates and intervals stay typed within OWL 2 DL,
every norm has its provenance, the RDF/XML file opens in rdflib and owlready2, and a failed build leaves the
previous kg/ untouched.

Tests that write work on a copy of the project in tmp_path (``load_settings({"root": tmp_path})``), never on
the real kg/.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from rdflib import RDF, XSD, BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, PROV, SKOS

from fzqa import kg, pipeline
from fzqa.corpus import CorpusError, clean
from fzqa.lexicon import FZQA, CatalogError
from fzqa.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def settings() -> Settings:
    return load_settings({"root": ROOT})


@pytest.fixture(scope="module")
def built_files(settings: Settings) -> dict[str, bytes]:
    """The kg/ files as `fzqa build` would write them now (built in memory, nothing is written)."""
    return pipeline.graph_files(settings)


@pytest.fixture(scope="module")
def committed(settings: Settings) -> Graph:
    return Graph().parse(settings.kg / kg.KG_FILES[0], format="turtle")


def _project_copy(tmp_path: Path) -> Settings:
    """A copy of corpus/, ontology/ and kg/ in tmp_path, and settings pointing at it."""
    for name in ("corpus", "ontology", "kg"):
        shutil.copytree(ROOT / name, tmp_path / name)
    for p in (tmp_path / "corpus").iterdir():
        p.chmod(0o644)
    return load_settings({"root": tmp_path})


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


# ------------------------------------------------------------------------------------------- reproducible
@pytest.mark.slow
def test_committed_kg_is_not_stale(settings: Settings, built_files: dict[str, bytes]) -> None:
    assert set(built_files) == set(kg.KG_FILES)
    for name, data in built_files.items():
        path = settings.kg / name
        assert path.is_file(), f"{path} is missing: run `fzqa build`"
        assert path.read_bytes() == data, f"{path} is stale (the corpus, ontology or code changed): run `fzqa build`"


@pytest.mark.slow
def test_building_twice_gives_identical_bytes(settings: Settings, built_files: dict[str, bytes]) -> None:
    again = pipeline.graph_files(settings)
    for name in kg.KG_FILES:
        assert again[name] == built_files[name], f"{name} differs between two builds"


def test_serialise_is_deterministic_and_the_three_files_hold_the_same_graph(committed: Graph) -> None:
    a, b = kg.serialise(committed), kg.serialise(committed)
    assert a == b
    ttl = Graph().parse(data=a["fzqa-kg.ttl"], format="turtle")
    jsonld = Graph().parse(data=a["fzqa-kg.jsonld"], format="json-ld")
    xml = Graph().parse(data=a["fzqa-kg.owl"], format="xml")
    assert len(ttl) == len(jsonld) == len(xml) == len(committed)

    def ground(g: Graph) -> set[tuple[object, object, object]]:
        return {t for t in g if not isinstance(t[0], BNode) and not isinstance(t[2], BNode)}

    assert ground(ttl) == ground(jsonld) == ground(xml) == ground(committed)


# ------------------------------------------------------------------------------------------- SHACL + OWL
@pytest.mark.slow
def test_committed_kg_conforms_to_shacl_and_is_consistent(settings: Settings) -> None:
    ok, text = pipeline.validate_kg(settings)
    assert ok, text
    assert "SHACL: conforms" in text
    assert "OWL: consistent" in text


def _norms(g: Graph) -> list[URIRef]:
    return sorted(n for n in g.subjects(RDF.type, FZQA.Norm) if isinstance(n, URIRef))


@pytest.mark.slow
def test_shacl_catches_a_norm_without_bearer_and_a_quote_that_is_not_the_provisions_words(
    settings: Settings,
) -> None:
    g = Graph().parse(settings.kg / kg.KG_FILES[0], format="turtle")
    norms = _norms(g)
    no_bearer, bad_quote = norms[0], norms[1]
    g.remove((no_bearer, FZQA.bearer, None))
    quote = g.value(bad_quote, FZQA.quote)
    assert isinstance(quote, Literal)
    g.set((bad_quote, FZQA.quote, Literal(str(quote) + "并且不受任何约束", lang="zh")))
    v = kg.validate(g, settings.ontology / "shapes.ttl")
    assert not v.conforms
    assert v.violations == 2, v.report
    assert "a norm has at least one bearer role" in v.report
    assert "the quote is not the source provision's own words" in v.report
    assert str(no_bearer) in v.report and str(bad_quote) in v.report


@pytest.mark.slow
def test_shacl_does_not_depend_on_the_data_graphs_prefixes(settings: Settings, committed: Graph) -> None:
    """The SPARQL constraints of shapes.ttl must declare their prefixes (sh:prefixes), not borrow the data's."""
    bare = Graph(bind_namespaces="none")
    for t in committed:
        bare.add(t)
    assert "fzqa" not in {p for p, _ in bare.namespaces()}
    v = kg.validate(bare, settings.ontology / "shapes.ttl")
    assert v.conforms, v.report


def test_shacl_refuses_a_role_deeper_than_the_two_steps_coverage_walks(settings: Settings) -> None:
    """coverage.rq walks skos:broader in two written-out steps; the shapes keep the thesaurus within them."""
    g = Graph()
    for name in ("fzqa.ttl", "roles.ttl"):
        g.parse(settings.ontology / name, format="turtle")
    assert kg.validate(g, settings.ontology / "shapes.ttl").conforms  # the thesaurus as it is
    deputy = URIRef("https://w3id.org/fzqa/role/testDeputyCountyMayor")
    g.add((deputy, RDF.type, FZQA.Post))
    g.add((deputy, SKOS.broader, URIRef("https://w3id.org/fzqa/role/countyMayor")))  # → 政府主要负责人 → 党政主要负责人
    v = kg.validate(g, settings.ontology / "shapes.ttl")
    assert not v.conforms and v.violations == 1, v.report
    assert "more than two skos:broader steps" in v.report and "testDeputyCountyMayor" in v.report


def test_reasoner_reports_an_inconsistent_graph(committed: Graph) -> None:
    g = Graph()
    g += committed
    item = sorted(g.subjects(RDF.type, FZQA.Item), key=str)[0]
    g.add((item, RDF.type, FZQA.Article))  # fzqa:Article owl:disjointWith fzqa:Item
    r = kg.reason(g)
    assert not r.consistent
    assert r.message.startswith("inconsistent")


def test_dates_and_intervals_keep_their_xsd_types_on_annotation_properties(committed: Graph) -> None:
    """OWL 2 DL has no xsd:date or xsd:duration; the graph keeps such values (for SPARQL) on annotation
    properties only, where OWL 2 DL allows any literal (tests/test_owl_profile.py checks with the OWL API)."""
    eli = kg.ELI
    gx = kg.measure_iri("guangxi-2018")
    assert committed.value(gx, eli.date_document) == Literal("2018-01-09", datatype=XSD.date)
    assert committed.value(FZQA.Yearly, FZQA.interval) == Literal("P1Y", datatype=XSD.duration)
    for p in (eli.date_document, eli.first_date_entry_in_force, FZQA.interval, FZQA.abbreviation):
        assert (p, RDF.type, OWL.AnnotationProperty) in committed, p
    assert kg.non_owl2_datatypes(committed) == []


def test_reasoner_refuses_a_data_value_outside_the_owl2_datatypes_and_names_it(committed: Graph) -> None:
    g = Graph()
    g += committed
    gz = kg.measure_iri("guizhou-2020")
    g.add((FZQA.publishedOn, RDF.type, OWL.DatatypeProperty))
    g.add((gz, FZQA.publishedOn, Literal("2020-09-09", datatype=XSD.date)))
    with pytest.raises(kg.KGError, match="1 triples use datatypes outside OWL 2 DL") as exc_info:
        kg.reason(g)
    message = str(exc_info.value)
    assert str(gz) in message and str(FZQA.publishedOn) in message and "owl:AnnotationProperty" in message


# ------------------------------------------------------------------------------------------- provenance
def test_every_norm_derives_from_a_provision_whose_text_holds_its_quote(committed: Graph) -> None:
    g = committed
    norms = _norms(g)
    assert len(norms) > 100
    for n in norms:
        derived = set(g.objects(n, PROV.wasDerivedFrom))
        src = g.value(n, FZQA.sourceProvision)
        assert derived == {src}, n
        assert (src, RDF.type, FZQA.Article) in g or (src, RDF.type, FZQA.Item) in g, n
        text, quote = g.value(src, FZQA.text), g.value(n, FZQA.quote)
        assert quote is not None and text is not None and str(quote) in str(text), n


def test_every_provision_has_its_text_and_offsets_into_the_raw_file(committed: Graph) -> None:
    g = committed
    measures = sorted(g.subjects(RDF.type, FZQA.Measure), key=str)
    assert [str(m).rsplit("/", 1)[1] for m in measures] == ["guangxi-2018", "guizhou-2020"]
    provisions = 0
    for m in measures:
        raw_path = ROOT / str(g.value(m, FZQA.sourceFile))
        data = raw_path.read_bytes()
        assert hashlib.sha256(data).hexdigest() == str(g.value(m, FZQA.sourceSha256))
        raw = data.decode("utf-8")
        for p in g.subjects(FZQA.inMeasure, m):
            provisions += 1
            text = g.value(p, FZQA.text)
            start, end = g.value(p, FZQA.startOffset), g.value(p, FZQA.endOffset)
            assert isinstance(text, Literal) and str(text), p
            assert isinstance(start, Literal) and isinstance(end, Literal), p
            s, e = int(start.toPython()), int(end.toPython())
            assert 0 <= s < e <= len(raw), p
            assert str(text) in clean(raw[s:e]), f"{p}: the cleaned raw slice [{s}:{e}] does not hold the text"
            if (p, RDF.type, FZQA.Article) in g:
                assert raw[s:].startswith("第"), p  # an article's slice starts at its 第X条 heading
            else:
                assert raw[s] in "（(", p  # an item's slice starts at its （一） marker
    assert provisions == 24 + 29  # articles + items of the two measures


# ------------------------------------------------------------------------------------------- RDF/XML
def test_rdf_xml_parses_with_rdflib_and_loads_in_owlready2(settings: Settings, committed: Graph) -> None:
    import owlready2

    path = settings.kg / "fzqa-kg.owl"
    xml = Graph().parse(path, format="xml")
    assert len(xml) == len(committed)
    world = owlready2.World()
    onto = world.get_ontology(path.as_uri()).load()
    norm_class = world[str(FZQA.Norm)]
    assert norm_class is not None
    assert world[str(FZQA.Article)] is not None and world[str(FZQA.Item)] is not None
    obligations = list(world[str(FZQA.Obligation)].instances())
    assert len(obligations) > 30
    assert onto is not None


# ------------------------------------------------------------------------------------------- atomic writes
def test_write_atomic_dir_replaces_files_and_keeps_foreign_ones(tmp_path: Path) -> None:
    target = tmp_path / "kg"
    target.mkdir()
    (target / "a.ttl").write_bytes(b"old")
    (target / "README.md").write_bytes(b"keep me")
    kg.write_atomic_dir(target, {"a.ttl": b"new", "b.ttl": b"b"})
    assert _snapshot(target) == {"README.md": b"keep me", "a.ttl": b"new", "b.ttl": b"b"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kg"]  # no temporary or .old folder left


def test_write_atomic_dir_leaves_the_previous_folder_when_a_write_fails(tmp_path: Path) -> None:
    target = tmp_path / "kg"
    target.mkdir()
    (target / "a.ttl").write_bytes(b"old")
    bad: dict[str, bytes] = {"a.ttl": b"new", "b.ttl": "not bytes"}  # type: ignore[dict-item]
    with pytest.raises(TypeError):
        kg.write_atomic_dir(target, bad)
    assert _snapshot(target) == {"a.ttl": b"old"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kg"]


@pytest.mark.parametrize(
    ("damage", "error", "words"),
    [
        ("not-utf8", CorpusError, ["guizhou-2020.txt", "line", "UTF-8"]),
        ("empty", CorpusError, ["guizhou-2020.txt", "empty file"]),
        ("no-articles", CorpusError, ["guizhou-2020.txt", "no articles"]),
        ("missing-file", CatalogError, ["measures.toml", "gone-2021.txt", "does not exist"]),
    ],
)
def test_a_failed_build_names_the_file_and_leaves_kg_intact(
    tmp_path: Path, damage: str, error: type[Exception], words: list[str]
) -> None:
    s = _project_copy(tmp_path)
    before = _snapshot(s.kg)
    raw = s.corpus / "guizhou-2020.txt"
    if damage == "not-utf8":
        raw.write_bytes(raw.read_bytes().replace("第九条".encode(), "第九条".encode("gbk"), 1))
    elif damage == "empty":
        raw.write_bytes(b"")
    elif damage == "no-articles":
        raw.write_text("贵州省某某办法\n\n这是一段没有条文编号的说明文字。\n", encoding="utf-8")
    else:
        toml = s.corpus / "measures.toml"
        toml.write_text(
            toml.read_text(encoding="utf-8")
            + '\n[[measure]]\nid = "gone-2021"\nfile = "gone-2021.txt"\ntitle = "不存在"\nshort = "无"\n'
            'short_en = "Gone"\njurisdiction = "贵州省"\njurisdiction_en = "Guizhou Province"\n',
            encoding="utf-8",
        )
    with pytest.raises(error) as exc_info:
        pipeline.build(s, skip_index=True)
    message = str(exc_info.value)
    for w in words:
        assert w in message, message
    assert isinstance(exc_info.value, pipeline.USER_ERRORS)  # the CLI prints it without a traceback
    assert _snapshot(s.kg) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus", "kg", "ontology"]


@pytest.mark.slow
def test_a_graph_that_violates_the_shapes_is_not_written(tmp_path: Path) -> None:
    s = _project_copy(tmp_path)
    before = _snapshot(s.kg)
    shapes = s.ontology / "shapes.ttl"
    text = shapes.read_text(encoding="utf-8")
    strict = "sh:path fzqa:shortTitle ; sh:minCount 1 ; sh:maxCount 1 ]"
    assert strict in text
    shapes.write_text(text.replace(strict, "sh:path fzqa:shortTitle ; sh:minCount 2 ]"), encoding="utf-8")
    with pytest.raises(kg.KGError, match=r"violates the SHACL shapes \(2 violations\)"):
        pipeline.build(s, skip_index=True)
    assert _snapshot(s.kg) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus", "kg", "ontology"]


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    s = _project_copy(tmp_path)
    raw = s.corpus / "guizhou-2020.txt"
    data = raw.read_bytes()
    line = data[: data.index("第九条".encode())].count(b"\n") + 1
    raw.write_bytes(data.replace("第九条".encode(), "第九条".encode("gbk"), 1))
    with pytest.raises(CorpusError, match=rf"guizhou-2020\.txt: line {line}, byte offset \d+"):
        pipeline.load_corpus(s)


def test_a_bearer_read_from_another_article_says_which(tmp_path: Path) -> None:
    """A 分则 sanction of the 2018 disciplinary regulation names only the conduct; its bearer (党员) is read from the
    catalogue of sanctions in art. 8, and the graph says so (fzqa:bearerSource), while a norm naming its own
    bearer has no such link."""
    from fzqa.corpus import parse_file
    from fzqa.extract import extract
    from fzqa.lexicon import load_lexicon
    from fzqa.settings import load_settings

    root = Path(__file__).resolve().parents[1]
    mid = "central-2018-ccp-disciplinary-regulation"
    (tmp_path / "corpus").mkdir()
    shutil.copy(root / "tests" / "data" / "corpus-extra" / f"{mid}.txt", tmp_path / "corpus" / f"{mid}.txt")
    shutil.copytree(root / "ontology", tmp_path / "ontology")
    lex = load_lexicon(load_settings({"root": tmp_path}))  # a measure taken in with metadata read from its text
    m = parse_file(tmp_path / "corpus" / f"{mid}.txt", mid)
    norms = [n for n in extract(m, lex) if n.article in (44, 80)]
    g = kg.build_graph([m], norms, lex, tmp_path / "ontology")
    sourced = {(str(n), str(src)) for n, src in g.subject_objects(FZQA.bearerSource)}
    art8 = str(kg.provision_iri(mid, 8))
    assert sourced and all(src == art8 for _, src in sourced)
    assert {str(kg.ID[n.id]) for n in norms if n.article == 44} == {n for n, _ in sourced}


def test_the_reasoner_reads_a_graph_whose_first_triple_is_a_long_text() -> None:
    # owlready2 guesses a file's format from its first 1000 bytes; an article's text first in the N-Triples (their
    # order is rdflib's, unordered) made it read the file as RDF/XML and fail the build
    g = Graph()
    g.add((URIRef("https://w3id.org/fzqa/id/x"), SKOS.prefLabel, Literal("推进法治建设" * 200, lang="zh")))
    r = kg.reason(g)
    assert r.consistent
