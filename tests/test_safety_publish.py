"""Publishing that cannot destroy (issue 11, item 1 and the kill -9 part of item 7).

`publish` writes only into a site it made, `run --out` only into an output folder it made, the
published history survives an output folder that disappears, a damaged `published.json` is a named
error, symbolic links in an output folder never reach the public site, and a `kill -9` at any rename
point of `run` or `publish` leaves the previous folder whole; the next start cleans what it left.

Most cases use small output folders made here (no notebook); the `run` cases that need a real run,
and every kill -9 case, are marked slow.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from chiso766.cli import main
from chiso766.core.errors import InputError
from chiso766.core.files import KILL_ENV, lock_folder, recover_leftovers, swap_folder
from chiso766.publish.runner import OUTPUT_MARKER, check_output_folder, run
from chiso766.publish.site import SITE_MARKER, publish
from tests.conftest import rerun_with

ROOT = Path(__file__).resolve().parents[1]
HP = ROOT / "params" / "bulletin_766" / "2025.yaml"
SAMPLES = ROOT / "data" / "samples"


# helpers ------------------------------------------------------------------------------------------


def tree(folder: Path) -> dict[str, str]:
    """Every entry under ``folder``: a file's SHA-256, a link's target, ``dir`` for a folder."""
    found: dict[str, str] = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(root) / name
            key = str(path.relative_to(folder))
            if path.is_symlink():
                found[key] = "-> " + os.readlink(path)
            elif path.is_dir():
                found[key] = "dir"
            else:
                found[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def make_output(
    outputs: Path, slug: str = "2025", total: str = "63.74", report: str = "bulletin_766", province: str = "Tỉnh Mẫu"
) -> Path:
    """A small output folder as `chiso766 run` leaves it (marker and manifest listing every file)."""
    folder = outputs / report / slug
    files = {
        "bulletin.html": '<!doctype html><html lang="vi"><body><main class="bulletin"><h1>Bản tin thử</h1></main>'
        "</body></html>",
        "bulletin.pdf": "%PDF-1.4 thử",
        "tables.xlsx": "PK thử",
        "document.json": json.dumps({"title": "Bản tin thử", "doc_type": "BÁO CÁO", "subtitle": slug}),
        "tables/units.csv": f"unit_code,unit_name,tier,total,rank\nHP.YT,Sở Y tế,so,{total},1\n",
        "tables/groups.csv": "unit_code,group,points\nHP.YT,tien_do,7.1\n",
        "figures/rank_so.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
        OUTPUT_MARKER: "chiso766\n",
    }
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    manifest = {
        "report": report,
        "period": slug,
        "as_of": f"{slug[:4]}-10-07",
        "params": {"province": province},
        "outputs": [
            {"path": name, "sha256": hashlib.sha256(text.encode()).hexdigest()} for name, text in files.items()
        ],
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return folder


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder: params/, data/ (the inputs), outputs/ with two bulletins."""
    root = tmp_path / "proj"
    (root / "data").mkdir(parents=True)
    shutil.copyfile(SAMPLES / "hai-phong" / "scores-2025-10-09.csv", root / "data" / "scores.csv")
    shutil.copyfile(SAMPLES / "hai-phong" / "units.csv", root / "data" / "units.csv")
    params = root / "params" / "bulletin_766" / "2025.yaml"
    params.parent.mkdir(parents=True)
    params.write_text(
        "report: bulletin_766\nperiod: '2025'\nas_of: 2025-10-07\nprovince: Hải Phòng\n"
        "inputs:\n  scores: data/scores.csv\n  units: data/units.csv\n",
        encoding="utf-8",
    )
    make_output(root / "outputs", "2025", province="Hải Phòng")
    make_output(root / "outputs", "2024", total="60.10", province="Hải Phòng")
    (root / "outputs" / "README.md").write_text("kết quả\n", encoding="utf-8")
    return root


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(".") and "-" in p.name)


# publish --site: only a site it made ---------------------------------------------------------------


def _site_in_project(project: Path) -> Path:
    return project


def _site_is_outputs(project: Path) -> Path:
    return project / "outputs"


def _site_inside_outputs(project: Path) -> Path:
    return project / "outputs" / "site"


