//! One IMAP connection from greeting to authenticated state, and the tagged command loop
//! the folder and item code run their commands through.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::response::{Limits, Response, Status, capability_code, read_response, shown};
use super::transport::Transport;
use super::{ImapAuth, ImapConfig, OperationLimits, Security};
use crate::server::net::is_loopback;
use crate::server::{Secret, ServerError, ServerErrorKind};

/// Untagged answers kept for a command whose answer is a line or two.
const SHORT_ANSWERS: usize = 1_000;

pub(crate) struct Session {
    transport: Transport,
    caps: Vec<String>,
    next_tag: u32,
    limits: Limits,
    operation: OperationLimits,
    /// Answers read and the byte count at the start of the operation under way.
    responses: u64,
    bytes_at_start: u64,
    server: String,
    /// Commands sent so far, including the sign-in; a measure of round trips.
    pub commands_sent: u64,
}

impl Session {
    /// Connect, secure the connection as configured, and sign in.
    pub fn open(config: &ImapConfig, server: &str) -> Result<Session, ServerError> {
        let fail = |action: &str, kind| ServerError::new(server, action, kind);
        if config.security == Security::Plaintext && !is_loopback(&config.host, config.port) {
            return Err(fail(
                "connect",
                ServerErrorKind::Config(format!(
                    "refusing to send credentials without TLS to {}: plaintext is only allowed \
                     to a loopback address",
                    config.host
                )),
            ));
        }
        let mut transport = Transport::connect(&config.host, config.port, config.timeout)
            .map_err(|k| fail("connect", k))?;
        // Signing in is an operation of its own, from the first byte of the handshake.
        transport.set_deadline(Some(config.limits.deadline));
        if config.security == Security::Tls {
            let tls = config
                .tls
                .client_config()
                .map_err(|k| fail("TLS handshake", k))?;
            transport = transport
                .start_tls(tls, &config.host)
                .map_err(|k| fail("TLS handshake", k))?;
        }
        let mut session = Session {
            transport,
            caps: Vec::new(),
            next_tag: 1,
            limits: Limits::default(),
            operation: config.limits,
            responses: 0,
            bytes_at_start: 0,
            server: server.to_string(),
            commands_sent: 0,
        };
        let preauth = session.greeting()?;
        if config.security == Security::StartTls {
            if preauth {
                return Err(session.error(
                    "STARTTLS",
                    ServerErrorKind::Unsupported(
                        "the server signed in before TLS could start (PREAUTH)".into(),
                    ),
                ));
            }
            session = session.start_tls(config)?;
        }
        if !preauth {
            session.authenticate(&config.auth)?;
        }
        if session.caps.is_empty() {
            session.refresh_capabilities()?;
        }
        Ok(session)
    }

    /// Starts the bounds of a new operation: its deadline from now, its answers and bytes
    /// counted from zero.
    pub fn begin_operation(&mut self) {
        self.transport.set_deadline(Some(self.operation.deadline));
        self.responses = 0;
        self.bytes_at_start = self.transport.bytes_read();
    }

    /// Between operations nothing is read; the deadline is lifted so that a later LOGOUT
    /// is still sent.
    pub fn end_operation(&mut self) {
        self.transport.set_deadline(None);
    }

    pub fn error(&self, action: &str, kind: ServerErrorKind) -> ServerError {
        ServerError::new(&self.server, action, kind)
    }

    pub fn has_capability(&self, cap: &str) -> bool {
        self.caps.iter().any(|c| c.eq_ignore_ascii_case(cap))
    }

    pub fn is_tls(&self) -> bool {
        self.transport.is_tls()
    }

    fn greeting(&mut self) -> Result<bool, ServerError> {
        match self.read("greeting")? {
            Response::UntaggedStatus {
                status: status @ (Status::Ok | Status::PreAuth),
                text,
            } => {
                if let Some(caps) = capability_code(&text) {
                    self.caps = caps;
                }
                Ok(status == Status::PreAuth)
            }
            Response::UntaggedStatus {
                status: Status::Bye,
                text,
            } => Err(self.error("greeting", ServerErrorKind::Bye(text))),
            other => Err(self.error(
                "greeting",
                ServerErrorKind::Protocol(format!("expected a greeting, got {other:?}")),
            )),
        }
    }

