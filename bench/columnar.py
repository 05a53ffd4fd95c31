# ruff: noqa: S608 -- identifiers come from the models' metadata and the questionnaire's keys; values are literals we make.
"""Columnar benchmark: our hand-kept numpy columns against embedded columnar engines (issue 17).

Run with `make bench-columnar`. Measures, on the same data in the same run, the two things a
campaign dashboard does with its responses:

1. Cold read: a campaign's completed responses from the database into columns (ids, times,
   validity, index, satisfied, NPS, customer, contact, agent, channel, and per item / dimension
   the points, importance and dimension scores out of the response's JSON).
   - ``numpy``: ours, manyi.results.reading.read_block (COPY binary on PostgreSQL, one
     json_extract per group on SQLite); ``numpy_build`` also the whole cold dataset build
     (category codes, products, the saved .npz), what the dashboard waits for.
   - ``polars``: connectorx reads the rows into Arrow (the JSON as text), polars decodes the
     JSON columns (str.json_decode to a struct, unnested); ``polars_p2`` the same with
     connectorx reading in 2 partitions (by id) at once.
   - ``duckdb_arrow``: connectorx's Arrow table, the JSON decoded by DuckDB (json_transform).
   - ``duckdb_scan``: DuckDB reading the database itself (sqlite / postgres scanner
     extensions). The DuckDB wheel does not bundle them and downloads them from
     extensions.duckdb.org at first use, which an offline machine cannot: they come here from
     PyPI's duckdb-ext-sqlite / duckdb-ext-postgres packages (another party's packaging of
     DuckDB's signed builds: they load without allowing unsigned ones), for DuckDB 1.4.4 only, so
     this variant runs in a child process with DuckDB 1.4.4 (.venv/bench-columnar-duckdb144).
   Each engine's columns are checked against ours (same rows, same values).

2. Warm figures, the columns in memory: what dashboard_summary computes over the valid
   responses (overall index mean and sd, satisfied share, per-item means with seed 000's
   neutral answer filled in for a valid questionnaire missing one item — "遗漏一项的按'一般'记3分",
   per-dimension means, NPS promoters / passives / detractors, monthly trend n / mean / sd in
   the configured time zone, breakdown by region n / mean / sd):
   - ``numpy``: ours (the functions summary.py calls: group_index, item_table, stats.nps,
     stats.by_period, stats.segment_comparison), and ``numpy_dashboard`` the whole
     dashboard_summary (also derived importance, tests, bands …) for scale;
   - ``duckdb``: SQL over an Arrow table of the same columns (NaN → null);
   - ``polars``: the same as polars expressions and group_by.
   Each engine's numbers are checked against ours (relative 1e-9).

Every figure is the median of COLD_RUNS (3) / WARM_RUNS (7) runs, the engines' runs taken in
turns; engines use every core (2 here), ours one, so the CPU seconds of this process (every
thread) are printed beside the wall seconds. Prints `BENCH columnar.<engine>_<cold|warm>_<db>_s`
and `…_cpu_s` with db `pg` or `sqlite` (e.g. `columnar.duckdb_arrow_cold_sqlite_s`), and
`columnar.<engine>_<cold|warm>_<db>_equal` 1 when the engine's columns / figures equal ours.
On PostgreSQL ours leaves the JSON work to the server, whose CPU is not counted.

Data: like bench-analytics, a throwaway PostgreSQL database and a temporary SQLite file with
RESPONSES (200,000 by default) responses of bench/analytics.py's generator; or existing ones:
COLUMNAR_SQLITE=/path/manyi.sqlite3 and / or COLUMNAR_PG=postgres://…/name (campaign
COLUMNAR_CAMPAIGN, default the first one), migrated to this checkout, only read. The engines are installed by this
script (`pip install --target`) into .venv/bench-columnar and .venv/bench-columnar-duckdb144.
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, SEED, bench, child_arguments, log, postgres_database, setup_django

ENGINES = ("duckdb==2.0.1", "polars==2.1.0", "connectorx==0.4.6", "pyarrow==26.0.1")
ENGINES_DIR = ROOT / ".venv" / "bench-columnar"
SCANNERS = ("duckdb==1.4.4", "duckdb-ext-sqlite==1.4.4.20260205", "duckdb-ext-postgres==1.4.4.20260205")
SCANNERS_DIR = ROOT / ".venv" / "bench-columnar-duckdb144"
RESPONSES = int(os.environ.get("RESPONSES", "200000"))
COLD_RUNS = int(os.environ.get("COLD_RUNS", "3"))
WARM_RUNS = int(os.environ.get("WARM_RUNS", "7"))
TOLERANCE = 1e-9


def installed(specs, folder):
    """Install ``specs`` into ``folder`` unless it is there; False (and a log line) when that fails."""
    if folder.exists():
        return True
    log(f"  installing {' '.join(specs)} into {folder} …")
    try:
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--target", str(folder), *specs],
            check=True,
            timeout=600,
        )
    except (OSError, subprocess.SubprocessError) as error:
        log(f"  skipped (install failed: {error})")
        shutil.rmtree(folder, ignore_errors=True)
        return False
    return True


def arrow_of(result):
    """A DuckDB relation's rows as an Arrow table (the method's name changed between 1.4 and 2.0)."""
    for name in ("to_arrow_table", "arrow"):
        if hasattr(result, name):
            table = getattr(result, name)()
            return table.read_all() if hasattr(table, "read_all") else table
    raise AttributeError("no Arrow result")


# ------------------------------------------------------------------------------------------
# The child: one database


class Context:
    """The campaign, its columns' keys and the database's URL for connectorx."""

    def __init__(self, database_url, campaign):
        from manyi.results import dataset as datasets

        self.campaign = campaign
        self.vendor = "postgresql" if database_url.startswith("postgres") else "sqlite"
        self.item_keys, self.dimension_keys, self.competitor_keys = datasets._columns(campaign)
        if self.vendor == "postgresql":
            self.cx_url = database_url.replace("postgres://", "postgresql://", 1)
        else:
            self.cx_url = "sqlite://" + database_url.removeprefix("sqlite://")
        self.path = database_url.removeprefix("sqlite://")


def engine_query(context, json_as_text=True):
    """The rows our reader reads, the JSON columns as they are stored (text)."""
    from manyi.campaigns.choices import ResponseStatus
    from manyi.results import reading

    response, invitation, f, contact = reading._names()
    as_text = "::text" if context.vendor == "postgresql" and json_as_text else ""
    false = "false"
    channel = " ".join(f"WHEN '{value}' THEN {i}" for i, value in enumerate(reading.CHANNELS))
    return (
        f"SELECT r.{f['id']} AS id, COALESCE(r.{f['completed_at']}, r.{f['started_at']}) AS completed, "
        f"COALESCE(r.{f['valid']}, {false}) AS valid, r.{f['index']} AS idx, "
        f"COALESCE(r.{f['satisfied']}, {false}) AS satisfied, r.{f['nps']} AS nps, "
        f"COALESCE(r.{f['customer']}, -1) AS customer, COALESCE(i.{contact}, -1) AS contact, "
        f"COALESCE(r.{f['agent']}, -1) AS agent, "
        f"CASE r.{f['channel']} WHEN '' THEN {reading.NO_LABEL} {channel} ELSE {reading.OTHER_CHANNEL} END AS channel, "
        f"r.{f['points']}{as_text} AS points, r.{f['importance']}{as_text} AS importance, "
        f"r.{f['dimension_scores']}{as_text} AS dimension_scores, r.{f['competitor']}{as_text} AS competitor "
        f"FROM {response} r LEFT JOIN {invitation} i ON i.id = r.{f['invitation']} "
        f"WHERE r.{f['campaign']} = {int(context.campaign.pk)} "
        f"AND r.{f['status']} = '{ResponseStatus.COMPLETED.value}' ORDER BY r.{f['id']}"
    )


GROUPS = (("points", "item_keys"), ("importance", "item_keys"), ("dimension_scores", "dimension_keys"))
GROUPS += (("competitor", "competitor_keys"),)


def polars_cold(context, partitions=None):
    """connectorx → Arrow → polars; the JSON columns decoded by polars (one struct each)."""
    import connectorx
    import polars as pl

    options = {"partition_on": "id", "partition_num": partitions} if partitions else {}
    query = engine_query(context)
    if partitions:  # connectorx partitions a query without ORDER BY, then it is sorted here
        query = query.rsplit(" ORDER BY ", 1)[0]
    frame = connectorx.read_sql(context.cx_url, query, return_type="polars", **options)
    if partitions:
        frame = frame.sort("id")
    if frame["completed"].dtype == pl.String:  # SQLite's text times
        frame = frame.with_columns(pl.col("completed").str.to_datetime(time_unit="us"))
    decoded = []
    for column, keys in GROUPS:
        keys = getattr(context, keys)
        if not keys:
            continue
        struct = pl.Struct([pl.Field(key, pl.Float64) for key in keys])
        decoded.append(
            pl.col(column)
            .str.json_decode(struct)
            .struct.rename_fields([f"{column}.{key}" for key in keys])
            .struct.unnest()
        )
    # A point stored as null (a question a condition hid: not asked) decodes as null like a
    # point not stored: the rows that hold one are kept apart, as our reader does.
    unasked = frame.filter(pl.col("points").str.contains("null", literal=True)).select("id", "points")
    columns = frame.select(pl.exclude([column for column, _keys in GROUPS]), *decoded)
    wide = [c for c in columns.columns if "." in c]
    return columns.with_columns(pl.col(wide).cast(pl.Float32)), unasked


def duckdb_arrow_cold(context):
    """connectorx → Arrow; DuckDB decodes the JSON columns (json_transform) of that table."""
    import connectorx
    import duckdb

    table = connectorx.read_sql(context.cx_url, engine_query(context), return_type="arrow")
    connection = duckdb.connect()
    connection.register("responses", table)
    result = arrow_of(connection.sql(duckdb_decoding(context, "responses")))
    connection.close()
    return result


def duckdb_decoding(context, source):
    """DuckDB SQL: the scalars of `source` and each JSON group unnested, as FLOAT columns."""
    completed = "completed::TIMESTAMP" if context.vendor == "sqlite" else "completed"
    select = [
        "id",
        f"{completed} AS completed",
        "valid",
        "idx",
        "satisfied",
        "nps",
        "customer",
        "contact",
        "agent",
        "channel",
    ]
    for column, keys in GROUPS:
        keys = getattr(context, keys)
        if not keys:
            continue
        shape = json.dumps(dict.fromkeys(keys, "FLOAT"))
        select += [
            f"struct_extract(json_transform({column}::VARCHAR, '{shape}'), '{key}') AS \"{column}.{key}\""
            for key in keys
        ]
    select.append("CASE WHEN contains(points::VARCHAR, 'null') THEN points::VARCHAR END AS unasked")
    return f"SELECT {', '.join(select)} FROM {source} ORDER BY id"


def ours_cold(context):
    from manyi.results import reading

    return reading.read_block(
        context.campaign.pk, 0, context.item_keys, context.dimension_keys, context.competitor_keys
    )


def ours_build(context):
    """The whole cold build of the dashboard's dataset (nothing in memory, no saved file)."""
    from manyi.results import dataset as datasets

    datasets.forget()
    for saved in datasets._folder().glob("*.npz"):
        saved.unlink()
    return datasets.campaign_dataset(context.campaign)