def _site_holds_the_project(project: Path) -> Path:
    return project.parent


def _site_inside_params(project: Path) -> Path:
    return project / "params" / "site"


def _site_is_data(project: Path) -> Path:
    return project / "data"


def _site_with_foreign_files(project: Path) -> Path:
    folder = project.parent / "www"
    folder.mkdir()
    (folder / "ghi-chu.txt").write_text("của người khác\n", encoding="utf-8")
    (folder / "anh").mkdir()
    (folder / "anh" / "logo.png").write_bytes(b"\x89PNG")
    return folder


def _site_marked_with_a_foreign_file(project: Path) -> Path:
    site = project.parent / "site"
    publish(project / "outputs", site)
    (site / "hop-dong.docx").write_bytes(b"PK")
    return site


def _site_marked_with_a_foreign_bulletin(project: Path) -> Path:
    site = project.parent / "site"
    publish(project / "outputs", site)
    (site / "bulletin_766" / "2019").mkdir()
    (site / "bulletin_766" / "2019" / "index.html").write_text("tự làm\n", encoding="utf-8")
    return site


def _site_is_a_file(project: Path) -> Path:
    path = project.parent / "site"
    path.write_text("không phải thư mục\n", encoding="utf-8")
    return path


SITE_CASES = [
    (_site_in_project, "thư mục dự án"),
    (_site_is_outputs, "outputs"),
    (_site_inside_outputs, "outputs"),
    (_site_holds_the_project, "thư mục dự án"),
    (_site_inside_params, "params"),
    (_site_is_data, "data"),
    (_site_with_foreign_files, SITE_MARKER),
    (_site_marked_with_a_foreign_file, "hop-dong.docx"),
    (_site_marked_with_a_foreign_bulletin, "bulletin_766/2019"),
    (_site_is_a_file, "không phải thư mục"),
]


@pytest.mark.parametrize("make_site, words", SITE_CASES, ids=[f.__name__.removeprefix("_site_") for f, _ in SITE_CASES])
def test_publish_refuses_a_site_it_must_not_replace(project, capsys, make_site, words):
    site = make_site(project)
    scope = project.parent
    before = tree(scope)
    code, _, err = cli(capsys, "publish", "--site", str(site), "--outputs", str(project / "outputs"))
    assert code == 2, err
    assert err.startswith("Lỗi") and words in err
    assert tree(scope) == before, "nothing written, nothing deleted"


@pytest.mark.parametrize("where", ["outputs", "outputs/site", "."])
def test_publish_refuses_a_site_overlapping_outputs_outside_a_project(tmp_path, where):
    outputs = tmp_path / "outputs"
    make_output(outputs)
    before = tree(tmp_path)
    with pytest.raises(InputError, match="thư mục kết quả"):
        publish(outputs, tmp_path / where)
    assert tree(tmp_path) == before


@pytest.mark.parametrize("kind", ["new", "empty", "marked", "legacy"])
def test_publish_accepts_a_site_it_made(project, tmp_path, kind):
    site = tmp_path / "site"
    if kind == "empty":
        site.mkdir()
    elif kind == "marked":
        publish(project / "outputs", site)
    elif kind == "legacy":  # made before the marker existed: published.json and site pages only
        publish(project / "outputs", site)
        (site / SITE_MARKER).unlink()
        (site / "revisions.html").unlink()
    result = publish(project / "outputs", site)
    assert result.bulletins == 2 and (site / SITE_MARKER).is_file()
    assert (site / "bulletin_766" / "2025" / "index.html").is_file()
    assert not leftovers(tmp_path)


# run --out: only an output folder it made, never one holding an input --------------------------------


def _out_foreign(project: Path) -> Path:
    folder = project.parent / "tai-lieu"
    folder.mkdir()
    (folder / "bao-cao-cu.docx").write_bytes(b"PK")
    return folder


def _out_project(project: Path) -> Path:
    return project


def _out_outputs_root(project: Path) -> Path:
    return project / "outputs"


def _out_holds_the_inputs(project: Path) -> Path:
    return project / "data"


def _out_holds_the_params(project: Path) -> Path:
    return project / "params" / "bulletin_766"


