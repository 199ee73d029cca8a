"""Entry models: exact canonical bytes and ids, round trips of every kind, and strict parsing
(unknown fields, wrong version, bad hex, wrong JSON types, inconsistent ids) naming the field."""

import hashlib
import json

import pytest
from pydantic import ValidationError

from engine.errors import InputError
from ledger import canonical
from ledger.entries import (DatasetRef, TransformEntry, dataset_id, entry_bytes, entry_id,
                            format_time, parse_entry, parse_time, utc_now)
from support.ledger_factories import (BIG, TIME, ds, notarize_entry, recertify_entry, split_entry,
                                      transform_entry)

TRANSFORM_JSON = (
    '{"code_hash":"sha256:' + "ab" * 32 + '",'
    '"dataset":{"dataset_id":"ds-' + "1" * 32 + '","name":"clean","version":3},'
    '"inputs":["ds-' + "2" * 32 + '"],"kind":"transform","operation":"dropna",'
    '"output":"ds-' + "1" * 32 + '","parameters":{"how":"any","thresh":0.5},'
    '"time":"2026-11-26T08:00:00.123456Z","v":1}').encode()


def entries():
    n = notarize_entry()
    return [n, transform_entry(0), split_entry(), recertify_entry(entry_id(entry_bytes(n))),
            recertify_entry("0" * 64, status="missing")]


def test_transform_bytes_are_the_hand_written_canonical_json():
    e = TransformEntry(time=TIME, dataset=DatasetRef(name="clean", version=3,
                                                     dataset_id="ds-" + "1" * 32),
                       inputs=("ds-" + "2" * 32,), output="ds-" + "1" * 32, operation="dropna",
                       parameters={"thresh": 0.5, "how": "any"}, code_hash="sha256:" + "ab" * 32)
    assert entry_bytes(e) == TRANSFORM_JSON
    assert entry_id(TRANSFORM_JSON) == hashlib.sha256(TRANSFORM_JSON).hexdigest()
    assert parse_entry(TRANSFORM_JSON) == e


def test_dataset_id_known_answer():
    f, r = "a" * 64, "b" * 64
    digest = hashlib.sha256(("a" * 64 + ":" + "b" * 64).encode()).hexdigest()
    assert dataset_id(f, r) == "ds-" + digest[:32] == "ds-6173cf9d3267e6b926102c8b14981265"
    assert dataset_id(r, f) != dataset_id(f, r)


@pytest.mark.parametrize("bad", ["A" * 64, "a" * 63, "g" * 64, 7])
def test_dataset_id_rejects_bad_hex(bad):
    with pytest.raises(InputError, match="64 lowercase hex"):
        dataset_id(bad, "b" * 64)


@pytest.mark.parametrize("index", range(5))
def test_every_kind_round_trips(index):
    e = entries()[index]
    data = entry_bytes(e)
    assert canonical.loads(data)["kind"] == e.kind
    back = parse_entry(data)
    assert back == e and type(back) is type(e)
    assert entry_bytes(back) == data


def test_notarize_big_sums_are_strings_and_come_back_as_ints():
    e = notarize_entry()
    value = json.loads(entry_bytes(e))
    shard0 = value["notarization"]["shards"][0]
    assert shard0["sums"] == [str(BIG), 1234]
    assert value["notarization"]["statement"]["columns"][0]["lo"] == str(-(1 << 63))
    assert value["notarization"]["statement"]["columns"][1]["hi"] == "99.95"
    assert parse_entry(entry_bytes(e)).notarization.shards[0].sums == (BIG, 1234)


def _mutate(entry, edit):
    value = json.loads(entry_bytes(entry))
    edit(value)
    return canonical.dumps(value)


def _set(path, new):
    def edit(value):
        *parents, last = path
        for key in parents:
            value = value[key]
        value[last] = new
    return edit


def _delete(path):
    def edit(value):
        *parents, last = path
        for key in parents:
            value = value[key]
        del value[last]
    return edit


T = transform_entry(0)
N = notarize_entry()
R = recertify_entry("0" * 64)


