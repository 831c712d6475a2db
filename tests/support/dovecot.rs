//! A real Dovecot IMAP server on 127.0.0.1 for one test: its own config, state, mail and
//! certificates in a temp dir, users in a passwd-file, optional XOAUTH2 through a loopback
//! tokeninfo endpoint. Killed (its whole process group) when dropped.
//!
//! Needs Debian's `dovecot-imapd` (2.3) and root, as on the project's machines.

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::thread::ThreadId;
use std::time::{Duration, Instant};

use super::certs::{TestPki, generate, self_signed_authority};
use super::free_port;
// Every crate that includes `support` includes `common` too.
use crate::common::TempDir;

pub const USER: &str = "alice";
pub const PASSWORD: &str = "s3cret \"quoted\" pässword";

/// Running servers by the test thread that started them, so that a test stopped by its
/// deadline (whose thread never unwinds) can still have its server killed.
static RUNNING: Mutex<Vec<(ThreadId, u32)>> = Mutex::new(Vec::new());

/// Kill every server started by `thread`.
pub fn kill_started_by(thread: ThreadId) {
    let mut running = RUNNING.lock().unwrap_or_else(|e| e.into_inner());
    running.retain(|&(t, pid)| {
        if t == thread {
            kill_group(pid);
        }
        t != thread
    });
}

fn kill_group(pid: u32) {
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{pid}")])
        .stderr(Stdio::null())
        .status();
}

pub struct Dovecot {
    child: Option<Child>,
    dir: TempDir,
    /// Plain IMAP with STARTTLS offered.
    pub imap_port: u16,
    /// IMAP over TLS from the first byte.
    pub imaps_port: u16,
    pub pki: TestPki,
}

#[derive(Default)]
pub struct Options {
    /// `Some(url)`: accept XOAUTH2, checking tokens at `url` + token.
    pub tokeninfo_url: Option<String>,
    /// Present a self-signed certificate that is also an authority, as `openssl req -x509`
    /// makes, instead of one signed by a test authority.
    pub self_signed: bool,
    /// Answer failed sign-ins at once instead of after Dovecot's growing penalty (2 to 15
    /// seconds per failure from one address): for tests refused hundreds of times on
    /// purpose.
    pub no_penalty: bool,
}

fn binary() -> PathBuf {
    for candidate in ["/usr/sbin/dovecot", "/usr/local/sbin/dovecot"] {
        if Path::new(candidate).exists() {
            return PathBuf::from(candidate);
        }
    }
    panic!("dovecot is not installed: apt-get install dovecot-imapd");
}

impl Dovecot {
    pub fn start() -> Dovecot {
        Dovecot::start_with(Options::default())
    }

