//! A log message's body as text, from whichever form it was stored in. Outlook stores
//! logs as compressed RTF; a damaged form is reported and the next one tried, so that a
//! log with a broken RTF body but a good text body is still read.

use serde::Serialize;

use crate::store::Message;
use crate::store::messaging::message::html_to_text;
use crate::store::messaging::rtf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BodyKind {
    Text,
    Rtf,
    Html,
    None,
}

pub struct Body {
    pub kind: BodyKind,
    pub text: String,
    /// Why a form could not be read, when one could not.
    pub problems: Vec<String>,
}

pub fn read(message: &Message<'_>) -> Body {
    let mut problems = Vec::new();
    match message.body_text() {
        Ok(Some(t)) if !t.trim().is_empty() => return body(BodyKind::Text, t, problems),
        Ok(_) => {}
        Err(e) => problems.push(format!("text body: {e}")),
    }
    match message.body_rtf() {
        Ok(Some(r)) => return body(BodyKind::Rtf, rtf::to_text(&r), problems),
        Ok(None) => {}
        Err(e) => problems.push(format!("RTF body: {e}")),
    }
    match message.body_html() {
        Ok(Some(h)) => return body(BodyKind::Html, html_to_text(&h), problems),
        Ok(None) => {}
        Err(e) => problems.push(format!("HTML body: {e}")),
    }
    body(BodyKind::None, String::new(), problems)
}

fn body(kind: BodyKind, text: String, problems: Vec<String>) -> Body {
    Body {
        kind,
        text,
        problems,
    }
}
