"""The ontology and the built graph are in the OWL 2 DL profile, as the OWL API (what Protégé uses) checks it.

tests/java/OwlProfileCheck.java runs org.semanticweb.owlapi.profiles.Profiles.OWL2_DL on each file with Debian's
libowlapi-java (installed by scripts/test.sh) and prints each violation, each triple the OWL API could not map to
OWL, and the counts. It runs once (one JVM, single-file source launch) on ontology/fzqa.ttl, on the TBox that goes
into the graph (fzqa.ttl with roles.ttl and jurisdictions.ttl, which use its declarations), on the three kg/ files,
and on a small file that is not OWL 2 DL (so a checker that reports nothing cannot pass).

Run the checker by hand: ``python tests/test_owl_profile.py FILE ...``
"""

from __future__ import annotations

import datetime
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fzqa import kg

ROOT = Path(__file__).resolve().parents[1]
CHECKER = ROOT / "tests" / "java" / "OwlProfileCheck.java"
JAVA_DIR = Path("/usr/share/java")
# slf4j bindings of libslf4j-java other than the no-op one: more than one binding on the classpath makes slf4j warn
_EXTRA_SLF4J = re.compile(r"^(slf4j-(jcl|jdk14|log4j12|simple|migrator)|log4j-over-slf4j|jcl-over-slf4j|jul-to-slf4j)")
# the JSON-LD parser behind the OWL API's rio JSON-LD format; not a dependency of libowlapi-java
_JSONLD_PACKAGE = "libjsonld-java"
_SUMMARY = re.compile(r"^(?P<file>.+): (?P<violations>\d+) OWL 2 DL violations, (?P<unparsed>\d+) unparsed triples, ")

pytestmark = pytest.mark.slow  # a JVM compiles the checker and parses ~2,700 axioms five times (about 10 s)


def _package_jars(package: str) -> list[str]:
    """The unversioned jars a Debian package installs in /usr/share/java (its classpath entries)."""
    out = subprocess.run(["dpkg-query", "-L", package], capture_output=True, text=True, check=True).stdout
    return sorted(
        line
        for line in out.splitlines()
        if line.startswith(f"{JAVA_DIR}/")
        and line.endswith(".jar")
        and "/" not in line[len(str(JAVA_DIR)) + 1 :]
        and not re.search(r"-\d[\w.]*\.jar$", line)  # the versioned twin of an unversioned jar
        and not _EXTRA_SLF4J.match(Path(line).name)
    )


def owlapi_classpath() -> str:
    """libowlapi-java's jars and those of the packages it depends on (Debian jars carry no Class-Path)."""
    if shutil.which("dpkg-query") is None:
        raise RuntimeError("dpkg-query not found: the OWL API check uses Debian's libowlapi-java")
    status = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}\n${Depends}", "libowlapi-java"], capture_output=True, text=True
    )
    if status.returncode != 0 or not status.stdout.startswith("install ok installed"):
        raise RuntimeError("Debian package libowlapi-java is not installed: run scripts/test.sh as root")
    depends = [re.split(r"[\s(]", d.strip())[0] for d in status.stdout.splitlines()[1].split(",") if d.strip()]
    jars = [str(JAVA_DIR / "owlapi-distribution.jar")]
    for package in [*depends, _JSONLD_PACKAGE]:
        jars += [j for j in _package_jars(package) if j not in jars]
    return ":".join(jars)


