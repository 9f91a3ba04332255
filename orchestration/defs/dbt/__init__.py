"""dbt: the dbt project as Dagster assets (``assets``: one asset per model and seed, dbt tests as asset checks), the
dbt CLI resource (``resources``), the manifest parsed only when the project changed (``manifest``: ``make
manifest``, no Dagster import) and the partial-rebuild rule (``partial_rebuild``: what a run must rebuild).
"""
