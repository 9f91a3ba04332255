"""Storage that orchestration and the dashboard both reach: where the warehouse files are (``paths``) and the
DuckLake lake opened read-only (``lake``: settings, the extension files, ATTACH, snapshots, counts).

Here, under ``transforms/``, so that neither side owns what the other needs: DuckDB I/O, no Dagster, no Streamlit.
"""