    fn start_tls(mut self, config: &ImapConfig) -> Result<Session, ServerError> {
        self.ensure_capabilities()?;
        if !self.has_capability("STARTTLS") {
            // Never fall back to plaintext silently: that is what a downgrade attack wants.
            return Err(self.error(
                "STARTTLS",
                ServerErrorKind::Unsupported("STARTTLS is not offered".into()),
            ));
        }
        self.run("STARTTLS", "STARTTLS")?;
        let tls = config
            .tls
            .client_config()
            .map_err(|k| self.error("TLS handshake", k))?;
        let plain = self.transport;
        self.transport = plain
            .start_tls(tls, &config.host)
            .map_err(|k| ServerError::new(&self.server, "TLS handshake", k))?;
        // Capabilities seen before TLS may have been forged; ask again (RFC 3501 6.2.1).
        self.caps.clear();
        self.refresh_capabilities()?;
        Ok(self)
    }

    /// Asks for capabilities unless the greeting or an earlier answer already gave them.
    fn ensure_capabilities(&mut self) -> Result<(), ServerError> {
        if self.caps.is_empty() {
            self.refresh_capabilities()?;
        }
        Ok(())
    }

    pub fn refresh_capabilities(&mut self) -> Result<(), ServerError> {
        for response in self.run("CAPABILITY", "CAPABILITY")? {
            if let Response::Capability(caps) = response {
                self.caps = caps;
            }
        }
        Ok(())
    }

    fn authenticate(&mut self, auth: &ImapAuth) -> Result<(), ServerError> {
        match auth {
            ImapAuth::Password { user, password } => {
                self.ensure_capabilities()?;
                if self.has_capability("AUTH=PLAIN") {
                    let mut initial = Vec::new();
                    initial.push(0);
                    initial.extend_from_slice(user.as_bytes());
                    initial.push(0);
                    initial.extend_from_slice(password.expose().as_bytes());
                    let result = self.sasl("PLAIN", &initial);
                    initial.fill(0);
                    result
                } else {
                    self.login(user, password.expose())
                }
            }
            ImapAuth::OAuth2 { user, access_token } => {
                self.ensure_capabilities()?;
                if !self.has_capability("AUTH=XOAUTH2") {
                    return Err(self.error(
                        "AUTHENTICATE XOAUTH2",
                        ServerErrorKind::Unsupported("XOAUTH2 sign-in is not offered".into()),
                    ));
                }
                let mut initial = format!(
                    "user={user}\x01auth=Bearer {}\x01\x01",
                    access_token.expose()
                )
                .into_bytes();
                let result = self.sasl("XOAUTH2", &initial);
                initial.fill(0);
                result
            }
        }
    }

    /// A SASL exchange with one initial response. Challenges after it carry the server's
    /// reason for refusing (XOAUTH2 sends a JSON error); they are answered with an empty
    /// response, as the mechanisms require, and kept for the error message.
    fn sasl(&mut self, mechanism: &str, initial: &[u8]) -> Result<(), ServerError> {
        let action = format!("AUTHENTICATE {mechanism}");
        // Held as secrets so the encoded credentials are wiped when dropped.
        let encoded = Secret::new(BASE64.encode(initial));
        let tag = self.tag();
        let mut sent_initial = self.has_capability("SASL-IR");
        let line = Secret::new(if sent_initial {
            format!("{tag} AUTHENTICATE {mechanism} {}\r\n", encoded.expose())
        } else {
            format!("{tag} AUTHENTICATE {mechanism}\r\n")
        });
        self.write(line.expose(), &action)?;
        let mut challenges = Vec::new();
        loop {
            match self.read(&action)? {
                Response::Continuation(challenge) => {
                    if challenges.len() >= 4 {
                        return Err(self.error(
                            &action,
                            ServerErrorKind::Protocol("too many challenges".into()),
                        ));
                    }
                    let reply = Secret::new(if sent_initial {
                        let decoded = BASE64.decode(challenge.trim()).unwrap_or_default();
                        challenges.push(String::from_utf8_lossy(&decoded).into_owned());
                        String::from("\r\n")
                    } else {
                        sent_initial = true;
                        format!("{}\r\n", encoded.expose())
                    });
                    self.write(reply.expose(), &action)?;
                }
                Response::Tagged {
                    tag: t,
                    status,
                    text,
                } if t == tag => {
                    return match status {
                        Status::Ok => {
                            if let Some(caps) = capability_code(&text) {
                                self.caps = caps;
                            } else {
                                self.caps.clear();
                            }
                            Ok(())
                        }
                        _ => {
                            let mut reason = text;
                            for c in challenges.iter().filter(|c| !c.is_empty()) {
                                reason.push_str(&format!(" ({c})"));
                            }
                            Err(self.error(&action, ServerErrorKind::Authentication(reason)))
                        }
                    };
                }
                response => self.untagged_check(&action, &response)?,
            }
        }
    }

