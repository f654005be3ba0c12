"""Seeded, deterministic dossier data: a reference week with the counts of bulletin 002, and
realistic province-scale data for samples, tests and benchmarks.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from chiso766.compute.pipeline import build_scorecard
from chiso766.core.errors import InputError
from chiso766.core.files import write_atomic
from chiso766.core.params import load_params

__all__ = [
    "UnitCounts",
    "reference_002",
    "dossiers_from_counts",
    "complaints_from_counts",
    "registry_frame",
    "province_dossiers",
    "allocate",
    "dossiers_matching",
    "portal_counts",
    "portal_match_counts",
    "SYNTH_MARKER",
    "write_samples",
    "national_dossiers",
    "write_partitioned",
]


@dataclass
class UnitCounts:
    """What one unit's week must add up to. Received-based counts are over ``received``;
    ``finished``/``on_time`` count dossiers finished in the week, whenever received."""

    code: str
    name: str
    tier: str
    received: int
    online: int
    fee: int
    paid: int
    updated: int
    digitized: int
    reused: int
    finished: int
    on_time: int
    complaints: int = 0
    complaints_handled: int = 0


def allocate(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` into integers proportional to ``weights`` (largest remainder).

    Examples
    --------
    >>> allocate(10, [1, 1, 1])
    [4, 3, 3]
    """
    raw = [total * w / sum(weights) for w in weights]
    out = [int(r) for r in raw]
    for i in sorted(range(len(raw)), key=lambda i: (-(raw[i] - out[i]), i))[: total - sum(out)]:
        out[i] += 1
    return out


# Reference bulletin 002 (Hải Phòng, 12–18/9/2025) -------------------------------------------
# Every figure the notice prints holds for these counts; units it does not name get values that
# keep its statements true (who meets each target, who is lowest, who is largest at 100%).

_DEPARTMENTS = [  # name, received, finished, on time, fee, paid (None: shared out)
    ("Sở Nông nghiệp và Môi trường", 5000, 6970, 6951, 135, 49),
    ("Sở Công Thương", 900, 807, 264, 200, 50),
    ("Sở Nội vụ", 1000, 846, 846, None, None),
    ("Sở Xây dựng", 600, 315, 315, None, None),
    ("Sở Y tế", 300, 175, 174, None, None),
    ("Sở Giáo dục và Đào tạo", 250, 81, 65, None, None),
    ("Sở Tư pháp", 300, 43, 43, None, None),
    ("Sở Văn hóa, Thể thao và Du lịch", 200, 41, 41, None, None),
    ("Sở Khoa học và Công nghệ", 150, 28, 28, None, None),
    ("Ban Quản lý khu kinh tế", 100, 32, 31, None, None),
    ("Sở Tài chính", 150, 6, 6, None, None),
    ("Thanh tra thành phố", 79, 6, 6, None, None),
]
_COMMUNE_FINISHED = {  # name: (finished, on time)
    "Phường Hồng Bàng": (2626, 2626),
    "Phường An Phong": (1445, 1445),
    "Phường Hồng An": (1360, 1360),
    "Phường Ngô Quyền": (1141, 1141),
    "Phường Lê Thanh Nghị": (832, 832),
    "Phường Nguyễn Trãi": (399, 213),
    "Xã Tiên Minh": (515, 499),
    "Xã Hà Tây": (330, 322),
    "Phường Phạm Sư Mạnh": (240, 236),
    "Phường Thiên Hương": (507, 501),
}
_COMMUNE_RECEIVED = {  # name: (received, online, updated, digitized, reused); None: shared out
    "Phường Đông Hải": (70, 23, None, None, None),
    "Xã An Phú": (89, 38, None, None, None),
    "Xã Cẩm Giàng": (212, 103, None, None, None),
    "Xã Đại Sơn": (177, 100, None, None, None),
    "Phường Nguyễn Đại Năng": (201, 115, None, None, None),
    "Xã Tân Hưng": (100, 59, None, None, None),
    "Phường An Biên": (659, None, 475, None, None),
    "Xã Hải Hưng": (230, None, 224, None, None),
    "Xã Nghi Dương": (516, None, None, 506, None),
    "Xã Nguyễn Lương Bằng": (60, None, None, None, 0),
    "Xã An Thành": (60, None, None, None, 0),
    "Xã Ninh Giang": (60, None, None, None, 0),
    "Xã Trường Tân": (60, None, None, None, 6),
    "Xã Lai Khê": (60, None, None, None, 15),
    "Xã Vĩnh Hải": (100, None, None, None, 40),
    "Xã Kiến Thụy": (100, None, None, None, 45),
    "Xã Tiên Lãng": (100, None, None, None, 48),
}
_TOTALS = {  # tier: received, online, fee, paid, updated, digitized, reused, finished, on time
    "so": (9029, 6664, 1664, 1061, 9029, 9029, 8796, 9350, 8770),
    "xa": (48190, 43469, 37749, 36707, 48000, 48180, 43309, 48334, 48070),
}


