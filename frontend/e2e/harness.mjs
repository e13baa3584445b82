// The browser tests' world: a fresh PostgreSQL database with the demo marketplace (cloned from a
// template seeded once per API binary, see `seededTemplate`), the real API (`api serve`) on a free port, the SPA built with VITE_API_BASE_URL pointing at it and
// served by `vite preview` on another port (cross-origin, as in production), and headless
// Debian Chromium driven by playwright-core. Everything is torn down on exit.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { connect, createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FRONTEND = fileURLToPath(new URL('..', import.meta.url));
const children = [];
const cleanups = [];
/** The running API: its binary, environment and process (see `restartApi`). */
const current = { api: null, env: null, proc: null, url: null };

export function log(msg) {
  process.stdout.write(`[e2e] ${msg}\n`);
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function apiBinary() {
  if (process.env.HANGAR_API_BIN) return process.env.HANGAR_API_BIN;
  const target =
    process.env.CARGO_TARGET_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'hangar/target');
  return join(target, 'debug/api');
}

function psqlBinary() {
  const which = spawnSync('sh', ['-c', 'command -v psql'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) return which.stdout.trim();
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    for (const v of readdirSync(base).sort((a, b) => Number(b) - Number(a))) {
      const p = join(base, v, 'bin/psql');
      if (existsSync(p)) return p;
    }
  }
  throw new Error('psql not found (apt-get install postgresql-client)');
}

function psql(adminUrl, sql) {
  const r = spawnSync(psqlBinary(), [adminUrl, '-qAtc', sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`psql failed: ${sql}\n${r.stderr}`);
  return r.stdout;
}

function run(cmd, args, env, what) {
  const r = spawnSync(cmd, args, { env: { ...process.env, ...env }, encoding: 'utf8', cwd: FRONTEND });
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r;
}

async function sha256(path) {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk);
  return hash.digest('hex');
}

/** What every `api` command of the tests runs with (plus its database, port and media). */
const SETTINGS = {
  HANGAR_ENV: 'development',
  JWT_SECRET: 'e2e-secret-0123456789-abcdefghijklmnopqrstuvwxyz',
  STATIC_DIR: '',
  SMTP_URL: '',
};

const TEMPLATE_PREFIX = 'hangar_spa_e2e_tpl_';
/** Older templates are seeded again: the demo listings' dates are relative to the seeding. */
const TEMPLATE_MAX_AGE_MS = Number(process.env.E2E_TEMPLATE_MAX_AGE_HOURS ?? 24) * 3600_000;
const TEMPLATE_ROOT = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'hangar/e2e-template');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

