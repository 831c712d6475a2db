//! The folder tree: `/me/mailFolders` gives the top level only, so each folder with children
//! is walked through `/childFolders`, every list followed through its `@odata.nextLink`.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::GraphServer;
use super::http::encode_component;
use crate::server::{Folder, FolderId, FolderRole, ServerError, ServerErrorKind};

/// Deeper than Outlook allows; beyond it the answers are inconsistent.
const MAX_DEPTH: usize = 300;
const MAX_FOLDERS: usize = 100_000;

/// Graph's well-known folder names and what they are for.
const WELL_KNOWN: [(&str, FolderRole); 13] = [
    ("inbox", FolderRole::Inbox),
    ("sentitems", FolderRole::Sent),
    ("drafts", FolderRole::Drafts),
    ("deleteditems", FolderRole::Deleted),
    ("junkemail", FolderRole::Junk),
    ("archive", FolderRole::Archive),
    ("outbox", FolderRole::Outbox),
    ("syncissues", FolderRole::SyncIssues),
    ("conflicts", FolderRole::Conflicts),
    ("localfailures", FolderRole::LocalFailures),
    ("serverfailures", FolderRole::ServerFailures),
    ("conversationhistory", FolderRole::ConversationHistory),
    ("scheduled", FolderRole::Other(String::new())),
];

pub(crate) fn list_folders(server: &mut GraphServer) -> Result<Vec<Folder>, ServerError> {
    let base = server.config.base_url.clone();
    let top = format!("{base}/me/mailFolders?includeHiddenFolders=true&$top=100");
    let mut out = Vec::new();
    // Depth-first, children right after their parent, in the service's order.
    let mut stack: Vec<(Vec<String>, Value)> = server
        .get_all(&top, "GET /me/mailFolders")?
        .into_iter()
        .rev()
        .map(|v| (Vec::new(), v))
        .collect();
    let mut named_roles = false;
    while let Some((parent, json)) = stack.pop() {
        let folder = parse_folder(&parent, &json).ok_or_else(|| {
            server.error(
                "GET /me/mailFolders",
                ServerErrorKind::Protocol(format!("a folder without id or name: {json}")),
            )
        })?;
        named_roles |= json.get("wellKnownName").is_some();
        let children = json
            .get("childFolderCount")
            .and_then(Value::as_u64)
            .unwrap_or(0);
        if children > 0 {
            if folder.path.len() >= MAX_DEPTH {
                return Err(server.error(
                    "GET childFolders",
                    ServerErrorKind::TooLarge(format!("folders nested over {MAX_DEPTH} deep")),
                ));
            }
            let url = format!(
                "{base}/me/mailFolders/{}/childFolders?includeHiddenFolders=true&$top=100",
                encode_component(&folder.id.0)
            );
            let kids = server.get_all(&url, "GET /me/mailFolders/{id}/childFolders")?;
            for kid in kids.into_iter().rev() {
                stack.push((folder.path.clone(), kid));
            }
        }
        out.push(folder);
        if out.len() + stack.len() > MAX_FOLDERS {
            return Err(server.error(
                "GET /me/mailFolders",
                ServerErrorKind::TooLarge(format!("over {MAX_FOLDERS} folders")),
            ));
        }
    }
    // The v1.0 folder resource has no wellKnownName; ask for each well-known folder by
    // name instead and match ids. (The beta endpoint returns the property inline.)
    if !named_roles && server.config.resolve_well_known {
        // Well-known folders keep their ids, so one lookup per server object is enough.
        let roles = match server.well_known.take() {
            Some(roles) => roles,
            None => resolve_well_known(server)?,
        };
        for folder in &mut out {
            if let Some(role) = roles.get(&folder.id) {
                folder.role = Some(role.clone());
            }
        }
        server.well_known = Some(roles);
    }
    Ok(out)
}

