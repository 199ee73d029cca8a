"""Parquet shard plans from the footer alone: shard ranges, the row groups and bytes each shard
reads, and jobs identical to those the engine plans after a full scan; malformed files refused."""

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cluster.planning import parquet_plan, shard_jobs
from engine.dataset import StatementOptions, open_dataset, resolve_statement
from engine.dataset_scan import scan_dataset
from engine.errors import InputError
from engine.key_cache import file_sha256
from engine.notarize import plan_shards
from engine.proving_keys import KeyRef

SECRET = b"planning test secret, 32 bytes!!"
OPTIONS = StatementOptions(columns=("qty",), bounds={"qty": ("0", "1000")}, shard_rows=8)
KEY = KeyRef("/keys/k.zkey", "ab" * 32, "cd" * 32, True)  # planning never opens the key


def _write(path, rows, group_rows):
    table = pa.table({"id": list(range(rows)), "qty": [i * 37 % 1001 for i in range(rows)]})
    pq.write_table(table, path, row_group_size=group_rows)
    return path


def _statement(path):
    reader = open_dataset(path)
    return resolve_statement(reader.schema, OPTIONS, sample=next(iter(reader)).data)


def test_shards_name_the_row_groups_they_read(tmp_path):
    path = _write(tmp_path / "t.parquet", 40, 12)  # groups [0,12) [12,24) [24,36) [36,40)
    plan = parquet_plan(path, 8)
    meta = pq.ParquetFile(path).metadata
    sizes = [sum(meta.row_group(g).column(c).total_compressed_size for c in range(2))
             for g in range(4)]
    assert (plan.row_count, plan.group_rows, plan.group_bytes) == (40, (12, 12, 12, 4),
                                                                    tuple(sizes))
    assert plan.byte_size == path.stat().st_size
    expected = [(0, 8, 0, 0), (8, 16, 0, 1), (16, 24, 1, 1), (24, 32, 2, 2), (32, 40, 2, 3)]
    assert [(s.start_row, s.stop_row, s.first_group, s.last_group)
            for s in plan.shards] == expected
    assert [s.index for s in plan.shards] == [0, 1, 2, 3, 4]
    assert [s.compressed_bytes for s in plan.shards] == [
        sum(sizes[f:g + 1]) for _, _, f, g in expected]


def test_bytes_of_the_proved_columns_only(tmp_path):
    path = _write(tmp_path / "t.parquet", 40, 12)
    meta = pq.ParquetFile(path).metadata
    qty = [meta.row_group(g).column(1).total_compressed_size for g in range(4)]
    plan = parquet_plan(path, 8, columns=["qty"])
    assert plan.group_bytes == tuple(qty)
    assert plan.shards[1].compressed_bytes == qty[0] + qty[1]
    with pytest.raises(InputError, match="no such column") as caught:
        parquet_plan(path, 8, columns=["price"])
    assert caught.value.column == "price"


def test_last_shard_is_short_and_groups_larger_than_shards(tmp_path):
    plan = parquet_plan(_write(tmp_path / "t.parquet", 21, 100), 4)
    assert [(s.start_row, s.stop_row) for s in plan.shards] == [
        (0, 4), (4, 8), (8, 12), (12, 16), (16, 20), (20, 21)]
    assert {(s.first_group, s.last_group) for s in plan.shards} == {(0, 0)}


def test_jobs_equal_the_engine_plan_after_a_scan(tmp_path):
    path = _write(tmp_path / "t.parquet", 40, 12)
    statement = _statement(path)
    sha = file_sha256(path)
    jobs = shard_jobs(parquet_plan(path, 8), statement, KEY, SECRET, sha)
    engine_jobs = plan_shards(scan_dataset(path, statement), str(path), statement, KEY, SECRET)
    assert jobs == engine_jobs  # every field, salts included
    assert [j.job_id for j in jobs] == [j.job_id for j in engine_jobs]


def test_plan_and_statement_must_agree(tmp_path):
    path = _write(tmp_path / "t.parquet", 40, 12)
    statement = _statement(path)
    with pytest.raises(ValueError, match="shards of 16 rows"):
        shard_jobs(parquet_plan(path, 16), statement, KEY, SECRET, file_sha256(path))
    with pytest.raises(ValueError, match="power of two"):
        parquet_plan(path, 12)
    with pytest.raises(InputError, match="at least 16 bytes"):
        shard_jobs(parquet_plan(path, 8), statement, KEY, b"short", file_sha256(path))


@pytest.mark.parametrize("content", [b"", b"PAR1", b"not parquet at all\n" * 10,
                                     b"PAR1" + b"\x00" * 60 + b"PAR1"])
def test_malformed_files_are_input_errors(tmp_path, content):
    path = tmp_path / "bad.parquet"
    path.write_bytes(content)
    with pytest.raises(InputError, match="cannot read the Parquet footer") as caught:
        parquet_plan(path, 8)
    assert caught.value.file == str(path)


def test_truncated_file_and_missing_file(tmp_path):
    path = _write(tmp_path / "t.parquet", 40, 12)
    cut = tmp_path / "cut.parquet"
    cut.write_bytes(path.read_bytes()[:-20])
    with pytest.raises(InputError, match="footer"):
        parquet_plan(cut, 8)
    with pytest.raises(InputError, match="footer"):
        parquet_plan(tmp_path / "absent.parquet", 8)


def test_a_schema_only_file_has_no_rows(tmp_path):
    path = tmp_path / "empty.parquet"
    pq.write_table(pa.table({"qty": pa.array([], pa.int64())}), path)
    with pytest.raises(InputError, match="no rows"):
        parquet_plan(path, 8)
