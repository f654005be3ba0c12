"""The package as users get it: a wheel installed into a fresh environment, run away from the repo.

The editable install in ``.venv`` reads ``lib/`` directly, so a missing package-data file or a path
computed from the repo layout only shows once the project is built and installed. Also: every
module compiles on each Python the classifiers in pyproject.toml name (3.11 to 3.13).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
PARAMS = "params/bulletin_766/2025.yaml"
PACKAGE_DATA = ("chiso766/notebooks/bulletin_766.ipynb", "chiso766/core/data/components.csv",
                "chiso766/report/phrasings.yaml", "chiso766/compute/sql/received.sql",
                "chiso766/render/templates/typst/document.typ", "chiso766/py.typed")


def _env() -> dict[str, str]:
    """The environment without anything that would put ``lib/`` or ``.venv`` on the path."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _check(cmd: list[str | Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(c) for c in cmd], cwd=cwd, env=_env(), capture_output=True, text=True)
    assert result.returncode == 0, f"{cmd} exited {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result


def _purelib(python: Path) -> Path:
    out = _check([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], Path("/")).stdout
    return Path(out.strip())


def _dependencies(python: Path) -> Path:
    """The folder holding the project's installed third-party packages (``.venv``'s site-packages)."""
    out = _check([python, "-c", "import os, papermill; print(os.path.dirname(os.path.dirname(papermill.__file__)))"],
                 Path("/")).stdout
    return Path(out.strip())


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """``pip wheel .`` of a clean copy of the sources (pyproject.toml, README.md, lib/).

    Built from a copy because setuptools writes ``build/`` and ``lib/*.egg-info`` into the tree it
    builds, and a stale ``build/lib`` would put files deleted from ``lib/`` into the wheel.
    """
    assert (BIN / "python").is_file(), "needs the project's .venv: run `make setup`"
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copyfile(ROOT / name, source / name)
    shutil.copytree(ROOT / "lib", source / "lib", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    _check([BIN / "python", "-m", "pip", "wheel", ".", "--no-deps", "--no-build-isolation", "--quiet",
            "--disable-pip-version-check", "-w", tmp / "dist"], source)
    [built] = (tmp / "dist").glob("chiso766-*.whl")
    return built


@pytest.mark.slow
def test_wheel_holds_package_data(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [name for name in PACKAGE_DATA if name not in names]
    assert not missing, f"not in {wheel.name}: {missing}"
    assert not any(name.startswith("lib/") or "__pycache__" in name for name in names)


@pytest.mark.slow
def test_wheel_runs_a_bulletin_outside_the_repo(wheel, tmp_path):
    timings: dict[str, float] = {}
    start = time.perf_counter()
    # The reference run from the repo's own editable install, alongside the wheel's setup.
    reference_out = tmp_path / "reference"
    reference = subprocess.Popen([str(BIN / "chiso766"), "run", PARAMS, "--out", str(reference_out)], cwd=ROOT,
                                 env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # A fresh venv with the same interpreter; its own pip installs the wheel while nothing else is visible.
        venv = tmp_path / "venv"
        _check([BIN / "python", "-m", "venv", venv], tmp_path)
        python = venv / "bin" / "python"
        _check([python, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet", "--disable-pip-version-check",
                wheel], tmp_path)
        timings["venv + install"] = time.perf_counter() - start
        # Then the third-party packages of .venv, by a path line in a .pth file: .pth files inside that
        # folder (among them the editable install's, which adds lib/) are not processed.
        site, dependencies = _purelib(python), _dependencies(BIN / "python")
        (site / "zz_chiso766_test_deps.pth").write_text(f"{dependencies}\n", encoding="utf-8")
        # and their data files, which a real install puts under the venv's prefix: nbconvert's base
        # templates (share/jupyter/nbconvert). Not the kernelspecs: the kernel must be the new venv's.
        shared = dependencies.parents[2] / "share" / "jupyter"
        (venv / "share" / "jupyter").mkdir(parents=True, exist_ok=True)
        for entry in shared.iterdir() if shared.is_dir() else []:
            if entry.name != "kernels":
                (venv / "share" / "jupyter" / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())

        work = tmp_path / "work"
        raw = yaml.safe_load((ROOT / PARAMS).read_text(encoding="utf-8"))
        for relative in [PARAMS, *raw["inputs"].values()]:
            (work / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(ROOT / relative, work / relative)

        where = _check([python, "-c", "import chiso766, papermill; print(chiso766.__file__); print(papermill.__file__)"],
                       work).stdout.split()
        assert Path(where[0]).resolve() == (site / "chiso766" / "__init__.py").resolve(), where
        assert ROOT / "lib" not in Path(where[0]).resolve().parents
        assert Path(where[1]).resolve().is_relative_to(dependencies.resolve())  # papermill from .venv
        kernel = _check([python, "-c", "from jupyter_client.kernelspec import KernelSpecManager as M; "
                                       "print(M().get_kernel_spec('python3').argv[0])"], work).stdout.strip()
        assert kernel in ("python", "python3", str(python)), f"the notebook kernel would run {kernel}"

        out = tmp_path / "out"
        run_start = time.perf_counter()
        _check([venv / "bin" / "chiso766", "run", PARAMS, "--out", out], work)
        timings["wheel run"] = time.perf_counter() - run_start
    finally:
        stdout, stderr = reference.communicate()
    timings["total"] = time.perf_counter() - start
    print("packaging timings (s):", {k: round(v, 1) for k, v in timings.items()})

    for name in ("bulletin.html", "bulletin.pdf", "tables/units.csv"):
        assert (out / name).is_file(), name
    assert reference.returncode == 0, f"repo run exited {reference.returncode}\n{stdout}\n{stderr}"
    assert (out / "tables" / "units.csv").read_bytes() == (reference_out / "tables" / "units.csv").read_bytes()


def _python(version: str) -> str | None:
    """A working ``python<version>``: on PATH, else under pyenv (whose shims fail for a non-global version)."""
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates = [shutil.which(f"python{version}"),
                  *sorted(map(str, pyenv_root.glob(f"versions/{version}.*/bin/python{version}")), reverse=True)]
    for candidate in filter(None, candidates):
        probe = subprocess.run([candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                               capture_output=True, text=True)
        if probe.returncode == 0 and probe.stdout.strip() == version:
            return candidate
    return None


@pytest.mark.parametrize("version", ["3.12", "3.13"])
def test_modules_compile_on_newer_python(version, tmp_path):
    """Every module under lib/chiso766 byte-compiles with ``python3.12`` and ``python3.13``.

    Only the syntax is proved (the dependencies are not installed for those interpreters); 3.11 is
    the interpreter the rest of the suite runs on. Skipped, not failed, when the interpreter is
    absent: CI runs on a clean machine that may have only the one Python ``make setup`` used, and
    the classifiers claim compatibility, not that every machine has every version. On this machine
    both exist (pyenv), so the test runs.
    """
    python = _python(version)
    if python is None:
        pytest.skip(f"python{version} not found (PATH or pyenv)")
    modules = sorted(str(p) for p in (ROOT / "lib" / "chiso766").rglob("*.py"))
    assert len(modules) > 30
    script = ("import pathlib, py_compile, sys\n"
              "out = pathlib.Path(sys.argv[1])\n"
              "for i, src in enumerate(sys.argv[2:]):\n"
              "    py_compile.compile(src, cfile=str(out / f'{i}.pyc'), doraise=True)\n"
              "print(len(sys.argv) - 2)\n")
    result = subprocess.run([python, "-c", script, str(tmp_path), *modules], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(len(modules))
