"""The run's worker process (issue 15): it draws the charts while the kernel outlines the document and
encodes the table files while the kernel shows it; the same bytes as when they are made in place,
whatever happens to the worker."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import types
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from chiso766.render import figures, table_files
from chiso766.render import worker as aside
from chiso766.render.tables import write_tables
from chiso766.render.workbooks import write_workbooks, write_xlsx
from chiso766.report.outline import Chart, Figure, tell
from tests.forking import in_fork_child


def _tables() -> dict[str, pd.DataFrame]:
    return {
        "units": pd.DataFrame(
            {
                "unit_code": ["H44.01", "H44"],
                "unit_name": ['=HYPERLINK("http://x")', "Tỉnh Phú Thọ"],
                "total": [Decimal("84.63"), None],
                "as_of": [date(2026, 9, 26), None],
            }
        ),
        "groups": pd.DataFrame({"group": ["cong_khai"], "points": [Decimal("18.00")], "rank": [3]}),
    }


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(params=["fork", "interpreter"])
def started(request, monkeypatch):
    """How a worker is started from here on: forked (Linux), or a new interpreter (elsewhere, or beside
    a debugger)."""
    monkeypatch.setattr(aside, "_FORKS", request.param == "fork")
    return request.param


@contextlib.contextmanager
def _own_worker() -> Iterator[None]:
    """The module's worker set aside while inside: a worker started meanwhile is the test's alone, and
    is closed and reaped as it ends; then the module's own is put back."""
    kept = aside._worker
    aside._worker = None
    try:
        yield
    finally:
        if aside._worker is not None and aside._worker is not kept:
            aside._worker.close()
            aside._worker.process.wait(timeout=10)
        aside._worker = kept


@pytest.fixture
def worker(started):
    """A worker of this test alone (the module's own is put back afterwards), started either way."""
    with _own_worker():
        aside.warm()
        assert isinstance(aside._worker.process, aside._Child if started == "fork" else subprocess.Popen)
        yield aside._worker


def test_the_files_are_those_written_in_place(tmp_path):
    tables = _tables()
    write_tables(tables, tmp_path / "before" / "tables")
    write_xlsx(tables, tmp_path / "before" / "tables.xlsx")
    write_workbooks(tables, tmp_path / "before" / "tables")
    written = table_files.encode(tables).write(tmp_path / "after")
    assert _files(tmp_path / "after") == _files(tmp_path / "before")
    assert sorted(p.name for p in written) == ["groups.csv", "groups.xlsx", "tables.xlsx", "units.csv", "units.xlsx"]
    assert (tmp_path / "after" / "tables" / "units.csv").read_bytes().decode("utf-8-sig").splitlines()[1:] == [
        'H44.01,"\'=HYPERLINK(""http://x"")",84.63,2026-09-26',
        "H44,Tỉnh Phú Thọ,,",
    ]


def _answered(worker) -> None:
    """Wait until the worker has made every job asked."""
    deadline = time.monotonic() + 60
    while not all(answer.done() for answer in worker.pending.values()):
        assert time.monotonic() < deadline, "the worker did not answer"
        time.sleep(0.01)


def _made_here(monkeypatch) -> list[str]:
    """The tables whose files are made in this process from now on, by name."""
    made: list[str] = []
    real = table_files._files
    monkeypatch.setattr(table_files, "_files", lambda name, *rest: made.append(name) or real(name, *rest))
    return made


def test_the_worker_gives_the_same_bytes(worker, monkeypatch):
    tables = _tables()
    expected = table_files.encode(tables)
    table_files.begin(tables)
    assert len(worker.pending) == 2  # a job a table
    table_files.begin(tables)  # handed over already, as they are: not asked again
    assert len(worker.pending) == 2
    _answered(worker)
    made = _made_here(monkeypatch)
    assert table_files.take(tables) == expected
    assert made == [] and not worker.pending and worker.process.poll() is None  # it waits for the next tables
    # and the next report's, in turn
    again = {"units": tables["units"].head(1)}
    table_files.begin(again)
    assert table_files.take(again) == table_files.encode(again)


