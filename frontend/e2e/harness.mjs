// The browser tests' world: a fresh PostgreSQL database with the demo marketplace, the real
// API (`api serve`) on a free port, the SPA built with VITE_API_BASE_URL pointing at it and
// served by `vite preview` on another port (cross-origin, as in production), and headless
// Debian Chromium driven by playwright-core. Everything is torn down on exit.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FRONTEND = fileURLToPath(new URL('..', import.meta.url));
const children = [];
const cleanups = [];

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
  psql(adminUrl, `CREATE DATABASE ${dbName}`);
  cleanups.push(() => psql(adminUrl, `DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`));
  log(`database ${dbName}`);

  const [apiPort, spaPort] = [await freePort(), await freePort()];
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const spaUrl = `http://127.0.0.1:${spaPort}`;
  const env = {
    DATABASE_URL: databaseUrl,
    HANGAR_ENV: 'development',
    JWT_SECRET: 'e2e-secret-0123456789-abcdefghijklmnopqrstuvwxyz',
    BIND_ADDR: `127.0.0.1:${apiPort}`,
    PUBLIC_BASE_URL: spaUrl,
    CORS_ALLOWED_ORIGINS: spaUrl,
    MEDIA_DIR: join(work, 'media'),
    STATIC_DIR: '',
    SMTP_URL: '',
    OUTBOX_POLL_MS: '200',
    RATE_LIMIT_AUTH_PER_MINUTE: '0',
    RUST_LOG: 'info',
  };
  log('api migrate');
  run(api, ['migrate'], env, 'api migrate');
  log('api seed --demo (demo sellers and listings with photos)');
  run(api, ['seed', '--demo'], env, 'api seed --demo');

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

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    void teardown().finally(() => process.exit(130));
  });
}
