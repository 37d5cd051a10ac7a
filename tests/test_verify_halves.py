"""A long ledger is verified in two halves at once: the verdict is the one of a single pass.

A three-month ledger is written through the service with everything that crosses a month: requests
taken in one month and accepted, expired, seen or reminded in the next; messages queued in one and
sent in the next, alone or in a batch with newer ones; an event backfilled into the next month's
file. Each test damages a copy in one way, by hand or as a forger who recomputes the whole chain,
and compares what ``verify`` says in one pass and split before the second or the third file.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from snpctl import delivery, service
from snpctl.store import halves as verifying
from snpctl.store.ledger import Ledger
from snpctl.store.verify import Bad, verify
from snpctl.store.workspace import Workspace

from conftest import make_workspace

UTC = UTC


def at(day: int, hour: int, minute: int = 0, month: int = 1) -> datetime:
    return datetime(2024, month, day, hour, minute, tzinfo=UTC)


def build(home: Path) -> None:
    ws = Workspace(make_workspace(home).home)

    def intake(now: datetime, doctor: str = "none") -> str:
        return service.intake(ws, now, motif="fievre", source="cot", treating_doctor=doctor).data["request"]

    first = intake(at(31, 14), "gp-a")
    service.notify(ws, at(31, 14, 1), request=first)  # gp-a alone until 15:01
    second = intake(at(31, 14, 5))
    jan = service.notify(ws, at(31, 14, 6), request=second).messages  # the community, 3 messages
    delivery.deliver(ws, at(31, 14, 7), jan[:1])  # one sent in January
    jan += service.accept(ws, at(31, 15), request=second, by="gp-b", appointment=at(1, 2, month=2)).messages
    service.tick(ws, at(31, 16, 30))  # the first expires in January
    third = intake(at(31, 22, 30))
    jan += service.notify(ws, at(31, 22, 31), request=third).messages  # expires 1 February 00:31
    delivery.deliver(ws, at(1, 0, 10, month=2), jan[1:3])  # January's messages, sent in February
    service.tick(ws, at(1, 0, 31, month=2))  # the third expires: its messages
    fourth = intake(at(1, 0, 40, month=2), "gp-a")  # February's first request
    service.notify(ws, at(1, 0, 41, month=2), request=fourth)
    delivery.deliver(ws, at(1, 0, 45, month=2))  # one batch: January's and February's
    service.tick(ws, at(1, 1, 0, month=2))  # the reminder of the second
    service.accept(ws, at(1, 1, 20, month=2), request=fourth, by="gp-a", appointment=at(1, 6, month=2))
    service.outcome(ws, at(1, 2, 30, month=2), request=second, outcome="seen")
    intake(at(31, 23, 59))  # backfilled into February's file
    delivery.deliver(ws, at(1, 6, 30, month=2))
    service.outcome(ws, at(1, 7, 0, month=2), request=fourth, outcome="no_show")
    for day in (1, 2):  # March: more of the same
        rid = intake(at(day, 10, 0, month=3), "gp-b")
        service.notify(ws, at(day, 10, 1, month=3), request=rid)
        service.accept(ws, at(day, 10, 30, month=3), request=rid, by="gp-b", appointment=at(day, 12, month=3))
        delivery.deliver(ws, at(day, 10, 31, month=3))
        service.outcome(ws, at(day, 12, 30, month=3), request=rid, outcome="seen")
    delivery.deliver(ws, at(2, 13, 0, month=3))


@pytest.fixture(scope="module")
def months(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    home = tmp_path_factory.mktemp("halves") / "cpts"
    build(home)
    files = {path.name: path.read_bytes() for path in sorted((home / "ledger").glob("*.jsonl"))}
    assert list(files) == ["2024-01.jsonl", "2024-02.jsonl", "2024-03.jsonl"]
    return files


def verdict(home: Path, split: int | None, monkeypatch: pytest.MonkeyPatch, checkpoint: Path | None = None):
    """What verify says, in one pass (``split`` None) or in two halves split before file ``split``."""
    monkeypatch.setattr(verifying, "_halfway", lambda files: split)
    try:
        summary = verify(Ledger(home), checkpoint)
    except Bad as bad:
        return "bad", bad.file, bad.line, bad.problem
    return "ok", summary


def same_in_halves(tmp_path: Path, files: dict[str, bytes], monkeypatch: pytest.MonkeyPatch):
    """The verdict of one pass, after checking that every split gives it too."""
    home = workspace(tmp_path, files)
    one = verdict(home, None, monkeypatch)
    for split in range(1, len(files)):
        assert verdict(home, split, monkeypatch) == one, f"split before file {split + 1}"
    return one


def events(files: dict[str, bytes]) -> list[tuple[str, dict]]:
    return [(name, json.loads(line)) for name, data in files.items() for line in data.splitlines()]


def rechained(pairs: list[tuple[str, dict]]) -> dict[str, bytes]:
    """What a careful forger writes: every seq and prev recomputed, each event in its file."""
    files: dict[str, bytes] = {}
    previous = "0" * 64
    for number, (name, event) in enumerate(pairs, 1):
        raw = json.dumps(
            {**event, "seq": number, "prev": previous}, sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()
        previous = hashlib.sha256(raw).hexdigest()
        files[name] = files.get(name, b"") + raw + b"\n"
    return files


def workspace(tmp_path: Path, files: dict[str, bytes]) -> Path:
    home = make_workspace(tmp_path / "cpts").home
    for name, data in files.items():
        (home / "ledger" / name).write_bytes(data)
    return home


def test_the_fixture_crosses_the_months_in_every_way(tmp_path: Path, months: dict[str, bytes], monkeypatch) -> None:
    """Proves the fixture is good: the later half puts aside steps of both kinds and a part of a batch."""
    seen: list = []
    join = verifying._join
    monkeypatch.setattr(verifying, "_join", lambda run, later: seen.append(later) or join(run, later))
    assert verdict(workspace(tmp_path, months), 1, monkeypatch)[0] == "ok"
    put_aside = seen[0].put_aside
    assert {how for _where, how, _event in put_aside} == {"request", "steps", "part"}
    assert {"queue", "expire", "outcome"} <= {event["type"] for _where, _how, event in put_aside}
    assert any(
        event["type"] == "queue" and "reminder_patient" in [m[1] for m in event["messages"]]
        for _where, _how, event in put_aside
    ), "a reminder of a January request, queued in February"
    assert any(
        how == "request" and event["type"] == "queue" and "withdrawn_member" in [m[1] for m in event["messages"]]
        for _where, how, event in put_aside
    ), "the members asked about a January request told in February: judged with the request"
    assert seen[0].early, "an event dated before its month, in the later half"


def test_a_sound_ledger_sums_up_the_same(tmp_path: Path, months: dict[str, bytes], monkeypatch) -> None:
    one = same_in_halves(tmp_path, months, monkeypatch)
    assert one[0] == "ok" and one[1].unordered == 1 and one[1].requests == 7


def test_a_checkpoint_in_the_later_half_is_checked_the_same(
    tmp_path: Path, months: dict[str, bytes], monkeypatch
) -> None:
    home = workspace(tmp_path, months)
    checkpoint = tmp_path / "checkpoint"
    lines = b"".join(months.values()).splitlines()
    for split in (None, 1, 2):
        checkpoint.write_text(
            json.dumps({"events": len(lines) - 3, "last_hash": hashlib.sha256(lines[-4]).hexdigest()})
        )
        assert verdict(home, split, monkeypatch, checkpoint)[1].checkpoint == "checked"
        checkpoint.write_text(json.dumps({"events": len(lines) - 3, "last_hash": "0" * 64}))
        found = verdict(home, split, monkeypatch, checkpoint)
        assert found[:3] == ("bad", "2024-03.jsonl", months["2024-03.jsonl"].count(b"\n") - 3), split


def _by_hand(files: dict[str, bytes], damage: str, line: int) -> dict[str, bytes]:
    everything = [(name, raw) for name, data in files.items() for raw in data.splitlines()]
    name, raw = everything[line]
    if damage == "flip":
        raw = raw[: len(raw) // 2] + bytes([raw[len(raw) // 2] ^ 1]) + raw[len(raw) // 2 + 1 :]
        everything[line] = (name, raw)
    elif damage == "delete":
        del everything[line]
    elif damage == "duplicate":
        everything.insert(line, (name, raw))
    elif damage == "swap":
        everything[line], everything[line + 1] = (everything[line + 1][0], everything[line + 1][1]), (name, raw)
    elif damage == "torn":
        everything = everything[: line + 1]
        everything[line] = (name, raw[:10])
    out = dict.fromkeys(files, b"")
    for name, raw in everything:
        out[name] += raw + b"\n"
    if damage == "torn":
        out[name] = out[name][:-1]
        for later in [n for n in files if n > name]:
            del out[later]
    return out


@pytest.mark.parametrize("damage", ["flip", "delete", "duplicate", "swap", "torn"])
def test_damage_by_hand_is_named_the_same(tmp_path: Path, months: dict[str, bytes], monkeypatch, damage) -> None:
    total = sum(data.count(b"\n") for data in months.values())
    for line in range(0, total - 1, 3):
        folder = tmp_path / f"{damage}-{line}"
        same_in_halves(folder, _by_hand(months, damage, line), monkeypatch)


def _nth(pairs: list, kind: str, month: str, nth: int = 0) -> int:
    return [i for i, (name, e) in enumerate(pairs) if e["type"] == kind and name.startswith(month)][nth]


def _set(kind: str, month: str, nth: int = 0, **fields):
    def edit(pairs: list) -> None:
        i = _nth(pairs, kind, month, nth)
        pairs[i] = (pairs[i][0], {**pairs[i][1], **fields})

    return edit


def _drop(kind: str, month: str, nth: int = 0):
    return lambda pairs: pairs.pop(_nth(pairs, kind, month, nth))


def _twice(kind: str, month: str, nth: int = 0):
    def edit(pairs: list) -> None:
        i = _nth(pairs, kind, month, nth)
        pairs.insert(i + 1, pairs[i])

    return edit


def _renumber_first_queue(pairs: list) -> None:
    pairs[_nth(pairs, "queue", "2024-02")][1]["messages"][0][0] = 999


def _stranger_in_a_mixed_batch(pairs: list) -> None:
    _name, event = pairs[_nth(pairs, "sent", "2024-02", 1)]
    event["messages"].append([1, 1])  # sent in January already


def _attempt_on_a_sent_message(pairs: list) -> None:
    pairs.append(("2024-03.jsonl", {"type": "attempt", "at": "2024-03-02T13:30:00Z", "messages": [[2, 2]]}))


FORGERIES = {
    "unknown-request": _set("outcome", "2024-02", request="099M"),
    "time-backwards-for-a-january-request": _set("outcome", "2024-02", at="2024-02-01T00:00:00Z"),
    "sent-twice-across-months": _twice("sent", "2024-02"),
    "sent-twice-in-march": _twice("sent", "2024-03"),
    "january-queue-dropped": _drop("queue", "2024-01", 1),
    "january-intake-dropped": _drop("intake", "2024-01", 1),
    "first-february-intake-misnumbered": _set("intake", "2024-02", request="009U"),
    "first-february-intake-malformed": _set("intake", "2024-02", request="4x"),
    "first-march-intake-misnumbered": _set("intake", "2024-03", request="004J"),
    "first-february-queue-misnumbered": _renumber_first_queue,
    "personal-data-in-a-put-aside-step": _set("outcome", "2024-02", request="06 12 34 56 78"),
    "unexpected-field-in-a-put-aside-expiry": _set("expire", "2024-02", note="x"),
    "outcome-of-a-january-request-that-expired": _set("expire", "2024-02", type="outcome", outcome="seen"),
    "a-sent-message-in-a-mixed-batch": _stranger_in_a_mixed_batch,
    "attempt-on-a-message-sent-long-ago": _attempt_on_a_sent_message,
    "february-accept-moved-to-january": _set("accept", "2024-02", at="2024-01-31T23:30:00Z"),
}


@pytest.mark.parametrize("forgery", FORGERIES)
def test_an_impossible_history_is_named_the_same(
    tmp_path: Path, months: dict[str, bytes], monkeypatch, forgery: str
) -> None:
    pairs = [(name, json.loads(json.dumps(e))) for name, e in events(months)]
    FORGERIES[forgery](pairs)
    found = same_in_halves(tmp_path, rechained(pairs), monkeypatch)
    assert found[0] == "bad", found


def test_a_later_half_that_dies_is_checked_again(tmp_path: Path, months: dict[str, bytes], monkeypatch) -> None:
    def dies(*args):
        raise MemoryError

    monkeypatch.setattr(verifying, "_check_later", dies)
    same_in_halves(tmp_path / "sound", months, monkeypatch)
    same_in_halves(tmp_path / "damaged", _by_hand(months, "flip", 40), monkeypatch)


def test_a_ledger_long_enough_is_split_where_half_its_bytes_are(
    tmp_path: Path, months: dict[str, bytes], monkeypatch
) -> None:
    home = workspace(tmp_path, months)
    files = Ledger(home).files()
    assert verifying._halfway(files) is None  # a short ledger: one process
    monkeypatch.setattr(verifying, "TWO_HALVES_FROM", 0)
    sizes = [len(data) for data in months.values()]
    before = [sum(sizes[:index]) for index in (1, 2)]  # bytes in the first half, split before file 2 or 3
    assert verifying._halfway(files) == (1 if before[0] >= sum(sizes) / 2 else 2)
    assert verify(Ledger(home)).events == sum(data.count(b"\n") for data in months.values())
