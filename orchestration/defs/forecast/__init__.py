"""Forecast: the scenario forecast built from the marts of the build warehouse (``forecast_build``, on the pure
``transforms/forecast/`` package) and its Dagster assets with the invariants as blocking checks (``assets``).
"""
