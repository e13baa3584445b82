#!/usr/bin/env python3
"""Measurement helpers of bench/run (standard library only).

  measure.py script  --file bench/sql/S.sql [--var k=v]...      a psql-style file as literal
        statements, one per line (for the shapes whose SQL is not printed by `api search-sql`)
  measure.py pgbench --db URL --shape S --script F --clients C --threads T --duration SECS
                     --work DIR --plans DIR --out R.jsonl
        EXPLAIN (ANALYZE, BUFFERS) of each statement of F after a warm-up (access paths, server
        time, plans to DIR/S.txt), then pgbench running F as one transaction per request with
        C clients: tps and p50/p95/p99 from pgbench's per-transaction log
  measure.py probe --url URL --shape S --path P --out R.jsonl        one GET: status, size, time
  measure.py wrk   --shape S --out R.jsonl < wrk-output              records wrk's BENCH_JSON line
  measure.py walk  --url URL --path P --pages N                      follows next_cursor N times,
        prints the path of the next page (empty when the endpoint does not answer 200)
  measure.py table --results R.jsonl --meta M.json                   the Markdown report
"""

import argparse
import glob
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request


def append(path, record):
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(record, ensure_ascii=False) + "\n")


def render(path, variables):
    """A psql-style file (`:'name'` quoted, `:name` raw, `-- bench: SET …` setup lines) as
    literal statements, one per line, as pgbench and EXPLAIN take them."""
    values = dict(v.split("=", 1) for v in variables)
    setup, body = [], []
    for line in open(path, encoding="utf-8"):
        stripped = line.strip()
        if stripped.lower().startswith("-- bench:"):
            setup.append(stripped.split(":", 1)[1].strip().rstrip(";"))
        elif not stripped.startswith("--"):
            body.append(stripped)
    query = " ".join(x for x in body if x).rstrip(";")
    for name in sorted(values, key=len, reverse=True):
        quoted = "'" + values[name].replace("'", "''") + "'"
        query = query.replace(f":'{name}'", quoted).replace(f":{name}", values[name])
    return [*setup, query]


