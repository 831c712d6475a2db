//! Exit statuses scripts can act on: 0 success, 1 failure, 2 a wrong command line (as clap
//! reports it), 3 the server refused the sign-in (or the account signed in), 4 a fix
//! refused because a program holds the file (close it and run again), 5 an export finished
//! but left something out (each item or part it could not read is listed with its folder,
//! subject and why).

use std::error::Error;

use ostdoctor::diagnose::GatherError;
use ostdoctor::doctor::link::cause_of;
use ostdoctor::fix::FixError;
use ostdoctor::server::{ServerError, ServerErrorKind};
use ostdoctor::wizard::Cause;

pub const FAILURE: u8 = 1;
pub const USAGE: u8 = 2;
pub const SIGN_IN_REFUSED: u8 = 3;
pub const IN_USE: u8 = 4;
pub const DONE_WITH_LOSSES: u8 = 5;

/// How a command that copies items ended: everything copied, or some of it left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Done {
    Complete,
    WithLosses,
}

impl Done {
    pub fn from_losses(lost_anything: bool) -> Done {
        if lost_anything {
            Done::WithLosses
        } else {
            Done::Complete
        }
    }
}

/// A command line that cannot work as given.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

pub fn status_for(e: &(dyn Error + 'static)) -> u8 {
    let gather = match e.downcast_ref::<FixError>() {
        Some(FixError::InUse { .. }) => return IN_USE,
        Some(FixError::Gather(g)) => Some(g),
        _ => e.downcast_ref::<GatherError>(),
    };
    let server = e.downcast_ref::<ServerError>().or(match gather {
        Some(GatherError::Server(s)) => Some(s),
        _ => None,
    });
    if let Some(s) = server {
        // Refused sign-ins are told apart once, for the window's failure pages and here.
        if cause_of(&s.kind) == Cause::NotSignedIn {
            return SIGN_IN_REFUSED;
        }
        return match s.kind {
            ServerErrorKind::Config(_) | ServerErrorKind::Address(_) => USAGE,
            _ => FAILURE,
        };
    }
    if e.downcast_ref::<UsageError>().is_some() {
        return USAGE;
    }
    FAILURE
}