def run_checker(files: list[Path]) -> subprocess.CompletedProcess[str]:
    java = shutil.which("java")
    if java is None:
        raise RuntimeError("java not found: install a JDK (Debian: default-jdk-headless)")
    return subprocess.run(
        [java, "-cp", owlapi_classpath(), str(CHECKER), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,  # generous: ~10 s alone; the machine is shared
    )


BAD_TTL = """\
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://example.org/> .
<https://example.org/o> a owl:Ontology .
ex:date a owl:DatatypeProperty .
ex:thing ex:date "2018-01-09"^^xsd:date ; ex:note "an undeclared annotation property" .
"""


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, int, list[str]]]:
    """file name → (violations, unparsed triples, output lines about it), from one run of the checker."""
    tmp = tmp_path_factory.mktemp("owl")
    tbox = tmp / "tbox.ttl"
    kg.load_tbox(ROOT / "ontology").serialize(tbox, format="turtle", encoding="utf-8")
    bad = tmp / "not-dl.ttl"
    bad.write_text(BAD_TTL, encoding="utf-8")
    files = [ROOT / "ontology" / "fzqa.ttl", tbox, *(ROOT / "kg" / n for n in kg.KG_FILES), bad]
    proc = run_checker(files)
    assert proc.returncode in (0, 1), (
        f"the OWL API checker failed (exit {proc.returncode}):\n{proc.stdout}{proc.stderr}"
    )
    out: dict[str, tuple[int, int, list[str]]] = {}
    for f in files:
        lines = [line for line in proc.stdout.splitlines() if line.startswith(f"{f}: ")]
        summary = [m for m in map(_SUMMARY.match, lines) if m]
        assert len(summary) == 1, f"no summary line for {f}:\n{proc.stdout}{proc.stderr}"
        out[f.name] = (int(summary[0]["violations"]), int(summary[0]["unparsed"]), lines)
    return out


@pytest.mark.parametrize("name", ["fzqa.ttl", "tbox.ttl", "fzqa-kg.owl", "fzqa-kg.ttl", "fzqa-kg.jsonld"])
def test_is_in_the_owl2_dl_profile(report: dict[str, tuple[int, int, list[str]]], name: str) -> None:
    violations, unparsed, lines = report[name]
    assert (violations, unparsed) == (0, 0), "\n".join(lines)


def test_the_checker_reports_what_is_not_owl2_dl(report: dict[str, tuple[int, int, list[str]]]) -> None:
    violations, _, lines = report["not-dl.ttl"]
    text = "\n".join(lines)
    assert violations >= 3, text
    assert "UseOfUndeclaredDatatype" in text and "xsd:date" in text  # a data property with an xsd:date value
    assert "UseOfUndeclaredAnnotationProperty" in text and "https://example.org/note" in text


def test_the_three_kg_files_hold_the_same_axioms(report: dict[str, tuple[int, int, list[str]]]) -> None:
    axioms = {
        n: re.search(r"(\d+) axioms$", report[n][2][-1]) for n in ("fzqa-kg.owl", "fzqa-kg.ttl", "fzqa-kg.jsonld")
    }
    counts = {n: int(m[1]) for n, m in axioms.items() if m}
    assert len(set(counts.values())) == 1 and len(counts) == 3, counts


def test_owlready2_loads_the_rdf_xml_with_its_dates_and_intervals() -> None:
    """The xsd:date and xsd:duration values are annotations in OWL 2 DL; owlready2 still reads them typed."""
    import owlready2

    world = owlready2.World()
    onto = world.get_ontology((ROOT / "kg" / "fzqa-kg.owl").as_uri()).load()
    assert onto is not None
    gx = world["https://w3id.org/fzqa/id/guangxi-2018"]
    assert gx.date_document == [datetime.date(2018, 1, 9)]
    assert gx.first_date_entry_in_force == [datetime.date(2018, 1, 9)]
    assert isinstance(world["https://w3id.org/fzqa#interval"], owlready2.AnnotationPropertyClass)
    assert world["https://w3id.org/fzqa#Quarterly"].interval  # "P3M"^^xsd:duration, read as a timedelta
    assert world["https://w3id.org/fzqa/place/guangxi"].abbreviation == ["桂"]


if __name__ == "__main__":
    if not sys.argv[1:]:
        sys.exit("usage: python tests/test_owl_profile.py FILE ...")
    proc = run_checker([Path(a) for a in sys.argv[1:]])
    print(proc.stdout + proc.stderr, end="")
    sys.exit(proc.returncode)