    pub fn start_with(options: Options) -> Dovecot {
        let binary = binary();
        let scratch = TempDir::new("dovecot");
        let dir = scratch.path().to_path_buf();
        let pki = if options.self_signed {
            self_signed_authority()
        } else {
            generate()
        };
        let imap_port = free_port();
        let imaps_port = free_port();
        // Dovecot's unprivileged processes must reach the config, certificates and mail.
        set_mode(&dir, 0o755);
        let mail = dir.join("mail");
        std::fs::create_dir_all(&mail).unwrap();
        set_mode(&mail, 0o777);
        std::fs::write(dir.join("cert.pem"), &pki.server_cert_pem).unwrap();
        std::fs::write(dir.join("key.pem"), &pki.server_key_pem).unwrap();
        std::fs::write(
            dir.join("users"),
            format!("{USER}:{{PLAIN}}{PASSWORD}::::::\n"),
        )
        .unwrap();

        let d = dir.display();
        let (mechanisms, oauth_passdb) = match &options.tokeninfo_url {
            Some(url) => {
                std::fs::write(
                    dir.join("oauth2.conf"),
                    format!(
                        "tokeninfo_url = {url}\nintrospection_mode = get\n\
                         username_attribute = email\n"
                    ),
                )
                .unwrap();
                (
                    "plain login xoauth2",
                    format!(
                        "passdb {{\n  driver = oauth2\n  mechanisms = xoauth2\n  args = {d}/oauth2.conf\n}}\n"
                    ),
                )
            }
            None => ("plain login", String::new()),
        };
        let (uid, gid, users) = identity();
        let trusted = if options.no_penalty {
            "service anvil {\n  unix_listener anvil-auth-penalty {\n    mode = 0\n  }\n}"
        } else {
            ""
        };
        let config = format!(
            r#"protocols = imap
listen = 127.0.0.1
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
{users}
ssl = yes
ssl_cert = <{d}/cert.pem
ssl_key = <{d}/key.pem
disable_plaintext_auth = no
auth_mechanisms = {mechanisms}
auth_failure_delay = 0
{trusted}
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  separator = /
  mailbox "Verzonden items" {{
    special_use = \Sent
    auto = create
  }}
  mailbox Drafts {{
    special_use = \Drafts
    auto = create
  }}
  mailbox Trash {{
    special_use = \Trash
    auto = create
  }}
  mailbox Junk {{
    special_use = \Junk
    auto = create
  }}
  mailbox Archive {{
    special_use = \Archive
    auto = create
  }}
}}
service imap-login {{
  inet_listener imap {{
    port = {imap_port}
  }}
  inet_listener imaps {{
    port = {imaps_port}
    ssl = yes
  }}
}}
passdb {{
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN username_format=%u {d}/users
}}
{oauth_passdb}userdb {{
  driver = static
  args = uid={uid} gid={gid} home={d}/mail/%u
}}
"#
        );
        let conf_path = dir.join("dovecot.conf");
        std::fs::write(&conf_path, config).unwrap();

        let child = Command::new(binary)
            .arg("-F")
            .arg("-c")
            .arg(&conf_path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Its own process group, so that killing it takes its children along.
            .process_group(0)
            .spawn()
            .expect("cannot start dovecot");
        RUNNING
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((std::thread::current().id(), child.id()));
        let mut server = Dovecot {
            child: Some(child),
            dir: scratch,
            imap_port,
            imaps_port,
            pki,
        };
        server.wait_ready();
        server
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Ok(stream) = TcpStream::connect(("127.0.0.1", self.imap_port)) {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                let mut line = String::new();
                // Dovecot may first say it waits for its auth process; wait for the
                // real greeting with capabilities.
                let mut reader = BufReader::new(stream);
                while reader.read_line(&mut line).is_ok() && !line.is_empty() {
                    if line.contains("CAPABILITY") {
                        return;
                    }
                    line.clear();
                }
            }
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                panic!("dovecot exited with {status}; log:\n{}", self.log());
            }
            if Instant::now() > deadline {
                panic!("dovecot did not come up in time; log:\n{}", self.log());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("dovecot.log")).unwrap_or_default()
    }

    /// Kill the server and every process it started, at once, as a crash would, and wait
    /// until its ports refuse connections: the login processes hold the listening sockets
    /// too, and one still exiting accepted a connection the test expected refused.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            kill_group(child.id());
            RUNNING
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .retain(|&(_, pid)| pid != child.id());
            let _ = child.kill();
            let _ = child.wait();
            let deadline = Instant::now() + Duration::from_secs(10);
            for port in [self.imap_port, self.imaps_port] {
                // Not a panic past the deadline: this also runs in `drop`, perhaps while
                // a test unwinds; a test that needs the port closed then fails on its own.
                while TcpStream::connect(("127.0.0.1", port)).is_ok() && Instant::now() < deadline {
                    std::thread::sleep(Duration::from_millis(10));
                }
            }
        }
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        // The scratch directory goes with the field, once the server is gone.
        self.kill();
    }
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// The mail owner and, when not root, the users Dovecot's own processes run as.
fn identity() -> (String, String, String) {
    let id = |flag: &str| {
        let out = Command::new("id").arg(flag).output().expect("id");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    let uid = id("-u");
    if uid == "0" {
        ("65534".into(), "65534".into(), String::new())
    } else {
        let name = id("-un");
        let gid = id("-g");
        let users = format!("default_internal_user = {name}\ndefault_login_user = {name}\n");
        (uid, gid, users)
    }
}