def _out_inside_an_input(project: Path) -> Path:
    return project / "data" / "scores.csv" / "out"


def _out_our_folder_with_a_user_file(project: Path) -> Path:
    folder = project / "outputs" / "bulletin_766" / "2025"
    (folder / "ghi-chu-cua-toi.txt").write_text("đừng xóa\n", encoding="utf-8")
    return folder


def _out_another_period(project: Path) -> Path:
    """A folder another run made, of 2024: a --out typed from an earlier command."""
    return make_output(project.parent / "cu", "2024")


def _out_another_report(project: Path) -> Path:
    return make_output(project.parent / "cu", "2025", report="unit_report")


def _out_marked_damaged_manifest_with_a_user_file(project: Path) -> Path:
    """The marker says the tool made it, the manifest that listed its files is broken: a file no run
    writes is somebody's."""
    folder = project / "outputs" / "bulletin_766" / "2025"
    (folder / "manifest.json").write_text("{", encoding="utf-8")
    (folder / "ghichu.docx").write_bytes(b"PK")
    return folder


def _out_signed_since(project: Path) -> Path:
    """The PDF was signed (changed) in place after the run: a new run would replace the signed one."""
    folder = project / "outputs" / "bulletin_766" / "2025"
    with (folder / "bulletin.pdf").open("ab") as handle:
        handle.write(b"\n% signature")
    return folder


def _out_beside_a_user_file_named_as_its_failed_notebook(project: Path) -> Path:
    """A failed run keeps its notebook as <folder>.failed.ipynb: a user's file of that name is not replaced."""
    (project.parent / "moi.failed.ipynb").write_text("ghi chú của tôi\n", encoding="utf-8")
    return project.parent / "moi"


def _out_is_a_file(project: Path) -> Path:
    path = project.parent / "out"
    path.write_text("x\n", encoding="utf-8")
    return path


OUT_CASES = [
    (_out_foreign, OUTPUT_MARKER),
    (_out_project, "dữ liệu vào"),
    (_out_outputs_root, OUTPUT_MARKER),
    (_out_holds_the_inputs, "dữ liệu vào"),
    (_out_holds_the_params, "dữ liệu vào"),
    (_out_inside_an_input, "dữ liệu vào"),
    (_out_our_folder_with_a_user_file, "ghi-chu-cua-toi.txt"),
    (_out_is_a_file, "không phải thư mục"),
    (_out_marked_damaged_manifest_with_a_user_file, "ghichu.docx"),
    (_out_signed_since, "đã sửa sau khi chiso766 run ghi (bulletin.pdf)"),
    (_out_beside_a_user_file_named_as_its_failed_notebook, "sổ lỗi của lần chạy"),
    (_out_another_period, "một bản tin khác (bulletin_766, 2024, Tỉnh Mẫu)"),
    (_out_another_report, "một bản tin khác (unit_report, 2025, Tỉnh Mẫu)"),
]


@pytest.mark.parametrize("make_out, words", OUT_CASES, ids=[f.__name__.removeprefix("_out_") for f, _ in OUT_CASES])
def test_run_refuses_an_output_folder_it_must_not_replace(project, capsys, make_out, words):
    out = make_out(project)
    scope = project.parent
    before = tree(scope)
    params = project / "params" / "bulletin_766" / "2025.yaml"
    code, _, err = cli(capsys, "run", str(params), "--out", str(out))
    assert code == 2, err
    assert words in err
    assert tree(scope) == before, "nothing written, nothing deleted"


