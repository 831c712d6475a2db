//! Choosing and reaching the mailbox server, shared by `stats` and `compare`.

use std::path::PathBuf;
use std::time::Duration;

use clap::{ArgGroup, Args};
use ostdoctor::diagnose::ServerKind;
use ostdoctor::server::graph::{DeviceCodeConfig, DeviceCodeFlow, GraphConfig, GraphServer};
use ostdoctor::server::imap::{ImapConfig, ImapServer, ImapUrl, ListingMethod};
use ostdoctor::server::{MailboxServer, TlsOptions};

use super::exit::UsageError;
use super::password::password_for;

const CLIENT_ID_VARIABLE: &str = "OSTDOCTOR_GRAPH_CLIENT_ID";

#[derive(Args, Debug, Clone)]
#[group(skip)]
#[command(group(ArgGroup::new("server").required(true).args(["imap", "graph"])))]
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
    /// Give up on a server silent for this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub timeout: u64,
    /// Count with one STATUS command per folder even where the server offers LIST-STATUS.
    #[arg(long)]
    pub no_list_status: bool,
}

/// A signed-in server.
pub enum Connected {
    Imap(ImapServer),
    Graph(GraphServer),
}

impl Connected {
    pub fn server(&mut self) -> &mut dyn MailboxServer {
        match self {
            Connected::Imap(s) => s,
            Connected::Graph(s) => s,
        }
    }

    pub fn kind(&self) -> ServerKind {
        match self {
            Connected::Imap(_) => ServerKind::Imap,
            Connected::Graph(_) => ServerKind::Graph,
        }
    }

    /// How the folder counts were read, for IMAP.
    pub fn listing(&self) -> Option<&'static str> {
        match self {
            Connected::Imap(s) => s.last_listing_method().map(|m| match m {
                ListingMethod::ListStatus => "list_status",
                ListingMethod::StatusPerFolder => "status_per_folder",
            }),
            Connected::Graph(_) => None,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Connected::Imap(s) => s.describe(),
            Connected::Graph(s) => s.describe(),
        }
    }
}

impl ServerArgs {
    fn tls(&self) -> Result<TlsOptions, UsageError> {
        let mut tls = TlsOptions::default();
        if let Some(path) = &self.ca_file {
            let pem = std::fs::read_to_string(path).map_err(|e| {
                UsageError(format!("cannot read the CA file {}: {e}", path.display()))
            })?;
            tls = tls.with_extra_ca(pem);
        }
        Ok(tls)
    }

    /// Sign in to the chosen server. Errors name the server and say what went wrong.
    pub fn connect(&self) -> Result<Connected, Box<dyn std::error::Error>> {
        let timeout = Duration::from_secs(self.timeout.max(1));
        if let Some(address) = &self.imap {
            let url = ImapUrl::parse(address).map_err(|e| UsageError(e.to_string()))?;
            let secret = password_for(&url.to_string())?;
            let config = ImapConfig::from_url(&url, secret)
                .with_tls(self.tls()?)
                .with_timeout(timeout)
                .with_list_status(!self.no_list_status);
            let mut server = ImapServer::new(config);
            server.connect()?;
            return Ok(Connected::Imap(server));
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
        let authority = format!(
            "{}/{}/oauth2/v2.0",
            self.login_url.trim_end_matches('/'),
            self.tenant
        );
        let sign_in = DeviceCodeConfig {
            device_code_url: format!("{authority}/devicecode"),
            token_url: format!("{authority}/token"),
            tls: self.tls()?,
            timeout,
            ..DeviceCodeConfig::microsoft(client_id, &self.tenant)
        };
        let mut flow = DeviceCodeFlow::start(sign_in)?;
        let prompt = flow.prompt();
        match &prompt.message {
            Some(message) => eprintln!("{message}"),
            None => eprintln!(
                "To sign in, open {} and enter the code {}",
                prompt.verification_uri, prompt.user_code
            ),
        }
        let token = flow.wait(|| false)?;
        let config = GraphConfig {
            base_url: self.graph_url.clone(),
            tls: self.tls()?,
            timeout,
            ..GraphConfig::default()
        };
        Ok(Connected::Graph(GraphServer::new(
            config,
            token.access_token,
        )?))
    }
}