    fn login(&mut self, user: &str, password: &str) -> Result<(), ServerError> {
        let action = "LOGIN";
        if self.has_capability("LOGINDISABLED") {
            return Err(self.error(
                action,
                ServerErrorKind::Unsupported(
                    "password sign-in is disabled on this connection".into(),
                ),
            ));
        }
        let tag = self.tag();
        let mut line = format!("{tag} LOGIN ").into_bytes();
        self.push_astring(&mut line, user.as_bytes(), action)?;
        line.push(b' ');
        self.push_astring(&mut line, password.as_bytes(), action)?;
        line.extend_from_slice(b"\r\n");
        let result = self.write_bytes(&line, action);
        line.fill(0);
        result?;
        loop {
            match self.read(action)? {
                Response::Tagged {
                    tag: t,
                    status,
                    text,
                } if t == tag => {
                    return match status {
                        Status::Ok => {
                            self.caps = capability_code(&text).unwrap_or_default();
                            Ok(())
                        }
                        _ => Err(self.error(action, ServerErrorKind::Authentication(text))),
                    };
                }
                response => self.untagged_check(action, &response)?,
            }
        }
    }

    /// A quoted string where possible; otherwise a non-synchronizing literal, which needs
    /// LITERAL+ (a synchronizing one would need a round trip mid-command).
    fn push_astring(
        &self,
        out: &mut Vec<u8>,
        value: &[u8],
        action: &str,
    ) -> Result<(), ServerError> {
        if value.iter().all(|&b| (0x20..0x7f).contains(&b)) {
            out.push(b'"');
            for &b in value {
                if b == b'"' || b == b'\\' {
                    out.push(b'\\');
                }
                out.push(b);
            }
            out.push(b'"');
            Ok(())
        } else if self.has_capability("LITERAL+") {
            out.extend_from_slice(format!("{{{}+}}\r\n", value.len()).as_bytes());
            out.extend_from_slice(value);
            Ok(())
        } else {
            Err(self.error(
                action,
                ServerErrorKind::Unsupported(
                    "non-ASCII user names or passwords need AUTH=PLAIN or LITERAL+".into(),
                ),
            ))
        }
    }

    fn tag(&mut self) -> String {
        let tag = format!("a{}", self.next_tag);
        self.next_tag += 1;
        self.commands_sent += 1;
        tag
    }

    fn write(&mut self, text: &str, action: &str) -> Result<(), ServerError> {
        self.write_bytes(text.as_bytes(), action)
    }

    fn write_bytes(&mut self, bytes: &[u8], action: &str) -> Result<(), ServerError> {
        self.transport
            .write_all(bytes)
            .map_err(|k| ServerError::new(&self.server, action, k))
    }

    pub fn read(&mut self, action: &str) -> Result<Response, ServerError> {
        let response = read_response(&mut self.transport, &self.limits)
            .map_err(|k| ServerError::new(&self.server, action, k))?;
        self.responses += 1;
        if self.responses > self.operation.responses {
            return Err(self.error(
                action,
                ServerErrorKind::TooLarge(format!(
                    "more than {} answers to one request",
                    self.operation.responses
                )),
            ));
        }
        let bytes = self.transport.bytes_read() - self.bytes_at_start;
        if bytes > self.operation.bytes {
            return Err(self.error(
                action,
                ServerErrorKind::TooLarge(format!(
                    "more than {} MiB in answer to one request",
                    self.operation.bytes >> 20
                )),
            ));
        }
        Ok(response)
    }

