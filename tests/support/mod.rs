//! Shared test helpers: a real Dovecot, a throwaway certificate authority, a minimal HTTP
//! server and IMAP writer, and a deadline so that no test can hang.
#![allow(dead_code)]

pub mod certs;
pub mod dovecot;
pub mod http;
pub mod imap_writer;
pub mod scripted_imap;

use std::net::TcpListener;
use std::sync::mpsc;
use std::time::Duration;

/// Run `f` on its own thread and fail the test if it takes longer than `limit`.
pub fn with_deadline<T: Send + 'static>(
    limit: Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (tx, rx) = mpsc::channel();
    let handle = std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(limit) {
        Ok(value) => {
            let _ = handle.join();
            value
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => match handle.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => unreachable!("the test thread ended without a result"),
        },
        Err(mpsc::RecvTimeoutError::Timeout) => {
            // The test thread is stuck and will not unwind: stop what it started.
            dovecot::kill_started_by(handle.thread().id());
            panic!("test exceeded its {limit:?} deadline")
        }
    }
}

/// A loopback port that was free a moment ago.
/// A loopback port nothing listens on, never one handed out before in this process: tests run
/// in parallel, and a port freed by a server one test killed on purpose must not be taken by
/// another test's server, or "nothing answers there any more" would stop being true.
pub fn free_port() -> u16 {
    use std::collections::HashSet;
    use std::sync::Mutex;
    static GIVEN: Mutex<Option<HashSet<u16>>> = Mutex::new(None);
    let mut given = GIVEN.lock().unwrap_or_else(|e| e.into_inner());
    let given = given.get_or_insert_with(HashSet::new);
    loop {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("no free loopback port");
        if given.insert(port) {
            return port;
        }
    }
}