@pytest.mark.parametrize("kind", ["missing", "empty", "marked", "legacy", "marked, damaged manifest"])
def test_run_accepts_an_output_folder_it_made(tmp_path, kind):
    outputs = tmp_path / "outputs"
    folder = outputs / "bulletin_766" / "2025"
    if kind == "empty":
        folder.mkdir(parents=True)
    elif kind != "missing":
        make_output(outputs)
    if kind == "legacy":  # made before the marker: the manifest lists every file but itself
        (folder / OUTPUT_MARKER).unlink()
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        manifest["outputs"] = [o for o in manifest["outputs"] if o["path"] != OUTPUT_MARKER]
        (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    if kind == "marked, damaged manifest":
        (folder / "manifest.json").write_text("{", encoding="utf-8")
    check_output_folder(folder.resolve(), [(tmp_path / "scores.csv").resolve()])


def test_a_unit_report_folder_is_another_unit_s_bulletin(tmp_path):
    """Two units' reports of one period share the default folder (outputs/unit_report/<period>): the
    second is refused, naming the unit the folder holds; the same unit's is replaced."""
    from chiso766.core.errors import InputError
    from chiso766.core.params import load_params

    folder = make_output(tmp_path / "outputs", "2026-Q2", report="unit_report")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["params"]["unit"] = "Phường Mẫu Sơn"
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    for unit, refused in (("Xã Tây", True), ("Phường Mẫu Sơn", False)):
        path = tmp_path / "params" / "unit_report" / "p.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            f"report: unit_report\nperiod: 2026-Q2\nprovince: Tỉnh Mẫu\nunit: {unit}\ninputs: {{scores: s.csv}}\n",
            encoding="utf-8",
        )
        params = load_params(path, check_inputs=False)
        if refused:
            with pytest.raises(InputError, match="một bản tin khác \\(unit_report, 2026-Q2, Tỉnh Mẫu, Phường Mẫu Sơn\\)"):
                check_output_folder(folder.resolve(), [], params)
        else:
            check_output_folder(folder.resolve(), [], params)


@pytest.mark.slow
def test_run_marks_the_folder_and_replaces_its_own(built, tmp_path):
    """A run writes its marker, listed in its manifest; publish never copies it."""
    assert (built / OUTPUT_MARKER).is_file()
    manifest = json.loads((built / "manifest.json").read_text(encoding="utf-8"))
    assert OUTPUT_MARKER in {o["path"] for o in manifest["outputs"]}
    outputs = tmp_path / "outputs"
    shutil.copytree(built, outputs / "bulletin_766" / "2025")
    site = tmp_path / "site"
    publish(outputs, site)
    assert not list(site.rglob(OUTPUT_MARKER))


# the published history is never dropped --------------------------------------------------------------


def test_an_output_folder_gone_keeps_its_pages_versions_and_log(tmp_path, capsys):
    outputs, site = tmp_path / "outputs", tmp_path / "site"
    folder = make_output(outputs, "2025")
    make_output(outputs, "2024")
    publish(outputs, site)
    rerun_with(folder / "tables" / "units.csv", "unit_code,unit_name,tier,total,rank\nHP.YT,Sở Y tế,so,64.74,1\n")
    assert publish(outputs, site, reason="bổ sung số liệu").revised == ["bulletin_766/2025"]
    before = tree(site / "bulletin_766" / "2025")
    shutil.rmtree(folder)
    code, out, _ = cli(capsys, "publish", "--site", str(site), "--outputs", str(outputs))
    assert code == 0 and "giữ bản đã công bố" in out and "bulletin_766/2025" in out
    assert tree(site / "bulletin_766" / "2025") == before
    assert "63.74" in (site / "bulletin_766" / "2025" / "v1" / "tables" / "units.csv").read_text(encoding="utf-8")
    state = json.loads((site / "published.json").read_text(encoding="utf-8"))
    entry = state["bulletins"]["bulletin_766/2025"]
    assert entry["version"] == 2 and entry["status"] == "published" and entry["output_missing"] is True
    assert [r["reason"] for r in state["revisions"]] == ["bổ sung số liệu"]
    assert 'href="bulletin_766/2025/index.html"' in (site / "index.html").read_text(encoding="utf-8")
    assert "bổ sung số liệu" in (site / "revisions.html").read_text(encoding="utf-8")
    # and again: still kept, the log unchanged
    publish(outputs, site)
    assert tree(site / "bulletin_766" / "2025") == before


