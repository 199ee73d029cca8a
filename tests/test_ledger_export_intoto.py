"""in-toto Statement v1 in a DSSE envelope: the statement holds the fixture notarizations' real
values, the envelope verifies here and in securesystemslib (an independent DSSE implementation),
PAE matches the DSSE spec's test vector, and any change to payload, type or key is rejected."""

import base64
import copy
import hashlib
import importlib.util
import json
from pathlib import Path

import blake3
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from engine.errors import InputError, VerificationError
from ledger.export import export
from ledger.export.dsse import b64decode_any, pae, sign_envelope, verify_envelope
from ledger.export.intoto import (PAYLOAD_TYPE, PREDICATE_TYPE, STATEMENT_TYPE, intoto_envelope,
                                  statement, verify_statement)
from ledger.export.trail import AuditTrail, Verdict
from ledger.signed_note import Signer
from support import export_trail as fx

MAKER = Path(__file__).parent / "fixtures" / "export" / "make_notarizations.py"


@pytest.fixture(scope="module")
def trail():
    return fx.trail()


@pytest.fixture(scope="module")
def envelope(trail):
    return intoto_envelope(trail, fx.signer())


@pytest.fixture(scope="module")
def data_files(tmp_path_factory):
    """The fixture's CSV files, rewritten byte for byte by the script that notarized them."""
    spec = importlib.util.spec_from_file_location("make_notarizations", MAKER)
    maker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(maker)
    folder = tmp_path_factory.mktemp("data")
    return {name: maker.write_csv(folder / f"{name}.csv", rows)
            for name, rows in maker.tables().items()}


def test_statement_subjects_and_predicate(trail):
    s = statement(trail)
    n = fx.notarizations()
    assert s["_type"] == STATEMENT_TYPE == "https://in-toto.io/Statement/v1"
    assert s["predicateType"] == PREDICATE_TYPE
    assert [x["name"] for x in s["subject"]] == [
        "sales@v1", "sales-train@v1", "sales-test@v1", "sales-train-x2@v1"]
    for subject in s["subject"]:
        record = n[subject["name"].removesuffix("@v1")]
        assert subject["digest"] == {"sha256": record.file_sha256,
                                     "blake3RowRoot": record.row_root}
    pred = s["predicate"]
    assert pred["ledger"]["origin"] == fx.ORIGIN and pred["ledger"]["treeSize"] == 7
    assert pred["ledger"]["checkpoint"] == trail.checkpoint
    sales = pred["datasets"][0]
    assert sales["logIndex"] == 0 and sales["entryId"] == trail.entries[0].entry_id
    assert sales["rowCount"] == 20 and sales["proofs"]["count"] == 3
    assert sales["proofs"]["vkHash"] == n["sales"].vk_hash
    assert sales["proofs"]["insecureDevKey"] is True
    assert sales["statement"] == {"shardRows": 8, "columns": [
        {"name": "price", "count": 20, "sum": "81890", "lo": "0", "hi": "10000", "scale": 2},
        {"name": "qty", "count": 20, "sum": "4024", "lo": "0", "hi": "1000", "scale": 0}]}
    assert sales["inclusionProof"]["hashes"] == list(trail.entries[0].inclusion.hashes)
    assert [r["status"] for r in sales["recertifications"]] == ["ok"]
    assert sales["ledgerVerification"] is None
    verified = AuditTrail(trail.entries, trail.checkpoint,
                          {trail.entries[0].entry_id: Verdict(True, "verified: structure, proofs")})
    assert statement(verified)["predicate"]["datasets"][0]["ledgerVerification"] == (
        "verified: structure, proofs")
    split, transform = pred["lineage"]
    assert split["kind"] == "split" and split["inputs"] == [fx.ref("sales").dataset_id]
    assert split["outputs"] == [fx.ref("sales-train").dataset_id, fx.ref("sales-test").dataset_id]
    assert transform["inputs"] == [fx.ref("sales-train").dataset_id]
    assert transform["outputs"] == [fx.ref("sales-train-x2").dataset_id]
    assert transform["parameters"] == {"column": "qty", "factor": 2}


