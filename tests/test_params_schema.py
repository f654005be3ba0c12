"""The params schema: every key at every depth is checked before anything runs (core/params.py)."""

from __future__ import annotations

import itertools
import time
from datetime import date
from pathlib import Path

import pytest
import yaml

from chiso766.cli import main
from chiso766.compute.indicators import INDICATORS
from chiso766.core.errors import ParamsError
from chiso766.core.methodology import GROUP_KEYS
from chiso766.core.params import INPUT_KINDS, REPORTS, TARGET_KEYS, apply_overrides, load_params, validate

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "params").glob("*/*.yaml"))

# What pydantic says in English; none of it may reach an analyst.
PYDANTIC_WORDS = ("Input should", "Field required", "Extra inputs", "validation error", "Value error",
                  "pydantic", "Keys should")

BULLETIN = """\
report: bulletin_766
period: "2025"
inputs:
  scores: data/scores.csv
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder with one score table and one unit registry, as relative inputs resolve there."""
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "scores.csv").write_text("unit_name,total\nSở Y tế,80\n", encoding="utf-8")
    (tmp_path / "data" / "units.csv").write_text("unit_code,unit_name,tier\nYT,Sở Y tế,so\n", encoding="utf-8")
    (tmp_path / "data" / "dossiers.csv").write_text("dossier_id\n1\n", encoding="utf-8")
    return tmp_path


def write(project: Path, body: str | bytes, kind: str = "bulletin_766") -> Path:
    path = project / "params" / kind / "p.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(body, bytes):
        path.write_bytes(body)
    else:
        path.write_text(body, encoding="utf-8")
    return path


def failure(path: Path, overrides: list[str] | None = None) -> ParamsError:
    """The ParamsError that loading ``path`` raises, checked to be Vietnamese and to name the file."""
    with pytest.raises(ParamsError) as info:
        load_params(path, overrides)
    text = str(info.value)
    assert str(path) in text
    assert not any(word in text for word in PYDANTIC_WORDS), text
    return info.value


# The sample params ---------------------------------------------------------------------------


def test_there_are_six_samples() -> None:
    assert len(SAMPLES) >= 6
    assert {p.parent.name for p in SAMPLES} == set(REPORTS)


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_sample_validates_and_raw_is_kept_as_read(sample: Path) -> None:
    # The generated inputs (data/generated) are written by `make report`, so existence is not asked here.
    params = load_params(sample, check_inputs=False)
    assert params.raw == yaml.safe_load(sample.read_text(encoding="utf-8"))
    assert params.report == params.raw["report"]
    assert params.period.label.upper() == str(params.raw["period"]).upper()
    assert set(params.inputs) == set(params.raw["inputs"])
    assert all(path.is_absolute() for path in params.inputs.values())
    assert params.schema is not None and params.schema.report == params.report


def test_sample_with_shipped_inputs_validates_with_inputs_checked() -> None:
    params = load_params(ROOT / "params/bulletin_766/2025.yaml")
    assert params.as_of == date(2025, 10, 7)
    assert params.get("issuer")["date"] == date(2025, 10, 9)  # raw keeps YAML's date object
    assert params.inputs["scores"] == ROOT / "data/samples/hai-phong/scores-2025-10-09.csv"


def test_target_keys_are_the_groups_the_total_and_the_weekly_indicators() -> None:
    assert (*GROUP_KEYS, "total", *INDICATORS) == TARGET_KEYS
    assert INPUT_KINDS == ("portal", "scores", "dossiers", "complaints", "units", "previous", "history", "indices")


# Unknown keys, at every depth -----------------------------------------------------------------


