"""configs/cluster.toml into ClusterConfig: defaults, environment overrides, bad values named,
and the RayExecutor it builds (constructing one starts nothing)."""

import pytest

from cluster.config import DEFAULT_PATH, ClusterConfig, load_cluster_config
from cluster.ray_executor import RayExecutor
from engine.errors import InputError


def test_shipped_file_holds_the_documented_defaults():
    config = load_cluster_config(env={})
    assert config == ClusterConfig()  # the file and the model agree on every default
    assert (config.actors.count, config.actors.num_cpus, config.actors.num_gpus) == (0, 1, 0)
    assert (config.failover.max_restarts, config.failover.shard_retries) == (3, 2)
    assert config.shards.shard_rows == 1024 and config.ray.address == ""


def test_environment_overrides_every_kind_of_value():
    config = load_cluster_config(env={
        "ZKP_LEDGER_CLUSTER_ACTORS_COUNT": "16", "ZKP_LEDGER_CLUSTER_ACTORS_NUM_GPUS": "0.5",
        "ZKP_LEDGER_CLUSTER_LOCAL_INCLUDE_DASHBOARD": "true",
        "ZKP_LEDGER_CLUSTER_RAY_ADDRESS": "ray://head:10001",
        "ZKP_LEDGER_CLUSTER_SHARDS_SHARD_ROWS": "4096", "UNRELATED": "x"})
    assert (config.actors.count, config.actors.num_gpus) == (16, 0.5)
    assert config.local.include_dashboard is True
    assert config.ray.address == "ray://head:10001" and config.shards.shard_rows == 4096


@pytest.mark.parametrize(("name", "value", "match"), [
    ("ZKP_LEDGER_CLUSTER_ACTORS_COUNT", "many", "actors.count.*ZKP_LEDGER_CLUSTER_ACTORS_COUNT"),
    ("ZKP_LEDGER_CLUSTER_ACTORS_COUNT", "-1", "greater than or equal to 0"),
    ("ZKP_LEDGER_CLUSTER_SHARDS_SHARD_ROWS", "1000", "power of two"),
    ("ZKP_LEDGER_CLUSTER_FAILOVER_MAX_RESTARTS", "-2", "max_restarts"),
    ("ZKP_LEDGER_CLUSTER_ACTOR_COUNT", "4", "unknown cluster setting ZKP_LEDGER_CLUSTER_ACTOR_COUNT"),
])
def test_bad_overrides_name_the_variable(name, value, match):
    with pytest.raises(InputError, match=match):
        load_cluster_config(env={name: value})


@pytest.mark.parametrize(("text", "match"), [
    ("[actors]\ncount = ", "cannot read"),
    ("[actors]\nsize = 3\n", "actors.size: Extra inputs are not permitted"),
    ("[shards]\nshard_rows = 0\n", "power of two"),
    ("actors = 3\n", "actors: Input should be a valid dictionary"),
    ("[failover]\nbackup_after = -1.0\n", "backup_after"),
])
def test_malformed_files_are_input_errors(tmp_path, text, match):
    path = tmp_path / "cluster.toml"
    path.write_text(text)
    with pytest.raises(InputError, match=match) as caught:
        load_cluster_config(path, env={})
    assert caught.value.file == str(path)


def test_a_missing_named_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="cannot read"):
        load_cluster_config(tmp_path / "absent.toml", env={})


def test_executor_carries_the_settings():
    config = load_cluster_config(env={
        "ZKP_LEDGER_CLUSTER_ACTORS_COUNT": "3", "ZKP_LEDGER_CLUSTER_ACTORS_NUM_GPUS": "1",
        "ZKP_LEDGER_CLUSTER_FAILOVER_SHARD_RETRIES": "5",
        "ZKP_LEDGER_CLUSTER_LOCAL_NUM_CPUS": "2", "ZKP_LEDGER_CLUSTER_LOCAL_TEMP_DIR": "/tmp/r"})
    seen = []
    ex = config.executor(progress=seen.append)
    assert isinstance(ex, RayExecutor) and ex.address is None
    assert (ex.actors, ex.num_gpus_per_actor, ex.shard_retries) == (3, 1, 5)
    assert ex.init_options == {"include_dashboard": False, "num_cpus": 2, "_temp_dir": "/tmp/r"}
    assert ex.progress == seen.append
    remote = config.executor(address="auto")
    assert remote.address == "auto" and remote.init_options == {}
    assert load_cluster_config(env={}).executor().actors is None  # 0: sized by the cluster


@pytest.mark.parametrize("kwargs", [{"actors": 0}, {"num_gpus_per_actor": -1},
                                    {"max_restarts": -2}, {"shard_retries": -1},
                                    {"backup_min_seconds": -1}])
def test_executor_refuses_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        RayExecutor(**kwargs)


def test_default_path_is_the_shipped_file():
    assert DEFAULT_PATH.name == "cluster.toml" and DEFAULT_PATH.parent.name == "configs"
