//! The mailbox settings form: on the start page, and on every page of a walk (behind
//! "Mailbox settings"), so a wrong password or address is put right where the walk stands,
//! keeping everything else that was typed.

use eframe::egui;

use super::words::{Phrase, Words};
use crate::doctor::ServerSettings;
use crate::doctor::link::{DEFAULT_TIMEOUT, GRAPH_URL, LOGIN_URL};
use crate::server::{Fingerprint, Secret};
use crate::wizard::{Cause, Language};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ServerChoice {
    #[default]
    None,
    Imap,
    Graph,
}

/// The part of the form a failure page sends the person to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// Which kind of mailbox, if any.
    Choice,
    Address,
    Password,
    Certificate,
    Tenant,
}

impl Field {
    /// The words of the button that opens the form at this field.
    pub fn button(self, words: &Words) -> &Phrase {
        match self {
            Field::Choice => &words.change_choice,
            Field::Address => &words.change_address,
            Field::Password => &words.change_password,
            Field::Certificate => &words.change_certificate,
            Field::Tenant => &words.change_tenant,
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct MailboxForm {
    pub server: ServerChoice,
    pub imap_url: String,
    pub password: String,
    pub ca_file: String,
    pub client_id: String,
    pub tenant: String,
    /// The field to put the keyboard in when it is next drawn (the form may still be
    /// folded away on the frame that asks).
    focus: Option<Field>,
}

impl MailboxForm {
    pub fn new() -> Self {
        MailboxForm {
            tenant: "common".to_owned(),
            client_id: std::env::var("OSTDOCTOR_GRAPH_CLIENT_ID").unwrap_or_default(),
            ..MailboxForm::default()
        }
    }

    /// The field that puts `cause` right, as the form stands: an IMAP mailbox has its
    /// address, password and certificate; a Microsoft 365 one signs in on Microsoft's
    /// page and has only its tenant to change. `None` where no field helps (Microsoft's
    /// servers silent or untrusted: the network, not a setting, is at fault).
    pub fn field_for(&self, cause: Cause) -> Option<Field> {
        match (self.server, cause) {
            (ServerChoice::None, _) | (_, Cause::NoServerSet) => Some(Field::Choice),
            (ServerChoice::Imap, Cause::AddressNotFound | Cause::ServerSilent) => {
                Some(Field::Address)
            }
            (ServerChoice::Imap, Cause::NotSignedIn) => Some(Field::Password),
            (ServerChoice::Imap, Cause::CertificateNotTrusted) => Some(Field::Certificate),
            (ServerChoice::Graph, Cause::NotSignedIn) => Some(Field::Tenant),
            (ServerChoice::Imap, Cause::Other) | (ServerChoice::Graph, _) => None,
        }
    }

    /// Whether `other` describes the same mailbox, field for field (where the keyboard is
    /// going is no setting).
    pub fn same_settings(&self, other: &MailboxForm) -> bool {
        self.server == other.server
            && self.imap_url == other.imap_url
            && self.password == other.password
            && self.ca_file == other.ca_file
            && self.client_id == other.client_id
            && self.tenant == other.tenant
    }

    /// Puts the keyboard in `field` the next time the form is drawn.
    pub fn focus(&mut self, field: Field) {
        self.focus = Some(field);
    }

    pub fn show(&mut self, ui: &mut egui::Ui, words: &Words, lang: Language) {
        ui.horizontal(|ui| {
            ui.radio_value(
                &mut self.server,
                ServerChoice::None,
                words.server_none.get(lang),
            );
            let imap = ui.radio_value(
                &mut self.server,
                ServerChoice::Imap,
                words.server_imap.get(lang),
            );
            self.take_focus(Field::Choice, &imap);
            ui.radio_value(
                &mut self.server,
                ServerChoice::Graph,
                words.server_graph.get(lang),
            );
        });
        match self.server {
            ServerChoice::None => {}
            ServerChoice::Imap => {
                let r = field(ui, words.imap_address.get(lang), &mut self.imap_url, false);
                self.take_focus(Field::Address, &r);
                let r = field(ui, words.password.get(lang), &mut self.password, true);
                self.take_focus(Field::Password, &r);
                let r = field(ui, words.ca_file.get(lang), &mut self.ca_file, false);
                self.take_focus(Field::Certificate, &r);
            }
            ServerChoice::Graph => {
                field(ui, words.client_id.get(lang), &mut self.client_id, false);
                let r = field(ui, words.tenant.get(lang), &mut self.tenant, false);
                self.take_focus(Field::Tenant, &r);
            }
        }
        // A field asked for and not drawn (the person chose another kind of mailbox
        // meanwhile) must not take the keyboard later, out of the blue.
        self.focus = None;
    }

    /// Gives `response` the keyboard, and brings it into view, if `field` was asked for.
    fn take_focus(&mut self, field: Field, response: &egui::Response) {
        if self.focus == Some(field) {
            self.focus = None;
            response.request_focus();
            response.scroll_to_me(Some(egui::Align::Center));
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

fn field(ui: &mut egui::Ui, label: &str, value: &mut String, secret: bool) -> egui::Response {
    ui.horizontal(|ui| {
        let label = ui.label(label);
        ui.add(
            egui::TextEdit::singleline(value)
                .password(secret)
                .desired_width(360.0),
        )
        .labelled_by(label.id)
    })
    .inner
}
