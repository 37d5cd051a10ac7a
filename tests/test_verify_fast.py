"""verify's fast paths say exactly what the plain checks say, at their edges.

verify reads canonical lines with orjson, scans for personal data once per batch of strings and
checks message batches with set operations; each falls back to the plain, per-value check whenever
it could disagree with it. These tests build lines at those edges and compare the verdicts.
"""

from __future__ import annotations

import hashlib
import json

import pytest

from snpctl.domain.events import GENESIS, canonical
from snpctl.domain.state import State
from snpctl.store.verify import line_problem


def intake(**fields) -> dict:
    """The first event of a ledger: the intake of 001C."""
    return {"type": "intake", "at": "2024-01-15T15:00:00Z", "request": "001C", "motif": "fievre",
            "category": "infectieux", "action": "trigger", "profession": "generaliste", "source": "cot",
            "treating_doctor": "none", "patient": "p0a1b2c3d", "contact": "none", "seq": 1, "prev": GENESIS,
            **fields}


def first_line_problem(raw: bytes) -> str | None:
    return line_problem(State(), raw, GENESIS, "2024-01", first=False)


# -- reading: orjson where it surely agrees with the stdlib, the stdlib elsewhere ----------------

def test_a_plain_canonical_line_passes() -> None:
    assert first_line_problem(canonical(intake())) is None


@pytest.mark.parametrize("value", [1e-05, 1e16, 0.5, 2 ** 70, -(2 ** 64), float("nan"), float("inf")],
                         ids=["small-float", "big-float", "fraction", "huge-int", "huge-negative-int", "nan", "inf"])
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
    written = canonical(intake(motif="fi\u00e8vre\nsuite\t\"x\""))
    assert b"\\n" in written and b"\\t" in written and "è".encode() in written
    assert first_line_problem(written) is None
    assert first_line_problem(written.replace("è".encode(), b"\\u00e8")).startswith("not canonical JSON")


def test_text_orjson_refuses_gets_the_stdlib_s_words() -> None:
    assert first_line_problem(b'{"a":1,') .startswith("not valid JSON (Expecting")
    assert first_line_problem(canonical(intake()).replace(b"p0a1b2c3d", b"p0a1b\xff\xfe3d")) == "not UTF-8 text"
    deep = b"[" * 300 + b"]" * 300          # deeper than orjson reads, fine for the stdlib
    assert first_line_problem(deep) == "not a JSON object"


def test_the_next_line_chains_on_the_bytes_read() -> None:
    state, first = State(), canonical(intake(motif="a\\b"))
    assert line_problem(state, first, GENESIS, "2024-01", first=False) is None
    second = canonical(intake(request="002E", seq=2, prev=hashlib.sha256(first).hexdigest()))
    assert line_problem(state, second, hashlib.sha256(first).hexdigest(), "2024-01", first=False) is None
    assert json.loads(first)["motif"] == "a\\b"
