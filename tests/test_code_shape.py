"""The shape limits of issue 12, checked on every `make lint` and `make test`.

In ``snpctl/``: no function (method, nested function) above cyclomatic complexity 15 as radon counts it
(ruff's C901 counts fewer: radon is the reference), no file over 400 lines, no class over 200 lines.
Each failure names every offender, worst first, so that one run says all there is to split.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from radon.complexity import cc_visit
from radon.visitors import Class, Function

PACKAGE = Path(__file__).resolve().parent.parent / "snpctl"
MAX_COMPLEXITY = 15
MAX_FILE_LINES = 400
MAX_CLASS_LINES = 200


def _sources() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _name(path: Path) -> str:
    return str(path.relative_to(PACKAGE.parent))


def _blocks(blocks: list[Function | Class]) -> Iterator[Function | Class]:
    """Every function, method, nested function and class radon finds, at any depth, each once."""
    for block in blocks:
        yield block
        if isinstance(block, Class):
            yield from _blocks([*block.methods, *block.inner_classes])
        else:
            yield from _blocks(block.closures)


def _visited() -> Iterator[tuple[Path, Function | Class]]:
    for path in _sources():
        seen: set[tuple[int, int]] = set()  # radon lists a method both on its own and in its class
        for block in _blocks(cc_visit(path.read_text(encoding="utf-8"))):
            if (block.lineno, block.col_offset) not in seen:
                seen.add((block.lineno, block.col_offset))
                yield path, block


def _report(what: str, offenders: list[tuple[int, str]]) -> str:
    lines = "\n".join(f"  {text}" for _, text in sorted(offenders, key=lambda o: (-o[0], o[1])))
    return f"{len(offenders)} {what}:\n{lines}"


def test_the_package_has_sources() -> None:
    assert len(_sources()) > 10  # a wrong PACKAGE path would make every other test here pass on nothing


def test_no_function_above_complexity_15() -> None:
    offenders = [
        (block.complexity, f"{_name(path)}:{block.lineno} {block.fullname} has complexity {block.complexity}")
        for path, block in _visited()
        if isinstance(block, Function) and block.complexity > MAX_COMPLEXITY
    ]
    assert not offenders, _report(f"functions above complexity {MAX_COMPLEXITY} (radon cc)", offenders)


def test_no_file_over_400_lines() -> None:
    offenders = []
    for path in _sources():
        count = len(path.read_text(encoding="utf-8").splitlines())
        if count > MAX_FILE_LINES:
            offenders.append((count, f"{_name(path)} has {count} lines"))
    assert not offenders, _report(f"files over {MAX_FILE_LINES} lines", offenders)


def test_no_class_over_200_lines() -> None:
    offenders = []
    for path, block in _visited():
        if isinstance(block, Class):
            count = block.endline - block.lineno + 1
            if count > MAX_CLASS_LINES:
                offenders.append((count, f"{_name(path)}:{block.lineno} class {block.name} has {count} lines"))
    assert not offenders, _report(f"classes over {MAX_CLASS_LINES} lines", offenders)
