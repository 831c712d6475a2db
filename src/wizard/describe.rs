//! Fix actions in words, in each wizard language.

use super::backend::Action;
use super::language::Language;

impl Action {
    pub fn describe(&self, language: Language) -> String {
        use Language::{Dutch, English, Portuguese};
        match self {
            Action::Rename { from, to } => {
                let (from, to) = (from.display(), to.display());
                match language {
                    English => format!("Rename {from} to {to}"),
                    Dutch => format!("{from} hernoemen naar {to}"),
                    Portuguese => format!("Renomear {from} para {to}"),
                }
            }
            Action::ExportToPst { items, to } => {
                let to = to.display();
                let one = language.is_one(*items as i64);
                match (language, one) {
                    (English, true) => format!("Copy {items} item into {to}"),
                    (English, false) => format!("Copy {items} items into {to}"),
                    (Dutch, true) => format!("{items} item kopiëren naar {to}"),
                    (Dutch, false) => format!("{items} items kopiëren naar {to}"),
                    (Portuguese, true) => format!("Copiar {items} item para {to}"),
                    (Portuguese, false) => format!("Copiar {items} itens para {to}"),
                }
            }
            Action::ClearOfflineItems { folder } => match language {
                English => format!("In Outlook: Clear Offline Items on folder \"{folder}\""),
                Dutch => format!("In Outlook: Offline-items wissen voor map \"{folder}\""),
                Portuguese => format!("No Outlook: Limpar Itens Offline na pasta \"{folder}\""),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_names_the_paths() {
        let action = Action::Rename {
            from: "Outlook.ost".into(),
            to: "Outlook.old".into(),
        };
        for language in Language::ALL {
            let line = action.describe(language);
            assert!(
                line.contains("Outlook.ost") && line.contains("Outlook.old"),
                "{line}"
            );
        }
        assert_ne!(
            action.describe(Language::English),
            action.describe(Language::Dutch)
        );
    }

    #[test]
    fn a_count_of_items_takes_the_form_of_its_language() {
        let copy = |items| Action::ExportToPst {
            items,
            to: "backup.pst".into(),
        };
        assert_eq!(
            copy(1).describe(Language::English),
            "Copy 1 item into backup.pst"
        );
        assert_eq!(
            copy(0).describe(Language::English),
            "Copy 0 items into backup.pst"
        );
        assert_eq!(
            copy(3).describe(Language::Dutch),
            "3 items kopiëren naar backup.pst"
        );
        assert_eq!(
            copy(0).describe(Language::Portuguese),
            "Copiar 0 item para backup.pst"
        );
        assert_eq!(
            copy(2).describe(Language::Portuguese),
            "Copiar 2 itens para backup.pst"
        );
    }
}