def test_tables_registered_are_made_ahead(worker, monkeypatch):
    """A run tells the worker of each table as the report registers it; nb.header hands over only
    what it has not seen as it is now."""
    from chiso766.report.model import TableSet

    tables = _tables()
    tell(table=table_files.ahead)
    try:
        registered = TableSet()
        for name, frame in tables.items():
            registered.add(name, frame)
    finally:
        tell()
    assert [key[0] for key in worker.pending] == ["chiso766.render.table_files:files_of"] * 2
    table_files.begin(registered.tables)
    assert len(worker.pending) == 2
    _answered(worker)
    expected = table_files.encode(tables)
    made = _made_here(monkeypatch)
    assert table_files.take(registered.tables) == expected and made == []


def test_the_kernel_takes_back_the_tables_the_worker_has_not_begun(worker, monkeypatch):
    """At nb.save the kernel makes the tables still queued, from the last, while the worker goes on."""
    figures.ahead(_chart(labels=[f"Xã {i}" for i in range(400)], values=list(range(400))))  # keeps it busy
    tables = _tables()
    expected = table_files.encode(tables)
    table_files.begin(tables)
    made = _made_here(monkeypatch)
    assert table_files.take(tables) == expected
    assert made == ["groups", "units"]  # the last first
    assert [key[0] for key in worker.pending] == ["chiso766.render.charts:svg_of"]  # its answer still comes
    aside.forget()


def test_tables_changed_since_they_were_handed_over_are_encoded_here(worker):
    """A table edited in place after nb.header (an analyst's cell) is saved as it is at nb.save."""
    tables = _tables()
    table_files.begin(tables)
    tables["units"].loc[0, "unit_code"] = "EDITED"
    files = table_files.take(tables)
    assert files == table_files.encode(tables)
    assert files.tables["units.csv"].decode("utf-8-sig").splitlines()[1].startswith("EDITED,")
    other = _tables()  # other frames, the same values: the worker's answer serves
    table_files.begin(other)
    assert table_files.take(_tables()) == table_files.encode(other)
    aside.forget()  # the edited table's job, never taken


def _object_tables() -> dict[str, pd.DataFrame]:
    """Tables as a report's are, every column of Python values (dtype object)."""
    return {name: frame.astype(object) for name, frame in _tables().items()}


def _pickled_frames(monkeypatch) -> list[int]:
    """The frames pickled from now on, by id (the worker's own messages left out)."""
    pickled: list[int] = []
    real = table_files.pickle.dumps

    def dumps(value, *args, **kwargs):
        if isinstance(value, pd.DataFrame):
            pickled.append(id(value))
        return real(value, *args, **kwargs)

    monkeypatch.setattr(table_files.pickle, "dumps", dumps)
    return pickled


def test_a_table_handed_over_is_pickled_once(worker, monkeypatch):
    """Registered, shown and saved, a table unchanged is known by its cells, not pickled again."""
    tables = _object_tables()
    assert all(dtype == object for frame in tables.values() for dtype in frame.dtypes)
    expected = table_files.encode(tables)
    pickled = _pickled_frames(monkeypatch)
    for name, frame in tables.items():
        table_files.ahead(name, frame)
    table_files.begin(tables)
    _answered(worker)
    made = _made_here(monkeypatch)
    assert table_files.take(tables) == expected and made == []
    assert sorted(pickled) == sorted(id(frame) for frame in tables.values())


def _edits() -> list[tuple[str, object]]:
    """Changes an analyst's cell may make to a table already handed over (each changes its files)."""
    return [
        ("a cell, by label", lambda t: t.loc.__setitem__((0, "total"), Decimal("84.64"))),
        ("a cell, by position", lambda t: t.iat.__setitem__((1, 0), "H45")),
        ("a cell made empty", lambda t: t.loc.__setitem__((0, "unit_name"), None)),
        ("a column replaced", lambda t: t.__setitem__("total", [Decimal("1"), Decimal("2")])),
        ("a column made numbers", lambda t: t.__setitem__("total", t["total"].astype(float) / 4)),
        ("a column added", lambda t: t.insert(1, "note", ["x", "y"])),
        ("rows reversed", lambda t: t.loc.__setitem__(slice(None), t.iloc[::-1].to_numpy())),
        ("a row added", lambda t: t.loc.__setitem__(len(t), t.iloc[0].tolist())),
        ("a value filled in", lambda t: t.fillna("—", inplace=True)),
        ("the columns' labels", lambda t: setattr(t, "columns", [c.upper() for c in t.columns])),
    ]


