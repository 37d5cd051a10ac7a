"""The commands on a whole workspace: create it, check its configuration, report, verify, simulate.

Each hands ``runner.run`` a call to ``service`` (or the simulator) and a renderer; nothing else.
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from snpctl import runner, service
from snpctl.cli import completion
from snpctl.cli.options import Home, Json, Now, described
from snpctl.cli.where import remember
from snpctl.errors import BadUsage, ConfigError, SnpctlError
from snpctl.i18n import _, ngettext
from snpctl.shown import fill
from snpctl.store.workspace import Workspace, missing, shown_path, user_config
from snpctl.timefmt import parse_day, parse_month
from snpctl.typed import MONTHS, fold

_run, _fail = runner.run, runner.fail


@described(
    _("Create a workspace from the example CPTS (protocols.toml, roster.toml, ledger/, private/)."),
    "snpctl init ~/cpts",
    _(
        "The first workspace created becomes the default one, found from any folder (recorded in "
        "~/.config/snpctl/config.toml); --default makes this one the default instead."
    ),
)
def init(
    directory: Annotated[Path, typer.Argument(metavar="DIR", help=_("Folder to create the workspace in."))],
    default: Annotated[
        bool | None,
        typer.Option(
            "--default/--no-default",
            help=_(
                "Record it as the default workspace, or not (default: only when no workspace is recorded yet, "
                "or the recorded one is gone)."
            ),
            show_default=False,
        ),
    ] = None,
    now: Now = None,
    as_json: Json = False,
) -> None:
    try:
        result = service.init(directory)
    except SnpctlError as error:
        _fail(error.message, error.exit_code)
    recorded = default is not False and remember(Path(result.data["home"]), force=bool(default))
    if as_json:
        print(json.dumps(result.data, ensure_ascii=False))
        return
    print(
        fill(
            _("Workspace created in {home}. Edit protocols.toml and roster.toml, then run `snpctl check`."),
            home=result.data["home"],
        )
    )
    if recorded:
        print(
            fill(
                _("It is the default workspace: commands find it from any folder (recorded in {config})."),
                config=shown_path(user_config()),
            )
        )


@described(
    _("The figures of the line: calls, triggered, accepted, appointments, no-shows, by month."),
    "snpctl report --from 2023-01-01 --to 2023-12-31 --format markdown",
)
def report(
    start: Annotated[
        str | None,
        typer.Option(
            "--from",
            help=_(
                "First intake day: 01/11/2026, 01/11 (this year), 2026-11-01, or a month: november (its first day)."
            ),
            show_default=False,
        ),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option(
            "--to", help=_("Last intake day, included; a month (november) means its last day."), show_default=False
        ),
    ] = None,
    month: Annotated[
        str | None,
        typer.Option(
            "--month",
            help=_(
                "One calendar month, instead of --from and --to: 2026-11, 11/2026 or november (the last one begun)."
            ),
            show_default=False,
        ),
    ] = None,
    form: Annotated[
        str,
        typer.Option(
            "--format",
            help=_("table, json, csv or markdown."),
            autocompletion=completion.words("table", "json", "csv", "markdown"),
        ),
    ] = "table",
    csv_dialect: Annotated[
        str,
        typer.Option(
            "--csv-dialect",
            help=_(
                "default (for scripts: comma, decimal point, the JSON's keys) or fr (for a French spreadsheet: "
                "UTF-8 with BOM, semicolons, decimal commas, French headers)."
            ),
            autocompletion=completion.words("default", "fr"),
        ),
    ] = "default",
    home: Home = None,
    now: Now = None,
    as_json: Json = False,
) -> None:
    if as_json:
        form = "json"
    if form not in ("table", "json", "csv", "markdown"):
        _fail(_("Unknown --format {form!r}; use table, json, csv or markdown.").format(form=form), 2)
    _check_csv_dialect(csv_dialect, form)

    def work(ws: Workspace, at: datetime) -> service.Outcome:
        first, last = period(start, end, month, today=at.astimezone(ws.config.zone).date())
        return service.report(ws, at, start=first, end=last)

    def render(ws: Workspace, at: datetime, result: service.Outcome) -> None:
        from snpctl.report import render_report

        sys.stdout.write(render_report(result.data, form, csv_dialect))

    _run(home, now, False, work, render)


def period(start: str | None, end: str | None, month: str | None, *, today: date) -> tuple[date | None, date | None]:
    """The days ``--from``, ``--to`` or ``--month`` name, ``today`` being the workspace's today.

    A month name in ``--from`` is its first day, in ``--to`` its last; a month named without a year is
    the last one that has begun (``novembre`` in January 2027 is November 2026).
    """
    if month is not None:
        if start is not None or end is not None:
            raise BadUsage(_("--month is a whole month: give it alone, or --from and --to, not both."))
        return parse_month(month, what="--month", today=today)
    return _day(start, "--from", today, 0), _day(end, "--to", today, 1)


def _day(typed: str | None, what: str, today: date, end: int) -> date | None:
    if not typed:  # an empty --from is no bound, as before
        return None
    if fold(typed).split(" ")[0].rstrip(".") in MONTHS:  # novembre, nov., novembre 2026
        return parse_month(typed, what=what, today=today)[end]
    return parse_day(typed, what=what, today=today)


def _check_csv_dialect(dialect: str, form: str) -> None:
    from snpctl.report import CSV_DIALECTS

    if dialect not in CSV_DIALECTS:
        _fail(
            fill(
                _("Unknown --csv-dialect {dialect!r}; use fr (a French spreadsheet) or default (scripts)."),
                dialect=dialect,
            ),
            2,
        )
    if dialect != "default" and form != "csv":
        _fail(_("--csv-dialect goes with --format csv: snpctl report --format csv --csv-dialect fr"), 2)


@described(
    _("Validate protocols.toml and roster.toml; silent when all is well."),
    "snpctl check",
)
def check(home: Home = None, now: Now = None, as_json: Json = False) -> None:
    _run(home, None, as_json, lambda ws, at: service.check(ws), lambda ws, at, result: None)


@described(
    _("Prove the ledger was not altered: every line parses, is canonical, numbered, chained and legal."),
    "snpctl verify --checkpoint /mnt/backup/cpts.checkpoint",
)
def verify(
    checkpoint: Annotated[
        Path | None,
        typer.Option(
            "--checkpoint",
            help=_(
                "Also write, or check then advance, this checkpoint (event count and last hash), "
                "kept outside the ledger so that events cut off the end are caught too."
            ),
            show_default=False,
        ),
    ] = None,
    home: Home = None,
    now: Now = None,
    as_json: Json = False,
) -> None:

    def render(ws: Workspace, at: datetime, result: service.Outcome) -> None:
        data = result.data
        print(
            _("Ledger OK: {events}, {requests}, last hash {hash}.").format(
                events=ngettext("{n} event", "{n} events", data["events"]).format(n=data["events"]),
                requests=ngettext("{n} request", "{n} requests", data["requests"]).format(n=data["requests"]),
                hash=data["last_hash"][:16],
            )
        )
        if data["unordered"]:
            print(
                _("{n} events are dated before the event before them (backfilled from a paper log).").format(
                    n=data["unordered"]
                )
            )
        if data["checkpoint"]:
            print(
                fill(
                    _("Checkpoint {path} {what} and now at event {events}."),
                    path=checkpoint,
                    what=_("checked") if data["checkpoint"] == "checked" else _("written"),
                    events=data["events"],
                )
            )

    def work(ws: Workspace, at: datetime) -> service.Outcome:
        if ws.found is not None and ws.found.how == "none" and not (ws.home / "ledger").is_dir():
            raise ConfigError(missing(ws.found))  # not "Ledger OK: 0 events" in a folder that is no workspace
        try:
            return service.verify(ws, checkpoint=checkpoint)
        except SnpctlError as error:
            if as_json:
                print(json.dumps({"ok": False, "error": error.message}, ensure_ascii=False))
            raise

    _run(home, None, as_json, work, render, needs_config=False)


@described(
    _("Play a documented period of activity into a new workspace, then set the documented figures beside report's."),
    "snpctl simulate champigny-2023 --into /tmp/champigny && snpctl report --home /tmp/champigny",
    _(
        "Every call goes through the same functions as the commands (intake, notify, refuse, accept, book, "
        "outcome, tick at each deadline as cron would). Exit 0 when every documented figure matches, 1 otherwise."
    ),
)
def simulate(
    scenario: Annotated[
        str,
        typer.Argument(
            metavar="SCENARIO",
            help=_(
                "A shipped scenario: champigny-2023, champigny-2022, essonne-2023, "
                "vitry-2025; or the path of a scenario .toml file."
            ),
            show_default=False,
        ),
    ],
    into: Annotated[
        Path,
        typer.Option(
            "--into",
            metavar="DIR",
            help=_("Folder of the new workspace (must not be a workspace already)."),
            show_default=False,
        ),
    ],
    seed: Annotated[
        int | None,
        typer.Option(
            "--seed",
            help=_(
                "Draws of hours, delays and takers (default: the scenario's); the same seed writes the same ledger."
            ),
            show_default=False,
        ),
    ] = None,
    years: Annotated[
        int,
        typer.Option(
            "--years",
            min=1,
            max=50,
            help=_(
                "Play the period this many years in a row (same rules, dates moved forward); the figures are "
                "compared on the first."
            ),
        ),
    ] = 1,
    as_json: Json = False,
) -> None:
    from snpctl import simulate as simulation

    matched: list[bool] = []

    def work(ws: Workspace, at: datetime) -> service.Outcome:
        data = simulation.simulate(scenario, ws.home, seed=seed, years=years)
        matched.append(data["ok"])
        return service.Outcome(data)

    def render(ws: Workspace, at: datetime, result: service.Outcome) -> None:
        sys.stdout.write(simulation.render(result.data))

    _run(into, None, as_json, work, render, needs_config=False)
    if not all(matched):
        raise typer.Exit(1)
