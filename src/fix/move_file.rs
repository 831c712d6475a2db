//! Renaming without ever replacing: `std::fs::rename` silently replaces an existing
//! target on both Unix and Windows, which a fix that loses nothing must not do.

use std::io;
use std::path::Path;

/// Renames `from` to `to` in one step, failing with `AlreadyExists` when `to` exists.
pub fn rename_no_replace(from: &Path, to: &Path) -> io::Result<()> {
    platform::rename_no_replace(from, to)
}

/// Where the system cannot refuse to replace, the target is checked just before: the
/// window between the check and the rename is as small as it can be made.
fn check_then_rename(from: &Path, to: &Path) -> io::Result<()> {
    if std::fs::symlink_metadata(to).is_ok() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} exists already", to.display()),
        ));
    }
    std::fs::rename(from, to)
}

#[cfg(target_os = "linux")]
mod platform {
    use std::ffi::CString;
    use std::io;
    use std::os::unix::ffi::OsStrExt;
    use std::path::Path;

    pub fn rename_no_replace(from: &Path, to: &Path) -> io::Result<()> {
        let c = |p: &Path| {
            CString::new(p.as_os_str().as_bytes())
                .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "a NUL in the path"))
        };
        let (c_from, c_to) = (c(from)?, c(to)?);
        // SAFETY: both pointers are NUL-terminated strings that outlive the call.
        let r = unsafe {
            libc::renameat2(
                libc::AT_FDCWD,
                c_from.as_ptr(),
                libc::AT_FDCWD,
                c_to.as_ptr(),
                libc::RENAME_NOREPLACE,
            )
        };
        if r == 0 {
            return Ok(());
        }
        let e = io::Error::last_os_error();
        match e.raw_os_error() {
            // File systems (some network ones) and old kernels without the flag.
            Some(libc::EINVAL) | Some(libc::ENOSYS) => super::check_then_rename(from, to),
            Some(libc::EEXIST) => Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("{} exists already", to.display()),
            )),
            _ => Err(e),
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod platform {
    use std::io;
    use std::path::Path;

    pub fn rename_no_replace(from: &Path, to: &Path) -> io::Result<()> {
        super::check_then_rename(from, to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_existing_target_is_kept() {
        let scratch = crate::temp::TempDir::new("mv");
        let dir = scratch.path();
        let (a, b, c) = (dir.join("a"), dir.join("b"), dir.join("c"));
        std::fs::write(&a, b"A").unwrap();
        std::fs::write(&b, b"B").unwrap();
        let e = rename_no_replace(&a, &b).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&b).unwrap(), b"B");
        rename_no_replace(&a, &c).unwrap();
        assert_eq!(std::fs::read(&c).unwrap(), b"A");
        assert!(!a.exists());
    }
}
