"""The scan cut into shard jobs gives engine.dataset_scan's DatasetScan exactly (row root composed
from shard subtree roots, sums, commitments), for any row count; bad data and edits refused."""

import os

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cluster.distributed_scan import ScanJob, scan_on_cluster, scan_shard
from engine.dataset import StatementOptions, open_dataset, resolve_statement
from engine.dataset_scan import scan_dataset
from engine.errors import InputError
from engine.executor import InProcessExecutor

SECRET = b"scan test secret, 32 bytes long!"
OPTIONS = StatementOptions(columns=("price", "qty"), scale={"price": 2},
                           bounds={"price": ("-50", "50"), "qty": ("0", "1000")}, shard_rows=8)


def _write(path, rows, group_rows=12, bad_row=None):
    price = [(i * 7919 % 9999 - 4999) / 100 for i in range(rows)]
    if bad_row is not None:
        price[bad_row] = 50.01
    table = pa.table({"id": list(range(rows)), "price": price,
                      "label": [f"item-{i}" if i % 5 else None for i in range(rows)],
                      "qty": pa.array([i * 37 % 1001 for i in range(rows)], pa.int32())})
    pq.write_table(table, path, row_group_size=group_rows)
    return path


def _statement(path):
    reader = open_dataset(path)
    return resolve_statement(reader.schema, OPTIONS, sample=next(iter(reader)).data)


@pytest.mark.parametrize("rows", [1, 7, 8, 9, 37, 64, 100])
def test_equals_the_driver_scan(tmp_path, rows):
    path = _write(tmp_path / "t.parquet", rows)
    statement = _statement(path)
    expected = scan_dataset(path, statement, secret=SECRET)
    assert scan_on_cluster(path, statement, executor=InProcessExecutor(),
                           secret=SECRET) == expected
    assert len(expected.shard_sums) == -(-rows // 8)
    plain = scan_on_cluster(path, statement, executor=InProcessExecutor())
    assert plain.commitments is None and plain == scan_dataset(path, statement)


def test_bad_value_names_row_and_column(tmp_path):
    path = _write(tmp_path / "bad.parquet", 40, bad_row=29)
    statement = _statement(_write(tmp_path / "good.parquet", 40))
    with pytest.raises(InputError) as caught:
        scan_on_cluster(path, statement, executor=InProcessExecutor())
    assert (caught.value.file, caught.value.row, caught.value.column) == (str(path), 29, "price")


class _NoJobs:
    def map(self, fn, jobs):
        raise AssertionError("a text file is scanned on the driver")


def test_text_files_are_scanned_on_the_driver(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("price,qty\n1.25,2\n-3.50,7\n")
    statement = _statement(_write(tmp_path / "good.parquet", 8))
    scan = scan_on_cluster(path, statement, executor=_NoJobs(), secret=SECRET)
    assert scan == scan_dataset(path, statement, secret=SECRET)
    assert scan.shard_sums == ((-225, 9),) and scan.format == "csv"


def test_a_file_changed_after_planning_is_refused(tmp_path):
    path = _write(tmp_path / "t.parquet", 16)
    st = os.stat(path)
    job = ScanJob(str(path), st.st_size, st.st_mtime_ns, _statement(path), 3, 0, 0, 8)
    assert scan_shard(job).count == 8
    _write(path, 17)
    with pytest.raises(InputError, match="changed since the scan was planned"):
        scan_shard(job)


class _EditingExecutor(InProcessExecutor):
    """Runs the jobs, then rewrites the file: what a concurrent writer would do."""

    def __init__(self, path):
        self.path = path

    def map(self, fn, jobs):
        results = super().map(fn, jobs)
        _write(self.path, 40, group_rows=8)
        return results


def test_a_file_changed_during_the_scan_is_refused(tmp_path):
    path = _write(tmp_path / "t.parquet", 40)
    with pytest.raises(InputError, match="the file changed while it was"):
        scan_on_cluster(path, _statement(path), executor=_EditingExecutor(path))
