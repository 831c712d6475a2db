//! The items of one mailbox: EXAMINE (read-only, so listing changes no flags), then one
//! `UID FETCH 1:*` for the envelope fields the comparison with the store matches on.

use super::header::decode_header;
use super::response::{Response, Value};
use super::session::Session;
use crate::server::{
    Item, ServerError, ServerErrorKind, Timestamp, bounded_message_id, bounded_subject,
};

/// More items than any real folder holds; beyond it the server is broken.
const MAX_ITEMS: usize = 5_000_000;

pub(crate) fn list_items(session: &mut Session, mailbox: &str) -> Result<Vec<Item>, ServerError> {
    let mut exists = None;
    let tag = session.send_with_string("EXAMINE ", mailbox, "", "EXAMINE")?;
    session.finish(&tag, "EXAMINE", |response| {
        if let Response::Data(values) = &response
            && let [count, Value::Atom(word)] = values.as_slice()
            && word.eq_ignore_ascii_case("EXISTS")
        {
            exists = count.as_number();
        }
        Ok(())
    })?;
    if exists == Some(0) {
        return Ok(Vec::new());
    }

    let action = "UID FETCH";
    let mut items = Vec::with_capacity(exists.unwrap_or(0).min(100_000) as usize);
    let mut bad = None;
    let tag = session.send(
        "UID FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)",
        action,
    )?;
    session.finish(&tag, action, |response| {
        let Response::Data(values) = response else {
            return Ok(());
        };
        let [_, Value::Atom(word), Value::List(fields)] = values.as_slice() else {
            return Ok(());
        };
        if !word.eq_ignore_ascii_case("FETCH") {
            return Ok(());
        }
        match parse_fetch(fields) {
            Some(item) if items.len() < MAX_ITEMS => items.push(item),
            Some(_) => bad = Some(ServerErrorKind::TooLarge(format!("over {MAX_ITEMS} items"))),
            // A FETCH without UID is an unsolicited flag update, not an answer.
            None => {}
        }
        Ok(())
    })?;
    if let Some(kind) = bad {
        return Err(session.error(action, kind));
    }
    Ok(items)
}

fn parse_fetch(fields: &[Value]) -> Option<Item> {
    let mut item = Item {
        server_id: String::new(),
        internet_message_id: None,
        subject: None,
        sent: None,
        received: None,
        size: None,
        unread: None,
    };
    let mut has_uid = false;
    for pair in fields.chunks(2) {
        let [key, value] = pair else { return None };
        match key.as_atom()?.to_ascii_uppercase().as_str() {
            "UID" => {
                item.server_id = value.as_number()?.to_string();
                has_uid = true;
            }
            "FLAGS" => {
                let flags = value.as_list()?;
                let seen = flags.iter().any(|f| {
                    f.as_atom()
                        .is_some_and(|a| a.eq_ignore_ascii_case("\\Seen"))
                });
                item.unread = Some(!seen);
            }
            "INTERNALDATE" => {
                item.received = value
                    .as_bytes()
                    .and_then(|b| std::str::from_utf8(b).ok())
                    .and_then(Timestamp::parse_imap);
            }
            "RFC822.SIZE" => item.size = value.as_number(),
            "ENVELOPE" => {
                let envelope = value.as_list()?;
                item.sent = text(envelope.first()).and_then(|d| Timestamp::parse_rfc5322(&d));
                item.subject = envelope
                    .get(1)
                    .and_then(|v| v.as_bytes())
                    .map(|raw| bounded_subject(decode_header(raw)));
                item.internet_message_id =
                    text(envelope.get(9)).and_then(|id| bounded_message_id(&id));
            }
            _ => {}
        }
    }
    has_uid.then_some(item)
}

fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::Str(s) => Some(String::from_utf8_lossy(s).into_owned()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::imap::response::{Limits, parse_response};

    fn fields(line: &str) -> Vec<Value> {
        let Response::Data(values) = parse_response(line.as_bytes(), &Limits::default()).unwrap()
        else {
            panic!()
        };
        values[2].as_list().unwrap().to_vec()
    }

    #[test]
    fn parses_a_fetch_response() {
        let line = "* 1 FETCH (UID 42 FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" \
                    RFC822.SIZE 4286 ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \
                    \"=?UTF-8?Q?Priv=C3=A9?=\" ((\"Terry\" NIL \"gray\" \"example.com\")) NIL NIL \
                    NIL NIL NIL NIL \"<B27397-0100000@example.com>\"))";
        let item = parse_fetch(&fields(line)).unwrap();
        assert_eq!(item.server_id, "42");
        assert_eq!(item.unread, Some(false));
        assert_eq!(item.size, Some(4286));
        assert_eq!(item.subject.as_deref(), Some("Privé"));
        assert_eq!(
            item.internet_message_id.as_deref(),
            Some("<B27397-0100000@example.com>")
        );
        assert_eq!(item.received.unwrap().to_string(), "1996-07-17T09:44:25Z");
        assert_eq!(item.sent.unwrap().to_string(), "1996-07-17T09:23:25Z");
    }

    #[test]
    fn flag_updates_and_nil_fields() {
        assert!(parse_fetch(&fields("* 3 FETCH (FLAGS (\\Deleted))")).is_none());
        let item = parse_fetch(&fields(
            "* 3 FETCH (UID 9 FLAGS () ENVELOPE (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL))",
        ))
        .unwrap();
        assert_eq!(item.unread, Some(true));
        assert_eq!(
            (item.subject, item.internet_message_id, item.sent),
            (None, None, None)
        );
        assert!(parse_fetch(&fields("* 3 FETCH (UID x)")).is_none());
        assert!(parse_fetch(&fields("* 3 FETCH (UID)")).is_none());
    }
}
