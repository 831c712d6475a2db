//! The words a synchronization log uses for its steps, in the languages of the Outlooks
//! people bring: English, Dutch, German and Portuguese (Brazil and Portugal).
//!
//! Each step is known by the product term for its part of the mailbox (address book,
//! Organization Forms, public folders, hierarchy), as Microsoft's terminology has it in
//! each language, matched as a word anywhere in the line, never as a whole sentence: each
//! language puts the verb elsewhere ("Synchronizing Hierarchy", "Hiërarchie
//! synchroniseren", "Hierarchie wird synchronisiert", "Sincronizando Hierarquia"), and a
//! guessed sentence would match nothing real while the term matches every word order.
//! Terms are lower case; lines are lowered before matching.

/// A step of the synchronization and the terms that name it.
pub struct Step {
    pub terms: &'static [&'static str],
}

impl Step {
    /// Whether `lower` (a lowered line) names this step.
    pub fn named_in(&self, lower: &str) -> bool {
        self.terms.iter().any(|t| lower.contains(t))
    }
}

/// The offline address book: "Downloading Offline Address Book".
pub const ADDRESS_BOOK: Step = Step {
    terms: &[
        "address book",
        "adresboek",
        "adressbuch",
        "catálogo de endereços",
        "livro de endereços",
    ],
};

/// Organization Forms (the Exchange forms library): "Synchronizing Organization Forms".
pub const FORMS: Step = Step {
    terms: &[
        "forms",
        "formulieren",
        "formulare",
        "formulários",
        "formularios",
    ],
};

/// Public folders: "Synchronizing Public Folders".
pub const PUBLIC_FOLDERS: Step = Step {
    terms: &[
        "public folder",
        "openbare map",
        "öffentliche ordner",
        "öffentlichen ordner",
        "pasta pública",
        "pastas públicas",
        "pastas publicas",
    ],
};

/// The folder tree: "Synchronizing Hierarchy".
pub const HIERARCHY: Step = Step {
    terms: &["hierarchy", "hiërarchie", "hierarchie", "hierarquia"],
};

/// A mailbox as a whole: "Synchronizing Mailbox 'NAME'".
pub const MAILBOX: Step = Step {
    terms: &["mailbox", "postvak", "postfach", "caixa de correio"],
};

/// The server's changes to one folder: "Synchronizing server changes in folder 'X'".
pub const SERVER_CHANGES: Step = Step {
    terms: &[
        "server changes",
        "serverwijzigingen",
        "wijzigingen op de server",
        "serveränderungen",
        "änderungen auf dem server",
        "alterações do servidor",
        "alterações no servidor",
    ],
};

/// This computer's changes to one folder: "Synchronizing local changes in folder 'X'".
pub const LOCAL_CHANGES: Step = Step {
    terms: &[
        "local changes",
        "lokale wijzigingen",
        "lokale änderungen",
        "alterações locais",
    ],
};

/// Reading changes from the server: "Downloading from server 'URL'".
pub const DOWNLOADING: Step = Step {
    terms: &[
        "downloading from server",
        "downloaden van server",
        "downloaden van de server",
        "herunterladen vom server",
        "baixando do servidor",
        "transferindo do servidor",
        "a transferir do servidor",
    ],
};

/// Sending changes to the server: "Uploading to server 'URL'".
pub const UPLOADING: Step = Step {
    terms: &[
        "uploading to server",
        "uploaden naar server",
        "uploaden naar de server",
        "hochladen auf den server",
        "hochladen zum server",
        "carregando no servidor",
        "enviando para o servidor",
        "a carregar para o servidor",
    ],
};

/// The end of a run: "Done".
pub const DONE: &[&str] = &[
    "done",
    "gereed",
    "voltooid",
    "fertig",
    "concluído",
    "concluido",
];

/// A run that stopped: "Terminated in error".
pub const TERMINATED: &[&str] = &[
    "terminated",
    "beëindigd",
    "afgebroken",
    "beendet",
    "abgebrochen",
    "encerrado",
    "terminado",
];

/// One item that failed: "Error synchronizing message 'X'".
pub const ERROR_ITEM: &[&str] = &[
    "error synchronizing",
    "fout bij synchroniseren",
    "fout bij het synchroniseren",
    "fehler beim synchronisieren",
    "erro ao sincronizar",
];

/// Words that mark a line as reporting a failure.
pub const FAILURE: &[&str] = &[
    "error",
    "failed",
    "could not",
    "cannot",
    "unable to",
    "fout",
    "mislukt",
    "kan niet",
    "fehler",
    "fehlgeschlagen",
    "konnte nicht",
    "erro",
    "falha",
    "falhou",
    "não foi possível",
];

/// Words a line reporting a failure starts with: such a line opens a new error rather
/// than explaining the one before. Not the bare nouns of the other languages ("Fehler",
/// "Fout", "Erro"): their logs start the explanation of an error with them too ("Fehler
/// beim Clientvorgang." for "The client operation failed.").
pub const FAILURE_OPENING: &[&str] = &[
    "error",
    "could not",
    "cannot",
    "unable",
    "failed to",
    "kan niet",
    "konnte nicht",
    "não foi possível",
];

/// The words for a changed item, folder and view in the counted lines ("12 item(s)
/// updated in offline folder", "3 Element(e) ...", "3 pasta(s) ...").
pub const ITEMS: &[&str] = &["item", "element", "itens", "objekt"];
pub const FOLDERS: &[&str] = &["folder", "map", "ordner", "pasta"];
pub const VIEWS: &[&str] = &[
    "view",
    "form",
    "weergave",
    "ansicht",
    "formular",
    "modo de exibição",
];

/// Whether `lower` is exactly one of `words`, a full stop allowed after it.
pub fn is_one_of(lower: &str, words: &[&str]) -> bool {
    let l = lower.trim_end_matches('.');
    words.contains(&l)
}

/// Whether `lower` begins with one of `words`.
pub fn starts_with_one_of(lower: &str, words: &[&str]) -> bool {
    words.iter().any(|w| lower.starts_with(w))
}

/// Whether `lower` holds one of `words` anywhere.
pub fn holds_one_of(lower: &str, words: &[&str]) -> bool {
    words.iter().any(|w| lower.contains(w))
}