@pytest.mark.parametrize("extra, column, suggestion", [
    ("issuer:\n  signr: Nguyễn Văn A\n", "issuer.signr", "issuer.signer"),
    ("issuer:\n  recipient: [a]\n", "issuer.recipient", "issuer.recipients"),
    ("options:\n  audti_pdf: true\n", "options.audti_pdf", "options.audit_pdf"),
    ("options:\n  columns:\n    dosiers: {Mã: dossier_id}\n", "options.columns.dosiers", "options.columns.dossiers"),
    ("spark:\n  mastr: local[4]\n", "spark.mastr", "spark.master"),
    ("targets:\n  cong_khia: '>=15'\n", "targets.cong_khia", "targets.cong_khai"),
    ("titel: Báo cáo\n", "titel", "title"),
])
def test_nested_typo_is_refused_with_the_closest_key(project: Path, extra: str, column: str, suggestion: str) -> None:
    exc = failure(write(project, BULLETIN + extra))
    assert exc.column == column
    assert exc.reason == f"không được hỗ trợ; có phải «{suggestion}»?" and exc.column == column
    assert str(exc).count("khóa") == 1, "the key is named once"


def test_typo_in_inputs_is_refused_with_the_closest_kind(project: Path) -> None:
    exc = failure(write(project, "report: bulletin_766\nperiod: '2025'\ninputs:\n  scors: data/scores.csv\n"))
    # The unknown key is reported first: it explains why no score input is given.
    assert exc.column == "inputs.scors"
    assert "có phải «inputs.scores»?" in exc.reason


def test_typo_in_a_required_key_names_the_typo_not_the_missing_key(project: Path) -> None:
    exc = failure(write(project, "report: bulletin_766\nperod: '2025'\ninputs: {scores: data/scores.csv}\n"))
    assert exc.column == "perod" and "có phải «period»?" in exc.reason


def test_unknown_key_without_a_close_one_lists_the_known_keys(project: Path) -> None:
    exc = failure(write(project, BULLETIN + "spark:\n  zzz: 1\n"))
    assert exc.column == "spark.zzz" and "(dùng: master, remote)" in exc.reason


def test_key_that_is_not_text_is_refused(project: Path) -> None:
    exc = failure(write(project, BULLETIN + "2025: x\n"))
    assert exc.column == "2025"


# Values -----------------------------------------------------------------------------------------


def test_bad_target_in_the_file(project: Path) -> None:
    exc = failure(write(project, BULLETIN + "targets:\n  cong_khai: abc\n"))
    assert exc.column == "targets.cong_khai" and "«abc»" in exc.reason


@pytest.mark.parametrize("target", ["'>=160'", "'=150'", "'>100'", "'<0'", "160"])
def test_a_target_no_rate_can_meet_is_refused(project: Path, target: str) -> None:
    exc = failure(write(project, BULLETIN + f"targets:\n  online_payment: {target}\n"))
    assert exc.column == "targets.online_payment" and "không thể đạt" in exc.reason and "0 đến 100" in exc.reason


def test_blank_target_is_refused(project: Path) -> None:
    exc = failure(write(project, BULLETIN + "targets:\n  online_payment:\n"))
    assert exc.column == "targets.online_payment"


@pytest.mark.parametrize("value", ["", "''", "'  '"])
def test_province_written_but_left_empty_is_refused(project: Path, value: str) -> None:
    """Every heading of the bulletin names the province: a key left empty would leave them without it."""
    exc = failure(write(project, BULLETIN + f"province: {value}\n"))
    assert exc.column == "province" and "để trống" in exc.reason


def test_good_targets_in_every_form(project: Path) -> None:
    params = load_params(
        write(project, BULLETIN + "targets: {cong_khai: '>=15', total: 90, so_hoa: '≥ 20%', digitized: '=100', resolved_late: '<=0'}\n")
    )
    assert params.schema is not None and params.schema.targets is not None
    assert str(params.schema.targets.total) == ">=90"
    assert params.get("targets") == {
        "cong_khai": ">=15", "total": 90, "so_hoa": "≥ 20%", "digitized": "=100", "resolved_late": "<=0"
    }


