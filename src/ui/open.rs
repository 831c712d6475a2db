//! Opens a file or folder in the program the desktop has for it (the report in the
//! browser, its folder in the file manager). The one place that knows how each system
//! does it; `OSTDOCTOR_OPENER` names another program, which the tests use to see what
//! would have been opened.

use std::path::Path;
use std::process::{Command, Stdio};

/// Starts the desktop's program for `path` and returns without waiting for it; the error
/// when it could not be started.
pub fn open(path: &Path) -> std::io::Result<()> {
    let mut command = match std::env::var_os("OSTDOCTOR_OPENER") {
        Some(program) => {
            let mut c = Command::new(program);
            c.arg(path);
            c
        }
        None => platform::command(path),
    };
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(|_| ())
}

#[cfg(windows)]
mod platform {
    use std::path::Path;
    use std::process::Command;

    /// Explorer opens a folder itself and a file in the program registered for its type.
    pub fn command(path: &Path) -> Command {
        let mut c = Command::new("explorer.exe");
        c.arg(path);
        c
    }
}

#[cfg(target_os = "macos")]
mod platform {
    use std::path::Path;
    use std::process::Command;

    pub fn command(path: &Path) -> Command {
        let mut c = Command::new("open");
        c.arg(path);
        c
    }
}

#[cfg(not(any(windows, target_os = "macos")))]
mod platform {
    use std::path::Path;
    use std::process::Command;

    /// The freedesktop opener, which every Linux and BSD desktop provides.
    pub fn command(path: &Path) -> Command {
        let mut c = Command::new("xdg-open");
        c.arg(path);
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_desktop_opener_is_asked_for_the_path() {
        let c = platform::command(Path::new("/tmp/report.html"));
        let args: Vec<_> = c.get_args().collect();
        assert_eq!(args, ["/tmp/report.html"]);
        #[cfg(not(any(windows, target_os = "macos")))]
        assert_eq!(c.get_program(), "xdg-open");
    }
}
