"""The code location's definitions by domain, in the pipeline's order: ``connectors`` (fetch and land), ``ingest``
(raw tables), ``dbt`` (the models), ``drift`` (the gate), ``forecast``, ``parameters``, ``publish``; each folder
holds its Dagster assets, checks and sensors beside the helpers they run. ``jobs`` and ``schedules`` span them.
"""
