"""The workspace a scenario describes: its protocols.toml and a roster of fictional members made from counts.

Owns the two files' contents and their writing into a new workspace. Must not know how the period is
planned or played.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import tomli_w

from snpctl import service
from snpctl.errors import ConfigError
from snpctl.i18n import _
from snpctl.shown import fill
from snpctl.simulate.scenario import Scenario
from snpctl.store.workspace import default_file

GP = "generaliste"

SURNAMES = (
    "Martin",
    "Bernard",
    "Thomas",
    "Petit",
    "Robert",
    "Richard",
    "Durand",
    "Dubois",
    "Moreau",
    "Laurent",
    "Simon",
    "Michel",
    "Lefebvre",
    "Leroy",
    "Roux",
    "David",
    "Bertrand",
    "Morel",
    "Fournier",
    "Girard",
    "Bonnet",
    "Dupont",
    "Lambert",
    "Fontaine",
    "Rousseau",
    "Vincent",
    "Muller",
    "Lefevre",
    "Faure",
    "Andre",
    "Mercier",
    "Blanc",
    "Guerin",
    "Boyer",
    "Garnier",
    "Chevalier",
    "Francois",
    "Legrand",
    "Gauthier",
    "Garcia",
)


def roster_toml(scenario: Scenario) -> dict[str, Any]:
    members: list[dict[str, Any]] = []
    ids_by_prefix: dict[str, list[str]] = {}
    number = 0
    for group in scenario.groups:
        ids_by_prefix[group.prefix] = []
        for i in range(1, group.count + 1):
            member_id = f"{group.prefix}-{i:03d}"
            surname = SURNAMES[number % len(SURNAMES)] + (
                "" if number < len(SURNAMES) else f"-{SURNAMES[(number // len(SURNAMES)) % len(SURNAMES)]}"
            )
            number += 1
            member = {
                "id": member_id,
                "name": f"Dr {surname}",
                "profession": GP,
                "status": group.status,
                "site": group.site,
                "registered": group.registered,
            }
            if group.supervised_by:
                bosses = ids_by_prefix.get(group.supervised_by)
                if not bosses:
                    raise ConfigError(
                        _("{file}: members: supervised_by {value!r} must name the prefix of an earlier group.").format(
                            file=scenario.file, value=group.supervised_by
                        )
                    )
                member["supervisor"] = bosses[(i - 1) % len(bosses)]
            ids_by_prefix[group.prefix].append(member_id)
            members.append(member)
    # the documents' figures were counted without closures: a scenario's sites open on public holidays unless it
    # says otherwise
    sites = [{"open_on_public_holidays": True, **site} for site in scenario.sites]
    return {"site": sites, "member": members}


def protocols_toml(scenario: Scenario) -> dict[str, Any]:
    data = tomllib.loads(default_file("protocols.toml").decode("utf-8"))
    data["timezone"] = scenario.timezone
    data["cascade"] = dict(scenario.cascade)
    # the fictional roster has GPs only: a protocol asked of another profession would reach nobody (``check``)
    data["protocol"] = [p for p in data["protocol"] if p["action"] != "trigger" or p.get("profession", GP) == GP]
    return data


def write_workspace(scenario: Scenario, home: Path, seed: int) -> None:
    service.init(home)
    header = (
        fill(
            _("# Written by `snpctl simulate {name} --seed {seed}`: {title}."),
            name=scenario.name,
            seed=seed,
            title=scenario.title,
        )
        + "\n"
        + _("# Fictional members made from the scenario's counts.")
        + "\n\n"
    )
    (home / "protocols.toml").write_text(header + tomli_w.dumps(protocols_toml(scenario)), encoding="utf-8")
    (home / "roster.toml").write_text(header + tomli_w.dumps(roster_toml(scenario)), encoding="utf-8")
