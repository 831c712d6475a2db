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
                match language {
                    English => format!("Copy {items} item(s) into {to}"),
                    Dutch => format!("{items} item(s) kopiëren naar {to}"),
                    Portuguese => format!("Copiar {items} item(ns) para {to}"),
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
}