def _share(total: int, fixed: list[int | None], weights: list[float]) -> list[int]:
    """Fill the ``None`` slots so that the list sums to ``total``, proportionally to ``weights``."""
    free = [i for i, v in enumerate(fixed) if v is None]
    shared = iter(allocate(total - sum(v for v in fixed if v is not None), [weights[i] for i in free]))
    return [int(next(shared)) if v is None else int(v) for v in fixed]


def reference_002() -> list[UnitCounts]:
    """The 12 departments and 114 communes of reference bulletin 002's week."""
    units: list[UnitCounts] = []
    r, o, f, p, u, _d, x, e, t = _TOTALS["so"]
    received = [row[1] for row in _DEPARTMENTS]
    online = _share(o, [None] * 12, [float(v) for v in received])
    fee = _share(f, [row[4] for row in _DEPARTMENTS], [float(v) for v in received])
    paid_fixed = [row[5] for row in _DEPARTMENTS]
    paid = _share(p, paid_fixed, [float(v) for v in fee])
    reused = _share(x, [None] * 12, [float(v) for v in received])
    for i, (name, rec, fin, ok, _, _) in enumerate(_DEPARTMENTS):
        units.append(
            UnitCounts(
                f"HP.S{i + 1:02d}", name, "so", rec, online[i], fee[i], paid[i], rec, rec, reused[i], fin, ok, 25, 25
            )
        )
    assert sum(v.received for v in units) == r and sum(v.finished for v in units) == e
    assert sum(v.on_time for v in units) == t

    names = list(_COMMUNE_RECEIVED) + [n for n in _COMMUNE_FINISHED if n not in _COMMUNE_RECEIVED]
    # the city's two đặc khu are among its 114 (the notice names neither), the rest made up
    names += [f"Xã Minh Họa {i:02d}" for i in range(1, 113 - len(names))] + ["Đặc khu Cát Hải", "Đặc khu Bạch Long Vĩ"]
    weights = [0.6 + ((i * 37) % 11) / 10 for i in range(len(names))]  # a fixed skew, 0.6 to 1.6
    r, o, f, p, u, _d, x, e, t = _TOTALS["xa"]
    received = _share(r, [_COMMUNE_RECEIVED.get(n, (None,))[0] for n in names], weights)
    online = _share(o, [_COMMUNE_RECEIVED.get(n, (0, None))[1] for n in names], [float(v) for v in received])
    updated = _share(u, [_COMMUNE_RECEIVED.get(n, (0, 0, None))[2] for n in names], [float(v) for v in received])
    updated = [min(a, b) for a, b in zip(updated, received, strict=True)]
    updated[names.index("Phường An Biên") + 0] = 475
    digitized = [
        received[i] if (given := _COMMUNE_RECEIVED.get(n, (0, 0, 0, None))[3]) is None else given
        for i, n in enumerate(names)
    ]
    reused = _share(x, [_COMMUNE_RECEIVED.get(n, (0, 0, 0, 0, None))[4] for n in names], [float(v) for v in received])
    fee = allocate(f, [float(v) for v in received])
    paid = allocate(p, [float(v) for v in fee])
    late_units = [n for n in names if n not in _COMMUNE_FINISHED][:27]
    finished_fixed = [(_COMMUNE_FINISHED[n][0] if n in _COMMUNE_FINISHED else None) for n in names]
    finished = _share(e, finished_fixed, weights)
    on_time = []
    extra_late = [2] * 17 + [1] * 10
    for n, fin in zip(names, finished, strict=True):
        if n in _COMMUNE_FINISHED:
            on_time.append(_COMMUNE_FINISHED[n][1])
        elif n in late_units:
            on_time.append(fin - extra_late[late_units.index(n)])
        else:
            on_time.append(fin)
    complaints = _share(7000, [100 if n == "Phường Ngô Quyền" else None for n in names], [float(v) for v in received])
    for i, n in enumerate(names):
        units.append(
            UnitCounts(
                f"HP.X{i + 1:03d}",
                n,
                "xa",
                received[i],
                online[i],
                fee[i],
                paid[i],
                updated[i],
                digitized[i],
                reused[i],
                finished[i],
                on_time[i],
                complaints[i],
                complaints[i] - (1 if n == "Phường Ngô Quyền" else 0),
            )
        )
    communes = [v for v in units if v.tier == "xa"]
    for field_name, total in zip(
        ("received", "online", "fee", "paid", "updated", "digitized", "reused", "finished", "on_time"),
        _TOTALS["xa"],
        strict=True,
    ):
        assert sum(getattr(v, field_name) for v in communes) == total, field_name
    return units


