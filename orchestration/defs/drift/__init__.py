"""Drift: the gate that holds publishing back when a source's row count or key distributions moved beyond their
thresholds against the last published run (``drift_gate``: Great Expectations), and its Dagster asset
``meta/source_drift`` with the blocking check (``assets``).
"""
