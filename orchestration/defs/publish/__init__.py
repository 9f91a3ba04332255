"""Publish: the serving asset (``assets``) that swaps a checked build file in as the serving warehouse
(``serving``), the input fingerprint recorded with each published run (``input_fingerprint``), the DuckLake lake
target's writer (``lake_publish``; the read side is ``transforms/storage/lake.py``), ``make lake-demo``
(``lake_demo``) with its throwaway PostgreSQL (``pgserver``), and the README's figures generated from the published
warehouse (``readme_figures``, ``make docs``).
"""
