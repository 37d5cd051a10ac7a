"""The messages' command: the synthesis of a visit, sent to the treating doctor.

Reads the text (option or file), then hands ``runner.run`` a call to ``service`` and a renderer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from snpctl import runner, service
from snpctl.cli.options import Home, Json, Member, Now, RequestId, described
from snpctl.i18n import _

_run, _fail, _render = runner.run, runner.fail, runner.render


@described(
    _("Send the treating doctor the synthesis of the visit, by secure mail (only the member who took it)."),
    "snpctl synthesis 001C --by mg-remy --file synthese.txt",
)
def synthesis(
    request: RequestId,
    by: Member,
    text: Annotated[str | None, typer.Option("--text", help=_("The synthesis."), show_default=False)] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help=_("Read the synthesis from this file."), show_default=False)
    ] = None,
    home: Home = None,
    now: Now = None,
    as_json: Json = False,
) -> None:
    if (text is None) == (file is None):
        _fail(_("Give the synthesis with --text TEXT or --file FILE (one of them)."), 2)
    if file is not None:
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            _fail(_("Cannot read {file} ({error}); give a UTF-8 text file.").format(file=file, error=error), 2)
    given = text or ""  # one of them was given (checked above): "" never reaches synthesis
    _run(
        home,
        now,
        as_json,
        lambda ws, at: service.synthesis(ws, at, request=request, by=by, text=given),
        _render("synthesis"),
    )