def same_columns(context, block, frame):
    """Whether an engine's columns (a polars DataFrame or Arrow table) hold what our Block does."""
    import numpy as np
    import polars as pl

    if not isinstance(frame, pl.DataFrame):
        frame = pl.from_arrow(frame)
    if frame.height != block.size:
        return False

    def column(name, kind):
        return frame[name].cast(kind).fill_null(float("nan") if kind != pl.Int64 else -1).to_numpy()

    completed = frame["completed"]
    if completed.dtype == pl.String:
        completed = completed.str.to_datetime(time_unit="us")
    seconds = completed.dt.epoch("s").to_numpy()
    checks = [
        np.array_equal(column("id", pl.Int64), block.ids),
        np.array_equal(seconds, block.completed.astype(np.int64)),
        np.array_equal(frame["valid"].cast(pl.Boolean).to_numpy(), block.valid),
        np.allclose(column("idx", pl.Float64), block.index, rtol=0, atol=1e-9, equal_nan=True),
        np.array_equal(frame["satisfied"].cast(pl.Boolean).to_numpy(), block.satisfied),
        np.array_equal(column("nps", pl.Float64), block.nps, equal_nan=True),
        *(np.array_equal(column(name, pl.Int64), getattr(block, name)) for name in ("customer", "contact")),
        *(np.array_equal(column(name, pl.Int64), getattr(block, name)) for name in ("agent", "channel")),
    ]
    wide = {"points": block.points, "importance": block.importance, "dimension_scores": block.dimensions}
    wide["competitor"] = block.competitor
    for (group, keys), values in zip(GROUPS, wide.values(), strict=True):
        for position, key in enumerate(getattr(context, keys)):
            ours = values[:, position]
            ours = np.where(np.isneginf(ours), np.nan, ours)  # -inf: not asked, kept apart
            checks.append(np.array_equal(column(f"{group}.{key}", pl.Float32), ours, equal_nan=True))
    return all(bool(check) for check in checks)