@pytest.mark.parametrize("body, column", [
    (BULLETIN + "as_of: 2025-02-30\n", "as_of"),
    (BULLETIN + "as_of: '2025-02-30'\n", "as_of"),
    (BULLETIN + "issuer:\n  date: 2025-02-30\n", "issuer.date"),
    (BULLETIN + "as_of: hôm qua\n", "as_of"),
])
def test_impossible_or_malformed_date_names_its_key(project: Path, body: str, column: str) -> None:
    exc = failure(write(project, body))
    assert exc.column == column


def test_as_of_as_date_or_iso_text(project: Path) -> None:
    assert load_params(write(project, BULLETIN + "as_of: 2025-10-07\n")).as_of == date(2025, 10, 7)
    assert load_params(write(project, BULLETIN + "as_of: '2025-10-07'\n")).as_of == date(2025, 10, 7)
    assert load_params(write(project, BULLETIN)).as_of == date(2025, 12, 31)


@pytest.mark.parametrize("as_of, overrides, says", [
    ("as_of: 2027-02-01\n", [], "ngày của văn bản 09/10/2025 trước ngày số liệu tính đến 01/02/2027: "),
    ("", [], "trước ngày số liệu tính đến 31/12/2025 (ngày cuối kỳ: tệp tham số không ghi as_of)"),
    ("as_of: 2025-10-07\n", ["as_of="], "(ngày cuối kỳ: tệp tham số không ghi as_of)"),
])
def test_a_document_dated_before_its_figures_is_refused(project: Path, as_of: str, overrides: list[str], says: str) -> None:
    """A typo in as_of, or none in a report signed before its period ends, made a provisional report
    read as final (no "tạm tính"), dated before the figures it claimed."""
    exc = failure(write(project, BULLETIN + as_of + "issuer:\n  date: 2025-10-09\n"), overrides)
    assert exc.column == "issuer.date" and says in exc.reason and "sửa as_of hoặc issuer.date" in exc.reason
    assert load_params(write(project, BULLETIN + "as_of: 2025-10-09\nissuer:\n  date: 2025-10-09\n")).as_of == (
        date(2025, 10, 9))


def test_bad_period_keeps_its_vietnamese_message(project: Path) -> None:
    exc = failure(write(project, BULLETIN.replace('"2025"', "2025-13")))
    assert exc.column == "period" and "tháng 13" in exc.reason


def test_unknown_report(project: Path) -> None:
    exc = failure(write(project, BULLETIN.replace("bulletin_766", "bulletin_767")))
    assert exc.column == "report"
    assert "bulletin_767" in exc.reason and "có phải «bulletin_766»?" in exc.reason


def test_unknown_methodology_version(project: Path) -> None:
    exc = failure(write(project, BULLETIN + "methodology_version: '2019'\n"))
    assert exc.column == "methodology_version" and "2025, 2026" in exc.reason


def test_known_methodology_version_written_as_a_number(project: Path) -> None:
    assert load_params(write(project, BULLETIN + "methodology_version: 2025\n")).get("methodology_version") == 2025


@pytest.mark.parametrize("extra, column", [
    ("engine: postgres\n", "engine"),
    ("engine:\n", "engine"),  # blank would make the weekly report pick Spark
    ("renderer: latex\n", "renderer"),
    ("options:\n  audit_pdf: 'false'\n", "options.audit_pdf"),  # bool('false') is True
    ("issuer:\n  recipients: Lưu VT\n", "issuer.recipients"),
    ("issuer: UBND\n", "issuer"),
    ("options:\n  columns:\n    dossiers: {Mã hồ sơ: [dossier_id]}\n", "options.columns.dossiers.Mã hồ sơ"),
    ("spark:\n  master:\n", "spark.master"),
])
def test_wrong_value_types_name_the_key(project: Path, extra: str, column: str) -> None:
    assert failure(write(project, BULLETIN + extra)).column == column


