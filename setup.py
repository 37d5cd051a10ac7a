"""Only what pyproject.toml cannot say: the French catalogue is compiled when the package is built.

``snpctl/locale/<language>/*.po`` are the sources (in git); the ``.mo`` gettext reads is built from them
by ``snpctl/locale/compile.py``: into the wheel for ``pip install .``, into the source tree for an
editable install (``make``), where git ignores it.
"""

import importlib.util
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


def compile_catalogues(out_dir: Path) -> None:
    spec = importlib.util.spec_from_file_location("snpctl_locale_compile", HERE / "snpctl" / "locale" / "compile.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build(out_dir)


class BuildWithCatalogues(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            compile_catalogues(HERE / "snpctl" / "locale")
        else:
            compile_catalogues(Path(self.build_lib) / "snpctl" / "locale")


setup(cmdclass={"build_py": BuildWithCatalogues})