@pytest.mark.parametrize("entry, edit, field", [
    (T, _set(["v"], 2), "entry field v: version 2"),
    (T, _set(["v"], True), "entry field v: version True"),
    (T, _delete(["v"]), "entry field v: missing"),
    (T, _set(["kind"], "delete"), "entry field kind: 'delete'"),
    (T, _set(["extra"], 1), "entry field extra: Extra inputs"),
    (N, _set(["notarization", "shards", 0, "x"], 1), "entry field notarization.shards[0].x"),
    (T, _set(["dataset", "dataset_id"], "ds-" + "A" * 32), "entry field dataset.dataset_id"),
    (T, _set(["inputs", 0], "ds-" + "1" * 31), "entry field inputs[0]"),
    (T, _set(["code_hash"], "sha1:" + "a" * 64), "entry field code_hash"),
    (R, _set(["target"], "Z" * 64), "entry field target"),
    (R, _set(["file_sha256"], "a" * 62), "entry field file_sha256"),
    (N, _set(["notarization", "row_root"], "x" * 64), "entry field notarization.row_root"),
    (T, _set(["time"], "2026-11-26T08:00:00Z"), "entry field time"),
    (T, _set(["time"], "2026-11-26T08:00:00.123456+00:00"), "entry field time"),
    (T, _set(["time"], "2026-02-30T08:00:00.123456Z"), "entry field time"),
    (T, _set(["dataset", "version"], 0), "entry field dataset.version"),
    (T, _set(["dataset", "version"], "3"), "entry field dataset.version: not in the form"),
    (T, _set(["dataset", "name"], "a@b"), "entry field dataset.name"),
    (R, _delete(["reason"]), "entry field reason: Field required"),
    (R, _set(["status"], "maybe"), "entry field status"),
    (N, _set(["location"], "data/a.csv"), "entry field location"),
    (N, _set(["backend"], "tpu"), "entry field backend"),
    (N, _set(["dataset", "dataset_id"], ds("other")), "is not the notarization's content id"),
    (N, _set(["notarization", "shards", 0, "sums", 1], "1234"), "notarization.shards[0].sums[1]"),
    (T, _set(["output"], ds("elsewhere")), "is not output"),
    (T, _set(["parameters"], []), "entry field parameters"),
])
def test_parse_rejects_and_names_the_field(entry, edit, field):
    data = _mutate(entry, edit)
    with pytest.raises(InputError) as info:
        parse_entry(data)
    assert field in str(info.value)


@pytest.mark.parametrize("data, match", [
    (TRANSFORM_JSON.replace(b'"v":1', b'"v": 1'), "canonical form"),
    (TRANSFORM_JSON[:-1], "not JSON"),
    (b"[1,2]", "an entry is a JSON object"),
    (TRANSFORM_JSON.replace(b"dropna", b"drop\xffna"), "not UTF-8"),
])
def test_parse_rejects_non_entry_bytes(data, match):
    with pytest.raises(InputError, match=match):
        parse_entry(data)


def test_split_children_constraints():
    base = split_entry()
    with pytest.raises(InputError, match="children"):
        parse_entry(_mutate(base, _set(["children"], [])))
    with pytest.raises(InputError, match="ratio"):
        parse_entry(_mutate(base, _set(["children", 0, "ratio"], 1.5)))
    twice = json.loads(entry_bytes(base))["children"][0]
    with pytest.raises(InputError, match="distinct"):
        parse_entry(_mutate(base, _set(["children"], [twice, twice])))


def test_transform_parameters_reject_inexact_integers():
    with pytest.raises(ValidationError, match="no exact JSON number"):
        TransformEntry(**{**transform_entry(1).model_dump(), "parameters": {"seed": 1 << 60}})


def test_times():
    now = utc_now()
    assert parse_time(now).tzinfo is not None and format_time(parse_time(now)) == now
    assert parse_time(TIME).microsecond == 123456
    with pytest.raises(InputError, match="RFC 3339"):
        parse_time("2026-11-26 08:00:00.123456Z")
    from datetime import datetime
    with pytest.raises(InputError, match="timezone-aware"):
        format_time(datetime(2026, 1, 1))


def test_entry_bytes_takes_entries_only():
    with pytest.raises(InputError, match="not a ledger entry"):
        entry_bytes(DatasetRef(name="a", version=1, dataset_id=ds("a")))
    with pytest.raises(InputError, match="entry's bytes"):
        entry_id("text")