def psql(db, script):
    cmd = ["psql", db, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1"]
    out = subprocess.run(cmd, input=script, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip() or f"psql exited {out.returncode}")
    return out.stdout


def scans(plan, found):
    """Access paths of a plan: 'Index Scan listings_public_idx', 'Seq Scan listings'…"""
    node = plan.get("Node Type", "")
    if "Scan" in node and node not in ("CTE Scan", "Subquery Scan", "Function Scan", "Result", "Values Scan"):
        target = plan.get("Index Name") or plan.get("Relation Name") or ""
        if plan.get("Relation Name") in ("users", "categories", "listing_photos", "listing_events", "makes") \
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


def statements_of(path):
    return [line.rstrip().rstrip(";") for line in open(path, encoding="utf-8") if line.strip()]


def cmd_script(args):
    for statement in render(args.file, args.var):
        print(statement + ";")


def cmd_pgbench(args):
    """The shape's statements in PostgreSQL alone: EXPLAIN ANALYZE of each (access paths,
    server time), then pgbench with the same concurrency as wrk."""
    statements = statements_of(args.script)
    record = {"kind": "pgbench", "shape": args.shape, "statements": len(statements)}
    try:
        # Plans, in one session after a warm-up run of the whole script.
        script = "".join(st + ";\n" for st in statements)
        for st in statements:
            if st.upper().startswith("EXPLAIN "):
                continue  # the count estimate: planning only, and its output would mix in
            if st.upper().startswith("SET "):
                script += st + ";\n"
            else:
                script += f"\\echo '{MARK}'\nEXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {st};\n"
        chunks = psql(args.db, script).split(MARK + "\n")[1:]
        access, total_ms, planning_ms, texts = [], 0.0, 0.0, []
        for st, chunk in zip([s for s in statements if not s.upper().startswith(("SET ", "EXPLAIN "))], chunks):
            doc = json.loads(chunk)[0]
            scans(doc["Plan"], access)
            total_ms += doc["Execution Time"]
            planning_ms += doc.get("Planning Time", 0)
            texts.append((st, doc))
        record.update({"sql_ms": round(total_ms, 3), "planning_ms": round(planning_ms, 3), "access": access,
                       "seq_scan_listings": "Seq Scan listings" in access})
        if args.plans:
            with open(f"{args.plans}/{args.shape}.txt", "w", encoding="utf-8") as f:
                for st, doc in texts:
                    f.write(f"-- {st[:2000]}\n-- execution {doc['Execution Time']:.3f} ms, planning "
                            f"{doc.get('Planning Time', 0):.3f} ms\n{json.dumps(doc['Plan'], indent=1)}\n\n")
        # pgbench: simple protocol (the literal statements are planned for their values, as the
        # API's unnamed prepared statements are), per-transaction latency log.
        prefix = f"{args.work}/pgbench-{args.shape}"
        for old in glob.glob(prefix + ".*"):
            os.remove(old)
        cmd = ["pgbench", "-n", "-M", "simple", "-c", str(args.clients), "-j", str(args.threads),
               "-T", str(args.duration), "-f", args.script, "-l", f"--log-prefix={prefix}", args.db]
        out = subprocess.run(cmd, capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError((out.stderr or out.stdout).strip()[-300:])
        latencies = []
        for name in glob.glob(prefix + ".*"):
            for line in open(name, encoding="utf-8"):
                parts = line.split()
                if len(parts) >= 3 and parts[2].isdigit():
                    latencies.append(int(parts[2]))
        latencies.sort()
        tps = None
        for line in out.stdout.splitlines():
            if line.startswith("tps = "):
                tps = float(line.split()[2])
        if not latencies:
            raise RuntimeError("pgbench logged no transaction")

        def pct(p):
            return latencies[min(len(latencies) - 1, int(len(latencies) * p / 100))]
        record.update({"tps": round(tps if tps is not None else len(latencies) / args.duration, 1),
                       "transactions": len(latencies), "p50_us": pct(50), "p95_us": pct(95),
                       "p99_us": pct(99)})
    except (RuntimeError, ValueError, KeyError, IndexError) as e:
        record["error"] = str(e)[:300]
    append(args.out, record)
    if "error" in record:
        print(f"    pgbench error: {record['error']}")
    else:
        print(f"    pgbench {record['tps']:.1f} tps, p50 {record['p50_us'] / 1000:.2f} ms, "
              f"p95 {record['p95_us'] / 1000:.2f} ms, p99 {record['p99_us'] / 1000:.2f} ms; "
              f"{record['statements']} statements, {record['sql_ms']:.2f} ms server time once; "
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
              f"p95 {record['p95_us'] / 1000:.2f} ms, p99 {record['p99_us'] / 1000:.2f} ms, statuses {record['statuses']}, "
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
        by[r["shape"]][r["kind"]] = r
    out = []
    w = out.append
    w(f"## Hangar benchmark, {meta['date']}")
    w("")
    w(f"- N = {meta['count']:,} listings ({meta.get('visible', '?'):,} visible), {meta.get('users', '?'):,} users, "
      f"{meta.get('photos', '?'):,} photos, {meta.get('events', '?'):,} listing events; seed `{meta['seed']}`")
    w(f"- Machine: {meta['machine']}")
    w(f"- PostgreSQL {meta['pg_version']} ({meta.get('pg_settings', 'default settings')}); API release build "
      f"`{meta['api_commit']}`, HTTP_WORKERS={meta['workers']}, pool {meta['pool']}")
    w(f"- API: wrk {meta['wrk']} per shape ({meta['wrk_script']}); PostgreSQL alone: pgbench {meta['pgbench']} "
      f"running the statements the API sent for the same request (`api search-sql`), one transaction per request")
    w("- Data: " + ", ".join(f"{k} {v}" for k, v in meta.get("timings", {}).items()))
    if meta.get("sizes"):
        w("- Sizes: " + ", ".join(f"{k} {v}" for k, v in meta["sizes"].items()))
    w("")
    w("| shape | request | status | API req/s | API p50 / p95 / p99 ms | pgbench tps | pgbench p50 / p95 / p99 ms "
      "| API / pgbench | statements | SQL ms once |")
    w("|---|---|---|---:|---:|---:|---:|---:|---:|---:|")

    def lat(r):
        if not r or "p50_us" not in r:
            return "–"
        return " / ".join(fmt_ms(r[k] / 1000) for k in ("p50_us", "p95_us", "p99_us"))
    for s in shapes:
        d = by[s]
        probe, wrk, pgb = d.get("probe", {}), d.get("wrk"), d.get("pgbench")
        status = str(probe.get("status", "–"))
        if wrk and "statuses" in wrk:
            status = ", ".join(f"{k}×{v}" for k, v in sorted(wrk["statuses"].items()))
            socket = sum(wrk["errors"].values()) - wrk["errors"]["status"]
            if socket:
                status += f" ({socket} socket errors/timeouts)"
        elif probe.get("status") not in (None, 200):
            status += " (not load-tested)"
        rps = f"{wrk['rps']:,.0f}".replace(",", " ") if wrk and "rps" in wrk else "–"
        tps = f"{pgb['tps']:,.0f}".replace(",", " ") if pgb and "tps" in pgb else ("error" if pgb else "–")
        ratio = f"{100 * wrk['rps'] / pgb['tps']:.0f} %" if wrk and pgb and wrk.get("rps") and pgb.get("tps") else "–"
        path = probe.get("path", "")
        if len(path) > 70:
            path = path[:67] + "…"
        w(f"| {s} | `{path}` | {status} | {rps} | {lat(wrk)} | {tps} | {lat(pgb)} | {ratio} | "
          f"{pgb.get('statements', '–') if pgb else '–'} | {fmt_ms(pgb.get('sql_ms')) if pgb else '–'} |")
    w("")
    w("Access paths of the statements (scans of listings and other large tables; EXPLAIN ANALYZE after a warm-up):")
    w("")
    w("| shape | access paths | seq scan of listings |")
    w("|---|---|---|")
    for s in shapes:
        pgb = by[s].get("pgbench")
        if not pgb:
            continue
        w(f"| {s} | {'; '.join(pgb.get('access', [])) or pgb.get('error', '–')} | "
          f"{'**yes**' if pgb.get('seq_scan_listings') else 'no'} |")
    w("")
    print("\n".join(out))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("script")
    s.add_argument("--file", required=True)
    s.add_argument("--var", action="append", default=[])
    s = sub.add_parser("pgbench")
    s.add_argument("--db", required=True)
    s.add_argument("--shape", required=True)
    s.add_argument("--script", required=True)
    s.add_argument("--clients", type=int, default=8)
    s.add_argument("--threads", type=int, default=2)
    s.add_argument("--duration", type=int, default=10)
    s.add_argument("--work", required=True)
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
    {"script": cmd_script, "pgbench": cmd_pgbench, "probe": cmd_probe, "wrk": cmd_wrk, "walk": cmd_walk, "table": cmd_table}[args.cmd](args)


if __name__ == "__main__":
    main()