/** Runs `fn` holding a lock directory (atomic mkdir); a lock left by a dead process is taken over. */
async function withLock(lock, fn) {
  mkdirSync(dirname(lock), { recursive: true });
  const end = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      let pid = 0;
      try {
        pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
      } catch {
        /* being written */
      }
      if (pid && !alive(pid)) rmSync(lock, { recursive: true, force: true });
      else if (Date.now() > end) throw new Error(`${lock} is held by process ${pid}`);
      else await sleep(1000);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** When the template `key` was seeded (ms), or null when it is not complete. */
function seededAt(key) {
  try {
    return JSON.parse(readFileSync(join(TEMPLATE_ROOT, key, 'ready.json'), 'utf8')).seededAt ?? null;
  } catch {
    return null;
  }
}

/** Drops templates (database and photos) that are too old or unfinished, unless in use or being built. */
function dropOldTemplates(adminUrl) {
  const dbs = psql(adminUrl, `SELECT datname FROM pg_database WHERE datname LIKE '${TEMPLATE_PREFIX}%'`)
    .split('\n')
    .map((d) => d.trim())
    .filter(Boolean);
  const dirs = existsSync(TEMPLATE_ROOT) ? readdirSync(TEMPLATE_ROOT).filter((d) => !d.endsWith('.lock')) : [];
  const keys = new Set([...dbs.map((d) => d.slice(TEMPLATE_PREFIX.length)), ...dirs]);
  for (const key of keys) {
    if (existsSync(join(TEMPLATE_ROOT, `${key}.lock`))) continue;
    const at = seededAt(key);
    if (at !== null && Date.now() - at < TEMPLATE_MAX_AGE_MS) continue;
    try {
      psql(adminUrl, `DROP DATABASE IF EXISTS ${TEMPLATE_PREFIX}${key}`);
      rmSync(join(TEMPLATE_ROOT, key), { recursive: true, force: true });
    } catch {
      /* being cloned right now: next time */
    }
  }
}

/**
 * The demo marketplace, seeded once and reused: `api migrate` + `api seed --demo` take about
 * 30 s, cloning a database (`CREATE DATABASE … TEMPLATE`) and copying its photos well under a
 * second. A template is keyed by the API binary's SHA-256 (the migrations and the demo data
 * are compiled into it, so changing them makes a new template), kept in the database
 * `hangar_spa_e2e_tpl_<key>` with its photos (MEDIA_DIR) in ~/.cache/hangar/e2e-template/<key>/,
 * and seeded again after `E2E_TEMPLATE_MAX_AGE_HOURS` (24: the demo listings' dates are
 * relative to the seeding) or with `E2E_FRESH_SEED=1`. Runs of the same binary build it one
 * at a time (a lock directory); templates past their age are dropped.
 */
async function seededTemplate(api, adminUrl) {
  const key = (await sha256(api)).slice(0, 16);
  const name = `${TEMPLATE_PREFIX}${key}`;
  const dir = join(TEMPLATE_ROOT, key);
  const media = join(dir, 'media');
  const exists = () => psql(adminUrl, `SELECT 1 FROM pg_database WHERE datname = '${name}'`).trim() === '1';
  const usable = () => {
    const at = seededAt(key);
    return at !== null && Date.now() - at < TEMPLATE_MAX_AGE_MS && existsSync(media) && exists();
  };
  dropOldTemplates(adminUrl);
  if (!process.env.E2E_FRESH_SEED && usable()) {
    log(`demo marketplace: template ${name}, seeded ${new Date(seededAt(key)).toISOString()}`);
    return { name, media };
  }
  await withLock(join(TEMPLATE_ROOT, `${key}.lock`), async () => {
    // Another run may have built it while this one waited.
    if (!process.env.E2E_FRESH_SEED && usable()) return;
    rmSync(dir, { recursive: true, force: true });
    psql(adminUrl, `DROP DATABASE IF EXISTS ${name}`);
    psql(adminUrl, `CREATE DATABASE ${name}`);
    const u = new URL(adminUrl);
    u.pathname = `/${name}`;
    const env = { ...SETTINGS, DATABASE_URL: u.toString(), MEDIA_DIR: media, RUST_LOG: 'warn' };
    log('api migrate');
    run(api, ['migrate'], env, 'api migrate');
    log(`api seed --demo (demo sellers and listings with photos), kept as the template ${name}`);
    run(api, ['seed', '--demo'], env, 'api seed --demo');
    // Written last: a template without it (a run stopped while seeding) is never used.
    writeFileSync(join(dir, 'ready.json'), JSON.stringify({ seededAt: Date.now(), api, sha256: key }));
  });
  return { name, media };
}

/** Starts a long-running process; resolves once `ready()` answers true. */
function start(cmd, args, env, name) {
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, cwd: FRONTEND, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const out = { text: '' };
  const keep = (chunk) => {
    out.text += chunk.toString();
    if (process.env.E2E_VERBOSE) process.stdout.write(`[${name}] ${chunk}`);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.on('exit', (code, signal) => {
    if (!child.stopping) log(`${name} exited early (code ${code}, signal ${signal}):\n${out.text.slice(-3000)}`);
  });
  return { child, out };
}

async function waitFor(url, what, proc, timeoutMs = 60_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (proc.child.exitCode !== null) throw new Error(`${what} exited before answering at ${url}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > end) throw new Error(`${what} did not answer at ${url} within ${timeoutMs / 1000}s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function teardown() {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) {
      c.stopping = true;
      c.kill('SIGTERM');
    }
  }
  await Promise.all(
    children.map(
      (c) =>
        new Promise((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          const timer = setTimeout(() => {
            c.kill('SIGKILL');
            resolve();
          }, 5000);
          c.on('exit', () => {
            clearTimeout(timer);
            resolve();
          });
        }),
    ),
  );
  children.length = 0;
  while (cleanups.length) {
    try {
      cleanups.pop()();
    } catch (e) {
      log(`cleanup: ${e.message}`);
    }
  }
}

/** Sets up database, API and SPA; returns their URLs and the API's log. */
export async function setup() {
  const api = apiBinary();
  if (!existsSync(api)) {
    throw new Error(`API binary not found at ${api}: run \`cargo build -p hangar-api --bin api\` (scripts/test does) or set HANGAR_API_BIN`);
  }
  const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const dbName = `hangar_spa_e2e_${process.pid}_${Date.now().toString(36)}`;
  const u = new URL(adminUrl);
  u.pathname = `/${dbName}`;
  const databaseUrl = u.toString();

  const work = mkdtempSync(join(tmpdir(), 'hangar-spa-e2e-'));
  cleanups.push(() => rmSync(work, { recursive: true, force: true }));
  const template = await seededTemplate(api, adminUrl);
  // This run's own copy: the tests write to it (accounts, listings, photos).
  psql(adminUrl, `CREATE DATABASE ${dbName} TEMPLATE ${template.name}`);
  cleanups.push(() => psql(adminUrl, `DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`));
  cpSync(template.media, join(work, 'media'), { recursive: true });
  log(`database ${dbName} (a copy of ${template.name})`);

  const [apiPort, spaPort] = [await freePort(), await freePort()];
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const spaUrl = `http://127.0.0.1:${spaPort}`;
  const env = {
    ...SETTINGS,
    DATABASE_URL: databaseUrl,
    BIND_ADDR: `127.0.0.1:${apiPort}`,
    PUBLIC_BASE_URL: spaUrl,
    CORS_ALLOWED_ORIGINS: spaUrl,
    MEDIA_DIR: join(work, 'media'),
    OUTBOX_POLL_MS: '200',
    RATE_LIMIT_AUTH_PER_MINUTE: '0',
    RUST_LOG: 'info',
  };
  // Pending migrations, if any, would run at `api serve`'s start; the template has them all.

  // An administrator is only ever made on the server.
  const admin = { email: 'admin@e2e.hangar.test', password: 'Une tour de controle sans avion depuis minuit' };
  const made = spawnSync(api, ['create-admin', '--email', admin.email, '--name', 'Admin E2E'], {
    env: { ...process.env, ...env },
    input: `${admin.password}\n`,
    encoding: 'utf8',
  });
  if (made.status !== 0) throw new Error(`api create-admin failed:\n${made.stdout}\n${made.stderr}`);

  log(`building the SPA for ${apiUrl}`);
  const dist = join(work, 'dist');
  run(process.execPath, [join(FRONTEND, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', dist, '--emptyOutDir', '--logLevel', 'warn'], { VITE_API_BASE_URL: apiUrl }, 'vite build');

  const apiProc = start(api, ['serve'], env, 'api');
  await waitFor(`${apiUrl}/readyz`, 'the API', apiProc);
  Object.assign(current, { api, env, proc: apiProc, url: apiUrl });
  const preview = start(
    process.execPath,
    [join(FRONTEND, 'node_modules/vite/bin/vite.js'), 'preview', '--outDir', dist, '--host', '127.0.0.1', '--port', String(spaPort), '--strictPort'],
    {},
    'vite preview',
  );
  await waitFor(spaUrl, 'vite preview', preview);
  log(`API ${apiUrl}, SPA ${spaUrl}`);
  return { apiUrl, spaUrl, apiLog: apiProc.out, databaseUrl, mediaDir: env.MEDIA_DIR, admin };
}

/** Stops one started process (SIGTERM, then SIGKILL after 5 s). */
function stop(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.stopping = true;
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Restarts the API on the same port and database with `extra` settings on top (for a test
 * that needs a real SMTP server or a fast alerts job). The SPA keeps working: same address.
 * Returns the new process's log.
 */
export async function restartApi(extra) {
  if (!current.proc) throw new Error('restartApi before setup');
  await stop(current.proc.child);
  const env = { ...current.env, ...extra };
  const proc = start(current.api, ['serve'], env, 'api');
  await waitFor(`${current.url}/readyz`, 'the restarted API', proc);
  Object.assign(current, { env, proc });
  return proc.out;
}

/**
 * A real SMTP server: Python's aiosmtpd (the same as the Rust tests', from the repository's
 * `.venv`, made by scripts/test; `HANGAR_TEST_PYTHON` to use another interpreter) storing what
 * it receives in a Maildir. `waitFor(to)` returns the newest message to `to`, decoded.
 */
export async function smtpSink() {
  const python = process.env.HANGAR_TEST_PYTHON ?? join(FRONTEND, '../.venv/bin/python');
  if (!existsSync(python)) {
    throw new Error(`${python} not found: run scripts/test once (it creates .venv with aiosmtpd), or \`python3 -m venv .venv && .venv/bin/pip install aiosmtpd==1.4.6\` at the repository's root`);
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'hangar-spa-smtp-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const proc = start(python, ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`, '-c', 'aiosmtpd.handlers.Mailbox', join(dir, 'mail')], {}, 'smtp');
  const end = Date.now() + 15_000;
  for (;;) {
    if (proc.child.exitCode !== null) throw new Error(`aiosmtpd exited: ${proc.out.text.slice(-2000)}`);
    const open = await new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.on('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) break;
    if (Date.now() > end) throw new Error('aiosmtpd did not start listening');
    await sleep(100);
  }
  const messages = () => {
    const box = join(dir, 'mail/new');
    if (!existsSync(box)) return [];
    return readdirSync(box).map((f) => decodeMail(readFileSync(join(box, f), 'utf8')));
  };
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    /** The first message to `to` whose decoded text `matches` (waits up to `timeoutMs`). */
    async waitFor(to, matches = () => true, timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const found = messages().find((m) => m.to.toLowerCase().includes(to.toLowerCase()) && matches(m));
        if (found) return found;
        if (Date.now() > until) {
          const seen = messages().map((m) => `${m.to}: ${m.subject}`);
          throw new Error(`no mail to ${to} within ${timeoutMs / 1000}s (received: ${seen.join('; ') || 'none'})`);
        }
        await sleep(200);
      }
    },
  };
}

/** A raw RFC 5322 message as { to, subject, text }: headers unfolded, bodies decoded (quoted-printable, base64). */
function decodeMail(raw) {
  const [head, ...rest] = raw.replace(/\r\n/g, '\n').split('\n\n');
  const headers = head.replace(/\n[ \t]+/g, ' ');
  const header = (name) => headers.match(new RegExp(`^${name}:\\s*(.*)$`, 'im'))?.[1] ?? '';
  const words = (v) =>
    v.replace(/=\?utf-8\?([bq])\?([^?]*)\?=/gi, (_, enc, text) =>
      enc.toLowerCase() === 'b'
        ? Buffer.from(text, 'base64').toString('utf8')
        : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9a-f]{2})/gi, (__, h) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'),
    );
  const body = rest.join('\n\n');
  // Every part (or the single body) decoded by its own Content-Transfer-Encoding.
  const parts = body.split(/\n--[^\n]+\n/).map((part) => {
    const [ph, ...pb] = part.split('\n\n');
    const hasHeaders = /content-transfer-encoding:/i.test(ph);
    const enc = (hasHeaders ? ph : headers).match(/content-transfer-encoding:\s*(\S+)/i)?.[1]?.toLowerCase();
    const content = hasHeaders ? pb.join('\n\n') : part;
    if (enc === 'base64') return Buffer.from(content.replace(/\s+/g, ''), 'base64').toString('utf8');
    if (enc === 'quoted-printable') {
      const bytes = content.replace(/=\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
      return Buffer.from(bytes, 'latin1').toString('utf8');
    }
    return content;
  });
  return { to: words(header('To')), subject: words(header('Subject')), text: parts.join('\n') };
}

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    void teardown().finally(() => process.exit(130));
  });
}
