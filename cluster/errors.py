"""Why a cluster job could not finish: which shards failed, and the reason for each.

A shard that fails on bad data carries the worker's InputError unchanged (its file, row and
column), and the job then raises `ShardInputError`, an InputError (exit code 3) that names the
shard; any other shard that is still failing after its retries is collected, and the job raises
`ShardsFailedError` listing every such shard once the others have finished.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.errors import InputError, ZkpLedgerError


@dataclass(frozen=True)
class ShardFailure:
    """One shard that did not produce a result: its plan position, job id and the reason."""

    position: int  # index in the job list given to map
    job_id: str | None  # the job's content id when it has one
    reason: str
    error: BaseException | None = None  # the worker's exception when it could be carried back

    def describe(self) -> str:
        name = f"shard {self.position}"
        if self.job_id:
            name += f" (job {self.job_id[:12]})"
        return f"{name}: {self.reason}"


class ShardsFailedError(ZkpLedgerError):
    """Shards that still failed after their retries; `failures` holds each one."""

    def __init__(self, failures: list[ShardFailure], total: int):
        self.failures = tuple(sorted(failures, key=lambda f: f.position))
        lines = "\n".join(f"  {f.describe()}" for f in self.failures)
        super().__init__(f"{len(self.failures)} of {total} shards failed:\n{lines}")


class ShardInputError(InputError):
    """A shard's data is bad: the worker's file, row and column, and the shard that read it."""

    def __init__(self, failure: ShardFailure):
        error = failure.error
        assert isinstance(error, InputError)
        self.failure = failure
        self.position = failure.position
        super().__init__(f"shard {failure.position}: {_bare_message(error)}", file=error.file,
                         row=error.row, column=error.column)


def _bare_message(error: InputError) -> str:
    """The error's message without the "file ..., row ...:" prefix InputError puts in front."""
    text = str(error)
    where = InputError("", file=error.file, row=error.row, column=error.column)
    prefix = str(where)  # "file f, row r (0-based), column c: " or ""
    return text[len(prefix):] if prefix and text.startswith(prefix) else text


__all__ = ["ShardFailure", "ShardInputError", "ShardsFailedError"]