def test_every_documented_key_is_accepted(project: Path) -> None:
    body = BULLETIN + """\
as_of: 2025-10-07
province: Tỉnh Mẫu
unit: Sở Y tế
title: Báo cáo mẫu
previous: "2025-08"
note: ghi chú
renderer: quarto
engine: duckdb
methodology_version: "2025"
spark: {master: "local[2]", remote: "sc://localhost"}
targets: {cong_khai: ">=15", online_submission: ">=60", resolved_late: "<=5"}
issuer:
  parent_body: ""
  body: UBND TỈNH MẪU
  number: 12
  place: Tỉnh Mẫu
  date: 2025-10-09
  signer_prefix: TM. ỦY BAN NHÂN DÂN
  signer_title: CHỦ TỊCH
  signer: Nguyễn Văn A
  recipients: [Như trên, "Lưu: VT"]
options:
  columns:
    dossiers: {Số hồ sơ: dossier_id}
    complaints: {Mã PAKN: complaint_id}
  audit_pdf: true
"""
    params = load_params(write(project, body))
    assert params.as_of == date(2025, 10, 7)
    assert params.get("issuer")["number"] == 12  # raw is not normalised


# Report-specific needs and input files ------------------------------------------------------------


def test_unit_report_without_scores_or_portal(project: Path) -> None:
    body = "report: unit_report\nperiod: 2026-Q3\nunit: Sở Y tế\ninputs:\n  units: data/units.csv\n"
    exc = failure(write(project, body, "unit_report"))
    assert exc.column == "inputs" and "inputs.portal hoặc inputs.scores" in exc.reason


def test_unit_report_without_unit(project: Path) -> None:
    body = "report: unit_report\nperiod: 2026-Q3\ninputs:\n  scores: data/scores.csv\n"
    assert failure(write(project, body, "unit_report")).column == "unit"


def test_weekly_without_dossiers(project: Path) -> None:
    body = "report: weekly_tthc\nperiod: 2025-09-12..2025-09-18\ninputs:\n  units: data/units.csv\n"
    exc = failure(write(project, body, "weekly_tthc"))
    assert exc.column == "inputs.dossiers"


def test_weekly_on_spark_needs_the_unit_registry(project: Path) -> None:
    body = "report: weekly_tthc\nperiod: '2025'\nengine: spark\ninputs:\n  dossiers: data/dossiers.csv\n"
    assert failure(write(project, body, "weekly_tthc")).column == "inputs.units"


def test_missing_input_file_and_blank_input(project: Path) -> None:
    exc = failure(write(project, BULLETIN.replace("scores.csv", "nowhere.csv")))
    assert exc.column == "inputs.scores" and "nowhere.csv" in exc.reason
    assert failure(write(project, BULLETIN + "  units:\n")).column == "inputs.units"


def test_inputs_resolve_from_the_project_root_and_may_be_unchecked(project: Path) -> None:
    path = write(project, BULLETIN.replace("scores.csv", "later.csv"))
    params = load_params(path, check_inputs=False)
    assert params.inputs == {"scores": project / "data" / "later.csv"}


def test_missing_phrasings_file(project: Path) -> None:
    exc = failure(write(project, BULLETIN + f"options:\n  phrasings: {project / 'nowhere.yaml'}\n"))
    assert exc.column == "options.phrasings"


# -p overrides --------------------------------------------------------------------------------------


def test_bad_target_via_override_names_the_key_and_the_override(project: Path) -> None:
    exc = failure(write(project, BULLETIN), ["targets.cong_khai=abc"])
    assert exc.column == "targets.cong_khai"
    assert "-p targets.cong_khai=abc" in exc.reason


@pytest.mark.parametrize("override, column", [
    ("issuer.signr=A", "issuer.signr"),
    ("as_of=2025-02-30", "as_of"),
    ("options.audit_pdf=maybe", "options.audit_pdf"),
    ("inputs.scores=data/nowhere.csv", "inputs.scores"),
    ("report=weekly", "report"),
])
def test_overrides_go_through_the_same_checks(project: Path, override: str, column: str) -> None:
    assert failure(write(project, BULLETIN), [override]).column == column