def test_blake3_file_digests_for_given_files(trail, data_files):
    s = statement(trail, files=[data_files["sales"], data_files["sales-test"]])
    digests = {x["name"]: x["digest"] for x in s["subject"]}
    raw = data_files["sales"].read_bytes()
    assert digests["sales@v1"]["sha256"] == hashlib.sha256(raw).hexdigest()
    assert digests["sales@v1"]["blake3"] == blake3.blake3(raw).hexdigest()
    assert digests["sales-test@v1"]["blake3"] == blake3.blake3(
        data_files["sales-test"].read_bytes()).hexdigest()
    assert "blake3" not in digests["sales-train@v1"]
    stranger = data_files["sales"].with_name("other.csv")
    stranger.write_bytes(raw + b"99,1.00,1\n")
    with pytest.raises(InputError, match="other.csv: the file is none of the attested"):
        statement(trail, files=[stranger])


def test_envelope_verifies_and_carries_the_statement(trail, envelope):
    assert envelope["payloadType"] == PAYLOAD_TYPE == "application/vnd.in-toto+json"
    assert envelope["signatures"][0]["keyid"] == fx.signer().verifier.vkey
    verifier = fx.signer().verifier
    assert verify_statement(envelope, verifier) == statement(trail)
    assert verify_envelope(envelope, verifier.public_key) == base64.b64decode(envelope["payload"])
    exported = export(trail, "in-toto", signer=fx.signer())
    assert verify_statement(exported, verifier) == statement(trail)


def test_securesystemslib_verifies_the_envelope(envelope):
    from securesystemslib.dsse import Envelope
    from securesystemslib.exceptions import VerificationError as SSLibVerificationError
    from securesystemslib.signer import SSlibKey

    keyid = envelope["signatures"][0]["keyid"]
    key = SSlibKey(keyid, "ed25519", "ed25519",
                   {"public": fx.signer().verifier.public_key.hex()})
    accepted = Envelope.from_dict(copy.deepcopy(envelope)).verify([key], 1)
    assert list(accepted) == [keyid]
    other = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    with pytest.raises(SSLibVerificationError, match="Found: 0, Expected 1"):
        Envelope.from_dict(copy.deepcopy(envelope)).verify(
            [SSlibKey(keyid, "ed25519", "ed25519", {"public": other.hex()})], 1)


