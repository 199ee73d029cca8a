"""Cluster settings: configs/cluster.toml read into a pydantic model, with environment overrides.

Every key can be set from the environment as ZKP_LEDGER_CLUSTER_<SECTION>_<KEY> (upper case);
the value is parsed like the TOML value would be (pydantic's coercion of the string), and a bad
value is an InputError naming the variable. `ClusterConfig.executor()` builds the RayExecutor
these settings describe, so the CLI and the Python API construct it one way.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from cluster.ray_executor import Progress, RayExecutor
from engine.errors import InputError

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "configs" / "cluster.toml"
ENV_PREFIX = "ZKP_LEDGER_CLUSTER_"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RaySection(_Section):
    address: str = ""


class LocalSection(_Section):
    num_cpus: int = Field(0, ge=0)
    temp_dir: str = ""
    include_dashboard: bool = False


class ActorsSection(_Section):
    count: int = Field(0, ge=0)
    num_cpus: float = Field(1, ge=0)
    num_gpus: float = Field(0, ge=0)


class FailoverSection(_Section):
    max_restarts: int = Field(3, ge=-1)
    max_task_retries: int = Field(3, ge=-1)
    shard_retries: int = Field(2, ge=0)
    backup_after: float = Field(4.0, ge=0)
    backup_min_seconds: float = Field(10.0, ge=0)


class ShardsSection(_Section):
    shard_rows: int = 1024

    @field_validator("shard_rows")
    @classmethod
    def _power_of_two(cls, value: int) -> int:
        if value < 1 or value & (value - 1) or value > 1 << 24:
            raise ValueError(f"shard_rows must be a power of two between 1 and 2^24, not {value}")
        return value


class ClusterConfig(_Section):
    ray: RaySection = RaySection()
    local: LocalSection = LocalSection()
    actors: ActorsSection = ActorsSection()
    failover: FailoverSection = FailoverSection()
    shards: ShardsSection = ShardsSection()

    def init_options(self) -> dict[str, Any]:
        """`ray.init` options for a Ray this process starts (ignored when joining a cluster)."""
        if self.ray.address:
            return {}
        options: dict[str, Any] = {"include_dashboard": self.local.include_dashboard}
        if self.local.num_cpus:
            options["num_cpus"] = self.local.num_cpus
        if self.local.temp_dir:
            options["_temp_dir"] = self.local.temp_dir
        return options

    def executor(self, *, address: str | None = None,
                 progress: Callable[[Progress], None] | None = None) -> RayExecutor:
        """The RayExecutor of these settings; `address` overrides [ray] address."""
        address = address if address is not None else (self.ray.address or None)
        f = self.failover
        return RayExecutor(address, actors=self.actors.count or None,
                           num_cpus_per_actor=self.actors.num_cpus,
                           num_gpus_per_actor=self.actors.num_gpus,
                           max_restarts=f.max_restarts, max_task_retries=f.max_task_retries,
                           shard_retries=f.shard_retries, backup_after=f.backup_after,
                           backup_min_seconds=f.backup_min_seconds,
                           progress=progress,
                           init_options={} if address else self.init_options())


def load_cluster_config(path: str | os.PathLike | None = None,
                        env: Mapping[str, str] | None = None) -> ClusterConfig:
    """The TOML file (default configs/cluster.toml) with the environment's overrides applied."""
    if path is None and not DEFAULT_PATH.exists():  # an installed package without configs/
        data: dict[str, Any] = {}
        path = DEFAULT_PATH
    else:
        path = Path(path) if path is not None else DEFAULT_PATH
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise InputError(f"cannot read the cluster configuration: {exc}",
                             file=str(path)) from None
    env = os.environ if env is None else env
    overrides = _env_overrides(env)
    for (section, key), value in overrides.items():
        if not isinstance(data.get(section, {}), dict):
            raise InputError(f"[{section}] is not a table", file=str(path))
        data.setdefault(section, {})[key] = value
    try:
        return ClusterConfig.model_validate(data)
    except ValidationError as exc:
        names = {f"{ENV_PREFIX}{s}_{k}".upper() for s, k in overrides}
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
            + (f" (from {_env_name(e['loc'])})" if _env_name(e["loc"]) in names else "")
            for e in exc.errors())
        raise InputError(f"invalid cluster configuration: {problems}", file=str(path)) from None


def _env_name(loc: tuple[Any, ...]) -> str:
    return (ENV_PREFIX + "_".join(str(p) for p in loc[:2])).upper()


def _env_overrides(env: Mapping[str, str]) -> dict[tuple[str, str], str]:
    """(section, key) -> raw string for every ZKP_LEDGER_CLUSTER_<SECTION>_<KEY> variable."""
    known = {(s, k) for s, model in ClusterConfig.model_fields.items()
             for k in model.annotation.model_fields}
    by_name = {f"{ENV_PREFIX}{s}_{k}".upper(): (s, k) for s, k in known}
    found = {}
    for name, value in env.items():
        if name.startswith(ENV_PREFIX):
            if name not in by_name:
                raise InputError(f"unknown cluster setting {name}; known: "
                                 f"{', '.join(sorted(by_name))}")
            found[by_name[name]] = value
    return found


__all__ = ["ClusterConfig", "load_cluster_config"]
