//! The messages of one folder, with the fields the comparison with the store matches on.

use serde_json::Value;

use super::GraphServer;
use super::http::encode_component;
use crate::server::{
    FolderId, Item, ServerError, ServerErrorKind, Timestamp, bounded_message_id, bounded_subject,
};

/// More items than any real folder holds; beyond it the service is broken.
const MAX_ITEMS: usize = 5_000_000;

/// PR_MESSAGE_SIZE as a Graph extended property id.
const SIZE_PROPERTY: &str = "Integer 0x0E08";

pub(crate) fn list_items(
    server: &mut GraphServer,
    folder: &FolderId,
) -> Result<Vec<Item>, ServerError> {
    let mut url = format!(
        "{}/me/mailFolders/{}/messages?$top=250&$select=id,internetMessageId,subject,sentDateTime,receivedDateTime,isRead",
        server.config.base_url,
        encode_component(&folder.0)
    );
    if server.config.item_sizes {
        // Needs Mail.Read; Mail.ReadBasic does not expose extended properties.
        let filter = format!("singleValueExtendedProperties($filter=id eq '{SIZE_PROPERTY}')");
        url.push_str(&format!("&$expand={}", encode_component(&filter)));
    }
    let mut items = Vec::new();
    server.each_value(&url, "GET /me/mailFolders/{id}/messages", |value| {
        if items.len() >= MAX_ITEMS {
            return Err(ServerErrorKind::TooLarge(format!("over {MAX_ITEMS} items")));
        }
        items.extend(parse_message(&value));
        Ok(())
    })?;
    Ok(items)
}

fn parse_message(json: &Value) -> Option<Item> {
    let text = |key: &str| json.get(key).and_then(Value::as_str).map(str::to_string);
    let time = |key: &str| {
        json.get(key)
            .and_then(Value::as_str)
            .and_then(Timestamp::parse_rfc3339)
    };
    let size = json
        .get("singleValueExtendedProperties")
        .and_then(Value::as_array)
        .and_then(|props| {
            props.iter().find(|p| {
                p.get("id")
                    .and_then(Value::as_str)
                    .is_some_and(|id| id.eq_ignore_ascii_case(SIZE_PROPERTY))
            })
        })
        .and_then(|p| p.get("value")?.as_str()?.parse().ok());
    Some(Item {
        server_id: text("id")?,
        internet_message_id: text("internetMessageId").and_then(|id| bounded_message_id(&id)),
        subject: text("subject").map(bounded_subject),
        sent: time("sentDateTime"),
        received: time("receivedDateTime"),
        size,
        unread: json
            .get("isRead")
            .and_then(Value::as_bool)
            .map(|read| !read),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_a_message() {
        let item = parse_message(&json!({
            "id": "AAMkm1", "internetMessageId": "<m1@example.com>", "subject": "Hi",
            "sentDateTime": "2024-01-02T03:04:05Z", "receivedDateTime": "2024-01-02T03:04:09Z",
            "isRead": false,
            "singleValueExtendedProperties": [{"id": "Integer 0xe08", "value": "1234"},
                                              {"id": "Integer 0x0E08", "value": "4321"}]
        }))
        .unwrap();
        assert_eq!(item.server_id, "AAMkm1");
        assert_eq!(
            item.internet_message_id.as_deref(),
            Some("<m1@example.com>")
        );
        assert_eq!(item.unread, Some(true));
        assert_eq!(item.size, Some(4321));
        assert_eq!(item.received.unwrap().to_string(), "2024-01-02T03:04:09Z");
        assert!(parse_message(&json!({"subject": "no id"})).is_none());
    }

    #[test]
    fn subjects_and_ids_are_kept_to_their_bounds() {
        let item = parse_message(&json!({
            "id": "m", "subject": "ü".repeat(100_000),
            "internetMessageId": format!("<{}@x>", "i".repeat(2_000)),
        }))
        .unwrap();
        let subject = item.subject.unwrap();
        assert_eq!(subject.chars().count(), crate::server::MAX_SUBJECT_CHARS);
        assert_eq!(item.internet_message_id, None);
    }
}