def test_withdraw_needs_the_option_and_a_reason_and_is_logged(tmp_path, capsys):
    outputs, site = tmp_path / "outputs", tmp_path / "site"
    make_output(outputs, "2025")
    make_output(outputs, "2024")
    publish(outputs, site)
    before = tree(site)
    code, _, err = cli(
        capsys, "publish", "--site", str(site), "--outputs", str(outputs), "--withdraw", "bulletin_766/2025"
    )
    assert code == 2 and "--reason" in err and tree(site) == before
    code, _, err = cli(
        capsys,
        "publish",
        "--site",
        str(site),
        "--outputs",
        str(outputs),
        "--withdraw",
        "bulletin_766/2019",
        "--reason",
        "x",
    )
    assert code == 2 and "bulletin_766/2019" in err and tree(site) == before
    code, out, _ = cli(
        capsys,
        "publish",
        "--site",
        str(site),
        "--outputs",
        str(outputs),
        "--withdraw",
        "bulletin_766/2025",
        "--reason",
        "công bố nhầm kỳ",
    )
    assert code == 0 and "đã rút: bulletin_766/2025" in out
    assert not (site / "bulletin_766" / "2025").exists() and (site / "bulletin_766" / "2024").is_dir()
    state = json.loads((site / "published.json").read_text(encoding="utf-8"))
    assert state["bulletins"]["bulletin_766/2025"]["status"] == "withdrawn"
    assert state["revisions"][-1]["action"] == "withdraw" and state["revisions"][-1]["reason"] == "công bố nhầm kỳ"
    assert "công bố nhầm kỳ" in (site / "revisions.html").read_text(encoding="utf-8")
    assert "bulletin_766/2025/index.html" not in (site / "index.html").read_text(encoding="utf-8")
    # the output folder is still there: a plain publish does not bring it back, it warns
    code, _, err = cli(capsys, "publish", "--site", str(site), "--outputs", str(outputs), "--reason", "x")
    assert code == 0 and "--republish bulletin_766/2025" in err and not (site / "bulletin_766" / "2025").exists()
    result = publish(outputs, site, reason="đã sửa", republish=["bulletin_766/2025"])
    assert result.revised == ["bulletin_766/2025"] and (site / "bulletin_766" / "2025" / "index.html").is_file()
    state = json.loads((site / "published.json").read_text(encoding="utf-8"))
    assert state["bulletins"]["bulletin_766/2025"]["version"] == 2
    assert [r["action"] for r in state["revisions"]] == ["withdraw", "republish"]


