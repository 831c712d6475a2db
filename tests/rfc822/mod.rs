//! An RFC 5322 / MIME message from a store message: the headers a mail program needs (From,
//! To, Cc, Bcc, Subject, Date, Message-ID), the text and HTML bodies, attached files, and the
//! original transport headers (`Received:` and the rest) when the store kept them.
//!
//! The header fields come from the message's properties, which are what Outlook shows; where
//! a property is missing, the field of the original transport headers stands in. The body
//! structure is always written afresh, so the original headers' `Content-*` fields are
//! dropped. Attached messages and OLE objects are not written (they are not files).

#![allow(dead_code)]

pub mod mime;

use mime::{base64_lines, content_type, encode_body, encode_text, header, mailbox, parameter};
use ostdoctor::server::Timestamp;
use ostdoctor::store::messaging::tags;
use ostdoctor::store::{Message, Result, filetime};

/// Header fields written from the message's properties or the MIME structure; the transport
/// headers' own copies are dropped.
const REPLACED: [&str; 9] = [
    "from",
    "to",
    "cc",
    "bcc",
    "subject",
    "date",
    "message-id",
    "mime-version",
    "content-",
];

/// Recipient types in the recipient table.
const TO: i64 = 1;
const CC: i64 = 2;
const BCC: i64 = 3;

/// The message as RFC 5322 bytes with CRLF line ends.
pub fn build_message(message: &Message) -> Result<Vec<u8>> {
    let summary = message.summary()?;
    let transport = message
        .properties()
        .text(tags::TRANSPORT_MESSAGE_HEADERS)?
        .map(|t| parse_fields(&t))
        .unwrap_or_default();
    let original = |name: &str| {
        transport
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, field)| field.clone())
    };

    let mut head = String::new();
    for (name, field) in &transport {
        let lower = name.to_ascii_lowercase();
        if !REPLACED
            .iter()
            .any(|r| lower == *r || (r.ends_with('-') && lower.starts_with(r)))
        {
            head.push_str(field);
        }
    }

    let from = mailbox(
        summary.sender_name.as_deref(),
        summary.sender_email.as_deref(),
    );
    match (from, original("From")) {
        (Some(from), _) if from.contains('@') => head.push_str(&header("From", &from)),
        (_, Some(field)) => head.push_str(&field),
        (Some(from), None) => head.push_str(&header("From", &from)),
        (None, None) => {}
    }

    let recipients = message.recipients()?;
    for (kind, name) in [(TO, "To"), (CC, "Cc"), (BCC, "Bcc")] {
        let list: Vec<String> = recipients
            .iter()
            .filter(|r| r.recipient_type.unwrap_or(TO) == kind)
            .filter_map(|r| {
                let address = r.smtp_address.as_deref().or(r.email_address.as_deref());
                mailbox(r.display_name.as_deref(), address)
            })
            .collect();
        if !list.is_empty() {
            head.push_str(&header(name, &list.join(", ")));
        } else if recipients.is_empty()
            && let Some(field) = original(name)
        {
            head.push_str(&field);
        }
    }

    match (&summary.subject, original("Subject")) {
        (Some(subject), _) => head.push_str(&header("Subject", &encode_text(subject))),
        (None, Some(field)) => head.push_str(&field),
        (None, None) => {}
    }

    let time = summary
        .submit_time
        .or(summary.delivery_time)
        .or(summary.creation_time)
        .map(|ft| Timestamp(filetime::to_unix_seconds(ft)));
    match (time, original("Date")) {
        (Some(t), _) => head.push_str(&header("Date", &t.to_rfc5322())),
        (None, Some(field)) => head.push_str(&field),
        (None, None) => {}
    }

    let message_id = summary
        .internet_message_id
        .as_deref()
        .map(str::trim)
        .filter(|id| !id.is_empty() && !id.contains(char::is_whitespace));
    match (message_id, original("Message-ID")) {
        (Some(id), _) if id.starts_with('<') => head.push_str(&header("Message-ID", id)),
        (Some(id), _) => head.push_str(&header("Message-ID", &format!("<{id}>"))),
        (None, Some(field)) => head.push_str(&field),
        (None, None) => {}
    }
    head.push_str("MIME-Version: 1.0\r\n");

    let boundary = |level: u32| format!("=_ostdoctor_{}_{level}", message.nid.0);
    let text = message.best_text()?.unwrap_or_default();
    let html = message.body_html()?;
    let mut body = match &html {
        Some(html) => multipart(
            "alternative",
            &boundary(1),
            vec![
                leaf("text/plain; charset=utf-8", text.as_bytes(), &boundary(1)),
                leaf("text/html; charset=utf-8", html.as_bytes(), &boundary(1)),
            ],
        ),
        None => leaf("text/plain; charset=utf-8", text.as_bytes(), &boundary(0)),
    };

    let mut files = Vec::new();
    for attachment in message.attachments()? {
        if !attachment.is_file {
            continue;
        }
        let data = message.attachment_data(attachment.nid)?;
        let name = attachment
            .file_name
            .or(attachment.display_name)
            .unwrap_or_else(|| "attachment".into());
        let kind = content_type(attachment.mime_type.as_deref());
        files.push(attached_file(&kind, &name, &data));
    }
    if !files.is_empty() {
        let mut parts = vec![body];
        parts.extend(files);
        body = multipart("mixed", &boundary(2), parts);
    }

    let mut out = head.into_bytes();
    out.extend_from_slice(body.as_bytes());
    Ok(out)
}

/// One part: its MIME headers, a blank line, its encoded content.
fn leaf(kind: &str, bytes: &[u8], boundary: &str) -> String {
    let encoded = encode_body(bytes, boundary);
    format!(
        "Content-Type: {kind}\r\nContent-Transfer-Encoding: {}\r\n\r\n{}",
        encoded.transfer_encoding, encoded.body
    )
}

fn attached_file(kind: &str, name: &str, data: &[u8]) -> String {
    format!(
        "Content-Type: {kind}; {}\r\nContent-Transfer-Encoding: base64\r\n\
         Content-Disposition: attachment; {}\r\n\r\n{}",
        parameter("name", name),
        parameter("filename", name),
        base64_lines(data)
    )
}

/// A multipart body of already written parts. Base64 and 7-bit parts checked against the
/// boundary cannot contain it.
fn multipart(subtype: &str, boundary: &str, parts: Vec<String>) -> String {
    let mut out = format!("Content-Type: multipart/{subtype}; boundary=\"{boundary}\"\r\n\r\n");
    for part in parts {
        out.push_str(&format!("--{boundary}\r\n"));
        out.push_str(&part);
    }
    out.push_str(&format!("--{boundary}--\r\n"));
    out
}

/// The fields of a stored header block, each with its continuation lines and a final CRLF.
/// Lines that are neither a field nor a continuation are damage and are dropped.
pub fn parse_fields(block: &str) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = Vec::new();
    for line in block.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            // The blank line ends the header; anything after it is not a header.
            if !fields.is_empty() {
                break;
            }
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, field)) = fields.last_mut() {
                field.push_str(line);
                field.push_str("\r\n");
            }
            continue;
        }
        let Some((name, _)) = line.split_once(':') else {
            continue;
        };
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic() && b != b':') {
            continue;
        }
        fields.push((name.to_string(), format!("{line}\r\n")));
    }
    fields
}