def test_a_table_changed_in_place_after_it_was_handed_over_is_saved_as_it_is(worker):
    """Whatever the change (cell, column, rows, labels), the files are the table's as it is at nb.save."""
    for what, edit in _edits():
        tables = _object_tables()
        table_files.begin(tables)
        before = table_files.encode(tables)
        edit(tables["units"])
        files = table_files.take(tables)
        assert files == table_files.encode(tables) != before, what
    aside.forget()


def test_a_cell_holding_what_changes_in_place_is_never_taken_for_unchanged(worker):
    tables = _object_tables()
    tables["units"].at[0, "unit_name"] = ["Xã A"]
    table_files.begin(tables)
    tables["units"].at[0, "unit_name"].append("Xã B")
    assert table_files.take(tables) == table_files.encode(tables)
    aside.forget()


def test_an_interrupt_of_the_kernel_spares_the_worker(worker, monkeypatch):
    """JupyterLab's stop button signals the kernel's whole process group, the worker among them."""
    tables = _tables()
    expected = table_files.encode(tables)
    table_files.begin(tables)
    _answered(worker)  # it runs: its imports, and its signal handling, are done
    assert table_files.take(tables) == expected
    os.kill(worker.process.pid, signal.SIGINT)
    table_files.begin(tables)
    _answered(worker)
    made = _made_here(monkeypatch)
    assert table_files.take(tables) == expected and made == []
    assert worker.process.poll() is None and aside._worker is worker


def test_an_interrupt_as_the_worker_starts_spares_it(started):
    """It is started with interrupts held back until it ignores them: one sent to the kernel's group
    at once (the stop button pressed as a run begins) does not end it."""
    with _own_worker():
        assert aside.warm()
        started = aside._worker
        os.kill(started.process.pid, signal.SIGINT)
        tables = _tables()
        table_files.begin(tables)
        _answered(started)
        assert started.process.poll() is None and table_files.take(tables) == table_files.encode(tables)


def test_the_first_failing_table_is_the_one_raised(worker):
    """Several tables that cannot be written: the error raised is the first's, in the document's order,
    as without a worker, whichever of them the worker or the kernel made."""
    tables = {name: pd.DataFrame({"unit_name": [Unprintable(f" ({name})")]}) for name in ("units", "groups")}
    for wait in (False, True):
        table_files.begin(tables)
        if wait:
            _answered(worker)
        with pytest.raises(ValueError, match=r"^ô không đọc được \(units\)$"):
            table_files.take(tables)
        aside.forget()


def test_a_fork_child_makes_its_files_in_place(worker):
    """A fork's child has none of its parent's threads: it makes charts and tables itself, without
    waiting on the parent's worker, and its copies of the worker's pipes lead nowhere."""
    tables = _tables()
    figures.ahead(_chart())
    table_files.begin(tables)

    def child() -> bool:
        svg = figures.rendered(_figure(_chart())).svg
        same = table_files.take(tables) == table_files.encode(tables)
        return svg.startswith(b"<?xml") and same and aside._worker is None

    assert in_fork_child(child)
    assert table_files.take(tables) == table_files.encode(tables)  # the parent's worker serves on
    figures.rendered(_figure(_chart()))


