//! The mailbox password (or access token): from `OSTDOCTOR_PASSWORD`, else asked for on the
//! terminal without echo. It is held in memory only, never written or logged.

use std::io::IsTerminal;

use ostdoctor::server::Secret;

use super::exit::UsageError;

pub const PASSWORD_VARIABLE: &str = "OSTDOCTOR_PASSWORD";

/// The secret for `account`, such as `imaps://alice@mail.example.com:993`.
pub fn password_for(account: &str) -> Result<Secret, UsageError> {
    if let Some(value) = std::env::var_os(PASSWORD_VARIABLE) {
        let value = value
            .into_string()
            .map_err(|_| UsageError(format!("{PASSWORD_VARIABLE} is not valid UTF-8")))?;
        if !value.is_empty() {
            return Ok(Secret::new(value));
        }
    }
    // A script with no terminal would otherwise hang on a prompt no one sees.
    if !std::io::stdin().is_terminal() {
        return Err(UsageError(format!(
            "no password for {account}: set {PASSWORD_VARIABLE}, or run in a terminal to be \
             asked for it"
        )));
    }
    let typed = rpassword::prompt_password(format!("Password for {account}: "))
        .map_err(|e| UsageError(format!("could not read the password: {e}")))?;
    if typed.is_empty() {
        return Err(UsageError("no password given".into()));
    }
    Ok(Secret::new(typed))
}
