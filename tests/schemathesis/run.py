"""Schema-driven fuzzing of the real API with Schemathesis (called by tests/schemathesis/run).

World: a fresh PostgreSQL database (`api migrate` + `api seed --demo`: reference data and the
demo marketplace), the real API binary (`api serve`) on a free port, then accounts made the
way a user makes them, through the API: a member who registers, verifies the address with the
link of the mail (development mode writes mails to the log) and logs in, with a saved search of
its own, a conversation with a demo seller and a first listing the administrator approved
(pre-moderation is on); a seller, made the same way, who wrote to the member, reported six demo
listings and has eight listings waiting for review; an administrator (`api create-admin`, the
only way to get one). Schemathesis reads the served spec (/api/v1/openapi.json) and runs, with
a fixed seed, following the spec's OpenAPI links in the stateful phase:

1. as the member, every operation (examples, coverage, fuzzing and the stateful phase);
2. as the administrator, the moderation, admin and category-writing operations.

Both log in through /auth/login themselves (dynamic auth, see schemathesis.toml), and log in
again when a fuzzed request ended the session (logout-all answers 401 afterwards).

Settings (environment):
  SCHEMATHESIS_EXAMPLES  cases per operation and phase (default 100; 1000 for a long run)
  SCHEMATHESIS_SEED      the seed (default 20261129); change it to explore other cases
  SCHEMATHESIS_MAX_TIME  time budget of the member's run in seconds (the admin's gets a quarter
                         of it); schemathesis shares it among the phases, cuts them short when
                         it runs out and, when the cases are done early, keeps fuzzing until it
                         is spent. Default 0: no budget, every phase runs all its cases once, so
                         each operation gets its `SCHEMATHESIS_EXAMPLES` whatever the load
                         (with a budget, a busy machine got ~25 cases per operation)
  SCHEMATHESIS_STATEFUL_TIME  seconds of the stateful passes (default 60 for the member, half
                         for the administrator): chains of linked operations until it is spent
  SCHEMATHESIS_TIMEOUT   hard limit for each schemathesis process in seconds (default: its
                         budget + 120, or 1800 without one)
  SCHEMATHESIS_WORKERS   concurrent workers (default 1: hypothesis 6 can fail with "AST constructor
                         recursion depth mismatch" when two threads describe strategies at once)
  SCHEMATHESIS_TEMPLATE  the key of the browser tests' template to clone when iterating on the
                         API (another binary's; default: the running binary's own)
  SCHEMATHESIS_KEEP=1    keep the database and the work folder (reports, API log) afterwards
  HANGAR_API_BIN         the API binary (default $CARGO_TARGET_DIR/debug/api)

Exit status: 0 when both runs found nothing; 1 otherwise. The summary (one line per run, and
the failures) is printed and written to <work>/summary.md; reports (JUnit, NDJSON) are in
<work>/reports-<run>/.
"""

from __future__ import annotations

import collections
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SETTINGS = {
    "HANGAR_ENV": "development",
    "JWT_SECRET": "schemathesis-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
    "STATIC_DIR": "",
    "SMTP_URL": "",
    # Fuzzing sends thousands of logins and messages: the limits would answer 429 to most.
    # (429 is documented and allowed; the limits have their own black-box tests.)
    "RATE_LIMIT_AUTH_PER_MINUTE": "0",
    "RATE_LIMIT_MESSAGES_PER_10_MINUTES": "0",
    # Pre-moderation on, so the moderators' queue has listings (the seller's, below) for the
    # administrator's run to approve or reject; the member had one approved, so theirs publish
    # straight away and the listing lifecycle stays open to the member's run.
    "PREMODERATE_NEW_SELLERS": "true",
    "RUST_LOG": "info",
}
MEMBER = {"email": "fuzz.member@schemathesis.test", "password": "Un tour de piste par vent de travers"}
SELLER = {"email": "fuzz.seller@schemathesis.test", "password": "Trois avions au parking et pas de pompe"}
ADMIN = {"email": "fuzz.admin@schemathesis.test", "password": "Une tour de controle sans avion depuis minuit"}
# The operations the administrator's run covers (the member's run covers them too, as 403s).
ADMIN_PATHS = r"^/api/v1/(admin|moderation|categories)(/|$)"
# The fuzzing phase of every DELETE, on a fresh resource pool (see main()).
DELETES = ["--phases", "fuzzing", "--include-method", "DELETE"]


