"""W3C PROV as JSON-LD (PROV-O terms, http://www.w3.org/ns/prov#) for a trail.

Mapping (IRIs are URNs: the ledger has no web presence to name things by):
- the ledger is a prov:SoftwareAgent, urn:zkp-ledger:log:<percent-encoded origin>;
- every dataset id is a prov:Entity (zkpl:Dataset), dataset:<dataset id>, labelled "name@vN";
- every entry is a prov:Activity, entry:<entry id>, typed zkpl:Notarize / Transform / Split /
  Recertify, prov:wasAssociatedWith the ledger, prov:endedAtTime its time (the ledger stamps an
  entry when it appends it, after the work), with its log index;
- notarize used the dataset and generated a zkpl:Notarization entity (notarization:<entry id>)
  that carries the public statement: roots, proof count, key hash, and zkpl:column links to one
  zkpl:ColumnStatement entity per proved column (count, sum, lo, hi, scale; named
  notarization:<entry id>:column:<j>, so PROV tools that drop blank nodes keep them);
- transform used its inputs; the output prov:wasGeneratedBy it and prov:wasDerivedFrom each input;
- split used the parent; each child prov:wasGeneratedBy it, prov:wasDerivedFrom the parent, and
  has its zkpl:splitRatio;
- recertify used the notarization it re-checked (and its dataset) and records its status.
Integers are xsd:integer literals written as strings, so sums beyond 2^53 survive JSON-LD
processors; transform parameters are their canonical JSON text (zkpl:parameters).
"""

from __future__ import annotations

import json
from urllib.parse import quote

from ledger import canonical
from ledger.entries import NotarizeEntry, RecertifyEntry, SplitEntry, TransformEntry
from ledger.export.checks import checkpoint_of
from ledger.export.trail import AuditTrail, TrailEntry

ZKPL = "https://zkp-ledger.dev/ns/prov#"
CONTEXT = {
    "prov": "http://www.w3.org/ns/prov#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "zkpl": ZKPL,
    "dataset": "urn:zkp-ledger:dataset:",
    "entry": "urn:zkp-ledger:entry:",
    "notarization": "urn:zkp-ledger:notarization:",
}
KIND_TYPES = {"notarize": "zkpl:Notarize", "transform": "zkpl:Transform", "split": "zkpl:Split",
              "recertify": "zkpl:Recertify"}


def _int(value: int) -> dict:
    return {"@value": str(value), "@type": "xsd:integer"}


def _ref(iri: str) -> dict:
    return {"@id": iri}


def _time(text: str) -> dict:
    return {"@value": text, "@type": "xsd:dateTime"}


def agent_iri(origin: str | None) -> str:
    return "urn:zkp-ledger:log:" + quote(origin, safe="") if origin else "urn:zkp-ledger:log"


class _Graph:
    """Nodes by id, properties merged as lists (a dataset is touched by several entries)."""

    def __init__(self) -> None:
        self.nodes: dict[str, dict] = {}

    def node(self, iri: str, *types: str) -> dict:
        n = self.nodes.setdefault(iri, {"@id": iri, "@type": []})
        n["@type"] += [t for t in types if t not in n["@type"]]
        return n

    @staticmethod
    def add(node: dict, prop: str, value: object) -> None:
        values = node.setdefault(prop, [])
        if value not in values:
            values.append(value)

    def dataset(self, dataset_id: str, label: str | None = None) -> dict:
        n = self.node(f"dataset:{dataset_id}", "prov:Entity", "zkpl:Dataset")
        n["zkpl:datasetId"] = dataset_id
        if label:
            self.add(n, "rdfs:label", label)
        return n


def _activity(g: _Graph, te: TrailEntry, agent: str) -> dict:
    a = g.node(f"entry:{te.entry_id}", "prov:Activity", KIND_TYPES[te.kind])
    a.update({"prov:wasAssociatedWith": _ref(agent), "prov:endedAtTime": _time(te.entry.time),
              "zkpl:logIndex": _int(te.log_index), "zkpl:entryId": te.entry_id})
    return a


