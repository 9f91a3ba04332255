"""Freshness checks of the landing assets: ``build_last_update_freshness_checks`` per landing asset, with the
publisher's cadence as the lower bound (``Connector.cadence_days``, from SOURCES.yml).

Dagster 1.13's ``FreshnessPolicy`` (``FreshnessPolicy.time_window``) is not used: it is still a preview that needs
``freshness: enabled`` in dagster.yaml, and it judges by materialization events, so a landing asset that
reports a failed fetch (it never fails the run) would look fresh. The freshness checks read
``dagster/last_updated_timestamp`` instead, which is the age of the last good landing.
"""

import warnings
from datetime import timedelta

import dagster as dg

from orchestration.defs.connectors.assets import landing_key
from orchestration.defs.connectors.registry import CONNECTORS


def _checks() -> list[dg.AssetChecksDefinition]:
    by_cadence: dict[int, list[dg.AssetKey]] = {}
    for connector in CONNECTORS.values():
        by_cadence.setdefault(connector.cadence_days, []).append(landing_key(connector.table))
    checks: list[dg.AssetChecksDefinition] = []
    with warnings.catch_warnings():  # "superseded" by FreshnessPolicy, which cannot see a failed fetch (see above)
        warnings.simplefilter("ignore")
        for days, keys in sorted(by_cadence.items()):
            checks.extend(dg.build_last_update_freshness_checks(assets=keys, lower_bound_delta=timedelta(days=days)))
    return checks


# Epoch 14 days, EIA-861M and Ember 45, SkyPilot 7, FracTracker 90: each publisher's cadence, a lower bound.
freshness_checks = _checks()