def registry_frame(units: list[UnitCounts], province: tuple[str, str] = ("HP", "Thành phố Hải Phòng")) -> pd.DataFrame:
    rows = [(province[0], province[1], "tinh", "")] + [(v.code, v.name, v.tier, "") for v in units]
    return pd.DataFrame(rows, columns=["unit_code", "unit_name", "tier", "aliases"])


def dossiers_from_counts(units: list[UnitCounts], start: datetime, end: datetime, seed: int = 2) -> pd.DataFrame:
    """One row per dossier so that each unit's week adds up to its counts.

    Dossiers finished on time come first from the week's own intake; the rest of the finished
    ones (and every late one) were received before the week, as the reference notes.
    """
    rng = np.random.default_rng(seed)
    days = (end - start).days + 1
    week_start = np.datetime64(start, "s")
    week_end = np.datetime64(end, "s") + np.timedelta64(24 * 3600 - 1, "s")
    frames = []
    for unit in units:
        n = unit.received
        received = (
            week_start
            + rng.integers(0, days, n) * np.timedelta64(86400, "s")
            + rng.integers(7 * 3600, 17 * 3600, n) * np.timedelta64(1, "s")
        )
        flags = {}
        for key, count in (
            ("online", unit.online),
            ("fee", unit.fee),
            ("updated", unit.updated),
            ("digitized", unit.digitized),
            ("reused", unit.reused),
        ):
            mask = np.zeros(n, dtype=bool)
            mask[rng.permutation(n)[:count]] = True
            flags[key] = mask
        paid = np.zeros(n, dtype=bool)
        paid[rng.permutation(np.flatnonzero(flags["fee"]))[: unit.paid]] = True
        in_week_on_time = min(unit.on_time, n)
        rows = rng.permutation(n)[:in_week_on_time]
        finished = np.full(n, np.datetime64("NaT"), dtype="datetime64[s]")
        room = (week_end - received[rows]).astype(np.int64)
        finished[rows] = received[rows] + (rng.random(len(rows)) * room).astype(np.int64) * np.timedelta64(1, "s")
        due = received + np.timedelta64(10 * 86400, "s")
        due[rows] = finished[rows] + np.timedelta64(2 * 86400, "s")
        frames.append(
            pd.DataFrame(
                {
                    "dossier_id": [f"{unit.code}-{i:06d}" for i in range(n)],
                    "unit_code": unit.code,
                    "procedure_code": np.char.add("1.00", rng.integers(1000, 1050, n).astype(str)),
                    "channel": np.where(flags["online"], 2, 1),
                    "received_at": received,
                    "due_at": due,
                    "finished_at": finished,
                    "fee_required": flags["fee"],
                    "paid_online": paid,
                    "updated_on_system": flags["updated"],
                    "digitized": flags["digitized"],
                    "reused_data": flags["reused"],
                }
            )
        )
        before_on_time, late = unit.on_time - in_week_on_time, unit.finished - unit.on_time
        m = before_on_time + late
        if m:
            received_before = week_start - rng.integers(2, 40, m) * np.timedelta64(86400, "s")
            finished_week = week_start + rng.integers(0, days * 86400 - 1, m) * np.timedelta64(1, "s")
            due_before = np.where(
                np.arange(m) < before_on_time,
                finished_week + np.timedelta64(3 * 86400, "s"),
                week_start - np.timedelta64(86400, "s"),
            )
            frames.append(
                pd.DataFrame(
                    {
                        "dossier_id": [f"{unit.code}-B{i:05d}" for i in range(m)],
                        "unit_code": unit.code,
                        "procedure_code": "1.001000",
                        "channel": 1,
                        "received_at": received_before,
                        "due_at": due_before,
                        "finished_at": finished_week,
                        "fee_required": False,
                        "paid_online": False,
                        "updated_on_system": True,
                        "digitized": True,
                        "reused_data": False,
                    }
                )
            )
    return pd.concat(frames, ignore_index=True)