def test_override_into_a_value_that_is_not_a_group(project: Path) -> None:
    exc = failure(write(project, BULLETIN + "issuer: UBND\n"), ["issuer.signer=A"])
    assert exc.column == "issuer" and "-p «issuer.signer=A»" in exc.reason


def test_good_overrides_are_typed_and_kept_in_raw(project: Path) -> None:
    params = load_params(write(project, BULLETIN + "options:\n"), ["targets.total=90", "options.audit_pdf=true",
                                                                  "as_of=2025-10-07"])
    assert params.raw["targets"] == {"total": 90}
    assert params.raw["options"] == {"audit_pdf": True}
    assert params.as_of == date(2025, 10, 7)


def test_apply_overrides_leaves_its_input_alone() -> None:
    raw = {"inputs": {"portal": "a"}}
    assert apply_overrides(raw, ["inputs.units=u.csv"]) == {"inputs": {"portal": "a", "units": "u.csv"}}
    assert raw == {"inputs": {"portal": "a"}}


def test_cli_reports_a_bad_override_without_traceback(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(project, BULLETIN)
    assert main(["score", str(path), "-p", "targets.cong_khai=abc"]) == 2
    err = capsys.readouterr().err
    assert "targets.cong_khai" in err and "Traceback" not in err


# Files that are not YAML params ---------------------------------------------------------------------


def test_invalid_utf8_file(project: Path) -> None:
    exc = failure(write(project, BULLETIN.encode("utf-8") + b"province: T\xe1nh M\xe1u\n"))
    assert exc.row == 5 and "UTF-8" in exc.reason and "codec" not in exc.reason


def test_yaml_alias_bomb_is_refused_quickly(project: Path) -> None:
    levels = "abcdefghi"
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    lines += [f"{key}: &{key} [{', '.join([f'*{prev}'] * 9)}]" for prev, key in itertools.pairwise(levels)]
    start = time.perf_counter()
    exc = failure(write(project, BULLETIN + "\n".join(lines) + "\n"))
    assert time.perf_counter() - start < 5
    # a..d expand to 10 + 91 + 820 + 7381 values; e (66430) takes the file past 10 000.
    assert exc.column == "e"


def test_yaml_value_that_contains_itself(project: Path) -> None:
    assert failure(write(project, BULLETIN + "note: &n [*n]\n")).column == "note"


def test_yaml_syntax_error_gives_its_line(project: Path) -> None:
    exc = failure(write(project, BULLETIN + "title: [unclosed\n"))
    assert "YAML" in exc.reason and exc.row == 6


def test_params_that_are_not_a_mapping(project: Path) -> None:
    assert "mapping" in failure(write(project, "- report: bulletin_766\n")).reason


def test_validate_without_a_file() -> None:
    params = validate({"report": "weekly_tthc", "period": "2026-01", "inputs": {"dossiers": "d.csv"}}, None,
                      check_inputs=False)
    assert params.inputs == {"dossiers": Path.cwd() / "d.csv"}
    with pytest.raises(ParamsError) as info:
        validate({"report": "weekly_tthc", "period": "2026-01"}, None)
    assert info.value.column == "inputs" and info.value.path is None


@pytest.mark.parametrize(
    "override, says",
    [
        ("inputs.history=data/samples/phu-tho/units.csv", "phải là thư mục các kỳ trước"),
        ("inputs.previous=data/samples", "là thư mục nhưng không phải ảnh chụp số liệu của Cổng"),
        ("inputs.portal=data/samples", "là thư mục nhưng không phải ảnh chụp số liệu của Cổng"),
    ],
)
def test_an_input_of_the_wrong_kind_is_refused_before_the_notebook(override: str, says: str) -> None:
    from chiso766.core.errors import ParamsError

    with pytest.raises(ParamsError) as caught:
        load_params(ROOT / "params/bulletin_766/2026-08.yaml", [override])
    assert caught.value.column == override.split("=")[0] and says in str(caught.value)
