"""`make install` puts snpctl on the user's PATH (a virtual environment of its own and a link in ~/.local/bin,
no root, no pipx), `make uninstall` removes both; run here with a temporary home folder, from a copy of
the repository (as a clone would be)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from conftest import REPO

SKIPPED_ENV = ("XDG_", "SNPCTL_", "VIRTUAL_ENV", "PIP_", "MAKE", "MFLAGS")  # a make running the suite: not ours
SKIPPED = (".venv", ".git", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis", ".snpctl")


def make(target: str, clone: Path, home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith(SKIPPED_ENV)}
    full.update(HOME=str(home), **env)
    return subprocess.run(["make", "-s", target], cwd=clone, env=full, capture_output=True, text=True, timeout=600)


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    return Path(shutil.copytree(REPO, tmp_path / "snpctl", ignore=shutil.ignore_patterns(*SKIPPED)))


@pytest.mark.slow
def test_make_install_puts_snpctl_on_the_path_and_uninstall_removes_it(tmp_path: Path, clone: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    installed = make("install", clone, home)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    link, venv = home / ".local" / "bin" / "snpctl", home / ".local" / "share" / "snpctl" / "venv"
    assert link.is_symlink() and Path(os.readlink(link)) == venv / "bin" / "snpctl"
    assert f"snpctl 0.1.0 installé : la commande est {link}." in installed.stdout
    assert f"{home}/.local/bin n'est pas dans votre PATH" in installed.stdout  # the test's PATH does not have it

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.rmtree(clone / "snpctl")  # a copy, not an editable install: the clone's sources are not needed
    env = {"PATH": os.environ["PATH"], "HOME": str(home), "SNPCTL_LANG": "fr"}
    version = subprocess.run([str(link), "--version"], cwd=elsewhere, env=env, capture_output=True, text=True)
    assert (version.returncode, version.stdout) == (0, "snpctl 0.1.0\n")
    french = subprocess.run([str(link), "where"], cwd=elsewhere, env=env, capture_output=True, text=True)
    assert french.stderr.startswith("snpctl: Aucun espace de travail ici")  # the catalogue was installed too

    removed = make("uninstall", clone, home)
    assert removed.returncode == 0, removed.stdout + removed.stderr
    assert not link.exists() and not link.is_symlink()
    assert not venv.exists()


@pytest.mark.slow
def test_make_install_honours_xdg_data_home(tmp_path: Path, clone: Path) -> None:
    home, data = tmp_path / "home", tmp_path / "data"
    home.mkdir()
    assert make("install", clone, home, XDG_DATA_HOME=str(data)).returncode == 0
    assert os.readlink(home / ".local" / "bin" / "snpctl") == str(data / "snpctl" / "venv" / "bin" / "snpctl")
    assert make("uninstall", clone, home, XDG_DATA_HOME=str(data)).returncode == 0
    assert not (data / "snpctl").exists()


def test_without_python3_venv_make_install_says_what_to_install(tmp_path: Path, clone: Path) -> None:
    # Debian's python3 without the python3-venv package: `python3 -m venv` fails (ensurepip is missing)
    python = tmp_path / "python3"
    python.write_text(
        '#!/bin/sh\nif [ "$1" = "-m" ] && [ "$2" = "venv" ]; then echo "ensurepip is not available" >&2; exit 1; fi\n'
        'exec python3 "$@"\n',
        encoding="utf-8",
    )
    python.chmod(python.stat().st_mode | stat.S_IXUSR)
    home = tmp_path / "home"
    home.mkdir()
    result = make("install", clone, home, PYTHON=str(python))
    assert result.returncode != 0
    assert "Sur Debian ou Ubuntu : sudo apt install python3-venv   puis relancez : make install" in result.stdout
    assert not (home / ".local" / "bin" / "snpctl").exists()
    assert not (home / ".local" / "share" / "snpctl" / "venv").exists()


def test_make_install_leaves_another_snpctl_alone(tmp_path: Path, clone: Path) -> None:
    home = tmp_path / "home"
    (home / ".local" / "bin").mkdir(parents=True)
    (home / ".local" / "bin" / "snpctl").write_text("#!/bin/sh\necho pipx's\n", encoding="utf-8")
    result = make("install", clone, home)
    assert result.returncode != 0
    assert "existe déjà et n'est pas celui de make install (pipx ? uv ?)" in result.stdout
    assert (home / ".local" / "bin" / "snpctl").read_text(encoding="utf-8") == "#!/bin/sh\necho pipx's\n"