def complaints_from_counts(units: list[UnitCounts], start: datetime, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for unit in units:
        for i in range(unit.complaints):
            if i < unit.complaints_handled:
                received = start + timedelta(days=int(rng.integers(0, 7)), hours=8)
                due, handled = received + timedelta(days=10), received + timedelta(hours=4)
            else:  # open and already past its due date at the end of the week
                received, due, handled = start + timedelta(hours=8), start + timedelta(days=2), None
            rows.append((f"{unit.code}-P{i:05d}", unit.code, received, due, handled, bool(rng.random() < 0.9)))
    return pd.DataFrame(rows, columns=["complaint_id", "unit_code", "received_at", "due_at", "handled_at", "satisfied"])


# Province-scale data for benchmarks ------------------------------------------------------------


def province_dossiers(
    n: int, seed: int = 766, departments: int = 15, communes: int = 100, year: int = 2026
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``n`` dossiers over a year for a province: skewed volumes, late patterns, missing flags.

    Returns (registry, dossiers). Vectorised: 10 million rows take a few seconds.
    """
    rng = np.random.default_rng(seed)
    codes = [f"P.S{i + 1:02d}" for i in range(departments)] + [f"P.X{i + 1:03d}" for i in range(communes)]
    names = [f"Sở Minh họa {i + 1:02d}" for i in range(departments)] + [
        f"Xã Minh họa {i + 1:03d}" for i in range(communes)
    ]
    tiers = ["so"] * departments + ["xa"] * communes
    weights = 1.0 / np.arange(1, len(codes) + 1) ** 0.8  # a few large units, many small ones
    weights = rng.permutation(weights)
    unit = rng.choice(len(codes), size=n, p=weights / weights.sum())
    online_p = rng.uniform(0.4, 0.97, len(codes))[unit]
    late_p = rng.beta(1, 30, len(codes))[unit]
    start = np.datetime64(f"{year}-01-01T07:00")
    received = start + rng.integers(0, 365 * 24 * 60, n).astype("timedelta64[m]")
    due = received + (rng.integers(3, 30, n) * 24 * 60).astype("timedelta64[m]")
    finished_ok = rng.random(n) < 0.93
    late = rng.random(n) < late_p
    span = (due - received).astype("timedelta64[m]").astype(np.int64)
    offset = np.where(late, span + rng.integers(60, 20 * 24 * 60, n), (rng.random(n) * span).astype(np.int64))
    finished = received + offset.astype("timedelta64[m]")
    finished = np.where(finished_ok, finished, np.datetime64("NaT"))
    fee = rng.random(n) < 0.55

    def flag(p: float, missing: float = 0.01) -> pd.Series:
        values = pd.Series(rng.random(n) < p, dtype="boolean")
        values[rng.random(n) < missing] = pd.NA
        return values

    dossiers = pd.DataFrame(
        {
            "dossier_id": np.char.add("D", np.arange(n).astype(str)),
            "unit_code": np.array(codes)[unit],
            "procedure_code": np.char.add("1.00", rng.integers(1000, 3000, n).astype(str)),
            "channel": np.where(rng.random(n) < online_p, 2, np.where(rng.random(n) < 0.03, 3, 1)).astype(np.int8),
            "received_at": received.astype("datetime64[us]"),
            "due_at": due.astype("datetime64[us]"),
            "finished_at": finished.astype("datetime64[us]"),
            "fee_required": fee,
            "paid_online": fee & (rng.random(n) < 0.8),
            "updated_on_system": flag(0.995),
            "digitized": flag(0.9),
            "reused_data": flag(0.6),
        }
    )
    registry = pd.DataFrame({"unit_code": codes, "unit_name": names, "tier": tiers, "aliases": ""})
    return registry, dossiers


def dossiers_matching(
    counts: dict[str, dict[str, tuple[int, int]]], start: datetime, end: datetime, seed: int = 5
) -> pd.DataFrame:
    """Dossiers whose local 766 components have the given (numerator, denominator) per unit.

    ``counts[unit_code]`` maps ``2.1`` (on time, received) and optionally ``3.3`` (online),
    ``3.6`` (paid online, fee-bearing), ``4.2`` (digitized) and ``4.3`` (reused) to counts.
    Received dossiers are the denominator of 2.1; dossiers not on time finish late in the period.
    """
    rng = np.random.default_rng(seed)
    days = (end - start).days + 1
    week_start = np.datetime64(start, "s")
    frames = []
    for code, comps in counts.items():
        on_time, n = comps["2.1"]
        received = week_start + rng.integers(0, days * 86400 // 2, n) * np.timedelta64(1, "s")
        order = rng.permutation(n)
        late = np.zeros(n, dtype=bool)
        late[order[on_time:]] = True
        finished = received + np.timedelta64(3600, "s")
        due = np.where(late, received + np.timedelta64(60, "s"), received + np.timedelta64(2 * 86400, "s"))

        def first(k: int, n: int = n) -> np.ndarray:
            mask = np.zeros(n, dtype=bool)
            mask[rng.permutation(n)[:k]] = True
            return mask

        online = first(comps.get("3.3", (0, n))[0])
        paid_count, fee_count = comps.get("3.6", (0, 0))
        fee = first(fee_count)
        paid = np.zeros(n, dtype=bool)
        paid[rng.permutation(np.flatnonzero(fee))[:paid_count]] = True
        frames.append(
            pd.DataFrame(
                {
                    "dossier_id": [f"{code}-{i:07d}" for i in range(n)],
                    "unit_code": code,
                    "procedure_code": "1.001000",
                    "channel": np.where(online, 2, 1),
                    "received_at": received,
                    "due_at": due,
                    "finished_at": finished,
                    "fee_required": fee,
                    "paid_online": paid,
                    "updated_on_system": True,
                    "digitized": first(comps.get("4.2", (n, n))[0]),
                    "reused_data": first(comps.get("4.3", (0, n))[0]),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def portal_counts(components: pd.DataFrame) -> dict[str, dict[str, tuple[int, int]]]:
    """Per-unit counts for :func:`dossiers_matching` equal to a scored portal snapshot's.

    The dossiers' intake is the portal's 2.1 denominator; 3.3 (not published per unit) is set
    at 95% online.
    """
    units = components[(components["tier"] != "tinh") & components["numerator"].notna()]
    counts: dict[str, dict[str, tuple[int, int]]] = {}
    for code, part in units.groupby("unit_code", sort=True):
        rows = part[["component", "numerator", "denominator"]].itertuples(index=False, name=None)
        comp = {c: (int(num), int(den)) for c, num, den in rows}
        if "2.1" not in comp or comp["2.1"][1] == 0:
            continue
        n = comp["2.1"][1]
        entry = {"2.1": comp["2.1"], "3.3": (round(n * 0.95), n)}
        if "3.6" in comp and comp["3.6"][1] <= n:
            entry["3.6"] = comp["3.6"]
        for key in ("4.2", "4.3"):
            if key in comp:
                entry[key] = (min(comp[key][0], n), n)
        counts[str(code)] = entry
    return counts


def portal_match_counts(
    components: pd.DataFrame, seed: int = 766
) -> tuple[dict[str, dict[str, tuple[int, int]]], list[str]]:
    """:func:`portal_counts` with a few seeded, named deviations, so a sample shows what
    reconciliation finds. Returns the counts and one line per deviation."""
    rng = np.random.default_rng(seed)
    counts = portal_counts(components)
    largest = sorted(counts, key=lambda c: -counts[c]["2.1"][1])[:12]
    chosen = [largest[i] for i in rng.permutation(len(largest))[:5]]
    deviations = []
    for code, (component, share) in zip(
        chosen, [("2.1", 0.03), ("2.1", 0.01), ("3.6", 0.05), ("4.2", 0.10), ("3.6", 0.02)], strict=False
    ):
        if component not in counts[code]:
            continue
        num, den = counts[code][component]
        missing = max(1, round(num * share))
        counts[code][component] = (num - missing, den)
        deviations.append(
            f"{code} {component}: {missing} fewer in the numerator than the portal ({num - missing}/{den})"
        )
    return counts, deviations


SYNTH_MARKER = ".chiso766-synth"
_MARKER_TEXT = (
    "Dữ liệu tổng hợp do chiso766 synth tạo. chiso766 synth chỉ ghi vào thư mục trống hoặc có tệp này.\n"
    "Synthetic data made by chiso766 synth; it writes only into an empty folder or one holding this file.\n"
).encode()


def _claim(out: Path) -> None:
    """Make ``out`` a folder of synthetic data: refuse one that holds anything else (a province's real
    registry, a params folder), whose files would be replaced by made-up ones."""
    if out.exists() and not out.is_dir():
        raise InputError("ở chỗ thư mục ra đã có một tệp không phải thư mục: không ghi đè", out)
    if out.is_dir() and not (out / SYNTH_MARKER).is_file() and any(out.iterdir()):
        raise InputError(
            f"thư mục không trống và không do chiso766 synth tạo (không có tệp đánh dấu {SYNTH_MARKER}): "
            "không ghi đè dữ liệu có sẵn; chọn một thư mục mới hoặc trống cho --out",
            out,
        )
    out.mkdir(parents=True, exist_ok=True)
    write_atomic(out / SYNTH_MARKER, _MARKER_TEXT)


def write_samples(
    kind: str,
    out: Path,
    *,
    seed: int = 766,
    params_path: str | Path | None = None,
    rows: int = 1_000_000,
    fmt: str = "csv",
    provinces: int = 3,
) -> list[tuple[Path, int]]:
    """Write one kind of synthetic data to ``out`` (``chiso766 synth`` and the test fixtures): a new or
    empty folder, or one an earlier call wrote (:func:`_claim`).

    ``reference-002``: the week of reference bulletin 002 (dossiers, complaints, units);
    ``portal-match``: dossiers matching ``params_path``'s portal snapshot, with named deviations;
    ``province``: ``rows`` dossiers over a year for a province; ``national``: ``rows`` dossiers of
    ``provinces`` provinces, as Parquet partitioned by province and month, and their registry.
    """
    _claim(out)
    frames: dict[str, pd.DataFrame]
    if kind == "reference-002":
        units = reference_002()
        start, end = datetime(2025, 9, 12), datetime(2025, 9, 18)
        frames = {
            "dossiers": dossiers_from_counts(units, start, end, seed),
            "complaints": complaints_from_counts(units, start, seed + 1),
            "units": registry_frame(units),
        }
    elif kind == "portal-match":
        if params_path is None:
            raise ValueError("portal-match needs the params file of a portal snapshot")
        params = load_params(params_path, check_inputs=False)  # the dossiers it lists are made here
        counts, deviations = portal_match_counts(build_scorecard(params).components, seed)
        start = datetime.combine(params.period.start, datetime.min.time())
        end = datetime.combine(params.period.end, datetime.min.time())
        frames = {"dossiers": dossiers_matching(counts, start, end, seed)}
        (out / "deviations.txt").write_text("\n".join(deviations) + "\n", encoding="utf-8")
    elif kind == "national":
        registry, dossiers = national_dossiers(rows, provinces=provinces, seed=seed)
        # the folder is synth's (claimed): an earlier call's partitions go, none left mixed in
        shutil.rmtree(out / "dossiers", ignore_errors=True)
        write_partitioned(dossiers, out / "dossiers")
        registry.to_csv(out / "units.csv", index=False)
        return [(out / "dossiers", len(dossiers)), (out / "units.csv", len(registry))]
    elif kind == "province":
        registry, dossiers = province_dossiers(rows, seed)
        frames = {"dossiers": dossiers, "units": registry}
    else:
        raise ValueError(f"unknown kind of synthetic data: {kind}")
    written = []
    for name, frame in frames.items():
        path = out / f"{name}.{'parquet' if fmt == 'parquet' and name != 'units' else 'csv'}"
        if path.suffix == ".parquet":
            frame.to_parquet(path, index=False)
        else:
            frame.to_csv(path, index=False, date_format="%Y-%m-%d %H:%M:%S")
        written.append((path, len(frame)))
    return written


def national_dossiers(rows: int, provinces: int = 3, seed: int = 766) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Dossiers of several provinces (``province`` and ``month`` columns for partitioning)."""
    registries, frames = [], []
    for index, share in enumerate(allocate(rows, [1.0] * provinces)):
        code = f"T{index + 1:02d}"
        registry, frame = province_dossiers(share, seed + index)
        registry["unit_code"] = code + "." + registry["unit_code"].str[2:]
        registry["unit_name"] = registry["unit_name"] + f" ({code})"
        frame["unit_code"] = code + "." + frame["unit_code"].str[2:]
        frame["dossier_id"] = code + "-" + frame["dossier_id"]
        frame["province"] = code
        frame["month"] = frame["received_at"].dt.strftime("%Y-%m")
        registries.append(registry)
        frames.append(frame)
    return pd.concat(registries, ignore_index=True), pd.concat(frames, ignore_index=True)


def write_partitioned(dossiers: pd.DataFrame, folder: Path) -> Path:
    """Parquet partitioned by province and month (``province=T01/month=2026-01/…``), as at national scale."""
    import pyarrow as pa
    import pyarrow.dataset as ds

    table = pa.Table.from_pandas(dossiers, preserve_index=False)
    ds.write_dataset(
        table,
        folder,
        format="parquet",
        partitioning=["province", "month"],
        partitioning_flavor="hive",
        existing_data_behavior="delete_matching",
        basename_template="part-{i}.parquet",
    )
    return folder
