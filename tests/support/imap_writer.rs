//! Fills a test mailbox over plain IMAP on loopback with CREATE and APPEND. Deliberately
//! separate from the client under test, so the tests do not check the client with itself.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::Duration;

use ostdoctor::server::imap::utf7;

pub struct Writer {
    reader: BufReader<TcpStream>,
    tag: u32,
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

impl Writer {
    pub fn login(port: u16, user: &str, password: &str) -> Writer {
        let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut writer = Writer {
            reader: BufReader::new(stream),
            tag: 0,
        };
        let mut greeting = String::new();
        writer.reader.read_line(&mut greeting).unwrap();
        assert!(greeting.starts_with("* OK"), "{greeting}");
        let mut login = format!("LOGIN {} ", quote(user)).into_bytes();
        login.extend_from_slice(format!("{{{}+}}\r\n", password.len()).as_bytes());
        login.extend_from_slice(password.as_bytes());
        writer.command(&login);
        writer
    }

    /// CREATE a mailbox given by its Unicode path with `/` between levels.
    pub fn create(&mut self, path: &str) {
        let name = utf7::encode(path);
        self.command(format!("CREATE {}", quote(&name)).as_bytes());
    }

    /// APPEND one message with the given flags, e.g. `\Seen`, and internal date.
    pub fn append(&mut self, path: &str, flags: &str, internal_date: &str, message: &[u8]) {
        let mut command = format!(
            "APPEND {} ({flags}) \"{internal_date}\" {{{}+}}\r\n",
            quote(&utf7::encode(path)),
            message.len()
        )
        .into_bytes();
        command.extend_from_slice(message);
        self.command(&command);
    }

    /// Remove the messages whose Message-ID is one of `message_ids` from a mailbox; each must
    /// be there.
    pub fn delete_messages(&mut self, path: &str, message_ids: &[&str]) {
        self.command(format!("SELECT {}", quote(&utf7::encode(path))).as_bytes());
        let mut uids = Vec::new();
        for id in message_ids {
            let lines =
                self.command(format!("UID SEARCH HEADER Message-ID {}", quote(id)).as_bytes());
            let found: Vec<String> = lines
                .iter()
                .filter_map(|l| l.trim_end().strip_prefix("* SEARCH"))
                .flat_map(|rest| {
                    rest.split_whitespace()
                        .map(String::from)
                        .collect::<Vec<_>>()
                })
                .collect();
            assert_eq!(found.len(), 1, "{id} in {path}: {lines:?}");
            uids.extend(found);
        }
        self.command(format!("UID STORE {} +FLAGS.SILENT (\\Deleted)", uids.join(",")).as_bytes());
        self.command(b"EXPUNGE");
        self.command(b"CLOSE");
    }

    /// DELETE a mailbox given by its Unicode path.
    pub fn delete_mailbox(&mut self, path: &str) {
        self.command(format!("DELETE {}", quote(&utf7::encode(path))).as_bytes());
    }

    /// Send one command and return the untagged lines of its answer.
    fn command(&mut self, command: &[u8]) -> Vec<String> {
        self.tag += 1;
        let tag = format!("w{}", self.tag);
        let stream = self.reader.get_mut();
        stream.write_all(format!("{tag} ").as_bytes()).unwrap();
        stream.write_all(command).unwrap();
        stream.write_all(b"\r\n").unwrap();
        let mut untagged = Vec::new();
        loop {
            let mut line = String::new();
            let n = self.reader.read_line(&mut line).unwrap();
            assert!(n > 0, "server closed the connection");
            if let Some(rest) = line.strip_prefix(&format!("{tag} ")) {
                assert!(
                    rest.starts_with("OK"),
                    "{}: {line}",
                    String::from_utf8_lossy(command)
                );
                return untagged;
            }
            untagged.push(line);
        }
    }
}

/// A small RFC 5322 message.
pub fn message(message_id: &str, subject: &str, date: &str, body: &str) -> Vec<u8> {
    format!(
        "From: Bob <bob@example.com>\r\nTo: Alice <alice@example.com>\r\nSubject: {subject}\r\n\
         Date: {date}\r\nMessage-ID: {message_id}\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    )
    .into_bytes()
}
