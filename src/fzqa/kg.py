"""Norms → RDF graph (TBox + thesaurus + ABox); SHACL validation (pyshacl); OWL consistency and
inferences (owlready2 + HermiT, needs Java); deterministic, atomic serialisation of kg/."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, PROV, SKOS

from fzqa.corpus import cn_numeral
from fzqa.lexicon import FZQA, Lexicon, norm_text
from fzqa.types import Measure, Norm

ELI = Namespace("http://data.europa.eu/eli/ontology#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
ID = Namespace("https://w3id.org/fzqa/id/")
ROLE_NS = Namespace("https://w3id.org/fzqa/role/")
KG_FILES = ("fzqa-kg.ttl", "fzqa-kg.jsonld", "fzqa-kg.owl")
ONTOLOGY_FILES = ("fzqa.ttl", "roles.ttl", "jurisdictions.ttl")

KIND_CLASS = {
    "obligation": FZQA.Obligation,
    "prohibition": FZQA.Prohibition,
    "permission": FZQA.Permission,
    "principle": FZQA.Principle,
    "sanction": FZQA.Sanction,
    "reward": FZQA.Reward,
    "scope": FZQA.ScopeRule,
    "meta": FZQA.MetaRule,
}
PREFIXES = {
    "fzqa": FZQA,
    "role": Namespace("https://w3id.org/fzqa/role/"),
    "place": Namespace("https://w3id.org/fzqa/place/"),
    "id": ID,
    "eli": ELI,
    "skos": SKOS,
    "prov": PROV,
    "dcterms": DCTERMS,
    "owl": OWL,
    "lrml": Namespace("http://docs.oasis-open.org/legalruleml/ns/v1.0/metamodel#"),
    "odrl": Namespace("http://www.w3.org/ns/odrl/2/"),
    "time": Namespace("http://www.w3.org/2006/time#"),
    "org": Namespace("http://www.w3.org/ns/org#"),
}


class KGError(RuntimeError):
    """The graph could not be built, validated or reasoned over."""


def provision_iri(measure: str, article: int, item: int | None = None) -> URIRef:
    return ID[f"{measure}/art_{article}" + (f"__item_{item}" if item is not None else "")]


def measure_iri(measure: str) -> URIRef:
    return ID[measure]


def citation_label(short: str, article: int, item: int | None = None) -> str:
    """Short display form: 贵州 第六条（六）."""
    return f"{short} 第{cn_numeral(article)}条" + (f"（{cn_numeral(item)}）" if item is not None else "")


def _instrument_iri(title: str) -> URIRef:
    return ID["instrument/" + hashlib.sha1(title.encode("utf-8")).hexdigest()[:12]]


def _role_iri(g: Graph, lexicon: Lexicon, measure: str, label: str) -> URIRef:
    """The thesaurus role of ``label``, or a role of the measure minted from its words (SKOS concept with the
    label as written, and its kind and level where the words say so)."""
    if label in lexicon.roles:
        return URIRef(lexicon.roles[label].iri)
    from fzqa.extract import Extractor

    iri = ROLE_NS[f"{measure}/" + hashlib.sha1(label.encode("utf-8")).hexdigest()[:12]]
    if (iri, RDF.type, FZQA.Role) not in g:
        g.add((iri, RDF.type, FZQA.Role))
        g.add((iri, RDF.type, SKOS.Concept))
        g.add((iri, SKOS.prefLabel, Literal(label, lang="zh")))
        g.add((iri, SKOS.inScheme, FZQA.roleScheme))
        g.add((iri, FZQA.mintedIn, measure_iri(measure)))
        x = Extractor(lexicon)
        english = x.role_english(label)  # composed from known words, or none (never a guess)
        if english:
            g.add((iri, SKOS.prefLabel, Literal(english, lang="en")))
        kind, level = x.role_facets(label)
        if kind:
            g.add((iri, FZQA.bearerKind, FZQA[kind]))
        if level:
            g.add((iri, FZQA.level, URIRef(lexicon.levels[level].iri)))
    return iri


def load_tbox(ontology_dir: Path) -> Graph:
    g = Graph()
    for name in ONTOLOGY_FILES:
        path = ontology_dir / name
        try:
            g.parse(path, format="turtle")
        except Exception as exc:  # rdflib raises many parser exception types
            raise KGError(f"{path}: cannot parse: {exc}") from None
    return g


def _add_topics(g: Graph, measures: list[Measure], lexicon: Lexicon) -> None:
    """fzqa:topic links from each provision to the topic concepts its own words name (a concept's clause words,
    ontology/topics.ttl), and those concepts with their labels and hierarchy, so a query can pair provisions."""
    thesaurus = lexicon.topic_thesaurus()
    concepts = sorted(thesaurus.concepts.values(), key=lambda c: c.name)
    words = [(c, tuple(norm_text(w) for w in c.clause_zh)) for c in concepts if c.clause_zh]
    used: set[str] = set()
    for m in measures:
        for art in m.articles:
            provisions = [(provision_iri(m.id, art.number), art.lead if art.items else art.text)]
            provisions += [(provision_iri(m.id, art.number, it.number), it.text) for it in art.items]
            for iri, text in provisions:
                t = norm_text(text)
                for c, ws in words:
                    if any(w in t for w in ws):
                        g.add((iri, FZQA.topic, URIRef(c.iri)))
                        used.add(c.name)
    scheme = FZQA.topicScheme
    top = {str(o) for o in thesaurus.graph.objects(scheme, SKOS.hasTopConcept)}
    needed = set(used)
    for name in used:
        needed.update(thesaurus.broader_chain(name))
    for c in concepts:
        if c.name not in needed:
            continue
        ci = URIRef(c.iri)
        g.add((ci, RDF.type, SKOS.Concept))
        g.add((ci, SKOS.inScheme, scheme))
        g.add((ci, SKOS.prefLabel, Literal(c.label_zh, lang="zh")))
        g.add((ci, SKOS.prefLabel, Literal(c.label_en, lang="en")))
        for b in c.broader:
            g.add((ci, SKOS.broader, URIRef(thesaurus.concepts[b].iri)))
        if c.iri in top:
            g.add((ci, SKOS.topConceptOf, scheme))
    if needed:
        g.add((scheme, RDF.type, SKOS.ConceptScheme))
        for lang in ("zh", "en"):
            for label in thesaurus.graph.objects(scheme, SKOS.prefLabel):
                if getattr(label, "language", None) == lang:
                    g.add((scheme, SKOS.prefLabel, label))


def build_graph(measures: Iterable[Measure], norms: Iterable[Norm], lexicon: Lexicon, ontology_dir: Path) -> Graph:
    """The whole graph: ontology, thesaurus and one ABox for the measures and their norms."""
    g = load_tbox(ontology_dir)
    measures = list(measures)
    for p, ns in PREFIXES.items():
        g.bind(p, ns, override=True)
    zh = "zh"
    place_iri = {str(o): s for s, o in g.subject_objects(SKOS.prefLabel) if (s, RDF.type, FZQA.Jurisdiction) in g}
    for m in measures:
        info = lexicon.measure_info(m.id)
        mi = measure_iri(m.id)
        g.add((mi, RDF.type, FZQA.Measure))
        g.add((mi, ELI.title, Literal(info.title, lang=zh)))
        g.add((mi, RDFS.label, Literal(info.title, lang=zh)))
        g.add((mi, RDFS.label, Literal(f"{info.short_en} measure ({m.id})", lang="en")))
        g.add((mi, FZQA.shortTitle, Literal(info.short)))
        if info.number:
            g.add((mi, ELI.number, Literal(info.number)))
        if info.date:
            g.add((mi, ELI.date_document, Literal(info.date, datatype=XSD.date)))
        if info.effective:
            g.add((mi, ELI.first_date_entry_in_force, Literal(info.effective, datatype=XSD.date)))
        for issuer in info.issuers:
            g.add((mi, FZQA.issuer, Literal(issuer, lang=zh)))
        if info.interpreted_by:
            g.add((mi, FZQA.interpretedBy, Literal(info.interpreted_by, lang=zh)))
        if info.jurisdiction in place_iri:
            g.add((mi, FZQA.jurisdiction, place_iri[info.jurisdiction]))
        if info.implements:
            ii = _instrument_iri(info.implements)
            g.add((ii, RDF.type, FZQA.Instrument))
            g.add((ii, DCTERMS.title, Literal(info.implements, lang=zh)))
            g.add((mi, ELI.implements, ii))
        g.add((mi, FZQA.sourceFile, Literal(f"corpus/{info.file}")))
        g.add((mi, FZQA.sourceSha256, Literal(m.sha256)))
        for art in m.articles:
            ai = provision_iri(m.id, art.number)
            g.add((ai, RDF.type, FZQA.Article))
            g.add((ai, FZQA.articleNumber, Literal(art.number)))
            g.add((ai, FZQA.inMeasure, mi))
            g.add((ai, ELI.is_part_of, mi))
            g.add((mi, ELI.has_part, ai))
            g.add((ai, FZQA.text, Literal(art.text, lang=zh)))
            if art.items:
                g.add((ai, FZQA.leadIn, Literal(art.lead, lang=zh)))
            if art.chapter:
                g.add((ai, FZQA.chapter, Literal(art.chapter, lang=zh)))
            g.add((ai, FZQA.startOffset, Literal(art.start)))
            g.add((ai, FZQA.endOffset, Literal(art.end)))
            label = citation_label(info.short, art.number)
            g.add((ai, FZQA.citation, Literal(label, lang=zh)))
            g.add((ai, RDFS.label, Literal(label, lang=zh)))
            g.add((ai, RDFS.label, Literal(f"{info.short_en} art. {art.number}", lang="en")))
            for it in art.items:
                ii = provision_iri(m.id, art.number, it.number)
                g.add((ii, RDF.type, FZQA.Item))
                g.add((ii, FZQA.itemNumber, Literal(it.number)))
                g.add((ii, FZQA.articleNumber, Literal(art.number)))
                g.add((ii, FZQA.inMeasure, mi))
                g.add((ii, ELI.is_part_of, ai))
                g.add((ai, ELI.has_part, ii))
                g.add((ii, FZQA.text, Literal(it.text, lang=zh)))
                g.add((ii, FZQA.startOffset, Literal(it.start)))
                g.add((ii, FZQA.endOffset, Literal(it.end)))
                label = citation_label(info.short, art.number, it.number)
                g.add((ii, FZQA.citation, Literal(label, lang=zh)))
                g.add((ii, RDFS.label, Literal(label, lang=zh)))
                g.add((ii, RDFS.label, Literal(f"{info.short_en} art. {art.number}({it.number})", lang="en")))
    _add_topics(g, measures, lexicon)
    for n in norms:
        ni = ID[n.id]
        src = provision_iri(n.measure, n.article, n.item)
        g.add((ni, RDF.type, FZQA.Norm))
        g.add((ni, RDF.type, KIND_CLASS[n.kind]))
        g.add((ni, FZQA.kind, Literal(n.kind)))
        g.add((ni, FZQA.action, Literal(n.action, lang=zh)))
        g.add((ni, FZQA.quote, Literal(n.quote, lang=zh)))
        g.add((ni, FZQA.sourceProvision, src))
        g.add((ni, PROV.wasDerivedFrom, src))
        for r in n.bearers:
            g.add((ni, FZQA.bearer, _role_iri(g, lexicon, n.measure, r)))
        for r in n.imposed_by:
            g.add((ni, FZQA.imposedBy, _role_iri(g, lexicon, n.measure, r)))
        if n.bearer_text:
            g.add((ni, FZQA.bearerLabel, Literal(n.bearer_text, lang=zh)))
        if n.bearer_article is not None:
            g.add((ni, FZQA.bearerSource, provision_iri(n.measure, n.bearer_article)))
        if n.deadline:
            g.add((ni, FZQA.deadline, Literal(n.deadline, lang=zh)))
        if n.frequency is not None:
            fi = ID[n.id + "/frequency"]
            g.add((ni, FZQA.frequency, fi))
            g.add((fi, RDF.type, FZQA.Frequency))
            period = next(k for k, v in lexicon.period_codes.items() if v == n.frequency.period)
            g.add((fi, FZQA.period, FZQA[period]))
            if n.frequency.min_count is not None:
                g.add((fi, FZQA.minCount, Literal(n.frequency.min_count)))
            g.add((fi, FZQA.frequencyCue, Literal(n.frequency.cue, lang=zh)))
        for title in n.cites:
            ii = _instrument_iri(title)
            g.add((ii, RDF.type, FZQA.Instrument))
            g.add((ii, DCTERMS.title, Literal(title, lang=zh)))
            g.add((ni, FZQA.citesInstrument, ii))
        if n.condition:
            ci = ID[n.id + "/condition"]
            g.add((ni, FZQA.condition, ci))
            g.add((ci, RDF.type, FZQA.Condition))
            g.add((ci, FZQA.conditionText, Literal(n.condition, lang=zh)))
        if n.coverage:
            code = next(k for k, v in lexicon.coverage_codes.items() if v == n.coverage)
            g.add((ni, FZQA.coverage, FZQA[code]))
        for lv in n.levels:
            g.add((ni, FZQA.coversLevel, URIRef(lexicon.levels[lv].iri)))
        if n.topic:
            code = next(k for k, v in lexicon.topic_codes.items() if v == n.topic)
            g.add((ni, FZQA.metaTopic, FZQA[code]))
    return g


# ------------------------------------------------------------------------------------------- SHACL
@dataclass(frozen=True)
class Validation:
    conforms: bool
    violations: int
    report: str
    warnings: int = 0  # results of severity sh:Warning (e.g. a norm whose text names no bearer); they do not fail


# focus nodes validated per pyshacl call when progress is reported: a progress line every few seconds (with the
# 587 norms of the two seeds and 纪律处分条例, fzs:NormShape took 38 s, about 6 s per 100 norms, on 2 shared cores)
SHACL_CHUNK = 100


def validate(graph: Graph, shapes_path: Path, progress: Callable[[str], None] | None = None) -> Validation:
    """SHACL validation of the whole graph against ontology/shapes.ttl.

    With ``progress``, shape by shape, and the focus nodes of each shape (sh:targetClass: the instances of the class
    and its subclasses; sh:targetSubjectsOf / sh:targetObjectsOf / sh:targetNode) in chunks of SHACL_CHUNK,
    reporting each chunk; shapes with SPARQL targets or implicit class targets are validated in one call."""
    from pyshacl import validate as shacl_validate

    shapes = Graph().parse(shapes_path, format="turtle")
    sh = Namespace("http://www.w3.org/ns/shacl#")

    def run(**kwargs: Any) -> tuple[bool, int, int, str]:
        """(conforms, violations, warnings, report text); warnings do not fail the validation."""
        conforms, report_graph, text = shacl_validate(
            data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True, **kwargs
        )
        if not isinstance(report_graph, Graph):  # pyshacl could not run the shapes themselves
            raise KGError(f"{shapes_path}: the SHACL shapes cannot be used: {report_graph}")
        results = list(report_graph.subjects(RDF.type, sh.ValidationResult))
        warnings = sum(1 for r in results if (r, sh.resultSeverity, sh.Warning) in report_graph)
        return bool(conforms), len(results) - warnings, warnings, str(text)

    node_shapes = sorted(shapes.subjects(RDF.type, sh.NodeShape), key=str)
    other_targets = (None, sh.target, None) in shapes or any(
        (s, RDF.type, c) in shapes for s in node_shapes for c in (RDFS.Class, OWL.Class)
    )
    class_targeted = {
        s for p in (sh.targetClass, sh.targetSubjectsOf, sh.targetObjectsOf, sh.targetNode) for s in shapes.subjects(p)
    }
    data = graph
    if progress is None or other_targets or not class_targeted <= set(node_shapes):
        ok, n, w, text = run()
        return Validation(ok, n, text, w)
    data = Graph()  # one copy, validated in place by every call (the shapes have no SHACL rules to add triples)
    for t in graph:
        data.add(t)
    conforms, count, warned, texts = True, 0, 0, []
    for k, shape in enumerate(node_shapes, 1):
        name = shape.n3(shapes.namespace_manager)
        classes = list(shapes.objects(shape, sh.targetClass))
        nodes = sorted(
            {
                n
                for c in classes
                for sub in data.transitive_subjects(RDFS.subClassOf, c)
                for n in data.subjects(RDF.type, sub)
            }
            | {n for p in shapes.objects(shape, sh.targetSubjectsOf) for n in data.subjects(p)}
            | {n for p in shapes.objects(shape, sh.targetObjectsOf) for n in data.objects(None, p)}
            | set(shapes.objects(shape, sh.targetNode)),
            key=str,
        )
        for start in range(0, len(nodes), SHACL_CHUNK):
            chunk = nodes[start : start + SHACL_CHUNK]
            progress(f"SHACL {k}/{len(node_shapes)} {name}: nodes {start + 1}-{start + len(chunk)} of {len(nodes)}")
            ok, n, w, text = run(inplace=True, use_shapes=[shape], focus_nodes=chunk)
            conforms, count, warned = conforms and ok, count + n, warned + w
            if n or w:
                texts.append(text)
    report = "\n".join(texts) if texts else "Validation Report\nConforms: True\n"
    return Validation(conforms, count, report, warned)


# ------------------------------------------------------------------------------------------- OWL
# The OWL 2 datatype map (OWL 2 Structural Specification, section 4) plus rdfs:Literal. A literal of another
# datatype (xsd:date, xsd:duration, xsd:gYear ...) as the value of a data property puts the graph outside OWL 2 DL
# and HermiT refuses it; as the value of an annotation property it is allowed (annotations carry no logic).
_OWL2_DATATYPES = (
    frozenset({XSD.decimal, XSD.integer, XSD.nonNegativeInteger, XSD.nonPositiveInteger, XSD.positiveInteger})
    | {XSD.negativeInteger, XSD.long, XSD.int, XSD.short, XSD.byte, XSD.unsignedLong, XSD.unsignedInt}
    | {XSD.unsignedShort, XSD.unsignedByte, XSD.double, XSD.float, OWL.real, OWL.rational}
    | {XSD.string, XSD.normalizedString, XSD.token, XSD.language, XSD.Name, XSD.NCName, XSD.NMTOKEN}
    | {RDF.PlainLiteral, RDF.langString, XSD.boolean, XSD.hexBinary, XSD.base64Binary, XSD.anyURI}
    | {XSD.dateTime, XSD.dateTimeStamp, RDF.XMLLiteral, RDFS.Literal}
)
# annotation properties built into OWL 2 (section 5.5): usable without a declaration
_BUILTIN_ANNOTATION_PROPERTIES = frozenset(
    (RDFS.label, RDFS.comment, RDFS.seeAlso, RDFS.isDefinedBy, OWL.versionInfo, OWL.deprecated, OWL.priorVersion)
) | {OWL.backwardCompatibleWith, OWL.incompatibleWith}


def non_owl2_datatypes(graph: Graph) -> list[str]:
    """The triples that use a datatype outside the OWL 2 datatype map where OWL 2 DL does not allow it: a literal
    of such a datatype as the value of anything but an annotation property, or such a datatype as an IRI (e.g. a
    data property's rdfs:range). Empty for a graph whose datatypes HermiT and the OWL 2 DL profile accept."""
    annotation = _BUILTIN_ANNOTATION_PROPERTIES | set(graph.subjects(RDF.type, OWL.AnnotationProperty))
    bad = []
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype is not None and o.datatype not in _OWL2_DATATYPES:
            if p not in annotation:
                bad.append(
                    f"{s.n3()} {p.n3()} {o.n3()}: {o.datatype} is not an OWL 2 datatype (declare "
                    f"{p.n3()} an owl:AnnotationProperty, or use an OWL 2 datatype such as xsd:dateTime)"
                )
        elif isinstance(o, URIRef) and o.startswith(str(XSD)) and o not in _OWL2_DATATYPES:
            bad.append(f"{s.n3()} {p.n3()} {o.n3()}: {o} is not an OWL 2 datatype")
    return sorted(bad)


@dataclass(frozen=True)
class Reasoning:
    consistent: bool
    inferred: Graph
    message: str


def reason(graph: Graph) -> Reasoning:
    """Check consistency with HermiT (owlready2; needs Java) and return the inferred triples.

    The graph must use only OWL 2 datatypes where OWL 2 DL requires them (see non_owl2_datatypes); otherwise
    KGError names the triples (HermiT would fail on them with a Java stack trace).
    """
    import owlready2

    bad = non_owl2_datatypes(graph)
    if bad:
        shown = "\n  ".join(bad[:10])  # the first few say what to fix; the count says how much
        raise KGError(f"{len(bad)} triples use datatypes outside OWL 2 DL:\n  {shown}")
    before = {(str(s), str(p), str(o)) for s, p, o in graph if not isinstance(o, Literal)}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "input.nt"
        graph.serialize(path, format="nt", encoding="utf-8")
        world = owlready2.World()
        # the format said, not guessed: owlready2 sniffs the first 1000 bytes and takes N-Triples whose first line
        # is longer (an article's text, first in rdflib's unordered output) for RDF/XML, failing the build at random
        onto = world.get_ontology(path.as_uri()).load(format="ntriples")
        try:
            with onto:
                owlready2.sync_reasoner_hermit(world, infer_property_values=True, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError as exc:
            return Reasoning(False, Graph(), f"inconsistent: {exc}")
        except Exception as exc:  # Java missing or HermiT failure
            raise KGError(f"OWL reasoner failed (is Java installed? `java -version`): {exc}") from None
        after = world.as_rdflib_graph()
        inferred = Graph()
        known = {str(x) for x in graph.all_nodes()}
        for s, p, o in after:
            if isinstance(o, Literal) or not isinstance(s, URIRef) or not isinstance(o, URIRef):
                continue
            t = (str(s), str(p), str(o))
            if t in before or str(s) not in known or str(o) not in known:
                continue
            if p == RDF.type and o in (OWL.NamedIndividual, OWL.Thing):
                continue
            inferred.add((URIRef(t[0]), URIRef(t[1]), URIRef(t[2])))
    return Reasoning(True, inferred, f"consistent; {len(inferred)} inferred triples")


# ------------------------------------------------------------------------------------------- output
def _stable_bnodes(graph: Graph) -> Graph:
    """Relabel blank nodes by a hash of what they contain, so labels are the same on every build."""
    labels: dict[BNode, str] = {}

    def label(b: BNode, seen: frozenset[BNode] = frozenset()) -> str:
        if b in labels:
            return labels[b]
        parts = []
        for p, o in sorted(graph.predicate_objects(b), key=lambda po: (po[0].n3(), po[1].n3())):
            o_text = ("_:" + label(o, seen | {b})) if isinstance(o, BNode) and o not in seen else o.n3()
            parts.append(p.n3() + " " + o_text)
        labels[b] = "b" + hashlib.sha1("\n".join(parts).encode("utf-8")).hexdigest()[:16]
        return labels[b]

    def term(x: Any) -> Any:
        return BNode(label(x)) if isinstance(x, BNode) else x

    out = Graph()
    for s_, p_, o_ in graph:
        out.add((term(s_), p_, term(o_)))
    return out


def _sorted_graph(graph: Graph) -> Graph:
    out = Graph()
    for p, ns in PREFIXES.items():
        out.bind(p, ns, override=True)
    for t in sorted(_stable_bnodes(graph), key=lambda t: (t[0].n3(), t[1].n3(), t[2].n3())):
        out.add(t)
    return out


def _canonical_jsonld(graph: Graph) -> str:
    data = json.loads(graph.serialize(format="json-ld", context={p: str(ns) for p, ns in PREFIXES.items()}))

    def canon(x: object) -> object:
        if isinstance(x, dict):
            return {k: canon(v) for k, v in sorted(x.items())}
        if isinstance(x, list):
            return sorted((canon(v) for v in x), key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
        return x

    return json.dumps(canon(data), ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def _rdf_xml(g: Graph) -> bytes:
    """RDF/XML (for Protégé) with subjects in sorted order, written by oxigraph's streaming serializer."""
    import pyoxigraph as ox

    nt = g.serialize(format="nt", encoding="utf-8").decode("utf-8")
    lines = "".join(sorted(line + "\n" for line in nt.splitlines() if line.strip()))
    triples = ox.parse(lines.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    out = ox.serialize(triples, format=ox.RdfFormat.RDF_XML, prefixes={p: str(ns) for p, ns in PREFIXES.items()})
    assert isinstance(out, bytes)
    return out


def serialise(graph: Graph) -> dict[str, bytes]:
    """The kg/ files' bytes (deterministic)."""
    g = _sorted_graph(graph)
    return {
        "fzqa-kg.ttl": g.serialize(format="turtle", encoding="utf-8"),
        "fzqa-kg.jsonld": _canonical_jsonld(g).encode("utf-8"),
        "fzqa-kg.owl": _rdf_xml(g),
    }


def write_atomic_dir(target: Path, files: dict[str, bytes]) -> None:
    """Write ``files`` into a fresh temporary folder beside ``target`` and swap it in."""
    target.parent.mkdir(parents=True, exist_ok=True)
    old = target.with_name(f".{target.name}.old")
    if old.exists() and not target.exists():  # an earlier swap was cut between its two renames: restore
        os.replace(old, target)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    tmp.chmod(0o755)
    try:
        for name, data in files.items():
            (tmp / name).write_bytes(data)
        # keep files in target that we do not own (e.g. a README)
        if target.exists():
            for extra in target.iterdir():
                if extra.name not in files and extra.is_file():
                    shutil.copy2(extra, tmp / extra.name)
        if old.exists():
            shutil.rmtree(old)
        if target.exists():
            os.replace(target, old)
        os.replace(tmp, target)
        if old.exists():
            shutil.rmtree(old)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
