"""verify's fast paths say exactly what the plain checks say, at their edges.

verify reads canonical lines with orjson, scans for personal data once per batch of strings and
checks message batches with set operations; each falls back to the plain, per-value check whenever
it could disagree with it. These tests build lines at those edges and compare the verdicts.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from snpctl import delivery, service, words
from snpctl.domain import audit, personal
from snpctl.domain.events import GENESIS, SCHEMA, canonical
from snpctl.domain.messages import TEMPLATES
from snpctl.domain.state import CHANNELS, Message, State, put_message
from snpctl.store.chain import line_problem
from snpctl.store.ledger import Ledger
from snpctl.store.verify import Bad, verify
from snpctl.store.workspace import Workspace

from conftest import make_workspace


def intake(**fields) -> dict:
    """The first event of a ledger: the intake of 001C."""
    return {
        "type": "intake",
        "at": "2024-01-15T15:00:00Z",
        "request": "001C",
        "motif": "fievre",
        "category": "infectieux",
        "action": "trigger",
        "profession": "generaliste",
        "source": "cot",
        "treating_doctor": "none",
        "patient": "p0a1b2c3d",
        "contact": "none",
        "seq": 1,
        "prev": GENESIS,
        **fields,
    }


def first_line_problem(raw: bytes) -> str | None:
    return line_problem(State(), raw, GENESIS, "2024-01", first=False)


# -- reading: orjson where it surely agrees with the stdlib, the stdlib elsewhere ----------------


def test_a_plain_canonical_line_passes() -> None:
    assert first_line_problem(canonical(intake())) is None


@pytest.mark.parametrize(
    "value",
    [1e-05, 1e16, 0.5, 2**70, -(2**64), float("nan"), float("inf")],
    ids=["small-float", "big-float", "fraction", "huge-int", "huge-negative-int", "nan", "inf"],
)
def test_a_value_orjson_writes_otherwise_is_judged_by_the_stdlib(value) -> None:
    """Canonical as the writers write it (the stdlib): the line is canonical, and the extra field is the problem."""
    raw = canonical(intake(extra=value))
    assert first_line_problem(raw) == "unexpected field 'extra' in a intake event"


def test_a_float_written_the_orjson_way_is_not_canonical() -> None:
    raw = canonical(intake(extra=1e-05))
    assert b"1e-05" in raw
    assert first_line_problem(raw.replace(b"1e-05", b"0.00001")).startswith("not canonical JSON")


def test_a_duplicated_key_is_not_canonical() -> None:
    raw = canonical(intake())
    assert first_line_problem(raw[:-1] + b',"type":"intake"}').startswith("not canonical JSON")


def test_an_escape_the_writers_make_is_canonical_and_one_they_do_not_make_is_not() -> None:
    written = canonical(intake(motif='fi\u00e8vre\nsuite\t"x"'))
    assert b"\\n" in written and b"\\t" in written and "è".encode() in written
    assert first_line_problem(written) is None
    assert first_line_problem(written.replace("è".encode(), b"\\u00e8")).startswith("not canonical JSON")


def test_text_orjson_refuses_gets_the_stdlib_s_words() -> None:
    assert first_line_problem(b'{"a":1,').startswith("not valid JSON (Expecting")
    assert first_line_problem(canonical(intake()).replace(b"p0a1b2c3d", b"p0a1b\xff\xfe3d")) == "not UTF-8 text"
    deep = b"[" * 300 + b"]" * 300  # deeper than orjson reads, fine for the stdlib
    assert first_line_problem(deep) == "not a JSON object"


def test_the_next_line_chains_on_the_bytes_read() -> None:
    state, first = State(), canonical(intake(motif="a\\b"))
    assert line_problem(state, first, GENESIS, "2024-01", first=False) is None
    second = canonical(intake(request="002E", seq=2, prev=hashlib.sha256(first).hexdigest()))
    assert line_problem(state, second, hashlib.sha256(first).hexdigest(), "2024-01", first=False) is None
    assert json.loads(first)["motif"] == "a\\b"


# -- personal data: strings seen before are skipped as a set, new ones scanned ---------------------


def test_a_phone_number_after_an_escaped_control_character_is_caught() -> None:
    raw = canonical(intake(motif="fievre\n0612345678"))
    assert b"\\n0612345678" in raw
    assert first_line_problem(raw) == "field 'motif' looks like a phone number"


def test_personal_data_in_a_message_entry_is_named_by_its_field() -> None:
    state = State()
    assert line_problem(state, canonical(intake()), GENESIS, "2024-01", first=False) is None
    queue = {
        "type": "queue",
        "at": "2024-01-15T15:01:00Z",
        "request": "001C",
        "seq": 2,
        "messages": [[1, "notify_member", "gp-a", "outbox"], [2, "notify_member", "lea@example.fr", "outbox"]],
    }
    previous = hashlib.sha256(canonical(intake())).hexdigest()
    raw = canonical({**queue, "prev": previous})
    assert line_problem(state, raw, previous, "2024-01", first=False) == "field 'messages' looks like an email address"


def reference_personal_data(event: dict) -> str | None:
    """The plain scan, value by value, as it was before the set operations (the specification)."""
    for key, value in event.items():
        if key in ("prev", "sha256", "at"):
            continue
        for item in value if isinstance(value, list) else (value,):
            for text in item if isinstance(item, list) else (item,):
                if isinstance(text, str):
                    for what, pattern in personal._PERSONAL:
                        if pattern.search(text):
                            return f"field {key!r} looks like {what}"
    return None


TEXTS = st.sampled_from(
    [
        "gp-a",
        "notify_member",
        "outbox",
        "patient",
        "06 12 34 56 78",
        "lea@example.fr",
        "2024-01-15T15:00:00Z",
        "1 84 12 75 123 456 78",
        "p0a1b2c3d",
        "x",
        "",
        "0612345678",
        "a@b.fr",
        "l\u00e9a.bernard@example.fr",
        "+33 6 12 34 56 78 ",
        "06.12.34.56.7",
    ]
)
SCALARS = st.one_of(TEXTS, st.integers(-3, 3), st.booleans(), st.none())
ITEMS = st.one_of(SCALARS, st.lists(st.one_of(SCALARS, st.lists(TEXTS)), max_size=4))


@st.composite
def sound_events(draw) -> dict:
    """An event of sound shape, fields and times (what own_problem checks first), any strings in it, anything in
    its lists."""
    kind = draw(st.sampled_from(sorted(SCHEMA)))
    event = {"type": kind, "at": "2024-01-15T15:00:00Z", "seq": 1, "prev": "0" * 64}
    for name, of in SCHEMA[kind].items():
        event[name] = draw(
            st.just("2024-01-15T16:00:00Z")
            if name in ("deadline", "expires", "appointment")
            else TEXTS
            if of is str
            else st.integers(0, 9)
            if of is int
            else st.lists(ITEMS, max_size=5)
        )
    if kind in audit._ENTRY and draw(st.booleans()):  # well-shaped entries, half of the time
        entry = st.tuples(*(TEXTS if of is str else st.integers(0, 9) for of in audit._ENTRY[kind])).map(list)
        event["messages"] = draw(st.lists(entry, min_size=1, max_size=5))
    return event


@settings(max_examples=2000, deadline=None)
@given(sound_events())
def test_the_set_scan_finds_what_the_plain_scan_finds(event: dict) -> None:
    kind = event["type"]
    columns = audit._columns(event["messages"], audit._ENTRY[kind]) if kind in audit._ENTRY else None
    assert audit._personal_problem(event, columns) == reference_personal_data(event)
    assert audit.personal_data(event) == reference_personal_data(event)


# -- message batches: set operations say what the entry-by-entry check said ------------------------


def reference_message_problem(history: dict[int, tuple[str, str, int]], kind: str, entries: list) -> str | None:
    """The entry-by-entry check as it was when sent messages stayed in the state (the specification).

    ``history``: id -> (status, channel, attempts) of every message ever queued.
    """
    shape = audit._ENTRY[kind]
    if not entries:
        return "an empty batch of messages"
    for entry in entries:
        if (
            type(entry) is not list
            or len(entry) != len(shape)
            or not all(type(v) is t for v, t in zip(entry, shape, strict=True))
        ):
            return f"a message entry {entry!r} is not shaped like {[t.__name__ for t in shape]}"
    for entry in entries:
        if entry[0] not in history:
            return f"message {entry[0]} was never queued"
        status, channel, attempts = history[entry[0]]
        if kind == "attempt" and (status not in ("queued", "failed") or entry[1] != attempts + 1):
            return f"attempt {entry[1]} of message {entry[0]} while it is {words.message_status(status)}"
        if kind in ("sent", "failed"):
            fresh = status == "queued" and channel == "outbox" and entry[1] == 1
            if not fresh and (status != "sending" or entry[1] != attempts):
                return f"{words.event(kind)} for message {entry[0]} that was not being sent (sent twice?)"
        if kind == "given_up" and status not in ("failed", "sending"):
            return f"message {entry[0]} given up while it is {words.message_status(status)}"
    if len({entry[0] for entry in entries}) != len(entries):
        return "the same message twice in one batch"
    return None


def state_of(history: dict[int, tuple[str, str, int]]) -> State:
    """The state a fold leaves: every message but the sent ones, numbered up to the last queued."""
    state = State(message_count=max(history, default=0))
    for message_id, (status, channel, attempts) in history.items():
        if status != "sent":
            put_message(
                state,
                Message(
                    message_id,
                    "001C",
                    "notify_member",
                    "gp-a",
                    channel,
                    datetime(2024, 1, 15),
                    status=status,
                    attempts=attempts,
                ),
            )
    return state


# every message ever queued, numbered from 1 in order: id -> (status, channel, attempts); a queued one has none
HISTORY = st.lists(
    st.tuples(
        st.sampled_from(["queued", "sending", "sent", "failed", "gave_up"]),
        st.sampled_from(CHANNELS),
        st.integers(0, 3),
    ),
    max_size=8,
).map(lambda messages: {n: (s, c, 0 if s == "queued" else a) for n, (s, c, a) in enumerate(messages, 1)})
NUMBERS = st.one_of(st.integers(0, 10), st.booleans(), st.just("1"))
ENTRY = st.one_of(
    st.lists(st.one_of(NUMBERS, st.sampled_from(["failed", "unknown", "no_number"])), max_size=4), NUMBERS
)


@settings(max_examples=2000, deadline=None)
@given(HISTORY, st.sampled_from(["attempt", "sent", "failed", "given_up"]), st.lists(ENTRY, max_size=5), st.data())
def test_a_step_batch_gets_the_entry_by_entry_verdict(history, kind, noise, data) -> None:
    shape = audit._ENTRY[kind]
    ids = data.draw(st.lists(st.integers(0, 10), max_size=6))
    entries = (
        [[i, data.draw(st.integers(0, 4))] + (["failed"] if kind == "failed" else []) for i in ids]
        if kind != "given_up"
        else [[i, data.draw(st.sampled_from(["failed", "unknown"]))] for i in ids]
    )
    if data.draw(st.booleans()):
        entries += noise  # some batches are also misshaped
    event = {"type": kind, "messages": entries}
    columns = audit._columns(entries, shape)
    assert audit._message_problem(state_of(history), event, columns) == reference_message_problem(
        history, kind, entries
    )


@settings(max_examples=1000, deadline=None)
@given(
    st.integers(0, 5),
    st.lists(
        st.one_of(
            st.tuples(
                st.integers(0, 9),
                st.sampled_from(["notify_member", "reminder_patient", "teleport"]),
                st.sampled_from(["gp-a", "patient"]),
                st.sampled_from(["sms", "outbox", "pigeon"]),
            ).map(list),
            st.lists(st.one_of(st.integers(0, 9), st.booleans(), st.just("gp-a")), max_size=5),
        ),
        max_size=5,
    ),
)
def test_a_queue_batch_gets_the_entry_by_entry_verdict(count: int, entries: list) -> None:
    def reference() -> str | None:
        shape = audit._ENTRY["queue"]
        if not entries:
            return "an empty batch of messages"
        for entry in entries:
            if (
                type(entry) is not list
                or len(entry) != 4
                or not all(type(v) is t for v, t in zip(entry, shape, strict=True))
            ):
                return f"a message entry {entry!r} is not shaped like {[t.__name__ for t in shape]}"
        expected = count + 1
        for message_id, template, _recipient, channel in entries:
            if message_id != expected:
                return f"message number {message_id}, expected {expected}"
            if template not in TEMPLATES or channel not in ("sms", "mail", "outbox"):
                return f"unknown template {template!r} or channel {channel!r}"
            expected += 1
        return None

    event = {"type": "queue", "messages": entries}
    columns = audit._columns(entries, audit._ENTRY["queue"])
    assert audit._queue_problem(State(message_count=count), event, columns) == reference()


def test_a_message_sent_twice_is_caught_after_it_left_the_state(tmp_path: Path) -> None:
    desk = make_workspace(tmp_path / "cpts")
    ws = Workspace(desk.home)
    now = datetime(2024, 1, 15, 15, 0, tzinfo=UTC)
    rid = service.intake(ws, now, motif="fievre", source="cot", treating_doctor="none").data["request"]
    queued = service.notify(ws, now, request=rid).messages
    assert delivery.deliver(ws, now, queued)["sent"] == len(queued)
    state, _torn = Ledger(desk.home).read()
    assert queued and not set(queued) & set(state.messages), "sent messages leave the state"
    again = {"type": "sent", "at": "2024-01-15T15:01:00Z", "messages": [[queued[-1], 1]]}
    with (desk.home / "ledger" / "2024-01.jsonl").open("ab") as handle:
        last = desk.ledger_bytes().splitlines()[-1]
        handle.write(
            canonical({**again, "seq": len(desk.events()) + 1, "prev": hashlib.sha256(last).hexdigest()}) + b"\n"
        )
    with pytest.raises(Bad) as caught:
        verify(Ledger(desk.home))
    assert caught.value.problem == f"sent for message {queued[-1]} that was not being sent (sent twice?)"
    assert caught.value.line == len(desk.events())


def test_a_delivery_that_finds_its_message_sent_meanwhile_records_nothing(tmp_path: Path, monkeypatch) -> None:
    """Two deliveries of one outbox message (no claim): the second finds it sent, and gone from the state."""
    desk = make_workspace(tmp_path / "cpts")
    ws = Workspace(desk.home)
    now = datetime(2024, 1, 15, 15, 0, tzinfo=UTC)
    rid = service.intake(ws, now, motif="fievre", source="cot", treating_doctor="none").data["request"]
    queued = service.notify(ws, now, request=rid).messages
    from snpctl.messaging import transports

    write = transports.write_outbox
    other: list[dict] = []

    def write_and_race(*args, **kwargs):
        write(*args, **kwargs)
        if not other:  # the other process delivers them all, while this one is at its first
            monkeypatch.setattr(transports, "write_outbox", write)
            other.append(delivery.deliver(Workspace(desk.home), now, queued))

    monkeypatch.setattr(transports, "write_outbox", write_and_race)
    assert delivery.deliver(ws, now, queued) == {"sent": 0, "failed": 0}
    assert other == [{"sent": len(queued), "failed": 0}]
    assert [e["type"] for e in desk.events()].count("sent") == 1
    assert verify(Ledger(desk.home)).events == len(desk.events())


def test_a_notified_list_that_is_not_of_names_is_folded_as_before() -> None:
    """Member ids are interned when folded; the audit never asked a notified list for strings, nor does the fold."""
    state, first = State(), canonical(intake())
    assert line_problem(state, first, GENESIS, "2024-01", first=False) is None
    notify = {
        "type": "notify",
        "at": "2024-01-15T15:01:00Z",
        "request": "001C",
        "status": "community",
        "deadline": "2024-01-15T17:01:00Z",
        "expires": "2024-01-15T17:01:00Z",
        "notified": ["gp-a", 7, None],
        "seq": 2,
        "prev": hashlib.sha256(first).hexdigest(),
    }
    assert line_problem(state, canonical(notify), notify["prev"], "2024-01", first=False) is None
    assert state.requests["001C"].notified == ("gp-a", 7, None)