def interleaved(functions, runs):
    """{name: (median wall s, median CPU s, every run's wall s, last result)} of each function,
    the runs taken in turns (one of each, then again), so that the other work on a shared
    machine weighs on every engine alike; a function that fails is left out (logged)."""
    walls = {name: [] for name in functions}
    cpus = {name: [] for name in functions}
    results = {}
    for _ in range(runs):
        for name, function in functions.items():
            if name in results and results[name] is None:
                continue
            started, cpu_started = time.perf_counter(), time.process_time()
            try:
                results[name] = function()
            except Exception as error:  # an engine we only compare with: any failure skips it
                log(f"  {name}: skipped ({type(error).__name__}: {str(error)[:300]})")
                results[name] = None
                continue
            walls[name].append(time.perf_counter() - started)
            cpus[name].append(time.process_time() - cpu_started)
    return {
        name: (statistics.median(walls[name]), statistics.median(cpus[name]), walls[name], results[name])
        for name in functions
        if results.get(name) is not None
    }


def runs_text(runs, scale=1, digits=2):
    return ", ".join(f"{r * scale:.{digits}f}" for r in runs)


def time_cold(context, label):
    """Cold read by each engine; BENCH lines; the dataset ours built (for the warm figures)."""
    import connectorx  # noqa: F401 -- imported before the clock runs, as a server would have
    import duckdb  # noqa: F401
    import polars  # noqa: F401
    import pyarrow  # noqa: F401

    measured = interleaved(
        {
            "numpy": lambda: ours_cold(context),
            "numpy_build": lambda: ours_build(context),
            "polars": lambda: polars_cold(context)[0],
            "polars_p2": lambda: polars_cold(context, partitions=2)[0],
            "duckdb_arrow": lambda: duckdb_arrow_cold(context),
        },
        COLD_RUNS,
    )
    block = measured["numpy"][3]
    figures = {}
    for name, (seconds, cpu, runs, columns) in measured.items():
        figures[name] = seconds, cpu
        check = ""
        if not name.startswith("numpy"):
            equal = same_columns(context, block, columns)
            bench(f"columnar.{name}_cold_{label}_equal", int(equal))
            check = f"; same columns as ours: {equal}"
        log(f"  {name}: {seconds:.2f} s, CPU {cpu:.2f} s (runs {runs_text(runs)}){check}")
    scan = duckdb_scan(context, block)
    if scan is not None:
        figures["duckdb_scan"] = scan
    for name, (seconds, cpu) in figures.items():
        bench(f"columnar.{name}_cold_{label}_s", f"{seconds:.2f}")
        bench(f"columnar.{name}_cold_{label}_cpu_s", f"{cpu:.2f}")
    return measured["numpy_build"][3]


