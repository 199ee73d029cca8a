"""PROV-JSONLD: rdflib parses it and SPARQL finds the lineage and the statement values; the
`prov` package reads it (RDF, JSON-LD) with every record converted."""

import warnings

import pytest
import rdflib
from prov.model import (ProvActivity, ProvAgent, ProvAssociation, ProvDerivation, ProvDocument,
                        ProvEntity, ProvGeneration, ProvUsage)

from ledger.entries import parse_time
from ledger.export import export
from ledger.export.prov import ZKPL, agent_iri, prov_document, prov_jsonld
from support import export_trail as fx
from support.ledger_factories import BIG, notarize_entry

PREFIXES = f"""
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX zkpl: <{ZKPL}>
"""


@pytest.fixture(scope="module")
def trail():
    return fx.trail()


@pytest.fixture(scope="module")
def graph(trail):
    g = rdflib.Graph()
    g.parse(data=export(trail, "prov-jsonld"), format="json-ld")
    return g


def _ds(name: str) -> rdflib.URIRef:
    return rdflib.URIRef(f"urn:zkp-ledger:dataset:{fx.ref(name).dataset_id}")


def _entry(trail, i: int) -> rdflib.URIRef:
    return rdflib.URIRef(f"urn:zkp-ledger:entry:{trail.entries[i].entry_id}")


def _rows(g, query):
    return sorted(tuple(str(x) for x in row) for row in g.query(PREFIXES + query))


def test_derivations(graph):
    rows = _rows(graph, """
        SELECT ?child ?parent WHERE { ?c prov:wasDerivedFrom ?p .
                                      ?c rdfs:label ?child . ?p rdfs:label ?parent }""")
    assert rows == [("sales-test@v1", "sales@v1"), ("sales-train-x2@v1", "sales-train@v1"),
                    ("sales-train@v1", "sales@v1")]
    # Transitively, x2 comes from sales.
    assert graph.query(PREFIXES + "ASK { ?x prov:wasDerivedFrom+ ?s . ?x rdfs:label "
                                  "'sales-train-x2@v1' . ?s rdfs:label 'sales@v1' }").askAnswer


def test_activities_use_and_generate(trail, graph):
    split, transform = _entry(trail, 3), _entry(trail, 5)
    P = rdflib.Namespace("http://www.w3.org/ns/prov#")
    Z = rdflib.Namespace(ZKPL)
    assert (split, rdflib.RDF.type, P.Activity) in graph
    assert (split, rdflib.RDF.type, Z.Split) in graph
    assert (split, P.used, _ds("sales")) in graph
    assert set(graph.subjects(P.wasGeneratedBy, split)) == {_ds("sales-train"), _ds("sales-test")}
    assert (transform, P.used, _ds("sales-train")) in graph
    assert set(graph.subjects(P.wasGeneratedBy, transform)) == {_ds("sales-train-x2")}
    assert graph.value(transform, Z.operation) == rdflib.Literal("scale-column")
    assert str(graph.value(transform, Z.parameters)) == '{"column":"qty","factor":2}'
    assert graph.value(_ds("sales-train"), Z.splitRatio).toPython() == 0.6
    ended = graph.value(split, P.endedAtTime)
    assert ended.datatype == rdflib.URIRef("http://www.w3.org/2001/XMLSchema#dateTime")
    assert ended.toPython() == parse_time(trail.entries[3].entry.time)
    recert = _entry(trail, 6)
    notarization = rdflib.URIRef(f"urn:zkp-ledger:notarization:{trail.entries[0].entry_id}")
    assert (recert, P.used, notarization) in graph
    assert graph.value(recert, Z.status) == rdflib.Literal("ok")


