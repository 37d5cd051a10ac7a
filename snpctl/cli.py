"""The command line: parse, call one service function, render. Nothing else lives here.

Owns the commands' names, options and help (the contract's; ``docs/cli.md`` is generated from them)
and the usage errors' one line with exit 2. Must not know the rules, the ledger or the messages'
sending: each command hands ``runner.run`` a call to ``service`` and a renderer from ``render``.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from snpctl import runner, service
from snpctl.errors import SnpctlError
from snpctl.i18n import _
from snpctl.shown import fill, literal
from snpctl.store.workspace import Workspace
from snpctl.timefmt import parse_day, parse_when

NOW_ENV = "SNPCTL_NOW"
SEED_ENV = "SNPCTL_SEED"  # reproducible patient references (demo, tests); never set in production

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    no_args_is_help=True,
    help="Unscheduled-care cascade of a CPTS: triage calls, ask the treating doctor then the "
    "community, record who takes the patient, report what happened.",
)

Home = Annotated[
    Path | None,
    typer.Option(
        "--home", help="The workspace folder (default: $SNPCTL_HOME, else the current folder).", show_default=False
    ),
]
Now = Annotated[
    str | None,
    typer.Option(
        "--now",
        help="Run as of this instant (default: $SNPCTL_NOW, else the clock); for backfilling a paper log and tests.",
        show_default=False,
    ),
]
Json = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout, for scripts.")]
At = Annotated[
    str,
    typer.Option(
        "--at",
        help="Appointment time: 16:30, 16h30, 16h (today), or a date and a time: 2025-07-15 16:30.",
        show_default=False,
    ),
]
Site = Annotated[
    str | None,
    typer.Option(
        "--site",
        help='Where the appointment takes place: "cabinet" or a site key (default: the member\'s site).',
        show_default=False,
    ),
]
Member = Annotated[str, typer.Option("--by", help="The member's id in roster.toml.", show_default=False)]
RequestId = Annotated[str, typer.Argument(help="The request id, e.g. 001C.", show_default=False)]


_run, _fail, _render = runner.run, runner.fail, runner.render


def _at(ws: Workspace, now: datetime, typed: str) -> datetime:
    return parse_when(typed, ws.config.zone, now)


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(metavar="DIR", help="Folder to create the workspace in.")],
    now: Now = None,
    as_json: Json = False,
) -> None:
    """Create a workspace from the example CPTS (protocols.toml, roster.toml, ledger/, private/).

    Example: snpctl init ~/cpts
    """
    try:
        result = service.init(directory)
    except SnpctlError as error:
        _fail(error.message, error.exit_code)
    if as_json:
        print(json.dumps(result.data, ensure_ascii=False))
    else:
        print(
            fill(
                _("Workspace created in {home}. Edit protocols.toml and roster.toml, then run `snpctl check`."),
                home=result.data["home"],
            )
        )


@app.command()
def intake(
    motif: Annotated[str, typer.Option("--motif", help="The protocol key (protocols.toml).", show_default=False)],
    source: Annotated[str, typer.Option("--source", help="cot, web, samu, hospital or office.", show_default=False)],
    treating_doctor: Annotated[
        str, typer.Option("--treating-doctor", help="A member id, or none, unknown, external.")
    ] = "unknown",
    patient: Annotated[
        str | None, typer.Option("--patient", help="The patient's name (private store).", show_default=False)
    ] = None,
    phone: Annotated[
        str | None, typer.Option("--phone", help="Where to text the patient (private store).", show_default=False)
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="Free text (private store).", show_default=False)] = None,
    commune: Annotated[
        str | None,
        typer.Option(
            "--commune", help="Where the patient is, quoted in the doctors' SMS (private store).", show_default=False
        ),
    ] = None,
    home: Home = None,
    now: Now = None,
    as_json: Json = False,
) -> None:
    """Record a call and triage it: open (to trigger), redirected, or transferred to the 15.

    Example: snpctl intake --motif fievre_enfant --source cot --treating-doctor mg-martin --patient "Léa B." --phone "06 00 00 00 01"
    """
    _run(
        home,
        now,
        as_json,
        lambda ws, at: service.intake(
            ws,
            at,
            motif=motif,
            source=source,
            treating_doctor=treating_doctor,
            patient=patient,
            phone=phone,
            note=note,
            commune=commune,
            seed=os.environ.get(SEED_ENV),
        ),
        _render("intake"),
    )


@app.command()
def notify(request: RequestId, home: Home = None, now: Now = None, as_json: Json = False) -> None:
    """Trigger the cascade: the treating doctor alone first, else every registered member.

    Example: snpctl notify 001C
    """
    _run(home, now, as_json, lambda ws, at: service.notify(ws, at, request=request), _render("notify"))


@app.command()
def accept(
    request: RequestId, by: Member, at: At, site: Site = None, home: Home = None, now: Now = None, as_json: Json = False
) -> None:
    """Record that a member takes the request, with the appointment time; the first acceptable one wins.

    Example: snpctl accept 001C --by mg-martin --at 17:30
    """
    _run(
        home,
        now,
        as_json,
        lambda ws, instant: service.accept(
            ws, instant, request=request, by=by, appointment=_at(ws, instant, at), site=site
        ),
        _render("taken"),
    )


@app.command()
def book(
    request: RequestId, by: Member, at: At, site: Site = None, home: Home = None, now: Now = None, as_json: Json = False
) -> None:
    """Book an open request directly, without the cascade (SAMU, SAS or hospital filling the CAMI agenda).

    Example: snpctl book 004H --by mg-remy --at 18:15 --site cami
    """
    _run(
        home,
        now,
        as_json,
        lambda ws, instant: service.book(
            ws, instant, request=request, by=by, appointment=_at(ws, instant, at), site=site
        ),
        _render("taken"),
    )


@app.command()
def refuse(
    request: RequestId,
    by: Member,
    reason: Annotated[str, typer.Option("--reason", help="busy, away, out_of_scope or other.")] = "other",
    home: Home = None,
    now: Now = None,
    as_json: Json = False,
) -> None:
    """Record a refusal; the treating doctor's refusal opens the request to the community at once.

    Example: snpctl refuse 001C --by mg-martin --reason away
    """
    _run(
        home,
        now,
        as_json,
        lambda ws, at: service.refuse(ws, at, request=request, by=by, reason=reason),
        _render("refused"),
    )


@app.command()
def outcome(
    request: RequestId,
    what: Annotated[
        str, typer.Argument(metavar="seen|no-show|cancelled", help="What became of it.", show_default=False)
    ],
    home: Home = None,
    now: Now = None,
    as_json: Json = False,
) -> None:
    """Record what became of a request: seen, no-show (after the appointment time), or cancelled.

    Example: snpctl outcome 001C seen
    """
    _run(
        home,
        now,
        as_json,
        lambda ws, at: service.outcome(ws, at, request=request, outcome=what.replace("-", "_")),
        _render("outcome"),
    )


@app.command()
def synthesis(
    request: RequestId,
    by: Member,
    text: Annotated[str | None, typer.Option("--text", help="The synthesis.", show_default=False)] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="Read the synthesis from this file.", show_default=False)
    ] = None,
    home: Home = None,
    now: Now = None,
    as_json: Json = False,
) -> None:
    """Send the treating doctor the synthesis of the visit, by secure mail (only the member who took it).

    Example: snpctl synthesis 001C --by mg-remy --file synthese.txt
    """
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


@app.command()
def tick(
    home: Home = None,
    now: Now = None,
    as_json: Json = False,
    wait: Annotated[
        bool,
        typer.Option(
            "--wait",
            help="First let the messages still being sent go (at most a "
            "minute), then send this tick's and wait for them too (scripts, "
            "tests).",
        ),
    ] = False,
) -> None:
    """Advance every window that has run out: escalate to the community, expire. Safe every minute from cron.

    Example (crontab): * * * * * SNPCTL_HOME=/srv/cpts /usr/local/bin/snpctl tick
    """
    runner.tick(home, now, as_json, wait)


@app.command()
def show(request: RequestId, home: Home = None, now: Now = None, as_json: Json = False) -> None:
    """Show a request's timeline.

    Example: snpctl show 001C
    """
    _run(home, now, as_json, lambda ws, at: service.show(ws, at, request=request), _render("show"))


@app.command("list")
def list_(
    everything: Annotated[bool, typer.Option("--all", help="Every request, closed ones too.")] = False,
    home: Home = None,
    now: Now = None,
    as_json: Json = False,
) -> None:
    """List the requests not yet closed, with status and deadline.

    Example: snpctl list --all
    """
    _run(home, now, as_json, lambda ws, at: service.list_requests(ws, at, everything=everything), _render("listing"))


@app.command()
def report(
    start: Annotated[
        str | None, typer.Option("--from", help="First intake date, e.g. 2024-01-01.", show_default=False)
    ] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last intake date, included.", show_default=False)] = None,
    form: Annotated[str, typer.Option("--format", help="table, json, csv or markdown.")] = "table",
    home: Home = None,
    now: Now = None,
    as_json: Json = False,
) -> None:
    """The figures of the line: calls, triggered, accepted, appointments, no-shows, by month.

    Example: snpctl report --from 2023-01-01 --to 2023-12-31 --format markdown
    """
    if as_json:
        form = "json"
    if form not in ("table", "json", "csv", "markdown"):
        _fail(_("Unknown --format {form!r}; use table, json, csv or markdown.").format(form=form), 2)

    def work(ws: Workspace, at: datetime) -> service.Outcome:
        first = parse_day(start, what="--from") if start else None
        last = parse_day(end, what="--to") if end else None
        return service.report(ws, at, start=first, end=last)

    def render(ws: Workspace, at: datetime, result: service.Outcome) -> None:
        from snpctl.report import render_report

        sys.stdout.write(render_report(result.data, form))

    _run(home, now, False, work, render)


@app.command()
def check(home: Home = None, now: Now = None, as_json: Json = False) -> None:
    """Validate protocols.toml and roster.toml; silent when all is well.

    Example: snpctl check
    """
    _run(home, None, as_json, lambda ws, at: service.check(ws), lambda ws, at, result: None)


@app.command()
def verify(
    checkpoint: Annotated[
        Path | None,
        typer.Option(
            "--checkpoint",
            help="Also write, or check then advance, this checkpoint (event count and last hash), "
            "kept outside the ledger so that events cut off the end are caught too.",
            show_default=False,
        ),
    ] = None,
    home: Home = None,
    now: Now = None,
    as_json: Json = False,
) -> None:
    """Prove the ledger was not altered: every line parses, is canonical, numbered, chained and legal.

    Example: snpctl verify --checkpoint /mnt/backup/cpts.checkpoint
    """

    def render(ws: Workspace, at: datetime, result: service.Outcome) -> None:
        data = result.data
        print(
            _("Ledger OK: {events} events, {requests} requests, last hash {hash}.").format(
                events=data["events"], requests=data["requests"], hash=data["last_hash"][:16]
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
        try:
            return service.verify(ws, checkpoint=checkpoint)
        except SnpctlError as error:
            if as_json:
                print(json.dumps({"ok": False, "error": error.message}, ensure_ascii=False))
            raise

    _run(home, None, as_json, work, render, needs_config=False)


@app.command()
def simulate(
    scenario: Annotated[
        str,
        typer.Argument(
            metavar="SCENARIO",
            help="A shipped scenario: champigny-2023, champigny-2022, essonne-2023, "
            "vitry-2025; or the path of a scenario .toml file.",
            show_default=False,
        ),
    ],
    into: Annotated[
        Path,
        typer.Option(
            "--into",
            metavar="DIR",
            help="Folder of the new workspace (must not be a workspace already).",
            show_default=False,
        ),
    ],
    seed: Annotated[
        int | None,
        typer.Option(
            "--seed",
            help="Draws of hours, delays and takers (default: the scenario's); the same seed writes the same ledger.",
            show_default=False,
        ),
    ] = None,
    years: Annotated[
        int,
        typer.Option(
            "--years",
            min=1,
            max=50,
            help="Play the period this many years in a "
            "row (same rules, dates moved forward); the figures are compared on "
            "the first.",
        ),
    ] = 1,
    as_json: Json = False,
) -> None:
    """Play a documented period of activity into a new workspace, then set the documented figures beside report's.

    Every call goes through the same functions as the commands (intake, notify, refuse, accept, book, outcome,
    tick at each deadline as cron would). Exit 0 when every documented figure matches, 1 otherwise.

    Example: snpctl simulate champigny-2023 --into /tmp/champigny && snpctl report --home /tmp/champigny
    """
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


# -- entry point ----------------------------------------------------------------------------

_UsageError: type[Any] = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError")


def _command(argv: list[str]):
    """The click command to run: only the one named in ``argv`` (building all of them costs a cron tick 18 ms)."""
    name = argv[0] if argv else None
    chosen = [
        info
        for info in app.registered_commands
        if (info.name or getattr(info.callback, "__name__", "").replace("_", "-")) == name
    ]
    if not chosen:
        return typer.main.get_command(app)  # --help, or an unknown command: the whole group says it
    single = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)
    single.registered_commands = chosen
    single.callback()(lambda: None)  # keep it a group, so that the command's name is parsed
    return typer.main.get_command(single)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; usage errors are one line on stderr with exit 2, never a traceback."""
    argv = sys.argv[1:] if argv is None else argv
    command = _command(argv)
    try:
        code: Any = command.main(args=argv, prog_name="snpctl", standalone_mode=False)
    except _UsageError as error:
        where = f" (see `{error.ctx.command_path} --help`)" if getattr(error, "ctx", None) else ""
        print(f"snpctl: {literal(error.format_message())}{where}", file=sys.stderr)
        code = 2
    except KeyboardInterrupt:
        print(_("snpctl: interrupted; nothing more was written."), file=sys.stderr)
        code = 130
    except typer.Abort:
        code = 130
    except Exception as error:  # a bug: say so on one line; SNPCTL_DEBUG=1 shows the traceback
        runner.internal_error(error)
    sys.exit(code if isinstance(code, int) else 0)
