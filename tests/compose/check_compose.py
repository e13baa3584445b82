#!/usr/bin/env python3
"""Checks docker-compose.yml (and the files it points at) without a Docker engine.

    python3 tests/compose/check_compose.py

Runs `docker-compose config` (the Python docker-compose 1.29 from Debian) on the committed
docker-compose.yml and checks its normalised output. That output is YAML: when this Python has
no PyYAML, the script re-runs itself under /usr/bin/python3, which has python3-yaml because
docker-compose depends on it.

The project's own environment and .env are not used (an empty env file is passed and the
variables the file interpolates are cleared), so the defaults committed in the file are checked.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
SYSTEM_PYTHON = "/usr/bin/python3"
REEXEC_MARK = "HANGAR_CHECK_COMPOSE_REEXEC"
INSTALL_HINT = "apt-get install -y --no-install-recommends docker-compose"
# Variables docker-compose.yml interpolates: cleared so a developer's shell cannot change the result.
INTERPOLATED = ("JWT_SECRET", "PUBLIC_BASE_URL", "CORS_ALLOWED_ORIGINS")


def find_docker_compose():
    return shutil.which("docker-compose") or (
        "/usr/bin/docker-compose" if os.access("/usr/bin/docker-compose", os.X_OK) else None
    )


DOCKER_COMPOSE = find_docker_compose()
if DOCKER_COMPOSE is None:
    sys.exit(f"docker-compose is not installed: {INSTALL_HINT}")

try:
    import yaml
except ImportError:
    if os.environ.get(REEXEC_MARK) or not os.access(SYSTEM_PYTHON, os.X_OK):
        sys.exit(f"PyYAML is missing (it comes with docker-compose): {INSTALL_HINT}")
    os.environ[REEXEC_MARK] = "1"
    os.execv(SYSTEM_PYTHON, [SYSTEM_PYTHON, str(Path(__file__).resolve()), *sys.argv[1:]])


def run_compose(*args):
    """Runs docker-compose on the committed file only, isolated from the caller's settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("COMPOSE_") and k not in INTERPOLATED and k != "DOCKER_HOST"
    }
    with tempfile.NamedTemporaryFile("w", suffix=".env") as empty_env:
        cmd = [DOCKER_COMPOSE, "-f", str(COMPOSE_FILE), "--env-file", empty_env.name, *args]
        return subprocess.run(
            cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )


def environment(service):
    env = service.get("environment") or {}
    if isinstance(env, list):  # KEY=VALUE form
        env = dict(item.split("=", 1) if "=" in item else (item, None) for item in env)
    return env


def healthcheck_command(service):
    test = (service.get("healthcheck") or {}).get("test")
    return " ".join(test) if isinstance(test, list) else (test or "")


def nginx_locations(text):
    """{location: body} for the flat (non-nested) location blocks of an nginx config."""
    text = re.sub(r"#[^\n]*", "", text)
    return {
        m.group(2): m.group(3)
        for m in re.finditer(r"location\s+(=\s*)?(\S+)\s*\{([^{}]*)\}", text)
    }


class ComposeFileTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not COMPOSE_FILE.is_file():
            raise unittest.SkipTest(f"{COMPOSE_FILE} does not exist")
        result = run_compose("config")
        if result.returncode != 0:
            raise AssertionError(f"docker-compose config failed:\n{result.stderr}")
        cls.config = yaml.safe_load(result.stdout)
        cls.services = cls.config.get("services") or {}
        cls.volumes = cls.config.get("volumes") or {}

    def service(self, name):
        self.assertIn(name, self.services)
        return self.services[name]

    def named_volume_at(self, service, target):
        """Asserts `target` is mounted from a named (top-level) volume; returns its name."""
        for vol in service.get("volumes") or []:
            if isinstance(vol, str):
                parts = vol.split(":")
                source, dest = (parts[0], parts[1]) if len(parts) > 1 else (None, parts[0])
                kind = "volume" if source and not source.startswith((".", "/", "~")) else "bind"
            else:
                source, dest, kind = vol.get("source"), vol.get("target"), vol.get("type")
            if dest == target:
                self.assertEqual(kind, "volume", f"{target} must be a named volume")
                self.assertIn(source, self.volumes, f"volume {source} is not declared")
                return source
        self.fail(f"nothing is mounted on {target}")

    def assert_depends_healthy(self, service, on):
        deps = service.get("depends_on")
        self.assertIsInstance(deps, dict, "depends_on must use the long form with a condition")
        self.assertIn(on, deps)
        self.assertEqual(deps[on].get("condition"), "service_healthy")

    def assert_dockerfile(self, service, expected):
        build = service.get("build")
        self.assertIsInstance(build, dict, "build must give context and dockerfile")
        context = Path(build["context"])
        dockerfile = build.get("dockerfile", "Dockerfile")
        self.assertEqual((context / dockerfile).resolve(), (ROOT / expected).resolve())
        self.assertTrue((ROOT / expected).is_file(), f"{expected} does not exist")
        return context

    def test_config_quiet_exits_zero(self):
        result = run_compose("config", "-q")
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_no_compose_v2_only_keys(self):
        raw = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
        self.assertNotIn("name", raw, "top-level `name:` is not accepted by docker-compose 1.29")
        for name, svc in raw["services"].items():
            self.assertNotIn("develop", svc, f"{name}: `develop:` is compose v2 only")

    def test_services_are_exactly_db_api_frontend(self):
        self.assertEqual(set(self.services), {"db", "api", "frontend"})

    def test_db(self):
        db = self.service("db")
        self.assertTrue(str(db.get("image", "")).startswith("postgres:16"), db.get("image"))
        self.assertIn("pg_isready", healthcheck_command(db))
        for key in ("interval", "timeout", "retries"):
            self.assertIn(key, db["healthcheck"])
        self.named_volume_at(db, "/var/lib/postgresql/data")
        self.assertNotIn("ports", db, "the database must not be published on the host")
        env = environment(db)
        self.assertEqual(env.get("POSTGRES_USER"), "hangar")
        self.assertEqual(env.get("POSTGRES_DB"), "hangar")

    def test_api_build(self):
        context = self.assert_dockerfile(self.service("api"), "api/Dockerfile")
        self.assertEqual(context.resolve(), ROOT, "the API is built from the workspace root")
        for needed in ("Cargo.toml", "Cargo.lock", "api", "tests/Cargo.toml", "migrations"):
            self.assertTrue((ROOT / needed).exists(), f"the API build needs {needed}")

    def test_api_depends_on_healthy_db(self):
        self.assert_depends_healthy(self.service("api"), "db")

    def test_api_environment(self):
        env = environment(self.service("api"))
        self.assertEqual(env.get("HANGAR_ENV"), "production")
        url = urlsplit(env.get("DATABASE_URL") or "")
        self.assertIn(url.scheme, ("postgres", "postgresql"))
        self.assertEqual(url.hostname, "db")
        bind = env.get("BIND_ADDR") or ""
        self.assertEqual(bind.rsplit(":", 1)[-1], "8080", f"BIND_ADDR={bind!r}")
        self.assertGreaterEqual(len(env.get("JWT_SECRET") or ""), 32, "JWT_SECRET is too short")
        self.assertRegex(env.get("PUBLIC_BASE_URL") or "", r"^https?://")
        self.assertTrue(env.get("CORS_ALLOWED_ORIGINS"), "CORS_ALLOWED_ORIGINS is empty")
        media = env.get("MEDIA_DIR")
        self.assertTrue(media, "MEDIA_DIR is not set")
        self.named_volume_at(self.service("api"), media)

    def test_api_healthcheck_and_ports(self):
        api = self.service("api")
        command = healthcheck_command(api)
        self.assertIn("/healthz", command)
        self.assertIn("8080", command)
        self.assertNotIn("ports", api, "nginx fronts the API: no host port")
        self.assertIn("8080", [str(p) for p in api.get("expose") or []])
        dockerfile = ROOT / "api/Dockerfile"
        if "curl" in command and dockerfile.is_file():  # (its absence fails test_api_build)
            self.assertRegex(
                dockerfile.read_text(encoding="utf-8"),
                r"(?s)FROM debian:bookworm-slim.*apt-get install[^\n]*\bcurl\b",
                "the healthcheck uses curl: install it in the runtime stage",
            )

    def test_frontend(self):
        frontend = self.service("frontend")
        self.assert_dockerfile(frontend, "frontend/Dockerfile")
        published = []
        for port in frontend.get("ports") or []:
            if isinstance(port, dict):
                published.append((str(port.get("published")), str(port.get("target"))))
            else:
                host, _, target = str(port).rpartition(":")
                published.append((host.rsplit(":", 1)[-1], target.split("/")[0]))
        self.assertIn(("8080", "80"), published)
        self.assert_depends_healthy(frontend, "api")

    def test_nginx_proxies_to_api(self):
        conf = (ROOT / "frontend/nginx.conf").read_text(encoding="utf-8")
        variables = dict(re.findall(r"^\s*set\s+(\$\w+)\s+(\S+?);", conf, re.M))
        locations = nginx_locations(conf)
        for path in ("/api/", "/healthz", "/readyz"):
            self.assertIn(path, locations, f"nginx.conf has no `location {path}`")
        self.assertTrue({"/docs", "/docs/"} & set(locations), "nginx.conf does not proxy /docs")
        for path in ("/api/", "/docs/", "/docs", "/healthz", "/readyz"):
            if path not in locations:
                continue
            target = re.search(r"proxy_pass\s+(\S+?);", locations[path])
            self.assertIsNotNone(target, f"location {path} has no proxy_pass")
            upstream = variables.get(target.group(1), target.group(1))
            self.assertRegex(upstream, r"^http://api:8080(/|$)", f"location {path}")
        self.assertRegex(conf, r"try_files\s+\$uri\s+\$uri/\s+/index\.html;")
        self.assertRegex(conf, r"client_max_body_size\s+16m;")
        self.assertIn("X-Request-Id", conf)

    def test_dockerignore(self):
        ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
        for entry in ("target", ".git", ".data", ".venv", "frontend/dist"):
            self.assertTrue(
                any(line.strip("/") in (entry, f"**/{entry}") for line in ignored),
                f".dockerignore does not exclude {entry}/",
            )


if __name__ == "__main__":
    unittest.main(verbosity=2)
