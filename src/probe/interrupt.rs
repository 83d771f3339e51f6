//! Ctrl-C while the progress line is on the terminal.
//!
//! The default action of SIGINT ends the process at once, leaving the
//! spinner's half-drawn line on the screen. While a progress line is shown,
//! a handler first erases that line (`\r`, `ESC[2K`) and makes sure the
//! cursor is visible (`ESC[?25h`), then ends the process with SIGINT itself,
//! so that a shell sees an interrupted command (and a shell loop around it
//! stops) exactly as without the handler.
//!
//! The progress line stops [`MARGIN`] columns short of the terminal's width:
//! indicatif pads its line to the full width, so the `^C` that the terminal
//! echoes (or anything typed) would start a new line, and erasing "the
//! line" would erase that new line and leave the progress line above it.
//!
//! Only async-signal-safe calls run in the handler (POSIX.1-2017, 2.4.3:
//! `write`, `raise`): it is installed with `SA_RESETHAND | SA_NODEFER`, so
//! SIGINT is back to its default action and not blocked when the handler
//! raises it again, and the process ends there, before any other thread can
//! draw the line again.

#[cfg(unix)]
mod imp {
    use std::sync::Mutex;

    /// The disposition before [`Guard::install`], and how many guards are
    /// alive (one handler for all of them).
    static STATE: Mutex<(usize, Option<libc::sigaction>)> = Mutex::new((0, None));

    /// Erase the line, show the cursor.
    const CLEAN: &[u8] = b"\r\x1b[2K\x1b[?25h";

    extern "C" fn on_sigint(_: libc::c_int) {
        // SAFETY: write(2) and raise(3) are async-signal-safe; CLEAN is static.
        unsafe {
            let _ = libc::write(2, CLEAN.as_ptr().cast(), CLEAN.len());
            // SA_RESETHAND restored the default action, SA_NODEFER left the
            // signal unblocked: this ends the process with SIGINT
            libc::raise(libc::SIGINT);
        }
    }

    /// While alive, Ctrl-C cleans the terminal before the process ends.
    pub struct Guard(());

    impl Guard {
        pub fn install() -> Guard {
            let mut st = match STATE.lock() {
                Ok(s) => s,
                Err(p) => p.into_inner(),
            };
            if st.0 == 0 {
                // SAFETY: a zeroed sigaction is a valid value to fill in; the
                // handler only makes async-signal-safe calls.
                unsafe {
                    let mut sa: libc::sigaction = std::mem::zeroed();
                    sa.sa_sigaction = on_sigint as extern "C" fn(libc::c_int) as usize;
                    sa.sa_flags = libc::SA_RESETHAND | libc::SA_NODEFER | libc::SA_RESTART;
                    libc::sigemptyset(&mut sa.sa_mask);
                    let mut old: libc::sigaction = std::mem::zeroed();
                    if libc::sigaction(libc::SIGINT, &sa, &mut old) == 0 {
                        // a process started with SIGINT ignored (`nohup`, a
                        // background job of a non-interactive shell) keeps it so
                        if old.sa_sigaction == libc::SIG_IGN {
                            libc::sigaction(libc::SIGINT, &old, std::ptr::null_mut());
                        }
                        st.1 = Some(old);
                    }
                }
            }
            st.0 += 1;
            Guard(())
        }
    }

    impl Drop for Guard {
        fn drop(&mut self) {
            let mut st = match STATE.lock() {
                Ok(s) => s,
                Err(p) => p.into_inner(),
            };
            st.0 = st.0.saturating_sub(1);
            if st.0 == 0 {
                if let Some(old) = st.1.take() {
                    // SAFETY: restores the disposition sigaction returned.
                    unsafe {
                        libc::sigaction(libc::SIGINT, &old, std::ptr::null_mut());
                    }
                }
            }
        }
    }
}

#[cfg(not(unix))]
mod imp {
    /// No handler here: the console ends the process.
    pub struct Guard(());
    impl Guard {
        pub fn install() -> Guard {
            Guard(())
        }
    }
}

pub use imp::Guard;

/// Columns left free at the end of the progress line (for an echoed `^C`).
pub const MARGIN: u16 = 3;

/// Where the progress line is drawn: stderr, [`MARGIN`] columns narrower
/// than the terminal.
pub fn draw_target() -> indicatif::ProgressDrawTarget {
    indicatif::ProgressDrawTarget::term_like(Box::new(Stderr))
}

/// stderr as indicatif's terminal; each write takes stderr's lock briefly.
#[derive(Debug)]
struct Stderr;

impl Stderr {
    fn csi(n: usize, code: char) -> std::io::Result<()> {
        if n == 0 {
            return Ok(());
        }
        indicatif::TermLike::write_str(&Stderr, &format!("\x1b[{n}{code}"))
    }
}

/// The terminal's (rows, columns) on stderr.
#[cfg(unix)]
fn size() -> Option<(u16, u16)> {
    // SAFETY: TIOCGWINSZ fills the winsize it is given.
    let mut ws: libc::winsize = unsafe { std::mem::zeroed() };
    let ok = unsafe { libc::ioctl(2, libc::TIOCGWINSZ, &mut ws) } == 0;
    (ok && ws.ws_col > 0 && ws.ws_row > 0).then_some((ws.ws_row, ws.ws_col))
}

#[cfg(not(unix))]
fn size() -> Option<(u16, u16)> {
    None
}

impl indicatif::TermLike for Stderr {
    fn width(&self) -> u16 {
        let cols = size().map_or(80, |s| s.1);
        cols.saturating_sub(MARGIN).max(20)
    }
    fn height(&self) -> u16 {
        size().map_or(24, |s| s.0)
    }
    fn move_cursor_up(&self, n: usize) -> std::io::Result<()> {
        Stderr::csi(n, 'A')
    }
    fn move_cursor_down(&self, n: usize) -> std::io::Result<()> {
        Stderr::csi(n, 'B')
    }
    fn move_cursor_right(&self, n: usize) -> std::io::Result<()> {
        Stderr::csi(n, 'C')
    }
    fn move_cursor_left(&self, n: usize) -> std::io::Result<()> {
        Stderr::csi(n, 'D')
    }
    fn write_line(&self, s: &str) -> std::io::Result<()> {
        self.write_str(&format!("{s}\n"))
    }
    fn write_str(&self, s: &str) -> std::io::Result<()> {
        use std::io::Write;
        std::io::stderr().write_all(s.as_bytes())
    }
    fn clear_line(&self) -> std::io::Result<()> {
        self.write_str("\r\x1b[2K")
    }
    fn flush(&self) -> std::io::Result<()> {
        use std::io::Write;
        std::io::stderr().flush()
    }
}