def _truncated(text: str) -> str:
    return text[: len(text) // 2]


def _not_json(text: str) -> str:
    return "<html>không phải JSON</html>"


def _invalid_utf8(text: str) -> bytes:
    return b'{"bulletins": {"\xff\xfe": 1}, "revisions": []}'


def _a_list(text: str) -> str:
    return "[]"


def _empty_file(text: str) -> str:
    return ""


def _version_as_text(text: str) -> str:
    state = json.loads(text)
    state["bulletins"]["bulletin_766/2025"]["version"] = "1"
    return json.dumps(state)


def _slug_escaping_the_site(text: str) -> str:
    state = json.loads(text)
    entry = state["bulletins"].pop("bulletin_766/2025")
    entry["slug"] = ".."
    state["bulletins"]["bulletin_766/.."] = entry
    return json.dumps(state)


def _revisions_not_a_list(text: str) -> str:
    state = json.loads(text)
    state["revisions"] = {"a": 1}
    return json.dumps(state)


def _deep_nesting(text: str) -> str:
    return "[" * 100_000 + "]" * 100_000


def _missing(text: str) -> None:
    return None


@pytest.mark.parametrize(
    "damage",
    [
        _truncated,
        _not_json,
        _invalid_utf8,
        _a_list,
        _empty_file,
        _version_as_text,
        _slug_escaping_the_site,
        _revisions_not_a_list,
        _deep_nesting,
        _missing,
    ],
    ids=lambda f: f.__name__.strip("_"),
)
def test_a_damaged_published_json_is_a_named_error(tmp_path, capsys, damage):
    outputs, site = tmp_path / "outputs", tmp_path / "site"
    make_output(outputs)
    publish(outputs, site)
    state = site / "published.json"
    damaged = damage(state.read_text(encoding="utf-8"))
    if damaged is None:
        state.unlink()
    elif isinstance(damaged, bytes):
        state.write_bytes(damaged)
    else:
        state.write_text(damaged, encoding="utf-8")
    before = tree(site)
    code, _, err = cli(capsys, "publish", "--site", str(site), "--outputs", str(outputs), "--reason", "x")
    assert code == 2 and "published.json" in err
    assert tree(site) == before, "never an empty new log"


# symbolic links in an output folder never reach the public site ------------------------------------------


SECRET = "mật-khẩu-bí-mật-766"


def _link_table_to_etc_passwd(folder: Path, outside: Path) -> str:
    (folder / "tables" / "passwd.csv").symlink_to("/etc/passwd")
    return "skipped"


def _link_figure_to_a_file_outside(folder: Path, outside: Path) -> str:
    (folder / "figures" / "secret.svg").symlink_to(outside / "secret.txt")
    return "skipped"


def _link_pdf_to_a_file_outside(folder: Path, outside: Path) -> str:
    (folder / "bulletin.pdf").unlink()
    (folder / "bulletin.pdf").symlink_to(outside / "secret.txt")
    return "skipped"


def _link_the_tables_folder_outside(folder: Path, outside: Path) -> str:
    shutil.rmtree(folder / "tables")
    (folder / "tables").symlink_to(outside)
    return "skipped"


def _relative_link_inside_figures(folder: Path, outside: Path) -> str:
    (folder / "figures" / "up.svg").symlink_to("../../../../outside/secret.txt")
    return "skipped"


def _link_the_page_to_a_file_outside(folder: Path, outside: Path) -> str:
    (folder / "bulletin.html").unlink()
    (folder / "bulletin.html").symlink_to(outside / "secret.txt")
    return "refused"


def _link_the_manifest_outside(folder: Path, outside: Path) -> str:
    (outside / "manifest.json").write_text(json.dumps({"report": "bulletin_766", "title": SECRET}), encoding="utf-8")
    (folder / "manifest.json").unlink()
    (folder / "manifest.json").symlink_to(outside / "manifest.json")
    return "refused"


def _link_the_whole_output_folder(folder: Path, outside: Path) -> str:
    make_output(outside / "o", "2023")
    (folder.parent / "2023").symlink_to(outside / "o" / "bulletin_766" / "2023")
    (outside / "o" / "bulletin_766" / "2023" / "tables" / "units.csv").write_text(SECRET, encoding="utf-8")
    return "skipped"


@pytest.mark.parametrize(
    "plant",
    [
        _link_table_to_etc_passwd,
        _link_figure_to_a_file_outside,
        _link_pdf_to_a_file_outside,
        _link_the_tables_folder_outside,
        _relative_link_inside_figures,
        _link_the_page_to_a_file_outside,
        _link_the_manifest_outside,
        _link_the_whole_output_folder,
    ],
    ids=lambda f: f.__name__.strip("_"),
)
def test_publish_never_follows_a_link_out_of_an_output_folder(tmp_path, capsys, plant):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET, encoding="utf-8")
    outputs, site = tmp_path / "outputs", tmp_path / "site"
    folder = make_output(outputs)
    verdict = plant(folder, outside)
    code, _, err = cli(capsys, "publish", "--site", str(site), "--outputs", str(outputs))
    if verdict == "refused":
        assert code == 2 and "liên kết" in err and not site.exists()
        return
    assert code == 0 and "cảnh báo" in err and "liên kết" in err
    for path in site.rglob("*"):
        assert not path.is_symlink(), path
        if path.is_file():
            data = path.read_bytes()
            assert SECRET.encode() not in data and b"root:x:0:0" not in data, path


# leftovers of a killed process ----------------------------------------------------------------------------


@pytest.fixture
def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_leftovers_of_dead_processes_are_cleaned_and_others_kept(tmp_path, dead_pid):
    def folder(name: str) -> Path:
        (tmp_path / name).mkdir()
        (tmp_path / name / "f").write_text(name, encoding="utf-8")
        return tmp_path / name

    folder("2025")
    folder(f".2025.partial-{dead_pid}")
    folder(f".site.build-{dead_pid}")
    folder(f".2025.old-{dead_pid}")  # the final folder exists: a stale old copy
    folder(f".2024.old-{dead_pid}")  # the final folder is missing: the fallback swap was cut in two
    folder(f".2025.partial-{os.getpid()}")  # a run still going
    folder(f".2025.partial-{os.getppid()}")
    folder(".git")
    (tmp_path / f".x.partial-{dead_pid}").write_text("a file, not a leftover folder", encoding="utf-8")
    touched = recover_leftovers(tmp_path)
    assert len(touched) == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [
            "2024",
            "2025",
            f".2025.partial-{os.getpid()}",
            f".2025.partial-{os.getppid()}",
            ".git",
            f".x.partial-{dead_pid}",
        ]
    )
    assert (tmp_path / "2024" / "f").read_text(encoding="utf-8") == f".2024.old-{dead_pid}"