    /// Send a command without waiting for its result; returns its tag.
    pub fn send(&mut self, command: &str, action: &str) -> Result<String, ServerError> {
        let tag = self.tag();
        self.write(&format!("{tag} {command}\r\n"), action)?;
        Ok(tag)
    }

    /// Send a command whose middle argument is a mailbox name or other string, quoted or
    /// sent as a literal as its bytes require; returns its tag.
    pub fn send_with_string(
        &mut self,
        before: &str,
        value: &str,
        after: &str,
        action: &str,
    ) -> Result<String, ServerError> {
        let mut line = Vec::new();
        self.push_astring(&mut line, value.as_bytes(), action)?;
        let tag = self.tag();
        let mut bytes = format!("{tag} {before}").into_bytes();
        bytes.extend_from_slice(&line);
        bytes.extend_from_slice(after.as_bytes());
        bytes.extend_from_slice(b"\r\n");
        self.write_bytes(&bytes, action)?;
        Ok(tag)
    }

    /// Send a command and collect its untagged responses up to its tagged result. NO and BAD
    /// become errors carrying the server's text.
    /// Only for commands with short answers (CAPABILITY, STARTTLS): what a server pads
    /// them with is kept only up to `SHORT_ANSWERS` responses.
    pub fn run(&mut self, command: &str, action: &str) -> Result<Vec<Response>, ServerError> {
        let mut untagged = Vec::new();
        let tag = self.send(command, action)?;
        let server = self.server.clone();
        self.finish(&tag, action, |r| {
            if untagged.len() >= SHORT_ANSWERS {
                return Err(ServerError::new(
                    &server,
                    action,
                    ServerErrorKind::TooLarge(format!(
                        "more than {SHORT_ANSWERS} answers to {action}"
                    )),
                ));
            }
            untagged.push(r);
            Ok(())
        })?;
        Ok(untagged)
    }

    /// Read up to the tagged result of `tag`, handing each untagged response to `each` as it
    /// arrives, so that long results need not be held twice.
    pub fn finish(
        &mut self,
        tag: &str,
        action: &str,
        mut each: impl FnMut(Response) -> Result<(), ServerError>,
    ) -> Result<String, ServerError> {
        loop {
            match self.read(action)? {
                Response::Tagged {
                    tag: t,
                    status,
                    text,
                } if t == tag => {
                    return match status {
                        Status::Ok => Ok(text),
                        _ => Err(self.error(action, ServerErrorKind::Refused(text))),
                    };
                }
                Response::Tagged { text, .. } => {
                    return Err(self.error(
                        action,
                        ServerErrorKind::Protocol(format!("result for a command not sent: {text}")),
                    ));
                }
                Response::Continuation(text) => {
                    return Err(self.error(
                        action,
                        ServerErrorKind::Protocol(format!(
                            "unexpected continuation: {}",
                            shown(text.as_bytes())
                        )),
                    ));
                }
                response => {
                    self.untagged_check(action, &response)?;
                    each(response)?;
                }
            }
        }
    }

    /// Untagged responses that matter whatever the command: BYE ends the session, and a
    /// capability list replaces the one known.
    pub fn untagged_check(&mut self, action: &str, response: &Response) -> Result<(), ServerError> {
        match response {
            Response::UntaggedStatus {
                status: Status::Bye,
                text,
            } => Err(self.error(action, ServerErrorKind::Bye(text.clone()))),
            Response::Capability(caps) => {
                self.caps = caps.clone();
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Say goodbye without waiting for the answer.
    pub fn logout(mut self) {
        let tag = self.tag();
        let _ = self
            .transport
            .write_all(format!("{tag} LOGOUT\r\n").as_bytes());
        self.transport.shutdown();
    }
}