fn parse_folder(parent: &[String], json: &Value) -> Option<Folder> {
    let id = json.get("id")?.as_str()?.to_string();
    let name = json.get("displayName")?.as_str()?.to_string();
    let mut path = parent.to_vec();
    path.push(name);
    let role = json
        .get("wellKnownName")
        .and_then(Value::as_str)
        .and_then(role_for);
    Some(Folder {
        id: FolderId(id),
        path,
        total: json.get("totalItemCount").and_then(Value::as_u64),
        unread: json.get("unreadItemCount").and_then(Value::as_u64),
        role,
        hidden: Some(
            json.get("isHidden")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        ),
        selectable: true,
    })
}

fn role_for(name: &str) -> Option<FolderRole> {
    let name = name.to_ascii_lowercase();
    match WELL_KNOWN.iter().find(|(n, _)| *n == name) {
        Some((n, FolderRole::Other(_))) => Some(FolderRole::Other(n.to_string())),
        Some((_, role)) => Some(role.clone()),
        None if name.is_empty() || name == "none" => None,
        None => Some(FolderRole::Other(name)),
    }
}

/// The ids of the well-known folders, in one `$batch` request (Graph takes up to 20 in
/// one; there are 13), or one request each where the service will not batch. Roles only
/// label folders: a lookup that fails (a mailbox without an archive answers 404, a
/// service may answer 500 for one name) leaves that role unknown and the listing goes on.
fn resolve_well_known(
    server: &mut GraphServer,
) -> Result<HashMap<FolderId, FolderRole>, ServerError> {
    let base = server.config.base_url.clone();
    let requests: Vec<Value> = WELL_KNOWN
        .iter()
        .enumerate()
        .map(|(i, (name, _))| {
            json!({"id": i.to_string(), "method": "GET", "url": format!("/me/mailFolders/{name}?$select=id")})
        })
        .collect();
    let mut roles = HashMap::new();
    let mut add = |name: &str, json: &Value| {
        if let Some(id) = json.get("id").and_then(Value::as_str)
            && let Some(role) = role_for(name)
        {
            roles.insert(FolderId(id.to_string()), role);
        }
    };
    match server.post(
        &format!("{base}/$batch"),
        &json!({ "requests": requests }),
        "POST /$batch",
    ) {
        Ok(answer) => {
            let responses = answer.get("responses").and_then(Value::as_array);
            for response in responses.into_iter().flatten() {
                let index = response
                    .get("id")
                    .and_then(Value::as_str)
                    .and_then(|id| id.parse::<usize>().ok());
                let ok = response.get("status").and_then(Value::as_u64) == Some(200);
                if let (Some(i), true, Some(body)) = (index, ok, response.get("body"))
                    && let Some((name, _)) = WELL_KNOWN.get(i)
                {
                    add(name, body);
                }
            }
        }
        // A service (or proxy) that does not take batches: ask one by one.
        Err(ServerError {
            kind: ServerErrorKind::Http { .. },
            ..
        }) => {
            for (name, _) in WELL_KNOWN {
                let url = format!("{base}/me/mailFolders/{name}?$select=id");
                let action = format!("GET /me/mailFolders/{name}");
                match server.get_optional(&url, &action) {
                    Ok(Some(json)) => add(name, &json),
                    Ok(None)
                    | Err(ServerError {
                        kind: ServerErrorKind::Http { .. },
                        ..
                    }) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Err(e) => return Err(e),
    }
    Ok(roles)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_shape() {
        let json = json!({
            "id": "AAMk1", "displayName": "Inbox", "parentFolderId": "AAMk0",
            "childFolderCount": 1, "unreadItemCount": 2, "totalItemCount": 10, "isHidden": false
        });
        let folder = parse_folder(&["Top".to_string()], &json).unwrap();
        assert_eq!(folder.path, ["Top", "Inbox"]);
        assert_eq!(
            (folder.total, folder.unread, folder.hidden),
            (Some(10), Some(2), Some(false))
        );
        assert!(parse_folder(&[], &json!({"displayName": "x"})).is_none());
        assert_eq!(role_for("SentItems"), Some(FolderRole::Sent));
        assert_eq!(
            role_for("scheduled"),
            Some(FolderRole::Other("scheduled".into()))
        );
        assert_eq!(role_for("none"), None);
    }
}