def test_a_second_publish_beside_a_running_one_is_a_named_error(tmp_path):
    outputs = tmp_path / "outputs"
    make_output(outputs)
    with lock_folder(tmp_path), pytest.raises(InputError, match="publish khác"):
        publish(outputs, tmp_path / "site")
    assert not (tmp_path / "site").exists()


def test_the_fallback_swap_cut_between_its_renames_is_restored(tmp_path):
    """Where no atomic exchange exists, two renames; a kill between them is undone by the next start."""
    final, built = tmp_path / "site", tmp_path / "new"
    final.mkdir()
    (final / "index.html").write_text("cũ", encoding="utf-8")
    built.mkdir()
    (built / "index.html").write_text("mới", encoding="utf-8")
    script = (
        "import sys; from pathlib import Path; import chiso766.core.files as f\n"
        "f._exchange = lambda a, b: False\n"
        "f.swap_folder(Path(sys.argv[1]), Path(sys.argv[2]), 'publish')\n"
    )
    env = {**os.environ, KILL_ENV: "publish:between-renames"}
    child = subprocess.Popen([sys.executable, "-c", script, str(built), str(final)], env=env)
    assert child.wait() == -signal.SIGKILL
    assert not final.exists() and (tmp_path / f".site.old-{child.pid}").is_dir()
    recover_leftovers(tmp_path)
    assert (final / "index.html").read_text(encoding="utf-8") == "cũ"
    swap_folder(built, final)
    assert (final / "index.html").read_text(encoding="utf-8") == "mới" and sorted(os.listdir(tmp_path)) == ["site"]


# kill -9 at every rename point of publish and run ----------------------------------------------------------


def _kill(argv: list[str], point: str, base: Path) -> subprocess.Popen[bytes]:
    # a killed process cannot remove its temporary files (a run's kernel connection file): they stay in
    # the case's folder, not in /tmp
    env = {**os.environ, KILL_ENV: point, "TMPDIR": str(base)}
    return subprocess.Popen([sys.executable, "-m", "chiso766", *argv], env=env, cwd=ROOT, stderr=subprocess.PIPE)


PUBLISH_POINTS = [
    ("existing", "publish:before-swap"),
    ("existing", "publish:after-swap"),
    ("new", "publish:before-swap"),
]


@pytest.fixture(scope="module")
def killed_publishes(tmp_path_factory) -> dict[tuple[str, str], tuple[Path, dict[str, str], int]]:
    """Each kill point in its own folder, the killed publishes run side by side."""
    cases, children = {}, {}
    for kind, point in PUBLISH_POINTS:
        base = tmp_path_factory.mktemp(f"publish-{kind}-{point.split(':')[1]}")
        outputs, site = base / "outputs", base / "site"
        make_output(outputs, "2025")
        make_output(outputs, "2024")
        if kind == "existing":
            publish(outputs, site)
            make_output(outputs, "2026")  # the killed publish adds a bulletin
        before = tree(site) if site.exists() else {}
        children[(kind, point)] = _kill(["publish", "--site", str(site), "--outputs", str(outputs)], point, base)
        cases[(kind, point)] = (base, before)
    result = {}
    for key, child in children.items():
        child.communicate()
        base, before = cases[key]
        result[key] = (base, before, child.returncode)
    return result


