"""Shared fixtures: the reference material in ../shared (read by tests only, never at run time)."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

# No per-example deadline: on two workers sharing two cores an example's time says nothing about the
# code, and tests here check values, never speed (benchmarks/ measures that).
settings.register_profile("chiso766", deadline=None)
settings.load_profile("chiso766")

from chiso766.ingest.portal import ENDPOINTS

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CHISO766_SHARED", ROOT.parent / "shared"))
PORTAL_REF = SHARED / "reference" / "portal-api" / "phu-tho"
BULLETINS = SHARED / "reference" / "bulletins"


def pytest_configure(config: pytest.Config) -> None:
    if not PORTAL_REF.is_dir():
        raise pytest.UsageError(f"reference data not found at {SHARED}: tests need ../shared beside the repo")


def build_snapshot(target: Path, period: str, scope: str) -> Path:
    """A snapshot folder (``<endpoint>.json``) from the reference layout ``<endpoint>/<period>-<scope>.json``."""
    target.mkdir(parents=True, exist_ok=True)
    for endpoint in ENDPOINTS:
        source = PORTAL_REF / endpoint / f"{period}-{scope}.json"
        if source.is_file():
            shutil.copyfile(source, target / f"{endpoint}.json")
    return target


@pytest.fixture
def snapshot_factory(tmp_path: Path):
    def make(period: str = "month", scope: str = "all") -> Path:
        return build_snapshot(tmp_path / f"{period}-{scope}", period, scope)
    return make


@pytest.fixture(scope="session", autouse=True)
def generated_samples() -> None:
    """The synthetic dossier files the sample params read, made as `make report` makes them."""
    from chiso766.samples.synthetic import write_samples

    target = ROOT / "data" / "generated"
    if not (target / "hai-phong-002" / "dossiers.csv").is_file():
        write_samples("reference-002", target / "hai-phong-002")
    if not (target / "phu-tho-2026-08" / "dossiers.csv").is_file():
        write_samples("portal-match", target / "phu-tho-2026-08", params_path=ROOT / "params/bulletin_766/2026-08.yaml")


def json_setter(path: str | tuple[Any, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    """A change setting the member at ``path`` (``data.evaluation[3].totalScore`` or a tuple of keys) to
    ``value``, for tests that spoil one field of a response."""
    keys = path if isinstance(path, tuple) else [int(k) if k.isdigit() else k for k in re.findall(r"[^.\[\]]+", path)]

    def change(data: dict[str, Any]) -> None:
        target: Any = data
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value

    return change


def rerun_with(path: Path, text: str) -> None:
    """``path`` (a file of an output folder) as a new run of ``chiso766 run`` would leave it: the new
    text, and its SHA-256 in the folder's manifest (publish refuses a file edited by hand)."""
    import hashlib
    import json

    path.write_text(text, encoding="utf-8")
    folder = next(p for p in path.parents if (p / "manifest.json").is_file())
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    name = path.relative_to(folder).as_posix()
    for entry in manifest["outputs"]:
        if entry["path"] == name:
            entry["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
