"""The log's Ed25519 signing key on disk: <ledger dir>/keys/ledger.key and ledger.pub.

`ledger.key` holds the signed-note signer key string ("PRIVATE+KEY+<name>+<id>+<base64>") and
is created with O_CREAT|O_EXCL and mode 0600 in the same call, so it is never readable by
anyone else, not even for a moment, and an existing key is never overwritten. `ledger.pub`
holds the verifier key string that third parties are given. Loading refuses, like ssh, a
private key readable or writable by group or others, or owned by another user (root-owned is
accepted), and names the file in every error.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from engine.errors import InputError
from ledger.signed_note import Signer, Verifier, check_key_name

KEYS_DIR = "keys"
PRIVATE_KEY_FILE = "ledger.key"
PUBLIC_KEY_FILE = "ledger.pub"
_MAX_KEY_FILE = 4096


def private_key_path(ledger_dir: str | Path) -> Path:
    return Path(ledger_dir) / KEYS_DIR / PRIVATE_KEY_FILE


def public_key_path(ledger_dir: str | Path) -> Path:
    return Path(ledger_dir) / KEYS_DIR / PUBLIC_KEY_FILE


def _write_new(path: Path, data: bytes, mode: int) -> None:
    """Create `path` with `mode` (never overwriting), write `data` and flush it to disk."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError:
        raise InputError("already exists; refusing to overwrite a ledger key",
                         file=str(path)) from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def create_keys(ledger_dir: str | Path, name: str) -> Signer:
    """Generate the log key named `name` (the log origin) and write both key files."""
    check_key_name(name)
    private, public = private_key_path(ledger_dir), public_key_path(ledger_dir)
    for path in (private, public):
        if path.exists() or path.is_symlink():
            raise InputError("already exists; refusing to overwrite a ledger key",
                             file=str(path))
    private.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    signer = Signer.generate(name)
    _write_new(private, (signer.skey + "\n").encode(), 0o600)
    _write_new(public, (signer.verifier.vkey + "\n").encode(), 0o644)
    dir_fd = os.open(private.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    return signer


def _read_key_file(path: Path, private: bool) -> str:
    try:  # O_NONBLOCK: a FIFO planted at the path must not hang us; regular files ignore it
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise InputError("no ledger key here; create one with `zkp-ledger init`",
                         file=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot open the key file: {exc.strerror}", file=str(path)) from None
    st = os.fstat(fd)  # the opened file itself, not whatever the name points to now
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise InputError("is not a regular file", file=str(path))
    with os.fdopen(fd, "rb") as f:
        if private:
            mode = stat.S_IMODE(st.st_mode)
            if mode & 0o077:
                raise InputError(f"permissions {mode:04o} are too open: a private key must not "
                                 f"be accessible by group or others (chmod 600 {path})",
                                 file=str(path))
            if st.st_uid not in (os.geteuid(), 0):
                raise InputError(f"is owned by uid {st.st_uid}, not by you (uid "
                                 f"{os.geteuid()}) or root", file=str(path))
        data = f.read(_MAX_KEY_FILE + 1)
    if len(data) > _MAX_KEY_FILE:
        raise InputError(f"is larger than {_MAX_KEY_FILE} bytes; not a key file",
                         file=str(path))
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        raise InputError("is not ASCII text; not a key file", file=str(path)) from None
    return text[:-1] if text.endswith("\n") else text


def load_signer(ledger_dir: str | Path) -> Signer:
    """The log's signer from <ledger dir>/keys/ledger.key (checked for permissions)."""
    path = private_key_path(ledger_dir)
    text = _read_key_file(path, private=True)
    try:
        return Signer.from_skey(text)
    except InputError as exc:
        raise InputError(f"malformed private key: {exc}", file=str(path)) from None


def load_verifier(ledger_dir: str | Path) -> Verifier:
    """The log's verifier from <ledger dir>/keys/ledger.pub."""
    path = public_key_path(ledger_dir)
    text = _read_key_file(path, private=False)
    try:
        return Verifier.from_vkey(text)
    except InputError as exc:
        raise InputError(f"malformed public key: {exc}", file=str(path)) from None
