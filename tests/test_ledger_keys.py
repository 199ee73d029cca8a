"""Key files: created 0600 even under umask 0, never overwritten, loaded with ssh-like
permission and ownership checks, and every malformed or missing file named in the error."""

from __future__ import annotations

import base64
import os
import stat

import pytest

from engine.errors import InputError
from ledger.checkpoint import sign_checkpoint, verify_checkpoint
from ledger.keys import (
    create_keys,
    load_signer,
    load_verifier,
    private_key_path,
    public_key_path,
)
from ledger.signed_note import Signer, Verifier

ORIGIN = "example.org/zkp-ledger/test"


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture()
def ledger(tmp_path):
    create_keys(tmp_path, ORIGIN)
    return tmp_path


def test_create_writes_both_key_strings(tmp_path):
    signer = create_keys(tmp_path, ORIGIN)
    skey = private_key_path(tmp_path).read_text()
    vkey = public_key_path(tmp_path).read_text()
    assert skey == signer.skey + "\n" and skey.startswith(f"PRIVATE+KEY+{ORIGIN}+")
    assert vkey == signer.verifier.vkey + "\n"
    name, key_id, key64 = vkey.rstrip("\n").split("+", 2)
    assert (name, key_id) == (ORIGIN, f"{signer.key_id:08x}")
    assert base64.b64decode(key64) == b"\x01" + signer.verifier.public_key
    assert Verifier.from_vkey(vkey.rstrip("\n")) == signer.verifier
    assert Signer.from_skey(skey.rstrip("\n")).verifier == signer.verifier


def test_modes_even_with_a_permissive_umask(tmp_path):
    old = os.umask(0)
    try:
        create_keys(tmp_path, ORIGIN)
    finally:
        os.umask(old)
    assert mode(private_key_path(tmp_path)) == 0o600
    assert mode(public_key_path(tmp_path)) == 0o644
    assert mode(private_key_path(tmp_path).parent) == 0o700


def test_load_round_trip(ledger):
    signer, verifier = load_signer(ledger), load_verifier(ledger)
    assert signer.verifier == verifier and verifier.name == ORIGIN
    note = sign_checkpoint(ORIGIN, 3, bytes(range(32)), signer)
    assert verify_checkpoint(note, verifier).size == 3


def test_never_overwrites(ledger):
    before = private_key_path(ledger).read_bytes(), public_key_path(ledger).read_bytes()
    with pytest.raises(InputError, match="already exists"):
        create_keys(ledger, ORIGIN)
    assert (private_key_path(ledger).read_bytes(), public_key_path(ledger).read_bytes()) == before


def test_no_file_is_written_for_a_bad_name(tmp_path):
    for name in ("", "has space", "a+b"):
        with pytest.raises(InputError):
            create_keys(tmp_path, name)
    assert not (tmp_path / "keys").exists()


@pytest.mark.parametrize("bad_mode", [0o640, 0o604, 0o644, 0o660, 0o601, 0o700 | 0o010])
def test_refuses_a_private_key_open_to_others(ledger, bad_mode):
    path = private_key_path(ledger)
    os.chmod(path, bad_mode)
    with pytest.raises(InputError, match=f"permissions {bad_mode:04o} are too open.*chmod 600"):
        load_signer(ledger)


@pytest.mark.parametrize("good_mode", [0o600, 0o400, 0o700])
def test_accepts_owner_only_modes(ledger, good_mode):
    os.chmod(private_key_path(ledger), good_mode)
    assert load_signer(ledger).name == ORIGIN


@pytest.mark.skipif(os.geteuid() != 0, reason="changing a file's owner needs root")
def test_refuses_a_private_key_owned_by_another_user(ledger):
    os.chown(private_key_path(ledger), 12345, -1)
    with pytest.raises(InputError, match="owned by uid 12345"):
        load_signer(ledger)


def test_missing_keys_say_init(tmp_path):
    with pytest.raises(InputError, match=f"file {private_key_path(tmp_path)}: .*zkp-ledger init"):
        load_signer(tmp_path)
    with pytest.raises(InputError, match="zkp-ledger init"):
        load_verifier(tmp_path)


def test_key_path_that_is_a_directory_or_a_fifo(tmp_path):
    private_key_path(tmp_path).mkdir(parents=True, mode=0o700)
    with pytest.raises(InputError, match="not a regular file"):
        load_signer(tmp_path)
    os.mkfifo(public_key_path(tmp_path))  # opening it must not block waiting for a writer
    with pytest.raises(InputError, match="not a regular file"):
        load_verifier(tmp_path)


def write_private(ledger, data: bytes) -> None:
    path = private_key_path(ledger)
    path.unlink()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


@pytest.mark.parametrize("data, reason", [
    (b"", "malformed private key"),
    (b"garbage\n", "malformed private key"),
    (b"\xff\xfe\n", "not ASCII"),
    (b"A" * 5000, "larger than 4096"),
])
def test_malformed_private_key_files(ledger, data, reason):
    write_private(ledger, data)
    with pytest.raises(InputError, match=f"file {private_key_path(ledger)}: .*{reason}"):
        load_signer(ledger)


def test_public_key_in_the_private_file_and_a_wrong_key_id(ledger):
    vkey = public_key_path(ledger).read_text()
    write_private(ledger, vkey.encode())
    with pytest.raises(InputError, match="must start with 'PRIVATE\\+KEY\\+'"):
        load_signer(ledger)
    skey = Signer.generate(ORIGIN).skey
    # PRIVATE+KEY+<name>+<id>+<base64>: names have no '+', the base64 key may
    private, key, name, _, key64 = skey.split("+", 4)
    write_private(ledger, f"{private}+{key}+{name}+00000000+{key64}\n".encode())
    with pytest.raises(InputError, match="signer key ID 00000000 does not match"):
        load_signer(ledger)


def test_malformed_public_key_file(ledger):
    path = public_key_path(ledger)
    path.write_text(path.read_text().replace("+", " ", 1))
    with pytest.raises(InputError, match=f"file {path}: malformed public key"):
        load_verifier(ledger)
