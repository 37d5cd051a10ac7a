"""`snpctl simulate`: a documented period of activity, played through the service functions.

A scenario (``snpctl/scenarios/NAME.toml``) describes one CPTS as a source document shows it:
cascade settings, sites, a roster made from counts, the activity to play (``[plan]``: exact
counts of every fate) and the figures the document gives (``[[expect]]``). The simulator

1. reads it (``scenario.py``, through the configuration's table reader) and writes the workspace it
   describes (``workspace.py``);
2. plans every call first (``planner.py``: its kind, day, treating doctor, fate, who takes it;
   ``timing.py``: when). The counts are exactly the plan's; the rest (days, hours, delays, who
   accepts) is drawn from ``random.Random`` seeded by the scenario's name and the seed, so that the
   ledger looks like a real period (opening days and hours, more calls in winter, most acceptances
   well within the windows) and the same seed writes the same ledger byte for byte;
3. plays the plan in time order through ``snpctl.service``, the functions the CLI calls, on a
   non-durable workspace (``player.py``); ``tick`` runs at the first whole minute at or after each
   deadline, which is what a per-minute cron line produces (tick writes nothing when nothing is due);
4. computes ``report`` from the ledger it wrote and sets it beside the documented figures (``compare.py``).

Nothing is written by hand: a plan that breaks a rule is refused by the service like a user
would be, and the simulation stops naming the step. This package is a face of its own, beside the
CLI: nothing in ``snpctl`` below it may import it.
"""

from snpctl.simulate.compare import render
from snpctl.simulate.player import simulate
from snpctl.simulate.scenario import Scenario, load_scenario, parse_scenario, scenario_names
from snpctl.simulate.workspace import protocols_toml, roster_toml

__all__ = [
    "Scenario",
    "load_scenario",
    "parse_scenario",
    "protocols_toml",
    "render",
    "roster_toml",
    "scenario_names",
    "simulate",
]
