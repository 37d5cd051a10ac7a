"""The vocabulary is the contract's words, spelled once; typing it changes no byte of the ledger.

No ``from __future__ import annotations`` here: the TypedDict below must see ``NotRequired`` (see events.py).
"""

import ast
import json
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, NotRequired, get_args

import pytest
from snpctl import config
from snpctl.domain import cascade, events, state, vocabulary
from snpctl.domain.events import COMMON, OPTIONAL, SCHEMA, TYPED, Line, canonical, new, shape_problem
from snpctl.domain.vocabulary import (
    Action,
    Cause,
    Channel,
    EventType,
    MessageStatus,
    Outcome,
    Reason,
    Source,
    Status,
    TreatingDoctor,
)

from conftest import REPO

# The reference: copied from the contract (/work/shared/contract.md, sections 2 and 4), not from the code.
CONTRACT_STATUSES = [
    "open",
    "redirected",
    "transferred_15",
    "treating_doctor_window",
    "community",
    "accepted",
    "expired",
    "seen",
    "no_show",
    "cancelled",
]
CONTRACT_CLOSED = ["redirected", "transferred_15", "expired", "seen", "no_show", "cancelled"]
CONTRACT_SOURCES = ["cot", "web", "samu", "hospital", "office"]
CONTRACT_REASONS = ["busy", "away", "out_of_scope", "other"]
CONTRACT_ACTIONS = ["trigger", "redirect", "transfer_15"]
CONTRACT_OUTCOMES = ["seen", "no-show", "cancelled"]  # as typed; recorded with "_" (the statuses)
CONTRACT_TREATING_DOCTOR = ["none", "unknown", "external"]


def test_each_word_list_is_the_contracts() -> None:
    assert [s.value for s in Status] == CONTRACT_STATUSES
    assert sorted(state.CLOSED) == sorted(CONTRACT_CLOSED)
    assert sorted(state.WAITING) == sorted(set(CONTRACT_STATUSES) - set(CONTRACT_CLOSED) - {"open", "accepted"})
    assert [s.value for s in Source] == CONTRACT_SOURCES
    assert [r.value for r in Reason] == CONTRACT_REASONS
    assert [a.value for a in Action] == CONTRACT_ACTIONS
    assert [o.value for o in Outcome] == [word.replace("-", "_") for word in CONTRACT_OUTCOMES]
    assert [t.value for t in TreatingDoctor] == CONTRACT_TREATING_DOCTOR


def test_the_domains_constants_are_the_vocabulary_as_plain_strings() -> None:
    """Derived, not spelled again; and exact strs: the state is kept with marshal and sys.intern."""
    assert tuple(Status) == state.STATUSES
    assert tuple(Source) == cascade.SOURCES and tuple(Reason) == cascade.REASONS and tuple(Outcome) == cascade.OUTCOMES
    assert tuple(Channel) == state.CHANNELS
    assert set(state.INTAKE_STATUS) == set(Action) and set(state.INTAKE_STATUS.values()) <= set(Status)
    assert all(state.OUTCOME_STATUS[o] == o for o in Outcome)
    assert {to for _froms, to in state.MESSAGE_STEPS.values()} | {MessageStatus.QUEUED} == set(MessageStatus)
    assert set(state.MESSAGE_STEPS) | {EventType.QUEUE} <= set(EventType)
    constants = [
        *state.STATUSES,
        *state.CLOSED,
        *state.WAITING,
        *state.CHANNELS,
        *state.INTAKE_STATUS.items(),
        *state.OUTCOME_STATUS.items(),
        *cascade.SOURCES,
        *cascade.REASONS,
        *cascade.OUTCOMES,
        *SCHEMA,
        *state.MESSAGE_STEPS,
        *(to for _froms, to in state.MESSAGE_STEPS.values()),
    ]
    flat = [word for item in constants for word in (item if isinstance(item, tuple) else (item,))]
    assert flat and all(type(word) is str for word in flat)


def test_config_spells_the_treating_doctor_words_as_the_vocabulary() -> None:
    assert tuple(TreatingDoctor) == config.TREATING_DOCTOR_WORDS