def duckdb_scan(context, block):
    """DuckDB 1.4.4 with its sqlite / postgres scanner, in a child process (another DuckDB
    version than the one imported here); its columns are saved as Arrow IPC and checked."""
    import pyarrow.ipc

    if not installed(SCANNERS, SCANNERS_DIR):
        return None
    folder = Path(tempfile.mkdtemp(prefix="manyi-bench-columnar-scan-"))
    try:
        if context.vendor == "postgresql":
            from django.db import connection

            settings = connection.settings_dict
            source = (
                f"dbname={settings['NAME']} host={settings['HOST'] or '127.0.0.1'} "
                f"port={settings['PORT'] or 5432} user={settings['USER']}"
            )
            if settings["PASSWORD"]:
                source += f" password={settings['PASSWORD']}"
        else:
            source = context.path
        spec = {
            "vendor": context.vendor,
            "source": source,
            "query": duckdb_decoding(context, f"({engine_query(context, json_as_text=False)})"),
            "runs": COLD_RUNS,
            "out": str(folder / "columns.arrow"),
        }
        # DuckDB 1.4.4 first; pyarrow from the engines' folder.
        environment = {**os.environ, "PYTHONPATH": f"{SCANNERS_DIR}{os.pathsep}{ENGINES_DIR}"}
        output = subprocess.run(
            [sys.executable, __file__, "--scan", json.dumps(spec)],
            check=True,
            stdout=subprocess.PIPE,
            text=True,
            env=environment,
            timeout=1800,
        ).stdout
        runs, cpus = json.loads(output.strip().splitlines()[-1])
        with pyarrow.ipc.open_file(spec["out"]) as reader:
            equal = same_columns(context, block, reader.read_all())
    except (OSError, subprocess.SubprocessError, ValueError) as error:
        log(f"  duckdb_scan: skipped ({type(error).__name__}: {str(error)[:300]})")
        return None
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    label = "pg" if context.vendor == "postgresql" else "sqlite"
    bench(f"columnar.duckdb_scan_cold_{label}_equal", int(equal))
    seconds, cpu = statistics.median(runs), statistics.median(cpus)
    log(
        f"  duckdb_scan (1.4.4): {seconds:.2f} s, CPU {cpu:.2f} s ({', '.join(f'{r:.2f}' for r in runs)}); "
        f"same columns: {equal}"
    )
    return seconds, cpu


