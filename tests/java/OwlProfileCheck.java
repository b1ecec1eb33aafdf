// OWL 2 DL profile check of an ontology document with the OWL API (the library Protégé uses).
//
//   java -cp "$(python tests/owlapi_classpath.py)" tests/java/OwlProfileCheck.java FILE [FILE ...]
//
// Loads each FILE (Turtle if it ends in .ttl, JSON-LD if .jsonld, else RDF/XML; imports are not followed: the fzqa
// ontology imports nothing), runs org.semanticweb.owlapi.profiles.Profiles.OWL2_DL and prints, per file,
// one line per profile violation, one line per triple the RDF parser could not map to OWL (it would
// otherwise be silently dropped or turned into something else), then the counts:
//   FILE: N OWL 2 DL violations, M unparsed triples, A axioms
// Exit status: 0 when every file has no violation and no unparsed triple, 1 otherwise, 2 when a file
// cannot be loaded.
import java.io.File;
import java.util.List;
import java.util.Set;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.formats.RDFJsonLDDocumentFormat;
import org.semanticweb.owlapi.formats.RDFXMLDocumentFormat;
import org.semanticweb.owlapi.formats.TurtleDocumentFormat;
import org.semanticweb.owlapi.io.OWLOntologyLoaderMetaData;
import org.semanticweb.owlapi.io.RDFTriple;
import org.semanticweb.owlapi.model.MissingImportHandlingStrategy;
import org.semanticweb.owlapi.model.OWLDocumentFormat;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyCreationException;
import org.semanticweb.owlapi.model.OWLOntologyLoaderConfiguration;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.profiles.OWLProfileReport;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;
import org.semanticweb.owlapi.profiles.Profiles;
import org.semanticweb.owlapi.io.FileDocumentSource;

public final class OwlProfileCheck {
    /** The document format by file extension, so that the OWL API does not guess (it tries RDF/JSON on JSON-LD). */
    private static OWLDocumentFormat format(String name) {
        if (name.endsWith(".ttl")) {
            return new TurtleDocumentFormat();
        }
        if (name.endsWith(".jsonld")) {
            return new RDFJsonLDDocumentFormat();
        }
        return new RDFXMLDocumentFormat();
    }

    public static void main(String[] args) {
        if (args.length == 0) {
            System.err.println("usage: OwlProfileCheck FILE [FILE ...]");
            System.exit(2);
        }
        boolean clean = true;
        for (String name : args) {
            File file = new File(name);
            OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
            OWLOntologyLoaderConfiguration config = new OWLOntologyLoaderConfiguration()
                .setMissingImportHandlingStrategy(MissingImportHandlingStrategy.SILENT);
            OWLOntology ontology;
            try {
                ontology = manager.loadOntologyFromOntologyDocument(new FileDocumentSource(file, format(name)), config);
            } catch (OWLOntologyCreationException | RuntimeException e) {
                System.out.println(name + ": cannot load: " + e);
                System.exit(2);
                return;
            }
            OWLProfileReport report = Profiles.OWL2_DL.checkOntology(ontology);
            List<OWLProfileViolation> violations = report.getViolations();
            for (OWLProfileViolation v : violations) {
                System.out.println(name + ": violation: " + v.getClass().getSimpleName() + ": " + v);
            }
            int unparsed = 0;
            OWLDocumentFormat format = manager.getOntologyFormat(ontology);
            if (format != null && format.getOntologyLoaderMetaData().isPresent()) {
                OWLOntologyLoaderMetaData meta = format.getOntologyLoaderMetaData().get();
                for (RDFTriple t : (Iterable<RDFTriple>) meta.getUnparsedTriples()::iterator) {
                    System.out.println(name + ": unparsed triple: " + t);
                    unparsed++;
                }
            }
            System.out.println(name + ": " + violations.size() + " OWL 2 DL violations, " + unparsed
                + " unparsed triples, " + ontology.getAxiomCount() + " axioms");
            clean &= violations.isEmpty() && unparsed == 0;
        }
        System.exit(clean ? 0 : 1);
    }
}
