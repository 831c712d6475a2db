//! Choosing and reaching the mailbox server, shared by `stats` and `compare`.

use std::path::PathBuf;
use std::time::Duration;

use clap::{ArgGroup, Args};
use ostdoctor::doctor::{Connection, ServerSettings};
use ostdoctor::server::Fingerprint;
use ostdoctor::server::graph::DeviceCodePrompt;
use ostdoctor::server::imap::ImapUrl;

use super::exit::UsageError;
use super::password::password_for;

const CLIENT_ID_VARIABLE: &str = "OSTDOCTOR_GRAPH_CLIENT_ID";

#[derive(Args, Debug, Clone)]
#[group(skip)]
#[command(group(ArgGroup::new("server").args(["imap", "graph"])))]
pub struct ServerArgs {
    /// The IMAP mailbox: imaps://user@host[:port], or imap://user@host[:port] for STARTTLS.
    /// The password comes from OSTDOCTOR_PASSWORD or is asked for.
    #[arg(long, value_name = "URL")]
    pub imap: Option<String>,
    /// The Microsoft 365 / Outlook.com mailbox through Microsoft Graph, signing in with a
    /// device code.
    #[arg(long)]
    pub graph: bool,
    /// The application (client) id registered in Microsoft Entra ID for --graph (or
    /// OSTDOCTOR_GRAPH_CLIENT_ID).
    #[arg(long, value_name = "ID")]
    pub client_id: Option<String>,
    /// The tenant to sign in to for --graph: common, organizations, consumers, or a tenant id
    /// or domain.
    #[arg(long, default_value = "common")]
    pub tenant: String,
    /// Microsoft Graph's address, for national clouds.
    #[arg(
        long,
        value_name = "URL",
        default_value = "https://graph.microsoft.com/v1.0"
    )]
    pub graph_url: String,
    /// The sign-in authority, for national clouds.
    #[arg(
        long,
        value_name = "URL",
        default_value = "https://login.microsoftonline.com"
    )]
    pub login_url: String,
    /// Also trust this certificate authority (a PEM file), such as a company's own.
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
    /// Trust the IMAP server's certificate with this SHA-256 fingerprint (as a refused
    /// connection shows it), once the server's owner has confirmed it: for a server with
    /// its own self-signed certificate.
    #[arg(long, value_name = "SHA256")]
    pub trust_fingerprint: Option<String>,
    /// Give up on a server silent for this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub timeout: u64,
    /// Count with one STATUS command per folder even where the server offers LIST-STATUS.
    #[arg(long)]
    pub no_list_status: bool,
}

impl ServerArgs {
    fn extra_ca(&self) -> Result<Option<String>, UsageError> {
        self.ca_file
            .as_ref()
            .map(|path| {
                std::fs::read_to_string(path).map_err(|e| {
                    UsageError(format!("cannot read the CA file {}: {e}", path.display()))
                })
            })
            .transpose()
    }

    /// The mailbox named on the command line, `None` when none was. The IMAP password is
    /// read here (see `password_for`).
    pub fn settings(&self) -> Result<Option<ServerSettings>, UsageError> {
        let timeout = Duration::from_secs(self.timeout.max(1));
        if let Some(address) = &self.imap {
            let url = ImapUrl::parse(address).map_err(|e| UsageError(e.to_string()))?;
            return Ok(Some(ServerSettings::Imap {
                url: address.clone(),
                password: password_for(&url.to_string())?,
                extra_ca: self.extra_ca()?,
                trusted_fingerprint: self
                    .trust_fingerprint
                    .as_deref()
                    .map(Fingerprint::parse)
                    .transpose()
                    .map_err(|e| UsageError(format!("--trust-fingerprint: {e}")))?,
                list_status: !self.no_list_status,
                timeout,
            }));
        }
        if !self.graph {
            return Ok(None);
        }
        let client_id = self
            .client_id
            .clone()
            .or_else(|| std::env::var(CLIENT_ID_VARIABLE).ok())
            .filter(|id| !id.is_empty())
            .ok_or_else(|| {
                UsageError(format!(
                    "--graph needs the application id registered for this tool: --client-id \
                     or {CLIENT_ID_VARIABLE}"
                ))
            })?;
        Ok(Some(ServerSettings::Graph {
            client_id,
            tenant: self.tenant.clone(),
            graph_url: self.graph_url.clone(),
            login_url: self.login_url.clone(),
            extra_ca: self.extra_ca()?,
            timeout,
        }))
    }

    /// Sign in to the chosen server. Errors name the server and say what went wrong.
    pub fn connect(&self) -> Result<Connection, Box<dyn std::error::Error>> {
        let settings = self
            .settings()?
            .ok_or_else(|| UsageError("name the mailbox: --imap URL or --graph".into()))?;
        // Ctrl-C ends the whole process; nothing here cancels.
        Ok(settings.connect(&mut show_prompt, &ostdoctor::work::CancelToken::new())?)
    }
}

/// Tells the person how to finish a device-code sign-in.
pub fn show_prompt(prompt: &DeviceCodePrompt) {
    match &prompt.message {
        Some(message) => eprintln!("{message}"),
        None => eprintln!(
            "To sign in, open {} and enter the code {}",
            prompt.verification_uri, prompt.user_code
        ),
    }
}