def scan_child(spec):
    """Runs in the DuckDB 1.4.4 process: the scanner attached, the query timed RUNS times
    (prints the seconds as JSON), the last result saved as Arrow IPC."""
    import duckdb
    import pyarrow.ipc

    extensions = Path(SCANNERS_DIR) / "duckdb_ext" / "extensions" / f"v{duckdb.__version__}" / "linux_amd64"
    kind, extension = {
        "postgresql": ("postgres", "postgres_scanner"),
        "sqlite": ("sqlite", "sqlite_scanner"),
    }[spec["vendor"]]
    runs, cpus = [], []
    for _ in range(spec["runs"]):
        started, cpu_started = time.perf_counter(), time.process_time()
        connection = duckdb.connect()
        connection.execute(f"LOAD '{extensions / (extension + '.duckdb_extension')}'")
        connection.execute(f"ATTACH '{spec['source']}' AS db (TYPE {kind}, READ_ONLY)")
        connection.execute("USE db")
        table = arrow_of(connection.sql(spec["query"]))
        runs.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu_started)
        connection.close()
    with pyarrow.ipc.new_file(spec["out"], table.schema) as writer:
        writer.write_table(table)
    print(json.dumps([runs, cpus]))


# ------------------------------------------------------------------------------------------
# Warm figures


def numpy_figures(dataset, campaign, scheme, items):
    """Our figures, by the functions dashboard_summary calls (results/summary.py)."""
    import numpy as np

    from manyi.analytics import stats
    from manyi.results.filters import Selection, analysed
    from manyi.results.summary import item_table

    valid = analysed(dataset, Selection())
    group = dataset.group_index(scheme, valid)
    own_index = dataset.index[valid]
    own_index = own_index[~np.isnan(own_index)]
    nps_values = dataset.nps[valid]
    nps = stats.nps(nps_values[~np.isnan(nps_values)])
    table = item_table(dataset, valid, items, scheme)
    answered = np.count_nonzero(~np.isnan(dataset.dimensions[valid]), axis=0)
    months = dataset.months()[valid]
    trend = stats.by_period(dataset.group_values(scheme, valid, months), months)
    codes = dataset.codes["region"][valid]
    regions = stats.segment_comparison(dataset.group_values(scheme, valid, codes), codes)
    return {
        "index": (group.index, float(np.std(group.values, ddof=1)), int(group.values.size)),
        "satisfied": (int(dataset.satisfied[valid].sum()), int(own_index.size)),
        "items": [(row["summary"].n, row["summary"].mean) for row in table],
        "dimensions": [
            (int(answered[c]), group.dimension_scores.get(key))
            for c, key in enumerate(dataset.dimension_keys)
        ],
        "nps": (nps.promoters, nps.passives, nps.detractors),
        "months": {int(g.label): (g.n, g.mean, g.sd) for g in trend},
        "regions": {int(s.label): (s.n, s.mean, s.sd) for s in regions.segments},
    }