@pytest.mark.slow
@pytest.mark.parametrize("kind, point", PUBLISH_POINTS)
def test_kill_9_during_publish_leaves_a_whole_site(killed_publishes, kind, point):
    base, before, code = killed_publishes[(kind, point)]
    site = base / "site"
    assert code == -signal.SIGKILL
    assert leftovers(base), "the kill left its build folder"
    if point.endswith("before-swap"):
        assert (tree(site) if site.exists() else {}) == before
    else:  # the new site is complete
        state = json.loads((site / "published.json").read_text(encoding="utf-8"))
        assert sorted(state["bulletins"]) == ["bulletin_766/2024", "bulletin_766/2025", "bulletin_766/2026"]
        assert (site / "bulletin_766" / "2026" / "index.html").is_file() and (site / SITE_MARKER).is_file()
    if site.exists():
        assert json.loads((site / "published.json").read_text(encoding="utf-8"))["bulletins"]
        assert (site / "index.html").read_text(encoding="utf-8").startswith("<!")
    result = publish(base / "outputs", site)
    assert result.bulletins == (3 if kind == "existing" else 2) and not leftovers(base)
    assert (site / "bulletin_766" / "2025" / "index.html").is_file()


RUN_POINTS = [("existing", "run:before-swap"), ("existing", "run:after-swap"), ("new", "run:before-swap")]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """One real output folder of the Hải Phòng score-table sample."""
    return run(HP, out=tmp_path_factory.mktemp("built") / "bulletin_766" / "2025")


@pytest.fixture(scope="module")
def killed_runs(built, tmp_path_factory) -> dict[tuple[str, str], tuple[Path, dict[str, str], int]]:
    cases, children = {}, {}
    for kind, point in RUN_POINTS:
        base = tmp_path_factory.mktemp(f"run-{kind}-{point.split(':')[1]}")
        out = base / "bulletin_766" / "2025"
        if kind == "existing":
            shutil.copytree(built, out)
        before = tree(out) if out.exists() else {}
        children[(kind, point)] = _kill(["run", str(HP), "--out", str(out)], point, base)
        cases[(kind, point)] = (out, before)
    result = {}
    for key, child in children.items():
        child.communicate()
        out, before = cases[key]
        result[key] = (out, before, child.returncode)
    return result


def _whole(out: Path) -> None:
    """Every file the manifest lists is there with its SHA-256."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["outputs"]:
        assert hashlib.sha256((out / entry["path"]).read_bytes()).hexdigest() == entry["sha256"], entry["path"]


@pytest.mark.slow
@pytest.mark.parametrize("kind, point", RUN_POINTS)
def test_kill_9_during_run_leaves_a_whole_output(killed_runs, kind, point):
    out, before, code = killed_runs[(kind, point)]
    assert code == -signal.SIGKILL
    assert leftovers(out.parent), "the kill left its staging folder"
    if point.endswith("before-swap"):
        assert (tree(out) if out.exists() else {}) == before
    if out.exists():
        _whole(out)
    if kind == "new":  # a full run beside the leftover of the killed one
        assert run(HP, out=out) == out.resolve()
    else:  # the next start cleans up even when the output is up to date
        assert run(HP, out=out, if_changed=True) == out.resolve()
    _whole(out)
    assert not leftovers(out.parent)


def test_a_bulletin_edited_by_hand_is_not_published(tmp_path):
    """A figure changed in bulletin.html after the run would reach the portal as the signed one."""
    outputs, site = tmp_path / "outputs", tmp_path / "site"
    folder = make_output(outputs, "2025")
    page = folder / "bulletin.html"
    page.write_text(page.read_text(encoding="utf-8").replace("Bản tin thử", "Bản tin đã sửa"), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        publish(outputs, site)
    assert caught.value.path == page and "SHA-256 khác với manifest.json" in str(caught.value)
    assert not site.exists()


def test_a_broken_manifest_is_said_in_vietnamese_with_its_place(tmp_path):
    outputs, site = tmp_path / "outputs", tmp_path / "site"
    folder = make_output(outputs, "2025")
    (folder / "manifest.json").write_text('{"report": "bulletin_766",\n "period": }', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        publish(outputs, site)
    assert (caught.value.path, caught.value.row) == (folder / "manifest.json", 2)
    assert "không phải JSON hợp lệ (lỗi ở ký tự 12): tệp đã hỏng" in str(caught.value)
    assert "Expecting" not in str(caught.value)