def test_a_member_is_its_string_in_the_ledgers_bytes() -> None:
    plain = {"type": "notify", "status": "community", "notified": ["mg-a"], "seq": 1}
    typed = {"type": EventType.NOTIFY, "status": Status.COMMUNITY, "notified": ["mg-a"], "seq": 1}
    assert Status.OPEN == "open" and hash(Status.OPEN) == hash("open") and {Status.OPEN: 1}["open"] == 1
    assert canonical(typed) == canonical(plain) == b'{"notified":["mg-a"],"seq":1,"status":"community","type":"notify"}'
    assert json.dumps(typed) == json.dumps(plain)
    assert f"{Status.TRANSFERRED_15}" == "transferred_15" and str(Reason.OUT_OF_SCOPE) == "out_of_scope"


def test_new_makes_plain_strings_of_members() -> None:
    event = new(
        EventType.ESCALATE,
        datetime(2024, 1, 15, 15, tzinfo=UTC),
        request="001C",
        cause=Cause.WINDOW_ENDED,
        deadline="2024-01-15T17:00:00Z",
        notified=["mg-a"],
    )
    assert event == {
        "type": "escalate",
        "at": "2024-01-15T15:00:00Z",
        "request": "001C",
        "cause": "window_ended",
        "deadline": "2024-01-15T17:00:00Z",
        "notified": ["mg-a"],
    }
    assert type(event["type"]) is str and type(event["cause"]) is str
    assert shape_problem({**event, "seq": 1, "prev": events.GENESIS}) is None


def test_one_typed_dict_per_event_type_and_the_schema_is_made_from_them() -> None:
    assert set(TYPED) == set(EventType) and list(SCHEMA) == [kind.value for kind in TYPED]
    assert set(get_args(events.Event)) == set(TYPED.values())
    assert {"seq": int, "at": str, "type": str, "prev": str} == COMMON
    assert {"queue": {"about": int}} == OPTIONAL  # NotRequired seen (it is not, in 3.11, from string annotations)
    for kind, typed in TYPED.items():
        assert issubclass(typed, dict) and set(typed.__annotations__) - set(Line.__annotations__) == (
            set(SCHEMA[kind]) | set(OPTIONAL.get(kind, {}))
        ), kind
    # what the ledger's README shows of each type, the schema describes: no more, no fewer fields
    readme = (REPO / "ledger" / "README.md").read_text(encoding="utf-8")
    for line in (line for line in readme.splitlines() if line.startswith('{"')):
        event = json.loads(line)
        expected = set(COMMON) | set(SCHEMA[event["type"]])
        assert expected <= set(event) <= expected | set(OPTIONAL.get(event["type"], {})), line


def test_changing_a_typed_dict_changes_the_schema() -> None:
    """The schema is written once: a field added to (or retyped in) a TypedDict is checked on every line."""

    class Mutated(Line):
        request: str
        outcome: int  # was str
        why: str  # new
        note: NotRequired[str]

    assert events._checked(Mutated, Mutated.__required_keys__) == {"request": str, "outcome": int, "why": str}
    assert events._checked(Mutated, Mutated.__optional_keys__) == {"note": str}


_OWN = ("state", "rules", "cascade", "events")  # the domain modules that spell no word of the vocabulary


@pytest.mark.parametrize("module", _OWN)
def test_the_domain_spells_no_vocabulary_word_as_a_bare_string(module: str) -> None:
    """Except a field name (``event["outcome"]``) and a rule's problem code (``PROBLEMS["expired"]``)."""
    words = {
        member.value
        for enum in vars(vocabulary).values()
        if isinstance(enum, type) and issubclass(enum, StrEnum) and enum is not StrEnum
        for member in enum
    }
    tree = ast.parse((REPO / "snpctl" / "domain" / f"{module}.py").read_text(encoding="utf-8"))
    allowed: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript):
            allowed.add(id(node.slice))
        elif isinstance(node, ast.Dict):
            allowed.update(id(key) for key in node.keys if key is not None)
    bare: list[Any] = [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and node.value in words and id(node) not in allowed
    ]
    assert bare == [], f"snpctl/domain/{module}.py: use snpctl.domain.vocabulary"