def engine_table(dataset):
    """The dataset's columns the figures read, as an Arrow table (NaN → null: not answered)."""
    import pyarrow as pa

    columns = {
        "completed": pa.array(dataset.completed),
        "valid": pa.array(dataset.valid),
        "idx": pa.array(dataset.index, from_pandas=True),
        "satisfied": pa.array(dataset.satisfied),
        "nps": pa.array(dataset.nps, from_pandas=True),
        "region": pa.array(dataset.codes["region"]),
    }
    for position, key in enumerate(dataset.item_keys):
        columns[key] = pa.array(dataset.points[:, position], from_pandas=True)
    for position, key in enumerate(dataset.dimension_keys):
        columns[key] = pa.array(dataset.dimensions[:, position], from_pandas=True)
    return pa.table(columns)


def neutrals(dataset, scheme):
    """(item key, its neutral answer, whether it is scored) for the item columns."""
    spec = {item.key: item for item in scheme.items}
    return [(key, spec[key].neutral, spec[key].scored) for key in dataset.item_keys]


def duckdb_figures(connection, dataset, scheme, offset):
    """The same figures as DuckDB SQL over the registered Arrow table `t`."""
    items = neutrals(dataset, scheme)
    missing = " + ".join(f'("{key}" IS NULL)::INT' for key, _neutral, scored in items if scored) or "0"
    filled = {
        key: f'COALESCE("{key}", CASE WHEN missing = 1 THEN {neutral} END)' for key, neutral, _s in items
    }
    head = connection.execute(
        "SELECT avg(idx), stddev_samp(idx), count(idx), sum(satisfied::INT), "
        "count(*) FILTER (WHERE nps >= 9), count(*) FILTER (WHERE nps >= 7 AND nps < 9), "
        "count(*) FILTER (WHERE nps < 7) FROM t WHERE valid"
    ).fetchone()
    per_item = ", ".join(f"count({filled[key]}), avg({filled[key]})" for key, *_rest in items)
    per_dimension = ", ".join(f'count("{key}"), avg("{key}")' for key in dataset.dimension_keys)
    wide = connection.execute(
        f"SELECT {per_item}, {per_dimension} FROM (SELECT *, {missing} AS missing FROM t WHERE valid)"
    ).fetchone()
    month = f"(completed + INTERVAL {int(offset)} SECOND)"
    months = connection.execute(
        f"SELECT year({month}) * 100 + month({month}) AS m, count(idx), avg(idx), stddev_samp(idx) "
        "FROM t WHERE valid AND idx IS NOT NULL GROUP BY m"
    ).fetchall()
    regions = connection.execute(
        "SELECT region, count(idx), avg(idx), stddev_samp(idx) FROM t WHERE valid AND idx IS NOT NULL GROUP BY region"
    ).fetchall()
    k = len(items)
    return {
        "index": (head[0], head[1], head[2]),
        "satisfied": (int(head[3]), head[2]),
        "items": [(wide[2 * i], wide[2 * i + 1]) for i in range(k)],
        "dimensions": [
            (wide[2 * k + 2 * i], wide[2 * k + 2 * i + 1]) for i in range(len(dataset.dimension_keys))
        ],
        "nps": tuple(head[4:7]),
        "months": {int(m): (n, mean, sd) for m, n, mean, sd in months},
        "regions": {int(r): (n, mean, sd) for r, n, mean, sd in regions},
    }


