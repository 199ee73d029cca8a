"""Shared CLI plumbing: exit codes, error reporting, JSON output.

Exit codes: 0 ok, 1 verification failed, 2 usage, 3 bad input (file, row and column named; for
a cluster job also the shard), 4 the job could not finish for reasons other than its data (shards
still failing after their retries, Ray not reachable): retrying may help, fixing the data won't.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any

import typer
from pydantic import ValidationError

from cluster.errors import ShardsFailedError
from engine.errors import InputError, VerificationError, ZkpLedgerError
from kernels.backend import BackendUnavailable
from ledger.executors import ClusterUnavailable

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INPUT, EXIT_JOB_FAILED = 0, 1, 2, 3, 4


def fail(message: str, code: int) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def reports_errors(fn: Callable) -> Callable:
    """Turn our typed errors into one line on stderr and the documented exit code."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ValidationError as exc:  # malformed options (e.g. StatementOptions): usage
            fail(usage_message(exc), EXIT_USAGE)
        except InputError as exc:
            fail(str(exc), EXIT_INPUT)
        except VerificationError as exc:
            fail(str(exc), EXIT_INVALID)
        except BackendUnavailable as exc:
            fail(str(exc), EXIT_USAGE)
        except FileNotFoundError as exc:
            fail(f"file {exc.filename}: not found", EXIT_INPUT)
        except IsADirectoryError as exc:
            fail(f"file {exc.filename}: is a directory", EXIT_INPUT)
        except PermissionError as exc:
            fail(f"file {exc.filename}: permission denied", EXIT_INPUT)
        except (ShardsFailedError, ClusterUnavailable) as exc:
            fail(str(exc), EXIT_JOB_FAILED)
        except ZkpLedgerError as exc:
            fail(str(exc), EXIT_INPUT)

    return wrapper


def usage_message(exc: ValidationError) -> str:
    """pydantic's errors as one line: "field: message; ..."."""
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"])
        message = err["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts)


def emit_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, indent=2, sort_keys=True) + "\n")
