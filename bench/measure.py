#!/usr/bin/env python3
"""Measurement helpers of bench/run (standard library only).

  measure.py sql   --db URL --shape S --file bench/sql/S.sql --phase P [--var k=v]... --out R.jsonl
        EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) of the file's query, in one session: a warm-up
        run, then up to --runs measured runs (fewer when a run is slow, see --budget); appends
        the median execution and planning times, buffers and access paths to R.jsonl, and
        writes the text plan of one more run to --plans/S.P.txt.
  measure.py probe --url URL --shape S --path P --out R.jsonl        one GET: status, size, time
  measure.py wrk   --shape S --out R.jsonl < wrk-output              records wrk's BENCH_JSON line
  measure.py walk  --url URL --path P --pages N                      follows next_cursor N times,
        prints the path of the next page (empty when the endpoint does not answer 200)
  measure.py table --results R.jsonl --meta M.json                   the Markdown report
"""

import argparse
import json
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request


def append(path, record):
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(record, ensure_ascii=False) + "\n")


def read_sql(path):
    setup, body = [], []
    for line in open(path, encoding="utf-8"):
        stripped = line.strip()
        if stripped.lower().startswith("-- bench:"):
            setup.append(stripped.split(":", 1)[1].strip().rstrip(";") + ";")
        body.append(line)
    return setup, "".join(body).strip().rstrip(";")


