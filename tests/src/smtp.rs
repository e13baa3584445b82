//! A real SMTP server for the tests: Python's `aiosmtpd`, storing what it receives in a
//! Maildir that the test reads. Installed into the project's `.venv` by `scripts/test`.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct SmtpSink {
    pub port: u16,
    dir: PathBuf,
    child: Child,
}

fn python() -> PathBuf {
    if let Ok(p) = std::env::var("HANGAR_TEST_PYTHON") {
        return PathBuf::from(p);
    }
    let venv = crate::repo_root().join(".venv/bin/python");
    assert!(
        venv.exists(),
        "{} not found: run scripts/test once (it creates .venv with aiosmtpd), or \
         `python3 -m venv .venv && .venv/bin/pip install aiosmtpd==1.4.6`",
        venv.display()
    );
    venv
}

impl SmtpSink {
    pub fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or_else(|e| panic!("no free port: {e}"));
        let dir =
            std::env::temp_dir().join(format!("hangar-smtp-{}", uuid::Uuid::new_v4().simple()));
        let child = Command::new(python())
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(&dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start aiosmtpd: {e}"));
        let deadline = Instant::now() + Duration::from_secs(15);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "aiosmtpd did not start listening"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        SmtpSink { port, dir, child }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message received so far, raw (headers and encoded body).
    pub fn messages(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.dir.join("new")) else {
            return Vec::new();
        };
        entries
            .filter_map(Result::ok)
            .filter_map(|e| std::fs::read_to_string(e.path()).ok())
            .collect()
    }

    /// Waits (10 s at most) for a message to `to`, and returns it with quoted-printable soft
    /// line breaks and `=3D` undone, so links can be read from it.
    pub async fn wait_for(&self, to: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(m) = self.messages().into_iter().find(|m| {
                m.lines().any(|l| {
                    l.to_ascii_lowercase().starts_with("to:") && l.to_ascii_lowercase().contains(to)
                })
            }) {
                return m
                    .replace("=\r\n", "")
                    .replace("=\n", "")
                    .replace("=3D", "=");
            }
            assert!(Instant::now() < deadline, "no mail to {to} within 10 s");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