def test_ledger_agent(trail, graph):
    agent = rdflib.URIRef(agent_iri(fx.ORIGIN))
    assert str(agent) == "urn:zkp-ledger:log:zkp-ledger.test%2Flog"
    P = rdflib.Namespace("http://www.w3.org/ns/prov#")
    assert (agent, rdflib.RDF.type, P.SoftwareAgent) in graph
    assert (agent, rdflib.RDF.type, P.Agent) in graph
    activities = set(graph.subjects(rdflib.RDF.type, P.Activity))
    assert len(activities) == 7
    assert set(graph.subjects(P.wasAssociatedWith, agent)) == activities
    assert graph.value(agent, rdflib.URIRef(ZKPL + "treeSize")).toPython() == 7


def test_statement_values(trail, graph):
    rows = _rows(graph, """
        SELECT ?name ?count ?sum ?lo ?hi ?scale WHERE {
          ?n a zkpl:Notarization ; zkpl:about ?d ; zkpl:column ?c .
          ?d rdfs:label "sales@v1" .
          ?c zkpl:name ?name ; zkpl:count ?count ; zkpl:sum ?sum ; zkpl:lo ?lo ; zkpl:hi ?hi ;
             zkpl:scale ?scale }""")
    assert rows == [("price", "20", "81890", "0", "10000", "2"), ("qty", "20", "4024", "0", "1000",
                                                                    "0")]
    n = fx.notarizations()["sales"]
    assert _rows(graph, """SELECT ?sha ?root ?proofs ?vk WHERE {
        ?n a zkpl:Notarization ; zkpl:about ?d ; zkpl:proofCount ?proofs ; zkpl:vkHash ?vk .
        ?d rdfs:label "sales@v1" ; zkpl:fileSha256 ?sha ; zkpl:rowRoot ?root }""") == [
        (n.file_sha256, n.row_root, "3", n.vk_hash)]


def test_sums_beyond_2_53_stay_exact():
    g = rdflib.Graph()
    g.parse(data=prov_jsonld(fx.trail([notarize_entry("big")])), format="json-ld")
    sums = {lit.toPython() for lit in g.objects(None, rdflib.URIRef(ZKPL + "sum"))}
    assert BIG - 7 in sums
    assert all(isinstance(s, int) for s in sums)


def test_prov_package_reads_it(trail):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        doc = ProvDocument.deserialize(content=prov_jsonld(trail).decode(), format="rdf",
                                       rdf_format="json-ld")
    assert not [w for w in caught if "not converted" in str(w.message)]
    records = doc.get_records()

    def ids(kind):
        return {r.identifier.uri for r in records if isinstance(r, kind)}

    datasets = {f"urn:zkp-ledger:dataset:{fx.ref(n).dataset_id}" for n in
                ("sales", "sales-train", "sales-test", "sales-train-x2")}
    assert datasets <= ids(ProvEntity)
    assert ids(ProvActivity) == {f"urn:zkp-ledger:entry:{e.entry_id}" for e in trail.entries}
    assert ids(ProvAgent) == {agent_iri(fx.ORIGIN)}
    derivations = {(r.get_attribute("prov:generatedEntity").pop().uri,
                    r.get_attribute("prov:usedEntity").pop().uri)
                   for r in records if isinstance(r, ProvDerivation)}
    assert derivations == {(_ds("sales-train").toPython(), _ds("sales").toPython()),
                           (_ds("sales-test").toPython(), _ds("sales").toPython()),
                           (_ds("sales-train-x2").toPython(), _ds("sales-train").toPython())}
    assert sum(isinstance(r, ProvAssociation) for r in records) == 7
    # used: 4 notarize, split, transform, recertify (notarization and dataset)
    assert sum(isinstance(r, ProvUsage) for r in records) == 8
    # generated: 4 notarization records, 2 split children, 1 transform output
    assert sum(isinstance(r, ProvGeneration) for r in records) == 7


def test_document_is_deterministic(trail):
    assert prov_jsonld(trail) == prov_jsonld(fx.trail())
    doc = prov_document(trail)
    assert doc["@context"]["prov"] == "http://www.w3.org/ns/prov#"
