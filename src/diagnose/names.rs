//! The names Outlook, Exchange and common IMAP servers give their well-known folders, in the
//! languages users meet most often. Outlook names these folders in the language of the first
//! sign-in, and a server may name them in another, so matching by name alone would pair
//! "Sent Items" with nothing on a Dutch server; matching by role pairs it with "Verzonden
//! items".
//!
//! Names are compared case-insensitively after trimming; the tables list each spelling once.

use crate::server::FolderRole;

/// English, Dutch, Portuguese (Brazil and Portugal), German, French and Spanish names, plus
/// the IMAP servers' own English names ("Sent Messages", "Trash", "Spam").
const NAMES: &[(FolderRole, &[&str])] = &[
    (
        FolderRole::Inbox,
        &[
            "inbox",
            "postvak in",
            "caixa de entrada",
            "posteingang",
            "boîte de réception",
            "bandeja de entrada",
        ],
    ),
    (
        FolderRole::Sent,
        &[
            "sent items",
            "sent",
            "sent messages",
            "sent mail",
            "verzonden items",
            "itens enviados",
            "gesendete elemente",
            "gesendete objekte",
            "éléments envoyés",
            "elementos enviados",
        ],
    ),
    (
        FolderRole::Drafts,
        &[
            "drafts",
            "concepten",
            "rascunhos",
            "entwürfe",
            "brouillons",
            "borradores",
        ],
    ),
    (
        FolderRole::Deleted,
        &[
            "deleted items",
            "deleted messages",
            "trash",
            "verwijderde items",
            "itens excluídos",
            "itens eliminados",
            "gelöschte elemente",
            "gelöschte objekte",
            "éléments supprimés",
            "elementos eliminados",
        ],
    ),
    (
        FolderRole::Junk,
        &[
            "junk email",
            "junk e-mail",
            "junk",
            "spam",
            "ongewenste e-mail",
            "lixo eletrônico",
            "lixo eletrónico",
            "junk-e-mail",
            "courrier indésirable",
            "correo no deseado",
        ],
    ),
    (
        FolderRole::Outbox,
        &[
            "outbox",
            "postvak uit",
            "caixa de saída",
            "a enviar",
            "postausgang",
            "boîte d'envoi",
            "bandeja de salida",
        ],
    ),
    (
        FolderRole::Archive,
        &[
            "archive",
            "archief",
            "arquivo",
            "arquivo morto",
            "archiv",
            "archives",
            "archivo",
        ],
    ),
    (
        FolderRole::Calendar,
        &[
            "calendar",
            "agenda",
            "calendário",
            "kalender",
            "calendrier",
            "calendario",
        ],
    ),
    (
        FolderRole::Contacts,
        &[
            "contacts",
            "contactpersonen",
            "contatos",
            "contactos",
            "kontakte",
        ],
    ),
    (
        FolderRole::Tasks,
        &["tasks", "taken", "tarefas", "aufgaben", "tâches", "tareas"],
    ),
    (
        FolderRole::Notes,
        &["notes", "notities", "anotações", "notas", "notizen"],
    ),
    (
        FolderRole::SyncIssues,
        &[
            "sync issues",
            "synchronisatieproblemen",
            "problemas de sincronização",
            "synchronisierungsprobleme",
            "problèmes de synchronisation",
            "problemas de sincronización",
        ],
    ),
    (
        FolderRole::Conflicts,
        &[
            "conflicts",
            "conflicten",
            "conflitos",
            "konflikte",
            "conflits",
            "conflictos",
        ],
    ),
    (
        FolderRole::LocalFailures,
        &[
            "local failures",
            "lokale fouten",
            "falhas locais",
            "lokale fehler",
            "échecs locaux",
            "errores locales",
        ],
    ),
    (
        FolderRole::ServerFailures,
        &[
            "server failures",
            "serverfouten",
            "falhas do servidor",
            "serverfehler",
            "échecs du serveur",
            "errores del servidor",
        ],
    ),
    (
        FolderRole::ConversationHistory,
        &[
            "conversation history",
            "gespreksgeschiedenis",
            "histórico de conversa",
            "histórico de conversas",
            "unterhaltungsverlauf",
            "historique des conversations",
            "historial de conversaciones",
        ],
    ),
];

