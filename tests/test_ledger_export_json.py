"""The JSON export and the trail checks: it round-trips, an independent verifier (rfc8785,
hashlib, cryptography and an RFC 9162 inclusion check written here) accepts it from the file
alone, tampering is reported, and malformed files are InputErrors naming the place."""

import base64
import copy
import hashlib
import json

import pytest
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from engine.errors import InputError
from ledger.export import FORMATS, export, load_trail
from ledger.export.checks import check_trail
from ledger.export.json_export import json_export, trail_json
from ledger.export.trail import AuditTrail, TrailEntry, Verdict
from support import export_trail as fx
from support.ledger_factories import BIG, notarize_entry


@pytest.fixture(scope="module")
def trail():
    return fx.trail(verdicts={})


@pytest.fixture(scope="module")
def exported(trail):
    return json.loads(json_export(trail))


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _rfc9162_inclusion(index: int, size: int, leaf: bytes, path: list[bytes], root: bytes) -> bool:
    """RFC 9162 section 2.1.3.2, written out independently of engine.merkle."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = _node(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = _node(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def test_round_trip_is_exact(trail):
    data = json_export(trail)
    again = load_trail(data)
    assert again == trail
    assert json_export(again) == data
    assert export(trail, "json") == data


def test_independent_verifier_accepts_the_file(exported):
    note = exported["checkpoint"]
    text, sigs = note.split("\n\n")
    origin, size, root_b64 = text.split("\n")[:3]
    assert origin == fx.ORIGIN
    # The checkpoint's Ed25519 signature, with the key we signed with.
    pub = fx.signer().verifier.public_key
    name, sig_b64 = sigs.rstrip("\n").removeprefix("\u2014 ").split(" ")
    raw = base64.b64decode(sig_b64)
    assert name == origin
    Ed25519PublicKey.from_public_bytes(pub).verify(raw[4:], (text + "\n").encode())
    root = base64.b64decode(root_b64)
    assert int(size) == len(exported["entries"]) == 7
    for item in exported["entries"]:
        leaf_bytes = rfc8785.dumps(item["entry"])
        assert hashlib.sha256(leaf_bytes).hexdigest() == item["entry_id"]
        proof = item["inclusion"]
        assert proof["leaf_index"] == item["log_index"] and proof["tree_size"] == int(size)
        leaf = hashlib.sha256(b"\x00" + leaf_bytes).digest()
        path = [bytes.fromhex(h) for h in proof["proof"]]
        assert _rfc9162_inclusion(item["log_index"], int(size), leaf, path, root)
        assert not _rfc9162_inclusion(item["log_index"], int(size), leaf, path[::-1] + [root],
                                      root)


def test_checks_pass_on_an_honest_trail(trail):
    status = check_trail(trail, fx.signer().verifier)
    assert status.problems() == []
    assert status.signature.outcome == "verified"
    assert status.checkpoint.size == 7 and status.checkpoint.origin == fx.ORIGIN
    assert {s.entry_id.outcome for s in status.entries.values()} == {"verified"}
    assert {s.inclusion.outcome for s in status.entries.values()} == {"verified"}
    assert check_trail(trail).signature.outcome == "not checked"


def test_big_sums_are_strings_and_keep_the_entry_id():
    entry = notarize_entry("big")
    t = fx.trail([entry])
    value = trail_json(t)["entries"][0]["entry"]
    sums = [c["sum"] for c in value["notarization"]["columns"]]
    assert str(BIG - 7) in sums  # beyond 2^53: written as a decimal string
    again = load_trail(json_export(t))
    assert again.entries[0].entry.notarization.columns[0].sum == BIG - 7
    assert check_trail(again).problems() == []


def test_tampered_entry_is_reported_by_the_checks(exported):
    bad = copy.deepcopy(exported)
    bad["entries"][1]["entry"]["notarization"]["row_count"] = 13  # schema-valid, but not signed
    status = check_trail(load_trail(json.dumps(bad)), fx.signer().verifier)
    problems = status.problems()
    assert len(problems) == 2
    assert problems[0].startswith("log entry 1: stated entry id")
    assert problems[1].startswith("log entry 1: inclusion proof for leaf 1 of 7 gives root")


def test_wrong_positions_and_foreign_checkpoints_are_reported(trail, exported):
    swapped = copy.deepcopy(exported)
    swapped["entries"][2]["inclusion"] = exported["entries"][3]["inclusion"]
    assert check_trail(load_trail(json.dumps(swapped))).problems() == [
        "log entry 2: the proof is for leaf 3, not 2"]
    shorter = fx.trail(fx.entries()[:6])
    mixed = AuditTrail(trail.entries, shorter.checkpoint)
    assert all("the checkpoint's is 6" in p for p in check_trail(mixed).problems())
    other = fx.trail(origin="another.example/log")
    status = check_trail(AuditTrail(trail.entries, other.checkpoint), fx.signer().verifier)
    assert status.signature.outcome == "failed"
    forged = trail.checkpoint.replace("\n7\n", "\n8\n", 1)
    assert check_trail(AuditTrail(trail.entries, forged),
                       fx.signer().verifier).signature.outcome == "failed"
    assert check_trail(AuditTrail(trail.entries, "not a note")).problems()[0].startswith(
        "checkpoint: malformed checkpoint")


def test_trail_without_checkpoint_or_proofs(trail):
    bare = fx.trail(with_proofs=False)
    status = check_trail(AuditTrail(bare.entries))
    assert status.signature.outcome == "absent"
    assert {s.inclusion.outcome for s in status.entries.values()} == {"absent"}
    assert status.problems() == []
    unanchored = check_trail(AuditTrail(trail.entries))
    assert {s.inclusion.outcome for s in unanchored.entries.values()} == {"not checked"}


def test_verdicts_round_trip(trail):
    first = trail.entries[0].entry_id
    t = AuditTrail(trail.entries, trail.checkpoint, {first: Verdict(True, "structure, proofs")})
    assert load_trail(json_export(t)).verdicts == {first: Verdict(True, "structure, proofs")}


def _mutate(exported, fn):
    bad = copy.deepcopy(exported)
    fn(bad)
    return json.dumps(bad)


@pytest.mark.parametrize("mutation, message", [
    (lambda d: d.pop("entries"), "lacks entries"),
    (lambda d: d.update(extra=1), "unknown key(s) extra"),
    (lambda d: d.update(format="other"), "is not 'zkp-ledger/audit-trail'"),
    (lambda d: d.update(version=2), "version 2"),
    (lambda d: d.update(entries={}), "entries must be a list"),
    (lambda d: d.update(checkpoint=5), "checkpoint must be the signed note text"),
    (lambda d: d.update(verdicts=[]), "verdicts must be an object"),
    (lambda d: d.update(verdicts={"ab": {"ok": True, "detail": ""}}), "verdict entry id"),
    (lambda d: d.update(verdicts={"a" * 64: {"ok": "yes", "detail": ""}}),
     "verdict is (ok: bool, detail: str)"),
    (lambda d: d["entries"][0].pop("entry_id"), "entries[0] lacks entry_id"),
    (lambda d: d["entries"][0].update(entry_id="XYZ"), "entry_id of log entry 0 must be 64"),
    (lambda d: d["entries"][0].update(log_index=-1), "log_index must be >= 0"),
    (lambda d: d["entries"][0].update(log_index=True), "log_index must be an integer"),
    (lambda d: d["entries"][1].update(log_index=0), "increasing log order: 0 follows 0"),
    (lambda d: d["entries"][0]["entry"].update(kind="delete"), "'delete' is not one of"),
    (lambda d: d["entries"][0]["entry"].update(v=2), "version 2 is not supported"),
    (lambda d: d["entries"][0]["entry"]["dataset"].update(name="<script>"),
     "entries[0]: log entry 0: entry field dataset.name"),
    (lambda d: d["entries"][0].update(entry=[]), "an entry is a JSON object"),
    (lambda d: d["entries"][0].update(inclusion=[]), "an inclusion proof is an object"),
    (lambda d: d["entries"][0]["inclusion"].pop("tree_size"), "inclusion proof lacks tree_size"),
    (lambda d: d["entries"][0]["inclusion"].update(proof="ab"), "must be a list of hex"),
    (lambda d: d["entries"][0]["inclusion"]["proof"].__setitem__(0, "zz"),
     "inclusion proof hash 0 must be 64 lowercase hex"),
    (lambda d: d["entries"][0]["inclusion"].update(tree_size=0), "tree_size must be >= 1"),
])
def test_malformed_files_are_input_errors(exported, mutation, message):
    with pytest.raises(InputError) as err:
        load_trail(_mutate(exported, mutation))
    assert message in str(err.value)


@pytest.mark.parametrize("data", [b"", b"{", b"\xff\xfe", b"[]", b"null"])
def test_not_json_or_not_an_object(data):
    with pytest.raises(InputError, match="audit trail JSON"):
        load_trail(data)


def test_trail_construction_errors(trail):
    e = trail.entries[0]
    with pytest.raises(InputError, match="use TrailEntry.of"):
        TrailEntry(0, e.entry_id, {"kind": "notarize"})
    with pytest.raises(InputError, match="must be a tuple"):
        AuditTrail(list(trail.entries))
    with pytest.raises(InputError, match="must be TrailEntry"):
        AuditTrail((e.entry,))
    built = AuditTrail.build([(t.log_index, t.entry_id, t.entry.model_dump(mode="json"),
                               t.inclusion) for t in trail.entries], trail.checkpoint)
    assert built == trail  # entries as model_dump(mode="json") are accepted as they are
    big = notarize_entry("big")
    big_id = fx.trail([big]).entries[0].entry_id
    from_dump = AuditTrail.build([(0, big_id, big.model_dump(mode="json"))])
    assert from_dump.entries[0].entry == big  # a sum beyond 2^53 as a JSON int is fine too
    assert check_trail(from_dump).entries[0].entry_id.outcome == "verified"


def test_export_dispatch_rejects_unknown_formats_and_misplaced_options(trail):
    assert FORMATS == ("json", "prov-jsonld", "in-toto", "html")
    with pytest.raises(InputError, match="unknown export format 'xml'"):
        export(trail, "xml")
    with pytest.raises(InputError, match="only add digests to the in-toto"):
        export(trail, "json", files=["x.csv"])
    with pytest.raises(InputError, match="needs the ledger's key"):
        export(trail, "in-toto")
    with pytest.raises(InputError, match="takes an AuditTrail"):
        export([], "json")