def _notarize(g: _Graph, te: TrailEntry, act: dict, agent: str) -> None:
    e = te.entry
    assert isinstance(e, NotarizeEntry)
    n = e.notarization
    ds = g.dataset(e.dataset.dataset_id, f"{e.dataset.name}@v{e.dataset.version}")
    ds.update({"zkpl:fileSha256": n.file_sha256, "zkpl:rowRoot": n.row_root,
               "zkpl:rowCount": _int(n.row_count)})
    g.add(act, "prov:used", _ref(ds["@id"]))
    record = g.node(f"notarization:{te.entry_id}", "prov:Entity", "zkpl:Notarization")
    record.update({
        "prov:wasGeneratedBy": _ref(act["@id"]), "prov:wasAttributedTo": _ref(agent),
        "prov:generatedAtTime": _time(e.time), "zkpl:about": _ref(ds["@id"]),
        "zkpl:fileName": n.file_name, "zkpl:commitmentRoot": n.commitment_root,
        "zkpl:proofCount": _int(len(n.shards)), "zkpl:shardRows": _int(n.statement.shard_rows),
        "zkpl:vkHash": n.vk_hash, "zkpl:circuitDigest": n.circuit_digest,
        "zkpl:insecureDevKey": n.insecure_dev})
    for j, c in enumerate(n.columns):
        column = g.node(f"{record['@id']}:column:{j}", "prov:Entity", "zkpl:ColumnStatement")
        column.update({"zkpl:name": c.name, "zkpl:count": _int(c.count), "zkpl:sum": _int(c.sum),
                       "zkpl:lo": _int(c.lo), "zkpl:hi": _int(c.hi), "zkpl:scale": _int(c.scale),
                       "zkpl:columnIndex": _int(j)})
        g.add(record, "zkpl:column", _ref(column["@id"]))


def _transform(g: _Graph, e: TransformEntry, act: dict) -> None:
    out = g.dataset(e.output, f"{e.dataset.name}@v{e.dataset.version}")
    g.add(out, "prov:wasGeneratedBy", _ref(act["@id"]))
    for source in e.inputs:
        src = g.dataset(source)
        g.add(act, "prov:used", _ref(src["@id"]))
        g.add(out, "prov:wasDerivedFrom", _ref(src["@id"]))
    act.update({"zkpl:operation": e.operation, "zkpl:codeHash": e.code_hash,
                "zkpl:parameters": canonical.dumps(e.parameters).decode("utf-8")})


def _split(g: _Graph, e: SplitEntry, act: dict) -> None:
    parent = g.dataset(e.parent, f"{e.dataset.name}@v{e.dataset.version}")
    g.add(act, "prov:used", _ref(parent["@id"]))
    for c in e.children:
        child = g.dataset(c.dataset_id, f"{c.name}@v{c.version}")
        g.add(child, "prov:wasGeneratedBy", _ref(act["@id"]))
        g.add(child, "prov:wasDerivedFrom", _ref(parent["@id"]))
        child["zkpl:splitRatio"] = {"@value": repr(c.ratio), "@type": "xsd:double"}
    act.update({"zkpl:method": e.method, "zkpl:seed": _int(e.seed)})


def _recertify(g: _Graph, e: RecertifyEntry, act: dict) -> None:
    ds = g.dataset(e.dataset.dataset_id, f"{e.dataset.name}@v{e.dataset.version}")
    g.add(act, "prov:used", _ref(f"notarization:{e.target}"))
    g.add(act, "prov:used", _ref(ds["@id"]))
    act["zkpl:status"] = e.status
    if e.reason:
        act["zkpl:reason"] = e.reason


def prov_document(trail: AuditTrail) -> dict:
    cp = checkpoint_of(trail)
    g = _Graph()
    agent = g.node(agent_iri(cp.origin if cp else None), "prov:Agent", "prov:SoftwareAgent")
    agent["rdfs:label"] = cp.origin if cp else "zkp-ledger"
    if cp:
        agent.update({"zkpl:treeSize": _int(cp.size), "zkpl:rootHash": cp.root.hex()})
    for te in trail.entries:
        act = _activity(g, te, agent["@id"])
        e = te.entry
        if isinstance(e, NotarizeEntry):
            _notarize(g, te, act, agent["@id"])
        elif isinstance(e, TransformEntry):
            _transform(g, e, act)
        elif isinstance(e, SplitEntry):
            _split(g, e, act)
        else:
            _recertify(g, e, act)
    nodes = [{k: (v[0] if isinstance(v, list) and len(v) == 1 and k != "@type" else v)
              for k, v in n.items()} for n in g.nodes.values()]
    return {"@context": CONTEXT, "@graph": nodes}


def prov_jsonld(trail: AuditTrail) -> bytes:
    return (json.dumps(prov_document(trail), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


__all__ = ["CONTEXT", "ZKPL", "agent_iri", "prov_document", "prov_jsonld"]
