"""RESULTS.md and one chart per scenario, from the results bench/run.py gathered.

.venv/bin/python -m bench.report bench/.work/results.json [OUT_DIR]   # re-render without re-running
"""

import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.lines import Line2D

# Targets from issues 4, 5 and 8: (scenario, what, limit) checked at 8 concurrent users unless noted.
TARGET_USERS = 8
TIMELINE_USERS = 16  # the issue sets the timeline page's targets at 16 concurrent clients
COLORS = {
    "Meilisearch direct": "#d62728",
    "Rapport": "#1f77b4",
    "Rapport compiled": "#1f77b4",
    "Rapport executor": "#8c564b",
    "PostGraphile": "#ff7f0e",
    "raw SQL": "#2ca02c",
    "raw SQL (app's 2 queries)": "#9467bd",
}


def _ms(value: float | None) -> str:
    return "–" if value is None else (f"{value:.1f}" if value < 100 else f"{value:.0f}")


def _num(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _at(rows: list[dict], users: int) -> dict | None:
    return next((r for r in rows if r["users"] == users), None)


def _ratio(a: float | None, b: float | None) -> str:
    return "–" if not a or not b else f"{a / b:.2f}×"


def _quiet(quiet: dict | None, step: str) -> str:
    if not quiet:
        return ""
    load = ", ".join(f"{x:.2f}" for x in quiet.get("load_average", []))
    return (
        f"Before {step}, other work kept {quiet['busy_cores_before']} cores busy (load average {load}; "
        f"waited {quiet['waited_s']} s for the machine to calm down)."
    )


def _cpu(row: dict) -> str:
    if row.get("cpu_cores") is None:
        return "–"
    cpu = row.get("cpu", {})
    load = cpu.get("load", cpu.get("locust"))
    ours = [row["cpu_cores"], *(cpu.get(k) for k in ("postgres", "meili", "worker")), load]
    other = cpu["machine"] - sum(v or 0 for v in ours) if "machine" in cpu else None
    return " · ".join("–" if v is None else f"{max(v, 0):.2f}" for v in [*ours, other])


def _generator(row: dict) -> str:
    cores = row.get("generator_cores")
    return "–" if cores is None else f"{cores:.3f} ({row.get('generator', '?')})"


def _table(series: dict[str, list[dict]], resources: bool = True) -> list[str]:
    head = "| system | users | p50 ms | p95 ms | p99 ms | req/s | errors |"
    rule = "|---|---:|---:|---:|---:|---:|---:|"
    if resources:
        head += (
            " server peak RSS MB | CPU cores: server · Postgres · Meili · worker · load generator · other "
            "| load generator's cores in the window |"
        )
        rule += "---:|---:|---:|"
    lines = [head, rule]
    for system, rows in series.items():
        for r in rows:
            line = (
                f"| {system} | {r['users']} | {_ms(r['p50'])} | {_ms(r['p95'])} | {_ms(r['p99'])} "
                f"| {_num(r['rps'])} | {r['errors']} |"
            )
            if resources:
                line += f" {_num(r.get('peak_rss_mb'), 0)} | {_cpu(r)} | {_generator(r)} |"
            lines.append(line)
    return lines


def chart(
    title: str,
    series: dict[str, list[dict]],
    path: Path,
    unit: str = "req/s",
    clients: str = "concurrent clients",
) -> None:
    """Latency percentiles (left) and throughput (right) against concurrency; all systems on the same axes."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.4))
    styles = {"p50": "-", "p95": "--", "p99": ":"}
    for system, rows in series.items():
        if not rows:
            continue
        color = COLORS.get(system)
        users = [r["users"] for r in rows]
        for key, style in styles.items():
            # A level that answered nothing has no latency to draw (and 0 has no place on a log axis).
            timed = [(r["users"], r[key]) for r in rows if r[key]]
            left.plot([u for u, _ in timed], [v for _, v in timed], style, marker="o", color=color)
        right.plot(users, [r["rps"] for r in rows], "-", marker="o", color=color, label=system)
    ticks = sorted({r["users"] for rows in series.values() for r in rows})
    for axis in (left, right):
        axis.set_xscale("log", base=2)
        axis.set_xlabel(clients)
        axis.grid(True, which="both", alpha=0.3)
        axis.set_xticks(ticks, [str(t) for t in ticks])
    if any(r[key] for rows in series.values() for r in rows for key in styles):
        left.set_yscale("log")
    left.set_ylabel("latency, ms (log scale)")
    left.set_title(f"{title}: latency")
    right.set_ylabel(unit)
    right.set_ylim(bottom=0)
    right.set_title(f"{title}: throughput")
    handles = [Line2D([], [], color=COLORS.get(s), marker="o", label=s) for s in series if series[s]]
    handles += [Line2D([], [], color="grey", linestyle=style, label=key) for key, style in styles.items()]
    left.legend(handles=handles, fontsize=7, loc="upper left")
    right.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def _summary(results: dict) -> list[str]:
    scenarios = results.get("scenarios", {})
    lines = [
        f"| figure (at {TARGET_USERS} concurrent clients unless noted) | measured | target | verdict |",
        "|---|---:|---:|---|",
    ]

    def row(
        label: str, value: float | None, target: float, unit: str, higher_is_better: bool = False
    ) -> None:
        if value is None:
            lines.append(f"| {label} | – | {target:,g} {unit} | not measured |")
            return
        ok = value >= target if higher_is_better else value <= target
        factor = (target / value if higher_is_better else value / target) if value else 0
        verdict = "met" if ok else f"missed ({factor:.1f}× off)"
        if unit == "×":
            shown = f"{value:.2f}{unit}"
        elif unit == "cores":
            shown = f"{value:.3f} {unit}"
        else:
            shown = f"{_num(value, 0 if value >= 100 else 1)} {unit}"
        wanted = f"{target:g}{unit}" if unit == "×" else f"{target:,g} {unit}"
        lines.append(f"| {label} | {shown} | {wanted} | {verdict} |")

    def scenario_at(name: str, key: str, users: int = TARGET_USERS) -> float | None:
        found = _at(scenarios.get(name, {}).get("rapport", []), users)
        return found[key] if found else None

    timeline = scenarios.get("timeline", {}).get("rapport", [])
    raw = results.get("raw", {}).get("one_statement", [])
    row(
        f"timeline page p99 at {TIMELINE_USERS} clients (compiled)",
        scenario_at("timeline", "p99", TIMELINE_USERS),
        25,
        "ms",
    )
    for name in COMPARED:
        systems = _systems(results, name)
        ours = _at(systems["Rapport compiled"], TIMELINE_USERS)
        theirs = _at(systems["PostGraphile"], TIMELINE_USERS)
        if ours and theirs:
            row(
                f"{name} throughput ÷ PostGraphile's at {TIMELINE_USERS} clients (compiled)",
                ours["rps"] / theirs["rps"],
                1.5,
                "×",
                higher_is_better=True,
            )
    ours, floor = _at(timeline, 1), _at(raw, 1)
    if ours and floor:
        row("timeline p50 ÷ raw SQL p50 (1 client, compiled)", ours["p50"] / floor["p50"], 2.0, "×")
    generators = [
        r.get("generator_cores")
        for name in COMPARED
        for rows in _systems(results, name).values()
        for r in rows
        if r["users"] == TIMELINE_USERS and r.get("generator_cores") is not None
    ]
    if generators:
        row(
            f"load generator's CPU at {TIMELINE_USERS} clients (most of any compared run)",
            max(generators),
            0.1,
            "cores",
        )
    compiled, total = _read_path_totals(scenarios)
    if total:
        lines.append(
            f"| reads answered by the compiled path (bench mix, every read scenario) "
            f"| {compiled:,} of {total:,} ({compiled / total:.0%}) | – | reported |"
        )
    row("callBrief p99", scenario_at("callBrief", "p99"), 50, "ms")
    row("collectionsQueue first page p99", scenario_at("collectionsQueue", "p99"), 150, "ms")
    row("worklist p99 (a collector's day)", scenario_at("worklist", "p99"), 50, "ms")
    row("inbox first page p99", scenario_at("inbox", "p99"), 50, "ms")
    row("search p50", scenario_at("search", "p50"), 15, "ms")
    row("search p99", scenario_at("search", "p99"), 50, "ms")
    fresh = results.get("freshness", {}).get("delay_ms", {})
    row("write-to-searchable p99 at ~50 notes/s", fresh.get("p99"), 1000, "ms")
    pushes = scenarios.get("upsertInvoices", {}).get("rapport", [])
    best = max(pushes, key=lambda r: r["invoices_per_second"], default=None)
    row(
        "upsertInvoices, batches of 1,000"
        + (f" (best level: {best['users']} concurrent pushers)" if best else ""),
        best and best["invoices_per_second"],
        5_000,
        "invoices/s",
        higher_is_better=True,
    )
    live = scenarios.get("subscriptions")
    if live:
        row(
            f"subscription commit-to-client p99 ({live['open']:,} open subscriptions on {live['accounts']} "
            f"accounts, 2 api processes, {live['rate_per_second']:g} notes/s)",
            live["latency_ms"]["p99"],
            500,
            "ms",
        )
        lines.append(
            f"| memory per idle subscription (api RSS with them − without, ÷ {live['open']:,}) "
            f"| {live['kib_per_idle_subscription']:,.1f} KiB | – | reported |"
        )
    else:
        row("subscription commit-to-client p99", None, 500, "ms")
    index = results.get("index", {})
    row("reindex", index.get("docs_per_second"), 10_000, "docs/s", higher_is_better=True)
    peaks = [r.get("peak_rss_mb") or 0 for s in scenarios.values() for r in s.get("rapport", [])]
    if live:
        peaks.append(live.get("peak_rss_mb") or 0)
    row(
        "api peak RSS under load (all scenarios, all its processes)", max(peaks) if peaks else None, 300, "MB"
    )
    return lines


def _dunning(dunning: dict | None) -> list[str]:
    """The planner over every account owing money and over a tenth of them: linear if 1x is about 10x."""
    if not dunning:
        return []
    full, tenth = dunning["1x"], dunning["0.1x"]
    ratio = full["seconds"] / tenth["seconds"] if tenth["seconds"] else float("nan")
    return [
        "## Dunning planner",
        "",
        "| run | accounts | planned | seconds | ms per account |",
        "|---|---:|---:|---:|---:|",
        *(
            f"| {label} | {run['accounts']:,} | {run['planned']:,} | {run['seconds']} "
            f"| {run['ms_per_account']} |"
            for label, run in (("1x", full), ("0.1x", tenth))
        ),
        "",
        f"Target: under 30 s at 1x. 1x took {ratio:.1f} times as long as 0.1x for "
        f"{full['accounts'] / max(1, tenth['accounts']):.1f} times the accounts (linear: about the same). "
        "Each run plans inside a transaction that is rolled back (bench/dunning.py).",
        "",
    ]


def write(results: dict, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    charts = out_dir / "charts"
    charts.mkdir(exist_ok=True)
    cfg = results["config"]
    seed = results.get("seed", {})
    index = results.get("index", {})
    machine = results.get("machine", {})
    versions = results.get("versions", {})
    scenarios = results.get("scenarios", {})
    lines = [
        "# Benchmark results",
        "",
        f"Written by `make bench` (bench/run.py) on {results['started']}; the whole run took "
        f"{results.get('total_seconds', 0) / 60:.1f} minutes. Scale {cfg['scale']} (seed {cfg['seed']}, "
        f"dates anchored at {cfg['anchor']}). Each level ran {cfg['duration_s']:g} s after a "
        f"{cfg['warmup_s']:g} s warm-up that is not counted; "
        + (
            f"each figure is the median of {cfg['repeat']} runs."
            if cfg["repeat"] > 1
            else "one run per level (BENCH_REPEAT=3 takes medians of three)."
        ),
        "",
        "## Summary against the targets",
        "",
        *_summary(results),
        "",
        "## Machine and versions",
        "",
        f"- `nproc`: {machine.get('nproc')}; `uname -a`: `{machine.get('uname')}`",
        f"- Python {machine.get('python')}, Node {machine.get('node')}, PostGraphile "
        f"{machine.get('postgraphile')}, "
        f"PostgreSQL {versions.get('postgres')} (shared_buffers {versions.get('postgres_shared_buffers')}), "
        f"Meilisearch {versions.get('meilisearch')}",
        "- " + ", ".join(f"{k} {v}" for k, v in machine.get("packages", {}).items()),
        f"- Rapport: `rapport serve` with {cfg['api_workers']} uvicorn process(es) (`RAPPORT_WORKERS`), "
        f"asyncpg pool max {cfg['db_pool_max']} per process; `rapport worker` beside it. PostGraphile: "
        f"{cfg['pg_workers']} Node process(es) (cluster workers), pool max 10 per process, "
        "no JWT (it runs as the connecting role). The load generator (one process: bench/loadgen.py for the "
        "reads, Locust for the writes and subscriptions), the servers, "
        "Postgres and Meilisearch share the same cores. Rapport's per-user rate limit is turned off for the "
        "run (`RAPPORT_RATE_LIMIT_PER_SECOND=0`); everything else is as `rapport serve` ships, access log "
        "included.",
        "",
        _quiet(results.get("quiet_at_start"), "seeding"),
        _quiet(results.get("quiet"), "measuring"),
        "",
        "```",
        machine.get("free", ""),
        "```",
        "",
        "## Dataset",
        "",
        "| table | rows |",
        "|---|---:|",
        *(f"| {table} | {count:,} |" for table, count in seed.get("counts", {}).items()),
        "",
        (
            f"Seeded in {seed.get('seconds')} s (COPY; migration {seed.get('migrate_seconds')} s included)"
            + (" — reused from an earlier run." if seed.get("reused") else ".")
        ),
        (
            f"Search index: {index.get('documents', 0):,} documents in {index.get('seconds')} s, "
            f"{_num(index.get('docs_per_second'), 0)} documents/s (search.reindex: fresh index, swap)."
            if not index.get("reused")
            else f"Search index: {index.get('documents', 0):,} documents, reused (BENCH_SKIP_INDEX)."
        ),
        "",
    ]
    for name in COMPARED:
        if name in scenarios:
            lines += _compared_section(results, name, charts)
    if any(s.get("read_paths") is not None for s in scenarios.values()):
        lines += _read_paths_section(scenarios)
    titles = {
        "callBrief": "callBrief (every field)",
        "collectionsQueue": "collectionsQueue(first: 50)",
        "worklist": "worklist (a collector's day, as one of 50 people)",
        "inbox": "inbox(first: 20) (as one of 50 people)",
        "search": "search (common, rare, typo, filtered)",
        "logNote": "logNote throughput",
        "upsertInvoices": "upsertInvoices throughput (batches of 1,000)",
    }
    for name, title in titles.items():
        if name not in scenarios:
            continue
        rows = scenarios[name]["rapport"]
        series = {"Rapport": rows}
        engine = results.get("engine")
        if name == "search" and engine:
            # Meilisearch asked directly by the app's own client, one query at a time: the engine's floor.
            trip = engine["client_round_trip_ms"]
            series["Meilisearch direct"] = [{"users": 1, **trip, "rps": round(1000 / trip["mean"], 1)}]
        if name == "upsertInvoices":
            chart(
                title,
                {"Rapport": [{**r, "rps": r["invoices_per_second"]} for r in rows]},
                charts / f"{name}.png",
                unit="invoices/s",
                clients="concurrent pushers",
            )
        else:
            chart(title, series, charts / f"{name}.png")
        lines += [f"## {title}", ""]
        if name == "upsertInvoices":
            lines += _invoices_intro(rows)
        lines += [*_table({"Rapport": rows}), "", f"![{name}](charts/{name}.png)", ""]
        if name == "search":
            lines += _search_extra(results, rows)
        if name in ("logNote", "upsertInvoices"):
            drained = scenarios[name].get("outbox_drained_after_s")
            what = "notes" if name == "logNote" else "invoices and their status-change entries"
            lines += [
                f"The index worker (`rapport worker`, a separate process) indexes the {what} as they come; "
                f"the outbox was empty again {drained} s after the last run.",
                "",
            ]
        errors = [s for r in rows for s in r.get("error_samples", [])]
        if errors:
            lines += ["Errors seen (first few):", "", *(f"- `{e[:200]}`" for e in errors[:3]), ""]
    if "subscriptions" in scenarios:
        lines += _live_section(scenarios["subscriptions"], charts)
    if results.get("profile"):
        lines += _profile_section(results["profile"])
    if "freshness" in results:
        fresh = results["freshness"]
        delay = fresh["delay_ms"]
        lines += [
            "## Write-to-searchable freshness",
            "",
            f"{fresh['notes']} notes logged through the API at {fresh['rate_per_second']} notes/s, each "
            "with a "
            f"unique word; Meilisearch polled every {fresh['poll_interval_ms']} ms (multi-search, phrase "
            "query) "
            "from the moment the mutation answered until the note's document was found (so a figure is at "
            "most "
            "one poll interval late).",
            "",
            "| found | not found in 30 s | p50 ms | p95 ms | p99 ms | max ms | logNote p50 ms | logNote "
            "p99 ms |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|",
            f"| {fresh['found']} | {fresh['not_found_within_30s']} | {_ms(delay['p50'])} | "
            f"{_ms(delay['p95'])} "
            f"| {_ms(delay['p99'])} | {_ms(delay['max'])} | {_ms(fresh['logNote_ms']['p50'])} "
            f"| {_ms(fresh['logNote_ms']['p99'])} |",
            "",
            f"CPU cores during this step (server · Postgres · Meili · worker · load generator · other): "
            f"{_cpu(fresh['api']) if fresh.get('api') else '–'}; the writes and polls come from bench/run.py "
            "itself" + ("." if "load" in fresh.get("api", {}).get("cpu", {}) else ", counted under other."),
            "",
        ]
        if fresh["rate_per_second"] < 0.9 * fresh.get("target_rate", 50):
            lines += [
                f"The API did not keep up with the offered {fresh.get('target_rate', 50):g} notes/s (it "
                f"completed {fresh['rate_per_second']}/s): writes queued, so the delays above include an "
                "overloaded write path and outbox, not only the worker's indexing.",
                "",
            ]
    lines += _dunning(results.get("dunning"))
    lines += [
        "## How to read this",
        "",
        "- Latencies are measured by the load generator per request (exact values, not Locust's rounded "
        "buckets; bench/loadgen.py for the reads, Locust for the writes); "
        "throughput is requests completed in the measured window. A GraphQL answer with `errors` (or "
        "`userErrors` for mutations) counts as an error.",
        "- Peak RSS is the server process tree's, sampled every 200 ms with psutil. CPU cores are CPU "
        "seconds divided by wall seconds during the level, for the server, Postgres (every backend, parallel "
        "workers included), Meilisearch, the index worker and the load generator (Locust, or bench/run.py "
        "where it drives the load); *other* is the rest of the machine's busy time (2 cores = saturated), "
        "i.e. other work on the same machine. Postgres and Meilisearch are the dev stack's, so their "
        "figures also include any other client of theirs.",
        "- *Load generator's cores in the window* is the generator's own CPU time during the measured "
        "window only (after its start-up and the warm-up), divided by the window: what it took from the "
        "cores the servers share. The load generator column before it brackets the whole run, start-up "
        "included, with bench/run.py's own sampling.",
        "- The load generator runs on the same 2 cores as the servers and Postgres: at 16 clients everything "
        "competes for CPU, as it would in the issue's reference measurements.",
        "- Re-render this file from the raw figures with `.venv/bin/python -m bench.report "
        "bench/.work/results.json`.",
        "",
    ]
    path = out_dir / "RESULTS.md"
    path.write_text("\n".join(lines))
    return path


COMPARED = ("timeline", "accounts", "node")
COMPARED_TITLES = {
    "timeline": "Timeline page: Rapport compiled, Rapport executor, PostGraphile and raw SQL",
    "accounts": "accounts(first: 50): Rapport compiled, Rapport executor and PostGraphile",
    "node": "node(id): Rapport compiled, Rapport executor and PostGraphile",
}
COMPARED_INTROS = {
    "timeline": "`account(id) { timeline(first: 50) { edges { node { kind summary occurredAt author { name } "
    "contact { name } invoices { number } } } } }` on random accounts; PostGraphile serves the same page "
    "through its generated schema (`accountById { entriesByAccountId(first: 50, orderBy: [OCCURRED_AT_DESC, "
    "ID_DESC], condition: {deletedAt: null}) ... }`); raw SQL is the page as one asyncpg statement with no "
    "HTTP (and, for reference, the two store calls the app makes), run from one Python process.",
    "accounts": "`accounts(first: 50) { edges { cursor node { id name status tags timeZone updatedAt "
    "owner { name } externalRefs { system id } } } pageInfo { hasNextPage endCursor } }`, the first page of "
    "the account list; PostGraphile: `allAccounts(first: 50, orderBy: [NAME_ASC, ID_ASC]) { ... nodeId ... "
    "userByOwnerId { name } accountRefsByAccountId { nodes { system externalId } } }`.",
    "node": "`node(id)` on the sampled accounts and on 1,000 random timeline entries of every kind, "
    "half each (`node:account`, `node:entry`): `__typename id`, `... on Account { name status tags "
    "timeZone owner { name } }`, `... on TimelineEntry { kind summary occurredAt author { name } "
    "contact { name } }` and the kind fields of Interaction, PromiseToPay and Dispute (one aliased) "
    "through fragments; PostGraphile: `node(nodeId)` with `... on Account` and `... on Entry` (one type "
    "for every kind, so the kind fields are plain columns).",
}


def _systems(results: dict, name: str) -> dict[str, list[dict]]:
    """A compared scenario's rows by system (older results.json kept PostGraphile's timeline apart)."""
    found = results.get("scenarios", {}).get(name, {})
    postgraphile = found.get("postgraphile") or results.get("postgraphile", {}).get(name, [])
    return {
        "Rapport compiled": found.get("rapport", []),
        "Rapport executor": found.get("executor", []),
        "PostGraphile": postgraphile,
    }


def _compared_section(results: dict, name: str, charts: Path) -> list[str]:
    systems = _systems(results, name)
    compiled, executor, pg = systems["Rapport compiled"], systems["Rapport executor"], systems["PostGraphile"]
    raw = results.get("raw", {}) if name == "timeline" else {}
    series = {label: rows for label, rows in systems.items() if rows}
    if raw.get("one_statement"):
        series["raw SQL"] = raw["one_statement"]
    if raw.get("app_store"):
        series["raw SQL (app's 2 queries)"] = raw["app_store"]
    chart(name, series, charts / f"{name}.png")
    lines = [
        f"## {COMPARED_TITLES[name]}",
        "",
        COMPARED_INTROS[name],
        "Rapport compiled is `rapport serve` as shipped (`RAPPORT_COMPILED_READS=on`), Rapport executor the "
        "same server with `RAPPORT_COMPILED_READS=off` (every read resolved field by field): both with the "
        "same processes and pool; each level and repeat ran on the three servers in turn.",
        "",
        *_table(series),
        "",
        f"![{name}](charts/{name}.png)",
        "",
    ]
    skipped = results.get("postgraphile", {}).get("skipped")
    if skipped:
        lines += [f"PostGraphile was not measured: {skipped}", ""]
    head = (
        "| clients | compiled ÷ PostGraphile req/s | compiled ÷ executor req/s "
        "| compiled p50 ÷ PostGraphile p50"
    )
    rule = "|---:|---:|---:|---:"
    if name == "timeline":
        head += " | compiled p50 ÷ raw SQL p50 | executor p50 ÷ raw SQL p50 | PostGraphile p50 ÷ raw SQL p50"
        rule += "|---:|---:|---:"
    lines += [head + " |", rule + "|"]
    for r in compiled:
        theirs = _at(pg, r["users"]) or {}
        before = _at(executor, r["users"]) or {}
        line = (
            f"| {r['users']} | {_ratio(r['rps'], theirs.get('rps'))} | {_ratio(r['rps'], before.get('rps'))} "
            f"| {_ratio(r['p50'], theirs.get('p50'))}"
        )
        if name == "timeline":
            floor = _at(raw.get("one_statement", []), r["users"]) or {}
            line += (
                f" | {_ratio(r['p50'], floor.get('p50'))} | {_ratio(before.get('p50'), floor.get('p50'))} "
                f"| {_ratio(theirs.get('p50'), floor.get('p50'))}"
            )
        lines.append(line + " |")
    lines.append("")
    by_name = [(label, r) for label, rows in systems.items() for r in rows if r.get("by_name")]
    if by_name:
        lines += [
            "By kind of request:",
            "",
            "| system | users | request | requests | p50 ms | p99 ms |",
            "|---|---:|---|---:|---:|---:|",
            *(
                f"| {label} | {r['users']} | {kind} | {stats['requests']} | {_ms(stats['p50'])} "
                f"| {_ms(stats['p99'])} |"
                for label, r in by_name
                for kind, stats in r["by_name"].items()
            ),
            "",
        ]
    errors = [s for rows in systems.values() for r in rows for s in r.get("error_samples", [])]
    if errors:
        lines += ["Errors seen (first few):", "", *(f"- `{e[:200]}`" for e in errors[:3]), ""]
    return lines


def _read_path_totals(scenarios: dict) -> tuple[int, int]:
    counts = [c for s in scenarios.values() for c in (s.get("read_paths") or {}).values()]
    compiled = sum(c.get("compiled", 0) for c in counts)
    return compiled, compiled + sum(c.get("fallback", 0) for c in counts)


def _read_paths_section(scenarios: dict) -> list[str]:
    lines = [
        "## Read paths: compiled or fallback",
        "",
        "What the compiled server's `/metrics` counted (`rapport_read_path_total{operation,path}`) during "
        "each read scenario, warm-ups included: how much of the bench mix the compiler answered with one SQL "
        "statement and how much fell back to the executor.",
        "",
        "| scenario | operation | compiled | fallback | compiled share |",
        "|---|---|---:|---:|---:|",
    ]
    for name, found in scenarios.items():
        paths = found.get("read_paths")
        if paths is None:
            continue
        if not paths:
            lines.append(f"| {name} | – | 0 | 0 | none counted |")
        for operation, counts in sorted(paths.items()):
            compiled, fallback = counts.get("compiled", 0), counts.get("fallback", 0)
            share = f"{compiled / (compiled + fallback):.0%}" if compiled + fallback else "–"
            lines.append(f"| {name} | {operation} | {compiled:,} | {fallback:,} | {share} |")
    compiled, total = _read_path_totals(scenarios)
    if not total:
        lines += [
            "",
            "No read was counted on either path: this build's server does not count read paths yet "
            "(before the compiler, `RAPPORT_COMPILED_READS` has no effect).",
        ]
    return [*lines, ""]


def _profile_section(profile: dict) -> list[str]:
    lines = [
        "## Where a request's time goes (profile)",
        "",
        "Each read scenario's request sent in-process, one at a time (no server running, no HTTP), with "
        "every "
        "SQL statement timed through asyncpg's query logger and the Python side under pyinstrument "
        "(reports in the run's work folder, bench/.work for the full dataset: "
        "`profile-<scenario>.txt` and `.html`).",
        "",
        "| scenario | ms per request | SQL statements | SQL ms | costliest statements (calls × ms each) |",
        "|---|---:|---:|---:|---|",
    ]
    for name, p in profile.items():
        top = "<br>".join(
            f"{t['calls_per_request']:g} × {t['ms_per_call']:.1f} ms: `{t['sql'][:70]}…`"
            for t in p["top_statements"][:3]
        )
        lines.append(
            f"| {name} | {_ms(p['request_ms_mean'])} | {p['sql_per_request']:g} | "
            f"{_ms(p['sql_ms_per_request'])} "
            f"| {top} |"
        )
    return [*lines, ""]


def _invoices_intro(rows: list[dict]) -> list[str]:
    per_level = ", ".join(f"{_num(r['invoices_per_second'], 0)} at {r['users']}" for r in rows)
    return [
        "Each Locust user is an ERP pushing `upsertInvoices` batches of 1,000 back to back, over the "
        "sampled accounts (by their ERP refs, in each account's usual currency; bench/invoice_feed.py, "
        "seeded): the first batch all new invoices, then 70% new, 25% changes to invoices it sent before "
        "(paid, part-paid, disputed, voided, issued from draft; each a status change, so a timeline entry "
        "too) and 5% resent unchanged. A batch counts as an error unless the server's created/updated/"
        "unchanged counts are exactly the feed's. Latencies below are per batch, req/s is batches/s; "
        f"invoices/s by concurrent pushers: {per_level}. The invoices carry the external system "
        "`erp-bench`, and the next run removes them before it starts.",
        "",
    ]


def _live_section(live: dict, charts: Path) -> list[str]:
    delay, note = live["latency_ms"], live["logNote_ms"]
    if live["latency_curve"]:
        fig, axis = plt.subplots(figsize=(7, 4))
        axis.plot(live["latency_curve"], range(101), color=COLORS["Rapport"])
        axis.set_xscale("log")
        axis.set_xlabel("commit-to-client latency, ms (log scale)")
        axis.set_ylabel("percentile")
        axis.axvline(500, color="grey", linestyle=":", label="target p99 500 ms")
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(fontsize=7, loc="lower right")
        axis.set_title("Subscription.timeline: latency distribution")
        fig.tight_layout()
        fig.savefig(charts / "subscriptions.png", dpi=90)
        plt.close(fig)
    none, idle = live["rss_mb_none"], live["rss_mb_idle"]
    lines = [
        "## Live subscriptions: commit-to-client latency",
        "",
        "Two `rapport serve` processes started afresh for this scenario, on the same database. Locust holds "
        f"{live['connections']} websocket connections (graphql-transport-ws), alternating between the two "
        f"processes, each a different AR user following {live['per_connection']} accounts' "
        "`Subscription.timeline`: "
        f"{live['subscriptions']:,} subscriptions over {live['accounts']} accounts, every account followed "
        "on both processes. One user per connection keeps each within the server's caps (subscriptions "
        "per connection and per user), so no cap had to be raised for the run. Once the servers' "
        f"`rapport_subscriptions` gauges showed them all open ({live['open_after_s']} s) and they had "
        f"idled, Locust's writers logged notes on those accounts at {live['target_rate']:g}/s, "
        "alternating between the processes; every note reaches subscribers on both. Latency is the "
        "moment a subscriber received the entry minus its `recordedAt` (Postgres's `now()` in the "
        "writing transaction, same machine), so it includes the rest of the "
        "transaction and errs on the slow side.",
        "",
        "| open | notes | notes/s | deliveries expected | received | duplicates | errors | p50 ms | p95 ms "
        "| p99 ms | max ms | logNote p50 ms | logNote p99 ms |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {live['open']:,} | {live['notes']:,} | {live['rate_per_second']:g} | "
        f"{live['expected_deliveries']:,} | {live['delivered']:,} | {live['duplicates']} | {live['errors']} "
        f"| {_ms(delay['p50'])} | {_ms(delay['p95'])} | {_ms(delay['p99'])} | {_ms(delay['max'])} "
        f"| {_ms(note['p50'])} | {_ms(note['p99'])} |",
        "",
        f"Memory: the two api processes' RSS was {none[0]:g} and {none[1]:g} MB with no subscription, "
        f"{idle[0]:g} and {idle[1]:g} MB with all {live['open']:,} open and idle: "
        f"**{live['kib_per_idle_subscription']:,.1f} KiB per idle subscription** (connections included). "
        f"Under the writes: peak RSS {' and '.join(f'{x:g}' for x in live.get('peak_rss_mb_each', []))} MB; "
        f"CPU cores (both servers · Postgres · Meili · worker · load generator · other): {_cpu(live)}.",
        "",
    ]
    if live["latency_curve"]:
        lines += ["![subscriptions](charts/subscriptions.png)", ""]
    if live["error_samples"]:
        lines += ["Errors seen (first few):", "", *(f"- `{e[:200]}`" for e in live["error_samples"]), ""]
    return lines


def _search_extra(results: dict, rows: list[dict]) -> list[str]:
    lines = [
        "By kind of query:",
        "",
        "| users | query | requests | p50 ms | p95 ms | p99 ms |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        for name, stats in r.get("by_name", {}).items():
            lines.append(
                f"| {r['users']} | {name.split(':')[-1]} | {stats['requests']} | {_ms(stats['p50'])} "
                f"| {_ms(stats['p95'])} | {_ms(stats['p99'])} |"
            )
    engine = results.get("engine")
    if engine:
        e, rt = engine["engine_ms"], engine["client_round_trip_ms"]
        lines += [
            "",
            f"Meilisearch's own time for the same mix ({engine['queries']} queries in sequence with the "
            "app's "
            f"search parameters, no server running): `processingTimeMs` p50 {_ms(e['p50'])} ms, p99 "
            f"{_ms(e['p99'])} "
            f"ms; round trip from the app's async client p50 {_ms(rt['p50'])} ms, p99 {_ms(rt['p99'])} ms.",
        ]
    return [*lines, ""]


if __name__ == "__main__":
    data = json.loads(Path(sys.argv[1]).read_text())
    target = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(__file__).resolve().parent / ".work" / "results"
    print(write(data, target))