@pytest.mark.parametrize("started", ["fork"], indirect=True)
def test_a_forked_worker_keeps_to_itself(worker):
    """Forked from the kernel, it goes by a name of its own (its command line is the kernel's), and it
    holds none of the kernel's ends of its pipes (else it would outlive the kernel: see below)."""
    tables = _tables()
    table_files.begin(tables)
    _answered(worker)  # it runs: what it does as it starts is done
    pid = worker.process.pid
    assert Path(f"/proc/{pid}/comm").read_text().strip() == "chiso766-worker"

    def ends(pipe) -> set[str]:  # how the worker holds a pipe of the kernel's: "r", "w"
        link = os.readlink(f"/proc/self/fd/{pipe.fileno()}")
        found = set()
        for fd in os.listdir(f"/proc/{pid}/fd"):
            if os.readlink(f"/proc/{pid}/fd/{fd}") == link:
                flags = int(Path(f"/proc/{pid}/fdinfo/{fd}").read_text().split("flags:")[1].split()[0], 8)
                found.add("rw"[flags & 1])
        return found

    assert ends(worker.process.stdin) == {"r"} and ends(worker.process.stdout) == {"w"}
    assert {os.readlink(f"/proc/{pid}/fd/{fd}") for fd in (0, 1, 2)} == {os.devnull}


def test_an_interrupt_as_the_worker_is_forked_leaves_none_unknown(monkeypatch):
    """The stop button pressed as the worker is forked (another of the kernel's threads takes the
    signal; the main thread raises): the interrupt is raised once the worker is kept, so the next run
    finds it and it ends with the kernel; none is left running that nobody knows of, and no end of
    its pipes is left open (one would keep it alive, and go into every later fork)."""
    monkeypatch.setattr(aside, "_FORKS", True)
    fork, forked = os.fork, []

    def interrupted() -> int:
        pid = fork()
        if pid:  # the signal comes as the fork returns
            forked.append(pid)
            os.kill(os.getpid(), signal.SIGINT)
        return pid

    before = sorted(os.listdir("/proc/self/fd"))
    with _own_worker():
        monkeypatch.setattr(os, "fork", interrupted)
        with pytest.raises(KeyboardInterrupt):
            aside.warm()
        monkeypatch.undo()
        started = aside._worker
        assert started is not None and started.process.pid == forked[0] and aside.warm()
        tables = _tables()
        table_files.begin(tables)
        _answered(started)
        assert table_files.take(tables) == table_files.encode(tables)
    assert sorted(os.listdir("/proc/self/fd")) == before
    with pytest.raises(ChildProcessError):  # ended, and reaped
        os.waitpid(forked[0], os.WNOHANG)


def test_a_worker_that_ended_is_never_signalled_again(worker, monkeypatch):
    """Once reaped, its number may be another process's (Typst's, a kernel's): it is not killed twice."""
    worker.process.kill()
    worker.process.wait(timeout=10)
    signalled: list[int] = []
    monkeypatch.setattr(os, "kill", lambda pid, _signal: signalled.append(pid))
    worker.process.kill()
    assert signalled == []


def test_beside_a_debugger_the_worker_is_a_new_interpreter(monkeypatch):
    """JupyterLab's kernels load debugpy, which follows a fork into the child: no fork there."""
    monkeypatch.setattr(aside, "_FORKS", True)
    monkeypatch.setitem(sys.modules, "debugpy", types.ModuleType("debugpy"))
    with _own_worker():
        assert aside.warm() and isinstance(aside._worker.process, subprocess.Popen)


def test_a_dead_worker_costs_only_time(worker):
    tables = _tables()
    worker.process.kill()
    worker.process.wait(timeout=10)
    table_files.begin(tables)  # no worker runs: nothing is asked
    assert not worker.pending
    assert table_files.take(tables) == table_files.encode(tables)
    assert aside.warm()  # a new one is started
    assert aside._worker is not worker and aside._worker.process.poll() is None
    table_files.begin(tables)
    dead = aside._worker
    dead.process.kill()  # dies with the jobs (take() may find it dead and let it go, or not yet)
    assert table_files.take(tables) == table_files.encode(tables)
    dead.process.wait(timeout=10)  # a killed process takes a moment to end: until then it still runs
    assert aside.warm() and aside._worker is not None and aside._worker is not dead  # replaced