def psql(db, variables, script):
    cmd = ["psql", db, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1"]
    for v in variables:
        cmd += ["-v", v]
    out = subprocess.run(cmd, input=script, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip() or f"psql exited {out.returncode}")
    return out.stdout


def scans(plan, found):
    """Access paths of a plan: 'Index Scan listings_public_idx', 'Seq Scan listings'…"""
    node = plan.get("Node Type", "")
    if "Scan" in node and node not in ("CTE Scan", "Subquery Scan", "Function Scan", "Result"):
        target = plan.get("Index Name") or plan.get("Relation Name") or ""
        if plan.get("Relation Name") in ("users", "categories", "listing_photos", "listing_events") \
                and "Seq" not in node:
            target = None  # small lookups by key: not interesting
        if target:
            label = f"{node} {target}"
            if label not in found:
                found.append(label)
    for child in plan.get("Plans", []):
        scans(child, found)
    return found


MARK = "-- bench-measure-separator --"


def cmd_sql(args):
    setup, query = read_sql(args.file)
    prefix = "".join(s + "\n" for s in setup)
    explain_json = "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)\n" + query + ";\n"
    record = {"kind": "sql", "shape": args.shape, "phase": args.phase, "file": args.file,
              "reference": "REFERENCE QUERY" in open(args.file, encoding="utf-8").read()}
    try:
        # A first session times one run, to choose how many runs fit in the budget.
        started = time.time()
        psql(args.db, args.var, prefix + explain_json)
        once = time.time() - started
        n = max(1, min(args.runs, int(args.budget // max(once, 1e-3))))
        # Then one session: a warm-up (catalogue caches, as on the API's pooled connections),
        # n measured runs, and the text plan.
        script = prefix + explain_json
        for _ in range(n):
            script += f"\\echo '{MARK}'\n" + explain_json
        if args.plans:
            script += f"\\echo '{MARK}'\nEXPLAIN (ANALYZE, BUFFERS)\n{query};\n"
        chunks = psql(args.db, args.var, script).split(MARK + "\n")
        runs = [json.loads(c)[0] for c in chunks[1:n + 1]]
        times = [d["Execution Time"] for d in runs]
        median = statistics.median(times)
        middle = min(runs, key=lambda d: abs(d["Execution Time"] - median))
        top = middle["Plan"]
        record.update({
            "runs": len(times), "median_ms": round(median, 3), "min_ms": round(min(times), 3),
            "max_ms": round(max(times), 3),
            "planning_ms": round(statistics.median(d.get("Planning Time", 0) for d in runs), 3),
            "rows": top.get("Actual Rows"),
            "shared_hit": top.get("Shared Hit Blocks"), "shared_read": top.get("Shared Read Blocks"),
            "access": scans(top, []),
        })
        if args.plans:
            with open(f"{args.plans}/{args.shape}.{args.phase}.txt", "w", encoding="utf-8") as f:
                f.write(f"-- {args.file}, phase {args.phase} (the last of {n + 2} runs in one session)\n{chunks[-1]}")
    except (RuntimeError, ValueError, KeyError, IndexError) as e:
        record["error"] = str(e)[:300]
    append(args.out, record)
    if "error" in record:
        print(f"    SQL {args.phase:<17} error: {record['error']}")
    else:
        print(f"    SQL {args.phase:<17} median {record['median_ms']:.2f} ms over {record['runs']} runs "
              f"(min {record['min_ms']:.2f}, max {record['max_ms']:.2f}), planning {record['planning_ms']:.2f} ms; "
              f"{', '.join(record['access'])}")


def get(url, timeout=60):
    started = time.time()
    req = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as res:
            body = res.read()
            status = res.status
    except urllib.error.HTTPError as e:
        body = e.read()
        status = e.code
    except (urllib.error.URLError, TimeoutError, ConnectionError) as e:
        return 0, str(e).encode(), (time.time() - started) * 1000
    return status, body, (time.time() - started) * 1000


def cmd_probe(args):
    status, body, ms = get(args.url + args.path)
    record = {"kind": "probe", "shape": args.shape, "path": args.path, "status": status,
              "bytes": len(body), "ms": round(ms, 2)}
    detail = ""
    if status >= 400 or status == 0:
        try:
            doc = json.loads(body)
            detail = doc.get("type", "") or doc.get("title", "")
        except ValueError:
            detail = body[:80].decode("utf-8", "replace")
        record["problem"] = detail
    else:
        try:
            doc = json.loads(body)
            if isinstance(doc, dict) and isinstance(doc.get("items"), list):
                record["items"] = len(doc["items"])
                if "total_estimate" in doc:
                    record["total_estimate"] = doc["total_estimate"]
        except ValueError:
            pass
    append(args.out, record)
    print(f"    probe {status} {len(body)} bytes in {ms:.1f} ms" + (f" ({detail})" if detail else "")
          + (f", {record['items']} items" if "items" in record else ""))
    # Exit status tells bench/run whether to load-test the shape.
    sys.exit(0 if status == 200 else 3)


def cmd_wrk(args):
    text = sys.stdin.read()
    record = {"kind": "wrk", "shape": args.shape}
    for line in text.splitlines():
        if line.startswith("BENCH_JSON "):
            record.update(json.loads(line[len("BENCH_JSON "):]))
            break
    else:
        record["error"] = text.strip()[-300:] or "no output from wrk"
    if "requests" in record:
        secs = record["duration_us"] / 1e6
        record["rps"] = round(record["requests"] / secs, 1) if secs else 0
        print(f"    wrk   {record['rps']:.1f} req/s, p50 {record['p50_us'] / 1000:.2f} ms, "
              f"p99 {record['p99_us'] / 1000:.2f} ms, statuses {record['statuses']}, "
              f"socket errors {sum(record['errors'].values()) - record['errors']['status']}")
    else:
        print(f"    wrk   error: {record['error']}")
    append(args.out, record)


def cmd_walk(args):
    path = args.path
    started = time.time()
    for page in range(args.pages):
        status, body, _ = get(args.url + path)
        if status != 200:
            print(f"walk: page {page + 1} answered {status}", file=sys.stderr)
            return
        try:
            cursor = json.loads(body).get("next_cursor")
        except ValueError:
            cursor = None
        if not cursor:
            print(f"walk: no next_cursor on page {page + 1}", file=sys.stderr)
            return
        base = args.path
        sep = "&" if "?" in base else "?"
        path = f"{base}{sep}cursor={urllib.parse.quote(str(cursor), safe='')}"
    print(f"walk: followed {args.pages} cursors in {(time.time() - started) * 1000:.0f} ms", file=sys.stderr)
    print(path)


def fmt_ms(value, digits=2):
    if value is None:
        return "–"
    if value >= 100:
        return f"{value:,.0f}".replace(",", " ")
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.{digits}f}"


def cmd_table(args):
    meta = json.load(open(args.meta, encoding="utf-8"))
    shapes, by = [], {}
    for line in open(args.results, encoding="utf-8"):
        r = json.loads(line)
        if r["shape"] not in by:
            shapes.append(r["shape"])
            by[r["shape"]] = {}
        key = r["kind"] if r["kind"] != "sql" else f"sql:{r['phase']}"
        by[r["shape"]][key] = r
    out = []
    w = out.append
    w(f"## Hangar benchmark, {meta['date']}")
    w("")
    w(f"- N = {meta['count']:,} listings ({meta.get('visible', '?'):,} visible), {meta.get('users', '?'):,} users, "
      f"{meta.get('photos', '?'):,} photos, {meta.get('events', '?'):,} listing events; seed `{meta['seed']}`")
    w(f"- Machine: {meta['machine']}")
    w(f"- PostgreSQL {meta['pg_version']}; API release build `{meta['api_commit']}`, HTTP_WORKERS={meta['workers']}, "
      f"pool {meta['pool']}")
    w(f"- Load: {meta['wrk']} per shape (wrk, {meta['wrk_script']}); SQL: EXPLAIN (ANALYZE, BUFFERS), "
      f"in one session per shape: one warm-up, then the median of up to {meta['sql_runs']} runs (server-side execution time)")
    w("- Data: " + ", ".join(f"{k} {v}" for k, v in meta.get("timings", {}).items()))
    if meta.get("sizes"):
        w("- Sizes: " + ", ".join(f"{k} {v}" for k, v in meta["sizes"].items()))
    w("")
    w("| shape | request | status | req/s | p50 ms | p99 ms | SQL ms as migrated | SQL ms + reference indexes | SQL |")
    w("|---|---|---|---:|---:|---:|---:|---:|---|")
    for s in shapes:
        d = by[s]
        probe, wrk = d.get("probe", {}), d.get("wrk")
        status = str(probe.get("status", "–"))
        if wrk and "statuses" in wrk:
            status = ", ".join(f"{k}×{v}" for k, v in sorted(wrk["statuses"].items()))
            socket = sum(wrk["errors"].values()) - wrk["errors"]["status"]
            if socket:
                status += f" ({socket} socket errors/timeouts)"
        elif probe.get("status") not in (None, 200):
            status += " (not load-tested)"
        rps = f"{wrk['rps']:,.0f}".replace(",", " ") if wrk and "rps" in wrk else "–"
        p50 = fmt_ms(wrk["p50_us"] / 1000) if wrk and "p50_us" in wrk else "–"
        p99 = fmt_ms(wrk["p99_us"] / 1000) if wrk and "p99_us" in wrk else "–"

        def sql_cell(phase):
            r = d.get(f"sql:{phase}")
            if not r:
                return "–"
            if "error" in r:
                return "error"
            return fmt_ms(r["median_ms"])
        ref = d.get("sql:as_migrated") or d.get("sql:reference_indexes") or {}
        kind = "reference" if ref.get("reference") else "API's query" if ref else "–"
        path = probe.get("path", "")
        if len(path) > 70:
            path = path[:67] + "…"
        w(f"| {s} | `{path}` | {status} | {rps} | {p50} | {p99} | {sql_cell('as_migrated')} | "
          f"{sql_cell('reference_indexes')} | {kind} |")
    w("")
    w("Access paths of the SQL (scans on listings and other large tables), rows returned, median planning")
    w("time (as migrated / + reference indexes) and shared buffers hit/read of the median run:")
    w("")
    w("| shape | as migrated | + reference indexes | rows | planning ms | buffers hit/read (as migrated) |")
    w("|---|---|---|---:|---:|---|")
    for s in shapes:
        a, b = by[s].get("sql:as_migrated", {}), by[s].get("sql:reference_indexes", {})
        if not a and not b:
            continue
        w(f"| {s} | {'; '.join(a.get('access', [])) or a.get('error', '–')} | "
          f"{'; '.join(b.get('access', [])) or b.get('error', '–')} | {a.get('rows', '–')} | "
          f"{fmt_ms(a.get('planning_ms'))} / {fmt_ms(b.get('planning_ms'))} | "
          f"{a.get('shared_hit', '–')}/{a.get('shared_read', '–')} |")
    w("")
    print("\n".join(out))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sql")
    s.add_argument("--db", required=True)
    s.add_argument("--shape", required=True)
    s.add_argument("--file", required=True)
    s.add_argument("--phase", required=True)
    s.add_argument("--var", action="append", default=[])
    s.add_argument("--runs", type=int, default=5)
    s.add_argument("--budget", type=float, default=60.0, help="seconds after which no further run starts")
    s.add_argument("--plans")
    s.add_argument("--out", required=True)
    s = sub.add_parser("probe")
    s.add_argument("--url", required=True)
    s.add_argument("--shape", required=True)
    s.add_argument("--path", required=True)
    s.add_argument("--out", required=True)
    s = sub.add_parser("wrk")
    s.add_argument("--shape", required=True)
    s.add_argument("--out", required=True)
    s = sub.add_parser("walk")
    s.add_argument("--url", required=True)
    s.add_argument("--path", required=True)
    s.add_argument("--pages", type=int, default=50)
    s = sub.add_parser("table")
    s.add_argument("--results", required=True)
    s.add_argument("--meta", required=True)
    args = p.parse_args()
    {"sql": cmd_sql, "probe": cmd_probe, "wrk": cmd_wrk, "walk": cmd_walk, "table": cmd_table}[args.cmd](args)


if __name__ == "__main__":
    main()
