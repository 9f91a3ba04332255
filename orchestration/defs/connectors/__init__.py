"""Connectors: fetch each live source from its publisher (or a mirror, or an analyst's inbox), verify the body and
land the raw bytes with a manifest, never parsed in flight. One module per job:

- ``registry``: which raw tables have a connector, their publisher and the URLs tried in order;
- ``settings``: the environment (landing, inbox and mirror folders, HTTP knobs) and the masking of secrets;
- ``errors``: ``Problem`` (one attempt or endpoint) and ``FetchError`` (what a caller sees);
- ``landing_store``: landings on disk (``<landing>/<table>/<UTC time>/`` + ``manifest.json``), found for ingest;
- ``http_client``: httpx with tenacity's retries, backoff and Retry-After;
- ``verification``: what a body must be before it lands;
- ``publisher_kinds``: how each kind of endpoint is fetched (a file, a zip member, the EIA API's pages, the
  SkyPilot Lambda composition);
- ``fetch``: one source through all of the above; ``inbox``: files an analyst drops;
- ``assets``, ``checks``, ``sensors``: the Dagster definitions (landing assets, freshness checks, inbox sensor);
- ``fetch_cli`` and ``mirror``: the command lines (fetch without Dagster; ``make mirror``).
"""
