//! Ctrl-C while the progress line is on the terminal.
//!
//! The default action of SIGINT ends the process at once, leaving the
//! spinner's half-drawn line on the screen. While a progress line is shown,
//! a handler first erases that line (`\r`, `ESC[2K`) and makes sure the
//! cursor is visible (`ESC[?25h`), then ends the process with SIGINT itself,
//! so that a shell sees an interrupted command (and a shell loop around it
//! stops) exactly as without the handler.
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
