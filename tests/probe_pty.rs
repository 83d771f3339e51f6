//! `tlslint probe` and `tlslint PATH --probe` on a terminal: a pseudo-terminal
//! is the child's stdin, stdout and stderr (and its controlling terminal), so
//! the progress line is drawn as for a person. Each run is bounded: a child
//! that does not finish in time is killed and the test fails with what it
//! printed. Ctrl-C is typed into the terminal (the line discipline sends
//! SIGINT to the foreground process group, as for a person): `tlslint probe`
//! and `tlslint PATH --probe` must end promptly, by SIGINT, and the progress
//! line must be erased (the screen is modelled as a terminal draws it).
//!
//! Servers: `openssl s_server` on 127.0.0.1 (a missing openssl skips with a
//! reason, and fails with CI=true), and for Ctrl-C a listener in the test
//! that accepts connections and never answers (the probe waits on it).
#![cfg(all(feature = "probe", unix))]

mod certgen;
mod common;
mod probe_servers;

use std::io::{Read, Write};
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The width of the test terminal.
const COLUMNS: u16 = 100;

/// A child on a new pseudo-terminal; everything it writes is collected.
struct OnPty {
    child: Child,
    master: std::fs::File,
    output: Arc<Mutex<Vec<u8>>>,
}

impl OnPty {
    /// Run `cmd` with a [`COLUMNS`]x30 terminal as its stdin, stdout, stderr and
    /// controlling terminal (a session of its own, in the foreground).
    fn spawn(mut cmd: Command) -> OnPty {
        let (mut m, mut s) = (-1, -1);
        let ws = libc::winsize {
            ws_row: 30,
            ws_col: COLUMNS,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: openpty fills two descriptors; the pointers are valid.
        let rc =
            unsafe { libc::openpty(&mut m, &mut s, std::ptr::null_mut(), std::ptr::null(), &ws) };
        assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
        // SAFETY: both descriptors were just opened and are owned here.
        let (master, slave) = unsafe { (OwnedFd::from_raw_fd(m), OwnedFd::from_raw_fd(s)) };
        for fd in [&master, &slave] {
            // not inherited by other children the test harness spawns
            // SAFETY: fcntl on an open descriptor.
            unsafe {
                libc::fcntl(
                    std::os::fd::AsRawFd::as_raw_fd(fd),
                    libc::F_SETFD,
                    libc::FD_CLOEXEC,
                )
            };
        }
        cmd.stdin(Stdio::from(slave.try_clone().expect("dup pty")))
            .stdout(Stdio::from(slave.try_clone().expect("dup pty")))
            .stderr(Stdio::from(slave.try_clone().expect("dup pty")))
            .env("TERM", "xterm-256color")
            .env_remove("NO_COLOR");
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                if libc::setsid() < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                if libc::ioctl(0, libc::TIOCSCTTY as _, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd.spawn().expect("spawn tlslint on a pty");
        drop(slave); // reads on the master end (EIO) when the child's copies close
        drop(cmd); // the Stdio copies of the slave
        let master = std::fs::File::from(master);
        let output = Arc::new(Mutex::new(Vec::new()));
        let mut reader = master.try_clone().expect("dup master");
        let sink = Arc::clone(&output);
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        OnPty {
            child,
            master,
            output,
        }
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.output.lock().unwrap()).into_owned()
    }

    /// Wait until the output contains `what`; panics (killing the child)
    /// after `limit`.
    fn wait_for(&mut self, what: &str, limit: Duration) {
        let start = Instant::now();
        while !self.text().contains(what) {
            if start.elapsed() > limit {
                self.kill();
                panic!(
                    "no {what:?} on the terminal within {limit:?}; it shows:\n{}",
                    self.text()
                );
            }
            if let Ok(Some(st)) = self.child.try_wait() {
                panic!(
                    "exited ({st}) before printing {what:?}; it printed:\n{}",
                    self.text()
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The exit status; panics (killing the child) after `limit`.
    fn finish(&mut self, limit: Duration, what: &str) -> ExitStatus {
        let start = Instant::now();
        loop {
            if let Ok(Some(st)) = self.child.try_wait() {
                // the reader drains what is left
                std::thread::sleep(Duration::from_millis(100));
                return st;
            }
            if start.elapsed() > limit {
                self.kill();
                panic!(
                    "{what} did not finish within {limit:?} on a terminal (killed); it printed:\n{}",
                    self.text()
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for OnPty {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.kill();
        }
    }
}

/// The lines a [`COLUMNS`]-wide terminal shows after `bytes` (trailing
/// blanks trimmed): text,
/// `\r`, `\n`, `\b`, and the line-erasing sequences (`ESC[K`, `ESC[0K`,
/// `ESC[1K`, `ESC[2K`); other escape sequences (colours, cursor visibility)
/// draw nothing, and the spinner never moves the cursor up (one line).
fn screen(bytes: &str) -> Vec<String> {
    // text wraps at the terminal's width as on a VT100/xterm: a character
    // written past the last column starts the next line
    let width = usize::from(COLUMNS);
    let mut lines: Vec<Vec<char>> = vec![Vec::new()];
    let mut col = 0usize;
    let mut it = bytes.chars().peekable();
    while let Some(c) = it.next() {
        let line = lines.last_mut().expect("a line");
        match c {
            '\n' => {
                lines.push(Vec::new());
                col = 0;
            }
            '\r' => col = 0,
            '\x08' => col = col.saturating_sub(1),
            '\x1b' => {
                if it.peek() != Some(&'[') {
                    it.next();
                    continue;
                }
                it.next();
                let mut params = String::new();
                let mut fin = ' ';
                for d in it.by_ref() {
                    if ('\x40'..='\x7e').contains(&d) {
                        fin = d;
                        break;
                    }
                    params.push(d);
                }
                if fin == 'K' {
                    match params.as_str() {
                        "" | "0" => line.truncate(col),
                        "1" => line.iter_mut().take(col + 1).for_each(|c| *c = ' '),
                        _ => line.clear(),
                    }
                }
            }
            c if c.is_control() => {}
            c => {
                let line = if col >= width {
                    lines.push(Vec::new());
                    col = 0;
                    lines.last_mut().expect("a line")
                } else {
                    line
                };
                if col < line.len() {
                    line[col] = c;
                } else {
                    line.resize(col, ' ');
                    line.push(c);
                }
                col += 1;
            }
        }
    }
    lines
        .into_iter()
        .map(|l| l.into_iter().collect::<String>().trim_end().to_string())
        .collect()
}

/// The last line of [`screen`] with something on it ("" for none).
fn last_line(bytes: &str) -> String {
    screen(bytes)
        .into_iter()
        .rev()
        .find(|l| !l.is_empty())
        .unwrap_or_default()
}

/// Certificates for `openssl s_server`, or None (skipped) without openssl.
fn pki(what: &str) -> Option<tempfile::TempDir> {
    if !certgen::require_openssl(what) {
        return None;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    certgen::setup(
        dir.path(),
        "key key.pem rsa:2048\n\
         cert cert.pem key=key.pem cn=localhost san=DNS:localhost\n",
    );
    Some(dir)
}

const LIMIT: Duration = Duration::from_secs(60);

#[test]
fn probe_on_a_terminal_finishes_and_clears_its_progress_line() {
    let what = "tlslint probe on a pseudo-terminal";
    let Some(dir) = pki(what) else { return };
    let srv = probe_servers::s_server(dir.path(), "s_server", &[]);
    let mut cmd = Command::new(common::tlslint());
    cmd.args(["probe", &srv.target()]);
    let mut pty = OnPty::spawn(cmd);
    let st = pty.finish(LIMIT, "tlslint probe");
    let text = pty.text();
    assert_eq!(st.code(), Some(0), "{text}\n{}", srv.log());
    // the progress line was drawn (stderr is a terminal) ...
    assert!(
        text.contains(&format!("probing {}", srv.target())),
        "no progress line:\n{text}"
    );
    // ... and the report and its summary printed after it
    assert!(text.contains("tlslint probe: "), "{text}");
    // the bar was erased before the report: no trace of it on the screen
    let shown = screen(&text);
    assert!(
        !shown.iter().any(|l| l.contains("probing ")),
        "{}",
        shown.join("\n")
    );
    assert!(
        last_line(&text).starts_with("tlslint probe: "),
        "{:?}",
        last_line(&text)
    );
}

#[test]
fn check_with_probe_on_a_terminal_finishes() {
    let what = "tlslint PATH --probe on a pseudo-terminal";
    let Some(dir) = pki(what) else { return };
    let srv = probe_servers::s_server(dir.path(), "s_server", &[]);
    let conf = dir.path().join("nginx.conf");
    std::fs::write(
        &conf,
        format!(
            "events {{}}\nhttp {{\n    server {{\n        listen 127.0.0.1:{} ssl;\n        \
             server_name localhost;\n        ssl_certificate {dir}/cert.pem;\n        \
             ssl_certificate_key {dir}/key.pem;\n    }}\n}}\n",
            srv.port,
            dir = dir.path().display()
        ),
    )
    .unwrap();
    let mut cmd = Command::new(common::tlslint());
    cmd.arg(&conf).args(["--probe", "--no-config"]);
    let mut pty = OnPty::spawn(cmd);
    let st = pty.finish(LIMIT, "tlslint PATH --probe");
    let text = pty.text();
    // findings (the server is not nginx as configured) or none: not an error
    assert!(matches!(st.code(), Some(0 | 1)), "{st}: {text}");
    // the probe ran: s_server's wire differs from the nginx configuration
    assert!(
        text.contains("evidence: probe") || text.contains("TLS6"),
        "{text}"
    );
}

/// A server on 127.0.0.1 that takes connections and never answers: each
/// handshake waits for the probe's read deadline. Its port, and how many
/// connections it has taken.
fn silent_server() -> (u16, Arc<std::sync::atomic::AtomicUsize>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().unwrap().port();
    let taken = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = Arc::clone(&taken);
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming().flatten() {
            held.push(s);
            count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    });
    (port, taken)
}

#[test]
fn ctrl_c_ends_a_probe_promptly_and_erases_the_progress_line() {
    let (port, _) = silent_server();
    let target = format!("127.0.0.1:{port}");
    let mut cmd = Command::new(common::tlslint());
    cmd.args(["probe", &target, "--timeout", "60"]);
    let mut pty = OnPty::spawn(cmd);
    pty.wait_for(&format!("probing {target}"), LIMIT);
    // the spinner keeps drawing while the probe waits
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        last_line(&pty.text()).contains("probing"),
        "{:?}",
        pty.text()
    );
    let typed = Instant::now();
    pty.master.write_all(&[0x03]).expect("type Ctrl-C");
    let st = pty.finish(Duration::from_secs(5), "tlslint probe after Ctrl-C");
    let took = typed.elapsed();
    let text = pty.text();
    assert!(took < Duration::from_secs(3), "Ctrl-C took {took:?}");
    // ended by SIGINT, as a shell expects of an interrupted command
    assert_eq!(st.signal(), Some(libc::SIGINT), "{st}: {text:?}");
    // nothing of the progress line is left, and the cursor is visible
    let shown = last_line(&text);
    assert!(
        !shown.contains("probing") && !shown.contains("connections"),
        "the progress line is still on the screen: {shown:?}\n{text:?}"
    );
    let after = &text[text.rfind("probing").unwrap()..];
    assert!(after.contains("\x1b[?25h"), "cursor not shown: {after:?}");
}

#[test]
fn ctrl_c_ends_check_with_probe_promptly() {
    let (port, taken) = silent_server();
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("nginx.conf");
    std::fs::write(
        &conf,
        format!(
            "events {{}}\nhttp {{\n    server {{\n        listen 127.0.0.1:{port} ssl;\n        \
             ssl_certificate cert.pem;\n        ssl_certificate_key key.pem;\n    }}\n}}\n"
        ),
    )
    .unwrap();
    let mut cmd = Command::new(common::tlslint());
    cmd.arg(&conf)
        .args(["--probe", "--probe-timeout", "60", "--no-config"]);
    let mut pty = OnPty::spawn(cmd);
    // the probe is under way once the server has taken its handshakes
    let start = Instant::now();
    while taken.load(std::sync::atomic::Ordering::SeqCst) < 2 {
        if start.elapsed() > LIMIT {
            pty.kill();
            panic!("the probe never connected:\n{}", pty.text());
        }
        if let Ok(Some(st)) = pty.child.try_wait() {
            panic!("exited ({st}) before probing:\n{}", pty.text());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(200));
    let typed = Instant::now();
    pty.master.write_all(&[0x03]).expect("type Ctrl-C");
    let st = pty.finish(Duration::from_secs(5), "tlslint PATH --probe after Ctrl-C");
    assert!(
        typed.elapsed() < Duration::from_secs(3),
        "{:?}",
        typed.elapsed()
    );
    assert_eq!(st.signal(), Some(libc::SIGINT), "{st}: {:?}", pty.text());
}