def test_pae_matches_the_dsse_spec_vector():
    assert pae("http://example.com/HelloWorld", b"hello world") == (
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world")
    # The spec's ECDSA P-256 signature (raw r || s) over that PAE verifies.
    x = 46950820868899156662930047687818585632848591499744589407958293238635476079160
    y = 5640078356564379163099075877009565129882514886557779369047442380624545832820
    sig = base64.b64decode("A3JqsQGtVsJ2O2xqrI5IcnXip5GToJ3F+FnZ+O88SjtR6rDAajabZKciJTfUiHqJ"
                           "PcIAriEGAHTVeCUjW2JIZA==")
    der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
    key = ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
    key.verify(der, pae("http://example.com/HelloWorld", b"hello world"), ec.ECDSA(hashes.SHA256()))
    assert pae("t\u00e9", b"") == b"DSSEv1 3 t\xc3\xa9 0 "  # byte lengths, not characters


def _reencode(envelope, payload: bytes) -> dict:
    return {**envelope, "payload": base64.b64encode(payload).decode()}


def test_tampered_payload_is_rejected(envelope):
    verifier = fx.signer().verifier
    payload = base64.b64decode(envelope["payload"])
    flipped = payload.replace(b'"rowCount":20', b'"rowCount":21', 1)
    assert flipped != payload
    with pytest.raises(VerificationError, match="no signature in the DSSE envelope verifies"):
        verify_envelope(_reencode(envelope, flipped), verifier)
    for i in (0, len(payload) // 2, len(payload) - 1):
        one_bit = bytearray(payload)
        one_bit[i] ^= 1
        with pytest.raises(VerificationError):
            verify_envelope(_reencode(envelope, bytes(one_bit)), verifier)
    with pytest.raises(VerificationError):
        verify_envelope(_reencode(envelope, payload + b" "), verifier)


def test_tampered_type_signature_or_key_is_rejected(envelope):
    verifier = fx.signer().verifier
    with pytest.raises(VerificationError):
        verify_envelope({**envelope, "payloadType": "application/json"}, verifier)
    sig = bytearray(base64.b64decode(envelope["signatures"][0]["sig"]))
    sig[5] ^= 0x40
    bad = {**envelope, "signatures": [{"sig": base64.b64encode(bytes(sig)).decode()}]}
    with pytest.raises(VerificationError):
        verify_envelope(bad, verifier)
    with pytest.raises(VerificationError):
        verify_envelope(envelope, Signer.generate("someone-else").verifier)
    # The right type, signed by the right key, but not what the caller asked for.
    other = sign_envelope(b"{}", "application/vnd.other+json", fx.signer())
    with pytest.raises(VerificationError, match="payloadType is 'application/vnd.other\\+json'"):
        verify_envelope(other, verifier, PAYLOAD_TYPE)
    # A second, bad signature next to the good one does not hide it (keyids are only hints).
    extra = {**envelope, "signatures": [bad["signatures"][0], *envelope["signatures"]]}
    assert verify_envelope(extra, verifier) == base64.b64decode(envelope["payload"])


def test_url_safe_and_unpadded_base64_are_accepted(envelope):
    verifier = fx.signer().verifier

    def url(text: str) -> str:
        return text.replace("+", "-").replace("/", "_").rstrip("=")

    loose = {**envelope, "payload": url(envelope["payload"]),
             "signatures": [{"keyid": "x", "sig": url(envelope["signatures"][0]["sig"])}]}
    assert verify_envelope(loose, verifier) == base64.b64decode(envelope["payload"])
    assert b64decode_any("-_8", "x") == b64decode_any("+/8=", "x") == b"\xfb\xff"
    for junk in ("a", "ab$c", "+_==", "abc===", 12):
        with pytest.raises(InputError, match="not base64"):
            b64decode_any(junk, "x")


@pytest.mark.parametrize("envelope_value, message", [
    (b"not json", "not JSON"),
    ([], "must be a JSON object"),
    ({"payload": "", "payloadType": "t"}, "lacks signatures"),
    ({"payload": "", "payloadType": 1, "signatures": [{"sig": ""}]}, "payloadType must be"),
    ({"payload": "", "payloadType": "t", "signatures": []}, "non-empty list"),
    ({"payload": "", "payloadType": "t", "signatures": ["x"]}, "signature 0 must be an object"),
    ({"payload": "", "payloadType": "t", "signatures": [{"sig": "", "keyid": 3}]},
     "keyid must be a string"),
    ({"payload": "%%", "payloadType": "t", "signatures": [{"sig": ""}]}, "payload is not base64"),
    ({"payload": "", "payloadType": "t", "signatures": [{"sig": "a"}]}, "impossible length"),
])
def test_malformed_envelopes_are_input_errors(envelope_value, message):
    with pytest.raises(InputError, match=message):
        verify_envelope(envelope_value, fx.signer().verifier)


def test_verify_statement_rejects_other_payloads():
    s = fx.signer()
    for body, message in ((b"[1]", "not an in-toto Statement v1"),
                          (b"\xff", "not JSON"),
                          (json.dumps({"_type": STATEMENT_TYPE, "predicateType": "x"}).encode(),
                           "predicateType 'x'"),
                          (json.dumps({"_type": STATEMENT_TYPE, "predicateType": PREDICATE_TYPE,
                                       "subject": [{"name": "a", "digest": {}}]}).encode(),
                           "each with a digest")):
        with pytest.raises(InputError, match=message):
            verify_statement(sign_envelope(body, PAYLOAD_TYPE, s), s.verifier)
    with pytest.raises(InputError, match="Verifier, an Ed25519PublicKey or 32 raw bytes"):
        verify_envelope(sign_envelope(b"{}", PAYLOAD_TYPE, s), b"short")


def test_refuses_to_attest_what_does_not_check(trail):
    first = trail.entries[0]
    failed = AuditTrail(trail.entries, trail.checkpoint,
                        {first.entry_id: Verdict(False, "shard 1 proof does not verify")})
    with pytest.raises(VerificationError, match="shard 1 proof does not verify"):
        statement(failed)
    wrong_id = AuditTrail((type(first)(0, "0" * 64, first.entry, first.inclusion),
                           *trail.entries[1:]), trail.checkpoint)
    with pytest.raises(VerificationError, match="log entry 0: stated entry id"):
        intoto_envelope(wrong_id, fx.signer())
    with pytest.raises(VerificationError, match="checkpoint: signature"):
        statement(fx.trail(origin="other.example/log"), verifier=fx.signer().verifier)
    no_notarize = fx.trail([e for e in fx.entries() if e.kind != "notarize"])
    with pytest.raises(InputError, match="nothing to attest"):
        statement(no_notarize)
