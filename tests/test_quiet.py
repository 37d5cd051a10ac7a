"""The collector is paused for a pass over the whole ledger, and left as it was found."""

import gc

import pytest
from snpctl.quiet import collector_paused


@pytest.fixture(autouse=True)
def _restore_collector():
    was = gc.isenabled()
    yield
    (gc.enable if was else gc.disable)()


def test_the_collector_is_off_inside_and_back_on_after():
    gc.enable()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_already_off_stays_off():
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()


def test_the_collector_comes_back_when_the_pass_fails():
    gc.enable()
    with pytest.raises(ValueError), collector_paused():
        raise ValueError("a damaged line")
    assert gc.isenabled()