def polars_figures(frame, dataset, scheme, offset):
    """The same figures as polars expressions and group_by over the DataFrame."""
    import polars as pl

    items = neutrals(dataset, scheme)
    valid = frame.lazy().filter(pl.col("valid"))
    missing = pl.sum_horizontal([pl.col(key).is_null().cast(pl.Int32) for key, _n, scored in items if scored])
    filled = [
        pl.col(key).cast(pl.Float64).fill_null(pl.when(pl.col("missing") == 1).then(pl.lit(float(neutral))))
        for key, neutral, _scored in items
    ]
    head = valid.select(
        pl.col("idx").mean().alias("mean"),
        pl.col("idx").std().alias("sd"),
        pl.col("idx").count().alias("n"),
        pl.col("satisfied").sum().alias("satisfied"),
        (pl.col("nps") >= 9).sum().alias("promoters"),
        ((pl.col("nps") >= 7) & (pl.col("nps") < 9)).sum().alias("passives"),
        (pl.col("nps") < 7).sum().alias("detractors"),
    )
    wide = valid.with_columns(missing.alias("missing")).select(
        *(value.count().alias(f"n{i}") for i, value in enumerate(filled)),
        *(value.mean().alias(f"m{i}") for i, value in enumerate(filled)),
        *(pl.col(key).count().alias(f"dn{key}") for key in dataset.dimension_keys),
        *(pl.col(key).cast(pl.Float64).mean().alias(f"dm{key}") for key in dataset.dimension_keys),
    )
    local = pl.col("completed") + pl.duration(seconds=int(offset))
    stats = [
        pl.col("idx").count().alias("n"),
        pl.col("idx").mean().alias("mean"),
        pl.col("idx").std().alias("sd"),
    ]
    indexed = valid.filter(pl.col("idx").is_not_null())
    months = indexed.group_by((local.dt.year() * 100 + local.dt.month()).alias("m")).agg(stats)
    regions = indexed.group_by("region").agg(stats)
    head, wide, months, regions = pl.collect_all([head, wide, months, regions])
    head, wide = head.row(0, named=True), wide.row(0, named=True)
    return {
        "index": (head["mean"], head["sd"], head["n"]),
        "satisfied": (int(head["satisfied"]), head["n"]),
        "items": [(wide[f"n{i}"], wide[f"m{i}"]) for i in range(len(items))],
        "dimensions": [(wide[f"dn{key}"], wide[f"dm{key}"]) for key in dataset.dimension_keys],
        "nps": (head["promoters"], head["passives"], head["detractors"]),
        "months": {int(m): (n, mean, sd) for m, n, mean, sd in months.iter_rows()},
        "regions": {int(r): (n, mean, sd) for r, n, mean, sd in regions.iter_rows()},
    }


def differences(ours, theirs, path="figures"):
    """Where two figure structures differ (numbers beyond relative TOLERANCE), as paths."""
    import math

    if isinstance(ours, dict):
        if set(ours) != set(theirs):
            return [f"{path}: keys {sorted(ours)} ≠ {sorted(theirs)}"]
        return [d for key in ours for d in differences(ours[key], theirs[key], f"{path}.{key}")]
    if isinstance(ours, list | tuple):
        if len(ours) != len(theirs):
            return [f"{path}: length"]
        return [
            d
            for i, (a, b) in enumerate(zip(ours, theirs, strict=True))
            for d in differences(a, b, f"{path}[{i}]")
        ]
    a, b = (float("nan") if v is None else float(v) for v in (ours, theirs))
    if math.isnan(a) and math.isnan(b):
        return []
    return [] if math.isclose(a, b, rel_tol=TOLERANCE, abs_tol=1e-12) else [f"{path}: {a!r} ≠ {b!r}"]


