"""Parameters: ``meta.parameters``, every parameter of the models with its unit and source from its one home (dbt
vars, seeds, scenarios.yml; ``parameter_table``), its Dagster asset (``assets``), and the README's parameter tables
that ``make docs`` generates from the same homes (``readme_tables``).
"""
