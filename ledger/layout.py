"""A ledger directory on disk: what lives where, the config file, the notary secret, the
verification keys.

    <dir>/ledger.toml          format version and the log origin (the checkpoint key name);
                               written last by `init`, so its presence means "initialised"
    <dir>/lmdb/                the LMDB environment (ledger.store)
    <dir>/keys/ledger.key      the log's Ed25519 signing key, 0600 (ledger.keys)
    <dir>/keys/ledger.pub      its verifier key string
    <dir>/keys/notary.secret   32 random bytes (hex), 0600: the HMAC key of the per-shard salts
                               (engine.salt); whoever holds it can recompute every commitment.
                               It never appears in an entry.
    <dir>/vkeys/<vk_hash>.json the Groth16 verification key of every shard circuit this ledger
                               has notarized with (snarkjs JSON), named by the vk_hash entries
                               carry, so `verify` needs neither the proving key nor its cache
    <dir>/state/last-checkpoint the last checkpoint this client verified (ledger.witness_state)

Secret files are created with O_CREAT|O_EXCL at mode 0600 in one call and refused on load if
group or others can read them, as ssh does with private keys.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import stat
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

from engine.errors import InputError, VerificationError
from engine.formats.snarkjs_json import read_vkey, write_vkey
from engine.groth16.keys import VerifyingKey
from engine.proving_keys import vk_hash
from ledger.keys import KEYS_DIR
from ledger.signed_note import check_key_name

CONFIG_FILE = "ledger.toml"
CONFIG_FORMAT = 1
LMDB_DIR = "lmdb"
SECRET_FILE = "notary.secret"
VKEYS_DIR = "vkeys"
SECRET_BYTES = 32


def default_origin() -> str:
    """ "zkp-ledger/<hostname>/<8 random hex>": unique per ledger, readable in a checkpoint."""
    host = re.sub(r"[^A-Za-z0-9._-]", "-", socket.gethostname()) or "localhost"
    return f"zkp-ledger/{host}/{secrets.token_hex(4)}"


@dataclass(frozen=True)
class Layout:
    root: Path

    @property
    def config(self) -> Path:
        return self.root / CONFIG_FILE

    @property
    def lmdb(self) -> Path:
        return self.root / LMDB_DIR

    @property
    def secret(self) -> Path:
        return self.root / KEYS_DIR / SECRET_FILE

    @property
    def vkeys(self) -> Path:
        return self.root / VKEYS_DIR

    # --- config ---

    def write_config(self, origin: str) -> None:
        check_key_name(origin)
        text = ("# zkp-ledger ledger (written by `zkp-ledger init`; do not edit: the origin names "
                "the\n# log in every signed checkpoint)\n"
                f"format = {CONFIG_FORMAT}\norigin = {json.dumps(origin)}\n")
        _write_atomically(self.config, text.encode())

    def read_origin(self) -> str:
        try:
            config = tomllib.loads(self.config.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InputError(f"{self.root} is not an initialised ledger (no {CONFIG_FILE}); "
                             f"create one with `zkp-ledger --ledger {self.root} init`") from None
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise InputError(f"cannot read the ledger config: {exc}", file=str(self.config)) \
                from None
        if config.get("format") != CONFIG_FORMAT:
            raise InputError(f"ledger format {config.get('format')!r} is not supported (this "
                             f"version reads format {CONFIG_FORMAT})", file=str(self.config))
        origin = config.get("origin")
        try:
            return check_key_name(origin)
        except InputError as exc:
            raise InputError(f"bad origin: {exc}", file=str(self.config)) from None

    # --- the notary secret ---

    def create_secret(self) -> None:
        self.secret.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            fd = os.open(self.secret, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise InputError("already exists; refusing to overwrite the notary secret",
                             file=str(self.secret)) from None
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(SECRET_BYTES) + "\n")
            f.flush()
            os.fsync(f.fileno())

    def read_secret(self) -> bytes:
        path = self.secret
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        except FileNotFoundError:
            raise InputError("no notary secret; the ledger was not initialised by "
                             "`zkp-ledger init`", file=str(path)) from None
        with os.fdopen(fd, "r") as f:
            st = os.fstat(f.fileno())
            if not stat.S_ISREG(st.st_mode):
                raise InputError("is not a regular file", file=str(path))
            if stat.S_IMODE(st.st_mode) & 0o077:
                raise InputError(f"permissions {stat.S_IMODE(st.st_mode):04o} are too open for "
                                 f"a secret (chmod 600 {path})", file=str(path))
            text = f.read(4 * SECRET_BYTES).strip()
        try:
            secret = bytes.fromhex(text)
        except ValueError:
            secret = b""
        if len(secret) != SECRET_BYTES:
            raise InputError(f"is not {SECRET_BYTES} bytes of hex", file=str(path))
        return secret

    # --- verification keys ---

    def vkey_path(self, hash_hex: str) -> Path:
        if not re.fullmatch(r"[0-9a-f]{64}", hash_hex):
            raise InputError(f"vk_hash {hash_hex!r} is not 64 hex digits")
        return self.vkeys / f"{hash_hex}.json"

    def store_vkey(self, vk: VerifyingKey) -> str:
        """Keep `vk` under its hash (once); returns the hash."""
        digest = vk_hash(vk)
        path = self.vkey_path(digest)
        if not path.exists():
            self.vkeys.mkdir(exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.vkeys, suffix=".tmp")
            os.close(fd)
            try:
                write_vkey(tmp, vk)
                os.replace(tmp, path)
            finally:
                Path(tmp).unlink(missing_ok=True)
        return digest

    def load_vkey(self, hash_hex: str) -> VerifyingKey:
        """The verification key with this hash; its content is checked against the name."""
        path = self.vkey_path(hash_hex)
        if not path.exists():
            raise InputError(f"no verification key {hash_hex[:16]}... in this ledger",
                             file=str(path))
        vk = read_vkey(path)
        if vk_hash(vk) != hash_hex:
            raise VerificationError(f"{path}: the verification key's hash is not its file name")
        return vk


def _write_atomically(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


__all__ = ["CONFIG_FILE", "Layout", "default_origin"]