class Unprintable:
    """A cell no table file can hold (a worker of a new interpreter cannot even unpickle it: this
    module is not on its path; a forked one has it, and fails to write it)."""

    def __init__(self, table: str = "") -> None:
        self.table = table

    def __str__(self) -> str:
        raise ValueError(f"ô không đọc được{self.table}")


def test_what_the_worker_cannot_encode_fails_here_in_full(worker):
    tables = {"units": pd.DataFrame({"unit_name": [Unprintable()]})}
    table_files.begin(tables)
    _answered(worker)  # it could not: the kernel makes it, and meets the error
    with pytest.raises(ValueError, match="ô không đọc được"):
        table_files.take(tables)
    assert worker.process.poll() is None  # it said so, and waits for the next tables
    good = _tables()
    table_files.begin(good)
    assert table_files.take(good) == table_files.encode(good)


def test_tables_that_cannot_travel_are_encoded_here(worker):
    tables = {"units": pd.DataFrame({"unit_name": [lambda: "Xã Yên Phú"]})}  # no pickle for a lambda
    table_files.begin(tables)
    assert not worker.pending
    assert table_files.take(tables).tables["units.csv"].startswith(b"\xef\xbb\xbfunit_name\n<function")


def test_without_a_core_to_spare_no_worker_is_used(worker, monkeypatch):
    """run -j: every core runs a kernel; its tables are encoded in place, and no worker is started."""
    monkeypatch.setitem(aside._ASIDE, "on", True)
    aside.aside(False)
    tables = _tables()
    expected = table_files.encode(tables)
    monkeypatch.setattr(table_files, "_sent", lambda frames: pytest.fail("pickled for no worker"))
    table_files.begin(tables)
    assert not worker.pending
    assert table_files.take(tables) == expected
    worker.close()
    worker.process.wait(timeout=10)
    assert not aside.warm()
    assert aside._worker is worker  # none started in its place


