"""How this suite lays its tests out for xdist's workers (tests/conftest.py): the waiting tests in
lanes at the heads of half the workers' slices, the heavy tests round the others' heads."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import WAITING, _lay_out_slices, _worksteal_sizes


@dataclass(frozen=True)
class Item:
    """What the layout reads of a collected item: its file and its markers."""

    name: str
    path: Path
    markers: tuple[str, ...] = field(default=())
    #: Its ``waits(seconds)`` mark, if any.
    waits: float | None = None

    def get_closest_marker(self, marker: str) -> object | None:
        if marker == "waits":
            return None if self.waits is None else pytest.mark.waits(self.waits).mark
        return marker if marker in self.markers else None


@dataclass
class Config:
    workerinput: dict[str, Any]


def _collection() -> list[Item]:
    """A collection in the harness's order: layout first, heavy next, then the rest, waiting among them."""
    layout = [Item(f"layout{i}", Path("test_layout.py"), ("layout",)) for i in range(2)]
    heavy = [Item(f"heavy{i}", Path("test_model.py"), ("heavy",)) for i in range(7)]
    plain = [Item(f"plain{i}", Path("test_users.py")) for i in range(200)]
    waiting = [Item(f"waiting{i}", Path(WAITING[i % len(WAITING)])) for i in range(11)]
    return [*layout, *heavy, *plain[:100], *waiting, *plain[100:]]


def _slices(items: list[Item], workers: int) -> list[list[Item]]:
    """The workers' first slices of ``items``, as ``--dist worksteal`` cuts them."""
    slices, start = [], 0
    for size in _worksteal_sizes(len(items), workers):
        slices.append(items[start:start + size])
        start += size
    return slices


def _kind(item: Item) -> str:
    return "waiting" if item.path.name in WAITING else "heavy" if "heavy" in item.markers else "plain"


@pytest.mark.parametrize("workers", [2, 3, 4, 6])
def test_waiting_tests_head_the_lanes_and_heavy_tests_the_other_slices(workers: int) -> None:
    items = _collection()
    laid: list[Any] = list(items)
    _lay_out_slices(Config({"workercount": workers}), laid)  # type: ignore[arg-type]
    assert sorted(item.name for item in laid) == sorted(item.name for item in items), "lost or doubled"
    assert [item.name for item in laid[:2]] == ["layout0", "layout1"], "the layout tests start worker 0"
    lanes, waiting, heavy = workers // 2, 11, 7
    for i, part in enumerate(_slices(laid, workers)):
        kinds = [_kind(item) for item in part if "layout" not in item.markers]
        head = kinds[:kinds.index("plain")]
        # A lane starts with its share of the waiting tests, every other slice with its share of the
        # heavy ones, and no slice holds either kind after its head.
        if i < lanes:
            assert head == ["waiting"] * len(range(i, waiting, lanes)), (i, kinds[:20])
        else:
            assert head == ["heavy"] * len(range(i - lanes, heavy, workers - lanes)), (i, kinds[:20])
        assert set(kinds[len(head):]) == {"plain"}, (i, kinds)


@pytest.mark.parametrize("workers", [4, 6])
def test_the_lanes_are_filled_longest_first_to_about_equal_lengths(workers: int) -> None:
    """The README command's waiting tests, as they declare themselves: dealt round by count, the two
    lanes held 93 and 106 s; longest first to the shortest lane, they differ by 2 s at most, and each
    lane starts with its longest."""
    seconds = [20, 15, 14, 14, 14, 8, 8, 8, 8, 8, 6, 6, 6, 4, 4, 4, 3.5, 3, 3, 3, 2.5, 2.5, 2, 2]
    items = _collection()[:109] + [
        Item(f"waiting-{i}", Path(WAITING[i % len(WAITING)]), waits=float(s)) for i, s in enumerate(seconds)
    ] + [Item(f"quick-{i}", Path(WAITING[0])) for i in range(9)] + _collection()[120:]
    laid: list[Any] = list(items)
    _lay_out_slices(Config({"workercount": workers}), laid)  # type: ignore[arg-type]
    assert sorted(item.name for item in laid) == sorted(item.name for item in items), "lost or doubled"
    lanes = [[item for item in part if _kind(item) == "waiting"] for part in _slices(laid, workers)[:workers // 2]]
    loads = [sum(item.waits or 1.0 for item in lane) for lane in lanes]
    assert max(loads) - min(loads) <= 2, loads
    assert all(lane[0].waits == max(item.waits or 1.0 for item in lane) for lane in lanes), lanes
    assert sum(len(lane) for lane in lanes) == len(seconds) + 9


def test_without_waiting_tests_every_worker_computes() -> None:
    """The gallery's run: no waiting test, so no lane, and the heavy tests are dealt round every slice."""
    items = [item for item in _collection() if item.path.name not in WAITING]
    laid: list[Any] = list(items)
    _lay_out_slices(Config({"workercount": 3}), laid)  # type: ignore[arg-type]
    for part in _slices(laid, 3):
        assert any("heavy" in item.markers for item in part[:3]), [item.name for item in part[:4]]


def test_a_serial_run_keeps_the_harness_order() -> None:
    items = _collection()
    laid: list[Any] = list(items)
    _lay_out_slices(Config({}), laid)  # type: ignore[arg-type]
    assert laid == items