/// The role a well-known folder name stands for, in any of the languages above.
pub fn role_from_name(name: &str) -> Option<FolderRole> {
    let name = name.trim().to_lowercase();
    NAMES
        .iter()
        .find(|(_, names)| names.contains(&name.as_str()))
        .map(|(role, _)| role.clone())
}

/// The sync-problem folders sit below Sync Issues, so their names only mean something there.
pub fn is_sync_issues_child(role: &FolderRole) -> bool {
    matches!(
        role,
        FolderRole::Conflicts | FolderRole::LocalFailures | FolderRole::ServerFailures
    )
}

/// A short, stable name for a role, as the JSON output spells it.
pub fn role_key(role: &FolderRole) -> String {
    match role {
        FolderRole::Inbox => "inbox",
        FolderRole::Sent => "sent",
        FolderRole::Drafts => "drafts",
        FolderRole::Deleted => "deleted",
        FolderRole::Junk => "junk",
        FolderRole::Archive => "archive",
        FolderRole::Outbox => "outbox",
        FolderRole::All => "all",
        FolderRole::Flagged => "flagged",
        FolderRole::Calendar => "calendar",
        FolderRole::Contacts => "contacts",
        FolderRole::Tasks => "tasks",
        FolderRole::Notes => "notes",
        FolderRole::SyncIssues => "sync_issues",
        FolderRole::Conflicts => "conflicts",
        FolderRole::LocalFailures => "local_failures",
        FolderRole::ServerFailures => "server_failures",
        FolderRole::ConversationHistory => "conversation_history",
        FolderRole::Other(name) => return name.to_lowercase(),
    }
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_names_the_same_roles() {
        let cases = [
            ("Inbox", FolderRole::Inbox),
            ("Postvak IN", FolderRole::Inbox),
            ("Caixa de Entrada", FolderRole::Inbox),
            ("Posteingang", FolderRole::Inbox),
            ("Boîte de réception", FolderRole::Inbox),
            ("BANDEJA DE ENTRADA", FolderRole::Inbox),
            ("Verzonden items", FolderRole::Sent),
            ("Itens Enviados", FolderRole::Sent),
            ("Gesendete Elemente", FolderRole::Sent),
            ("Éléments envoyés", FolderRole::Sent),
            ("Elementos enviados", FolderRole::Sent),
            ("Concepten", FolderRole::Drafts),
            ("Entwürfe", FolderRole::Drafts),
            ("Verwijderde items", FolderRole::Deleted),
            ("Itens Excluídos", FolderRole::Deleted),
            ("Éléments supprimés", FolderRole::Deleted),
            ("Ongewenste e-mail", FolderRole::Junk),
            ("Correo no deseado", FolderRole::Junk),
            ("Postvak UIT", FolderRole::Outbox),
            ("Caixa de saída", FolderRole::Outbox),
            ("Boîte d'envoi", FolderRole::Outbox),
            ("Archief", FolderRole::Archive),
            ("Agenda", FolderRole::Calendar),
            ("Kalender", FolderRole::Calendar),
            ("Contactpersonen", FolderRole::Contacts),
            ("Aufgaben", FolderRole::Tasks),
            ("Tâches", FolderRole::Tasks),
            ("Notities", FolderRole::Notes),
            ("Synchronisatieproblemen", FolderRole::SyncIssues),
            ("Problèmes de synchronisation", FolderRole::SyncIssues),
            ("Lokale fouten", FolderRole::LocalFailures),
            ("Serverfehler", FolderRole::ServerFailures),
            ("  Junk E-mail ", FolderRole::Junk),
        ];
        for (name, role) in cases {
            assert_eq!(role_from_name(name), Some(role), "{name}");
        }
        assert_eq!(role_from_name("Projects"), None);
        assert_eq!(role_from_name(""), None);
    }

    #[test]
    fn no_name_stands_for_two_roles() {
        let mut seen = std::collections::HashMap::new();
        for (role, names) in NAMES {
            for name in *names {
                assert_eq!(name.to_lowercase(), *name, "tables are lower case");
                if let Some(other) = seen.insert(*name, role) {
                    panic!("{name:?} is both {other:?} and {role:?}");
                }
            }
        }
    }
}