def test_a_killed_kernel_leaves_no_worker(started):
    """The worker ends when the process that started it is killed (the pipe of its requests closes)."""
    script = (
        "import sys\n"
        "from chiso766.render import worker\n"
        f"worker._FORKS = {started == 'fork'}\n"
        "worker.warm()\n"
        "print(worker._worker.process.pid, flush=True)\n"
        "sys.stdin.read()\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    pid = int(parent.stdout.readline())
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait(timeout=10)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        if Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z":  # ended, not yet reaped by init
            return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    pytest.fail("the worker outlived its parent")


# charts --------------------------------------------------------------------------------------------

_LABELS = ["Sở Tư pháp", "UBND xã Yên Phú"]


def _chart(**changes: object) -> Chart:
    args = {"labels": _LABELS, "values": [71.6, 15.96], "highlight": 1, "title": "Tổng điểm"}
    return Chart("ranking_chart", args | changes)


def _figure(chart: Chart) -> Figure:
    return Figure("rank", "Xếp hạng", "Hai đơn vị", chart, pd.DataFrame({"unit_name": _LABELS}))


@pytest.fixture
def told(worker):
    """Charts told to the worker as they are made, as in a run that saves its files."""
    tell(figures.ahead)
    yield worker
    tell()


def test_the_worker_draws_a_chart_as_it_is_made(told, monkeypatch):
    from chiso766.render import charts

    expected = charts.svg_of(_chart())
    chart = _chart()  # told: handed to the worker at once
    assert [key[0] for key in told.pending] == ["chiso766.render.charts:svg_of"]
    monkeypatch.setattr(charts, "svg_of", lambda chart: pytest.fail("drawn here"))
    done = figures.rendered(_figure(chart))
    assert done.svg == expected and done.png[:4] == b"\x89PNG"
    assert not told.pending


def test_a_chart_changed_after_it_was_made_is_drawn_here(told):
    from chiso766.render import charts

    chart = _chart()
    chart.args["values"] = [10.0, 90.0]
    assert figures.rendered(_figure(chart)).svg == charts.svg_of(_chart(values=[10.0, 90.0]))


def test_a_chart_the_worker_cannot_draw_fails_here_in_full(told):
    with pytest.raises(ValueError, match="unknown chart 'pie_chart'"):
        figures.rendered(_figure(Chart("pie_chart", {})))
    assert told.process.poll() is None  # it said so, and goes on
    assert figures.rendered(_figure(_chart())).svg.startswith(b"<?xml")


def test_charts_are_told_only_within_a_run_that_saves(tmp_path):
    """nb.load with an output folder tells the worker of each chart; without one (JupyterLab), or once
    nb.save has run, nobody is told."""
    from chiso766.render import notebook as nb
    from chiso766.report import outline

    params = Path(__file__).resolve().parents[1] / "params" / "bulletin_766" / "2026-08.yaml"
    with _own_worker():
        try:
            nb.load(params, [], str(tmp_path))
            assert {"chart": figures.ahead, "table": table_files.ahead} == outline._TOLD and aside._worker is not None
            nb.save(None, None, "")  # type: ignore[arg-type]  # nothing to write: it only stops telling
            assert outline._TOLD == {"chart": None, "table": None}
            nb.load(params, [], "")
            assert outline._TOLD == {"chart": None, "table": None}
        finally:
            tell()


def test_jobs_nobody_took_are_dropped_at_the_next_run(worker):
    """A run that failed before nb.save leaves jobs behind: the next nb.load drops them, and the
    ones not begun are never made."""
    figures.ahead(_chart(labels=[f"Xã {i}" for i in range(400)], values=list(range(400))))  # keeps it busy
    table_files.begin(_tables())
    queued = [answer for answer in worker.pending.values() if not answer.running() and not answer.done()]
    aside.forget()
    assert not worker.pending and queued and all(answer.cancelled() for answer in queued)
    tables = _tables()
    table_files.begin(tables)
    assert table_files.take(tables) == table_files.encode(tables)  # the next jobs are answered in turn


def test_a_worker_that_hangs_costs_only_time(told, monkeypatch):
    """An answer that does not come in time is made in place, and the worker is ended (not waited for)."""
    from chiso766.render import charts

    os.kill(told.process.pid, signal.SIGSTOP)  # it hangs (mid-job, the kernel's thread reading its answer)
    monkeypatch.setattr(aside, "_PATIENCE", 0.5)
    done = figures.rendered(_figure(_chart()))  # told: handed to the worker, which does not answer
    assert done.svg == charts.svg_of(_chart())
    assert told.process.wait(timeout=10) != 0 and aside._worker is None  # killed
    assert aside.warm() and aside._worker is not told  # the next run has a new one


def test_every_chart_the_outline_makes_is_one_the_document_shows() -> None:
    """A chart is handed to the worker as it is made: one the outline then changes (Phú Thọ's communes
    named "xã, phường" at its end) would be drawn twice, the second time last of all, while the page
    waits for it."""
    from chiso766.report import bulletin_766

    made: list[Chart] = []
    tell(made.append)
    try:
        document = bulletin_766.outline(bulletin_766.build(Path("params/bulletin_766/2026-08.yaml")))
    finally:
        tell()
    shown = [figure.chart for figure in document.figures()]
    assert made == shown and len(shown) == 4
    assert shown[-1].args["title"] == "Xã, phường: phân bố tổng điểm"


def test_the_card_tables_go_to_the_worker_before_the_dossiers_are_read(monkeypatch) -> None:
    """The worker, idle while the kernel reads the month's 184.000 dossiers, is given the card's tables
    first; the tables keep their order (the warnings, final only once every input is read, after them)."""
    from chiso766.report import bulletin_766

    told: list[str] = []
    read = bulletin_766.dossier_facts
    before: list[list[str]] = []
    monkeypatch.setattr(bulletin_766, "dossier_facts", lambda *args: before.append(list(told)) or read(*args))
    tell(table=lambda name, frame: told.append(name))
    try:
        b = bulletin_766.build(Path("params/bulletin_766/2026-08.yaml"))
    finally:
        tell()
    assert before == [["units", "components", "differences", "groups", "changes"]]
    assert list(b.tables.tables)[:7] == [*before[0], "warnings", "points_at_stake"]
    assert len(b.tables.tables["warnings"]) == len(b.card.diagnostics.items)
