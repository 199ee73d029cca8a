"""Typed errors. The CLI maps them to exit codes: InputError -> 3, VerificationError -> 1."""


class ZkpLedgerError(Exception):
    """Base of every error this project raises on purpose."""


class InputError(ZkpLedgerError):
    """Malformed or out-of-range input: a file, a point, a public signal. Exit code 3."""

    def __init__(self, message: str, *, file: str | None = None, row: int | None = None,
                 column: str | None = None):
        where = ", ".join(
            part for part in (
                f"file {file}" if file else "",
                f"row {row} (0-based)" if row is not None else "",
                f"column {column}" if column else "",
            ) if part
        )
        super().__init__(f"{where}: {message}" if where else message)
        self.file, self.row, self.column = file, row, column


class VerificationError(ZkpLedgerError):
    """A well-formed object that does not verify. Exit code 1."""


class BackendUnavailable(ZkpLedgerError):
    """A requested backend (e.g. cuda) is not usable on this machine."""