def time_warm(context, dataset, label):
    import duckdb
    import polars as pl

    from manyi.results.dataset import _utc_offset_seconds, rated_items
    from manyi.results.filters import Selection
    from manyi.results.summary import dashboard_summary

    campaign = context.campaign
    scheme = campaign.questionnaire.layout().scheme
    items = rated_items(campaign)
    offset = _utc_offset_seconds()
    started = time.perf_counter()
    table = engine_table(dataset)
    log(f"  (the columns as an Arrow table: {(time.perf_counter() - started) * 1000:.1f} ms, not counted)")
    connection = duckdb.connect()
    connection.register("t", table)
    frame = pl.from_arrow(table)
    measured = interleaved(
        {
            "numpy": lambda: numpy_figures(dataset, campaign, scheme, items),
            "numpy_dashboard": lambda: dashboard_summary(
                campaign, Selection(), segment="region", dataset=dataset
            ),
            "duckdb": lambda: duckdb_figures(connection, dataset, scheme, offset),
            "polars": lambda: polars_figures(frame, dataset, scheme, offset),
        },
        WARM_RUNS,
    )
    ours = measured["numpy"][3]
    for name, (seconds, cpu, runs, theirs) in measured.items():
        check = ""
        if name in ("duckdb", "polars"):
            found = differences(ours, theirs)
            bench(f"columnar.{name}_warm_{label}_equal", int(not found))
            check = f"; same figures as ours: {not found}{'' if not found else ' — ' + '; '.join(found[:5])}"
        log(
            f"  {name}: {seconds * 1000:.1f} ms, CPU {cpu * 1000:.1f} ms (runs {runs_text(runs, 1000, 1)}){check}"
        )
    for name, (seconds, cpu, _runs, _result) in measured.items():
        bench(f"columnar.{name}_warm_{label}_s", f"{seconds:.4f}")
        bench(f"columnar.{name}_warm_{label}_cpu_s", f"{cpu:.4f}")
    log(
        f"  index {ours['index'][0]:.4f} (n={ours['index'][2]:,}), satisfied {ours['satisfied'][0]:,}, "
        f"NPS groups {ours['nps']}"
    )


def run(database_url, folder):
    """Runs inside a child process (one Django setup per database)."""
    existing = database_url in (os.environ.get("COLUMNAR_SQLITE_URL"), os.environ.get("COLUMNAR_PG"))
    setup_django(folder, database_url, migrate=not existing)
    sys.path.insert(0, str(ENGINES_DIR))
    from manyi.campaigns.models import Campaign

    if existing:
        chosen = os.environ.get("COLUMNAR_CAMPAIGN")
        campaign = Campaign.objects.get(pk=chosen) if chosen else Campaign.objects.order_by("pk").first()
    else:
        import analytics
        import numpy as np

        rng = np.random.default_rng(SEED)
        campaign, dimensions, customer_ids = analytics.make_campaign()
        analytics.RESPONSES = RESPONSES
        analytics.store_responses(rng, campaign, dimensions, customer_ids)
        analytics.analyze()
    context = Context(database_url, campaign)
    label = "pg" if context.vendor == "postgresql" else "sqlite"
    log(f" cold read ({label}, campaign {campaign.pk}):")
    dataset = time_cold(context, label)
    log(f" warm figures ({label}, {dataset.size:,} responses in memory):")
    time_warm(context, dataset, label)


def child(database_url):
    folder = Path(tempfile.mkdtemp(prefix="manyi-bench-columnar-"))
    try:
        subprocess.run([sys.executable, __file__, "--child", database_url, str(folder)], check=True, cwd=ROOT)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main():
    if not installed(ENGINES, ENGINES_DIR):
        log("The engines could not be installed: nothing to compare.")
        sys.exit(1)
    existing_pg, existing_sqlite = os.environ.get("COLUMNAR_PG"), os.environ.get("COLUMNAR_SQLITE")
    if existing_pg:
        log(f"PostgreSQL ({existing_pg}):")
        child(existing_pg)
    elif not existing_sqlite:
        name = f"manyi_bench_columnar_{os.getpid()}"
        with postgres_database(name) as url:
            log(f"PostgreSQL ({name}, {RESPONSES:,} responses):")
            child(url)
    if existing_sqlite:
        log(f"SQLite ({existing_sqlite}):")
        child(os.environ["COLUMNAR_SQLITE_URL"])
    elif not existing_pg:
        folder = Path(tempfile.mkdtemp(prefix="manyi-bench-columnar-sqlite-"))
        try:
            log(f"SQLite ({RESPONSES:,} responses):")
            child(f"sqlite:///{folder / 'bench.sqlite3'}")
        finally:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--scan":
        scan_child(json.loads(sys.argv[2]))
    elif arguments := child_arguments():
        run(str(arguments[0]), arguments[1])
    else:
        if os.environ.get("COLUMNAR_SQLITE"):
            os.environ["COLUMNAR_SQLITE_URL"] = f"sqlite:///{Path(os.environ['COLUMNAR_SQLITE']).resolve()}"
        main()