def log(msg: str) -> None:
    print(f"[schemathesis] {msg}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def psql_binary() -> str:
    found = shutil.which("psql")
    if found:
        return found
    base = Path("/usr/lib/postgresql")
    for v in sorted(base.iterdir() if base.exists() else [], key=lambda p: -int(p.name) if p.name.isdigit() else 0):
        if (v / "bin/psql").exists():
            return str(v / "bin/psql")
    sys.exit("psql not found (apt-get install postgresql-client)")


def psql(admin_url: str, sql: str) -> str:
    r = subprocess.run([psql_binary(), admin_url, "-qAtc", sql], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"psql failed: {sql}\n{r.stderr}")
    return r.stdout


def with_db(admin_url: str, name: str) -> str:
    head, _, _ = admin_url.rpartition("/")
    query = ""
    if "?" in admin_url.rsplit("/", 1)[1]:
        query = "?" + admin_url.rsplit("?", 1)[1]
    return f"{head}/{name}{query}"


def api_binary() -> str:
    if os.environ.get("HANGAR_API_BIN"):
        return os.environ["HANGAR_API_BIN"]
    target = os.environ.get("CARGO_TARGET_DIR") or str(Path.home() / ".cache/hangar/target")
    path = Path(target) / "debug/api"
    if not path.exists():
        sys.exit(f"API binary not found at {path}: run `cargo build -p hangar-api --bin api` or set HANGAR_API_BIN")
    return str(path)


def e2e_template(api: str, admin_url: str) -> tuple[str, Path] | None:
    """The demo marketplace the browser tests seeded for this very binary (frontend/e2e/
    harness.mjs, `seededTemplate`: database `hangar_spa_e2e_tpl_<sha256 of the binary>` and its
    photos), when it is there and fresh; cloning it takes a second, seeding half a minute or
    more."""
    digest = os.environ.get("SCHEMATHESIS_TEMPLATE") or hashlib.sha256(Path(api).read_bytes()).hexdigest()[:16]
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "hangar/e2e-template" / digest
    try:
        seeded_at = json.loads((root / "ready.json").read_text())["seededAt"] / 1000
    except (OSError, ValueError, KeyError):
        return None
    name = f"hangar_spa_e2e_tpl_{digest}"
    fresh = time.time() - seeded_at < 20 * 3600
    exists = psql(admin_url, f"SELECT 1 FROM pg_database WHERE datname = '{name}'").strip() == "1"
    return (name, root / "media") if fresh and exists and (root / "media").is_dir() else None


def run_api(api: str, args: list[str], env: dict[str, str], what: str, stdin: str | None = None) -> None:
    r = subprocess.run([api, *args], env={**os.environ, **env}, input=stdin, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"{what} failed (exit {r.returncode}):\n{r.stdout}\n{r.stderr}")


def wait_ready(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"the API exited (code {proc.returncode}) before answering at {url}")
        try:
            if requests.get(url, timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"the API did not answer at {url} within {timeout}s")


def mail_token(api_log: Path, email: str, path: str) -> str:
    """The token of the last `path` link mailed to `email` (development mode logs mails)."""
    pattern = re.compile(rf"/{re.escape(path)}\?token=([A-Za-z0-9_-]+)")
    for _ in range(150):
        mails = api_log.read_text(errors="replace").split("mail (development, not sent) to ")
        tokens = [m for mail in mails if mail.startswith(f"{email}\n") for m in pattern.findall(mail)]
        if tokens:
            return tokens[-1]
        time.sleep(0.2)
    raise RuntimeError(f"no {path} mail to {email} in the API log")


def verified_member(base: str, api_log: Path, who: dict[str, str], name: str) -> None:
    """Registers `who` through the API and verifies the address with the mailed link."""
    res = requests.post(
        f"{base}/api/v1/auth/register",
        json={**who, "display_name": name, "account_type": "private"},
        timeout=30,
    )
    if res.status_code != 201:
        raise RuntimeError(f"register {who['email']}: {res.status_code} {res.text}")
    token = mail_token(api_log, who["email"], "verify-email")
    res = requests.post(f"{base}/api/v1/auth/verify-email", json={"token": token}, timeout=30)
    if res.status_code != 204:
        raise RuntimeError(f"verify {who['email']}: {res.status_code} {res.text}")


def login(base: str, who: dict[str, str]) -> str:
    res = requests.post(f"{base}/api/v1/auth/login", json=who, timeout=30)
    if res.status_code != 200:
        raise RuntimeError(f"login {who['email']}: {res.status_code} {res.text}")
    return res.json()["access_token"]


def post_listing(base: str, token: str, title: str) -> dict:
    """Posts and publishes a listing (the spec's example); a new seller's waits for review."""
    spec = requests.get(f"{base}/api/v1/openapi.json", timeout=30).json()
    listing = {**spec["components"]["schemas"]["ListingInput"]["example"], "title": title, "publish": True}
    res = requests.post(f"{base}/api/v1/listings", headers={"Authorization": f"Bearer {token}"}, json=listing, timeout=30)
    if res.status_code != 201:
        raise RuntimeError(f"listing {title!r}: {res.status_code} {res.text[:300]}")
    return res.json()


def write_to_seller(base: str, token: str, listing_id: str, text: str) -> None:
    res = requests.post(
        f"{base}/api/v1/listings/{listing_id}/conversations",
        headers={"Authorization": f"Bearer {token}"},
        json={"body": text},
        timeout=30,
    )
    if res.status_code != 201:
        raise RuntimeError(f"conversation about {listing_id}: {res.status_code} {res.text[:300]}")


def seed_member_data(base: str, member: dict[str, str]) -> str:
    """Gives the member a saved search of their own, so the list operations return one; a
    conversation with the seller of a demo listing, so GET /users/me/conversations links to a
    conversation of theirs (the listings the member creates during the run are their own, which
    they cannot write about); and a first listing approved by the administrator, so the member's
    next ones publish at once. Returns that listing's id."""
    token = login(base, member)
    auth = {"Authorization": f"Bearer {token}"}
    newest = requests.get(f"{base}/api/v1/listings", params={"limit": 1}, timeout=30).json()["items"][0]
    write_to_seller(base, token, newest["id"], "Bonjour, l'avion est-il toujours disponible ?")
    res = requests.post(
        f"{base}/api/v1/users/me/saved-searches",
        headers=auth,
        json={"name": "DR400 near Paris", "query": {"q": "DR400", "near": "LFPN"}, "frequency": "daily"},
        timeout=30,
    )
    if res.status_code != 201:
        raise RuntimeError(f"saved search: {res.status_code} {res.text[:300]}")
    first = post_listing(base, token, "Robin DR400-140B du membre")
    admin = {"Authorization": f"Bearer {login(base, ADMIN)}"}
    res = requests.post(f"{base}/api/v1/moderation/listings/{first['id']}/approve", headers=admin, timeout=30)
    if res.status_code != 200:
        raise RuntimeError(f"approve the member's first listing: {res.status_code} {res.text[:300]}")
    return first["id"]


def seed_review_queue(base: str, api_log: Path, members_listing: str) -> None:
    """Work for the administrator's run: a new seller's listings waiting for review (to approve
    or reject) and the seller's reports on demo listings (to resolve; hiding a listing makes one
    to unhide). The earlier phases act on them with the ids they saw, so there are a few of each.
    The seller also writes to the member about the member's listing, which notifies the member
    (GET /users/me/notifications then links to a notification to mark read)."""
    verified_member(base, api_log, SELLER, "Fuzz Seller")
    token = login(base, SELLER)
    write_to_seller(base, token, members_listing, "Bonjour, je suis interesse par votre DR400.")
    demo = requests.get(f"{base}/api/v1/listings", params={"limit": 8}, timeout=30).json()["items"]
    for listing in demo[2:8]:
        res = requests.post(
            f"{base}/api/v1/listings/{listing['id']}/reports",
            headers={"Authorization": f"Bearer {token}"},
            json={"reason": "scam", "comment": "Le vendeur demande un virement avant toute visite."},
            timeout=30,
        )
        if res.status_code != 201:
            raise RuntimeError(f"report {listing['id']}: {res.status_code} {res.text[:300]}")
    for n in range(1, 9):
        listing = post_listing(base, token, f"Robin DR400-140B en attente {n}")
        if listing["status"] != "pending_review":
            raise RuntimeError(f"the seller's listing is {listing['status']}, not pending_review")


def cases_per_operation(reports: Path) -> dict[str, collections.Counter]:
    """Cases schemathesis generated for each operation, per phase (examples, coverage,
    fuzzing), read from its NDJSON report; the stateful phase's chains are not counted."""
    counts: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for path in reports.glob("*.ndjson"):
        with open(path) as lines:
            for line in lines:
                event = json.loads(line).get("ScenarioFinished")
                if not event or event.get("phase") == "stateful":
                    continue
                recorder = event.get("recorder") or {}
                if "cases" in recorder and " /" in recorder.get("label", ""):
                    counts[recorder["label"]][event["phase"]] += len(recorder["cases"])
    return counts


def describe_counts(counts: dict[str, collections.Counter], wanted: int) -> str:
    """One line: how many cases the operations got, and which got fewer than `wanted`
    (operations without parameters or body have only a handful of distinct cases)."""
    totals = sorted((sum(c.values()), op) for op, c in counts.items())
    median = totals[len(totals) // 2][0]
    low = [f"{op} ({n})" for n, op in totals if n < wanted]
    line = f"{len(totals)} operations, cases per operation min {totals[0][0]}, median {median}"
    return line + (f"; under {wanted}: {', '.join(low)}" if low else f"; every one ≥ {wanted}")


def schemathesis(
    name: str,
    base: str,
    work: Path,
    who: dict[str, str],
    extra: list[str],
    share: float = 1.0,
    fixed_budget: float = 0,
) -> tuple[int, str, dict[str, collections.Counter]]:
    examples = os.environ.get("SCHEMATHESIS_EXAMPLES", "100")
    seed = os.environ.get("SCHEMATHESIS_SEED", "20261129")
    workers = os.environ.get("SCHEMATHESIS_WORKERS", "1")
    budget = int(os.environ.get("SCHEMATHESIS_MAX_TIME", "0")) * share or fixed_budget
    timeout = float(os.environ.get("SCHEMATHESIS_TIMEOUT") or (budget + 120 if budget else 1800))
    reports = work / f"reports-{name}"
    cmd = [
        str(Path(sys.executable).parent / "schemathesis"),
        "--config-file",
        str(HERE / "schemathesis.toml"),
        "run",
        f"{base}/api/v1/openapi.json",
        "--url",
        base,
        "--checks",
        "all",
        "--max-examples",
        examples,
        "--seed",
        seed,
        "--workers",
        workers,
        "--report",
        "junit,ndjson",
        "--report-dir",
        str(reports),
        *extra,
    ]
    if budget:
        cmd += ["--max-time", str(max(int(budget), 1))]
    env = {
        **os.environ,
        "FUZZ_EMAIL": who["email"],
        "FUZZ_PASSWORD": who["password"],
    }
    log(f"run '{name}': {examples} cases per operation, seed {seed}, {workers} workers"
        + (f", {budget:.0f}s budget" if budget else ""))
    started = time.monotonic()
    out_path = work / f"schemathesis-{name}.txt"
    with open(out_path, "w") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=work)
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.terminate()
            proc.wait(timeout=30)
            code = 124
    elapsed = time.monotonic() - started
    text = out_path.read_text(errors="replace")
    sys.stdout.write(text)
    tail = [line for line in text.splitlines() if re.search(r"\b(passed|failed|errors?|skipped)\b", line)]
    summary = f"run '{name}': exit {code} after {elapsed:.0f}s" + (f"; {tail[-1].strip()}" if tail else "")
    for label in ("Scenarios:", "API Links:"):
        found = [line.strip() for line in text.splitlines() if line.strip().startswith(label)]
        if found:
            summary += f"; stateful {found[-1]}"
    counts = cases_per_operation(reports)
    if counts:
        summary += "; " + describe_counts(counts, int(examples))
        with open(work / f"cases-{name}.tsv", "w") as out:
            out.write("operation\texamples\tcoverage\tfuzzing\ttotal\n")
            for op, phases in sorted(counts.items()):
                out.write(f"{op}\t{phases['examples']}\t{phases['coverage']}\t{phases['fuzzing']}\t"
                          f"{sum(phases.values())}\n")
    if code == 124:
        summary += f" (stopped: longer than SCHEMATHESIS_TIMEOUT={timeout:.0f}s)"
    return code, summary, counts


def main() -> int:
    admin_url = sys.argv[1] if len(sys.argv) > 1 else "postgres://postgres@127.0.0.1:5432/postgres"
    keep = os.environ.get("SCHEMATHESIS_KEEP") == "1"
    api = api_binary()
    work = Path(tempfile.mkdtemp(prefix="hangar-schemathesis-"))
    db = f"hangar_schemathesis_{os.getpid()}_{int(time.time())}"
    database_url = with_db(admin_url, db)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **SETTINGS,
        "DATABASE_URL": database_url,
        "BIND_ADDR": f"127.0.0.1:{port}",
        "PUBLIC_BASE_URL": base,
        "CORS_ALLOWED_ORIGINS": base,
        "MEDIA_DIR": str(work / "media"),
    }
    api_log = work / "api.log"
    proc: subprocess.Popen | None = None
    code = 1
    try:
        started = time.monotonic()
        template = e2e_template(api, admin_url)
        try:
            if template is None:
                raise RuntimeError("no template")
            psql(admin_url, f"CREATE DATABASE {db} TEMPLATE {template[0]}")
            shutil.copytree(template[1], work / "media")
            log(f"database {db}: a copy of {template[0]} (the browser tests' demo marketplace)")
        except (RuntimeError, OSError):
            psql(admin_url, f"DROP DATABASE IF EXISTS {db}")
            shutil.rmtree(work / "media", ignore_errors=True)
            psql(admin_url, f"CREATE DATABASE {db}")
            run_api(api, ["migrate"], env, "api migrate")
            run_api(api, ["seed", "--demo"], env, "api seed --demo")
        run_api(api, ["create-admin", "--email", ADMIN["email"], "--name", "Fuzz Admin"], env,
                "api create-admin", stdin=ADMIN["password"] + "\n")
        log(f"database {db} ready in {time.monotonic() - started:.0f}s")
        with open(api_log, "w") as out:
            proc = subprocess.Popen([api, "serve"], env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT)
        wait_ready(f"{base}/readyz", proc)
        verified_member(base, api_log, MEMBER, "Fuzz Member")
        members_listing = seed_member_data(base, MEMBER)
        seed_review_queue(base, api_log, members_listing)
        log(f"API {base}; member, seller and admin accounts ready")

        stateful = float(os.environ.get("SCHEMATHESIS_STATEFUL_TIME", "60"))
        results = [
            schemathesis("member", base, work, MEMBER, []),
            # Once the member's run has seen real ids, schemathesis fills path ids from them
            # (its resource pool): the fuzzing of an operation whose only input is an id then
            # ends after the few ids it knows (1–30 cases). The DELETEs get their random ids
            # here, in a fuzzing pass of their own on a fresh pool.
            schemathesis("member-deletes", base, work, MEMBER, DELETES, share=0.1),
            # Without a budget the stateful phase stops after ~150 scenarios; given time, it
            # keeps chaining (create → read → update → delete) with new data.
            schemathesis("member-stateful", base, work, MEMBER, ["--phases", "stateful"],
                         share=0.25, fixed_budget=stateful),
            schemathesis("admin", base, work, ADMIN, ["--include-path-regex", ADMIN_PATHS], share=0.25),
            # (schemathesis ORs its filters: every DELETE, the administrator's own included.)
            schemathesis("admin-deletes", base, work, ADMIN, DELETES, share=0.05),
            schemathesis("admin-stateful", base, work, ADMIN,
                         ["--include-path-regex", ADMIN_PATHS, "--phases", "stateful"],
                         share=0.1, fixed_budget=stateful / 2),
        ]
        server_panics = [line for line in api_log.read_text(errors="replace").splitlines() if "panicked" in line]
        lines = [summary for _, summary, _ in results]
        wanted = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "100"))
        for who, passes in (("member", results[0:2]), ("admin", results[3:5])):
            both: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
            for _, _, counts in passes:
                for op, phases in counts.items():
                    both[op].update(phases)
            if both:
                lines.append(f"{who}, with the DELETE pass: " + describe_counts(both, wanted))
        if server_panics:
            lines.append(f"the API log has {len(server_panics)} panic(s): {server_panics[0][:300]}")
        code = 0 if all(c == 0 for c, _, _ in results) and not server_panics else 1
        (work / "summary.md").write_text("\n".join(lines) + "\n")
        log("summary:\n  " + "\n  ".join(lines))
        log("no findings" if code == 0 else f"FINDINGS: see above; reports and API log in {work}")
        if code != 0:
            keep = True
    except Exception as exc:  # noqa: BLE001 - the one line for the test command's log
        log(f"error: {exc}")
        keep = True
        code = 1
    finally:
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        if keep:
            log(f"kept: database {db}, work folder {work}")
        else:
            try:
                psql(admin_url, f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
            except RuntimeError as exc:
                log(f"cleanup: {exc}")
            shutil.rmtree(work, ignore_errors=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
