//! The mailbox settings form: on the start page, and on every page of a walk (behind
//! "Mailbox settings"), so a wrong password or address is put right where the walk stands,
//! keeping everything else that was typed.

use eframe::egui;

use super::words::Words;
use crate::doctor::ServerSettings;
use crate::doctor::link::{DEFAULT_TIMEOUT, GRAPH_URL, LOGIN_URL};
use crate::server::{Fingerprint, Secret};
use crate::wizard::Language;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ServerChoice {
    #[default]
    None,
    Imap,
    Graph,
}

#[derive(Clone, Debug, Default)]
pub struct MailboxForm {
    pub server: ServerChoice,
    pub imap_url: String,
    pub password: String,
    pub ca_file: String,
    pub client_id: String,
    pub tenant: String,
}

impl MailboxForm {
    pub fn new() -> Self {
        MailboxForm {
            tenant: "common".to_owned(),
            client_id: std::env::var("OSTDOCTOR_GRAPH_CLIENT_ID").unwrap_or_default(),
            ..MailboxForm::default()
        }
    }

    pub fn show(&mut self, ui: &mut egui::Ui, words: &Words, lang: Language) {
        ui.horizontal(|ui| {
            ui.radio_value(
                &mut self.server,
                ServerChoice::None,
                words.server_none.get(lang),
            );
            ui.radio_value(
                &mut self.server,
                ServerChoice::Imap,
                words.server_imap.get(lang),
            );
            ui.radio_value(
                &mut self.server,
                ServerChoice::Graph,
                words.server_graph.get(lang),
            );
        });
        match self.server {
            ServerChoice::None => {}
            ServerChoice::Imap => {
                field(ui, words.imap_address.get(lang), &mut self.imap_url, false);
                field(ui, words.password.get(lang), &mut self.password, true);
                field(ui, words.ca_file.get(lang), &mut self.ca_file, false);
            }
            ServerChoice::Graph => {
                field(ui, words.client_id.get(lang), &mut self.client_id, false);
                field(ui, words.tenant.get(lang), &mut self.tenant, false);
            }
        }
    }

    /// The settings the form describes; `Err` says, in `lang`, what cannot be used.
    pub fn settings(
        &self,
        words: &Words,
        lang: Language,
    ) -> Result<Option<ServerSettings>, String> {
        let ca_path = self.ca_file.trim();
        // The field takes a certificate file, or the fingerprint a refused connection
        // showed and the server's owner confirmed.
        let fingerprint = Fingerprint::parse(ca_path).ok();
        let extra_ca =
            if ca_path.is_empty() || self.server != ServerChoice::Imap || fingerprint.is_some() {
                None
            } else {
                Some(
                    std::fs::read_to_string(ca_path).map_err(|e| {
                        format!("{} {ca_path}: {e}", words.cannot_read_ca.get(lang))
                    })?,
                )
            };
        Ok(match self.server {
            ServerChoice::None => None,
            ServerChoice::Imap => Some(ServerSettings::Imap {
                url: self.imap_url.trim().to_owned(),
                password: Secret::new(self.password.clone()),
                extra_ca,
                trusted_fingerprint: fingerprint,
                list_status: true,
                timeout: DEFAULT_TIMEOUT,
            }),
            ServerChoice::Graph => Some(ServerSettings::Graph {
                client_id: self.client_id.trim().to_owned(),
                tenant: self.tenant.trim().to_owned(),
                graph_url: GRAPH_URL.to_owned(),
                login_url: LOGIN_URL.to_owned(),
                extra_ca: None,
                timeout: DEFAULT_TIMEOUT,
            }),
        })
    }
}

fn field(ui: &mut egui::Ui, label: &str, value: &mut String, secret: bool) {
    ui.horizontal(|ui| {
        let label = ui.label(label);
        ui.add(
            egui::TextEdit::singleline(value)
                .password(secret)
                .desired_width(360.0),
        )
        .labelled_by(label.id);
    });
}
