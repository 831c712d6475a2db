//! A one-connection IMAP server on loopback that follows a script: for the failures a real
//! Dovecot will not produce (a server that trickles, floods, lies or pads). It greets,
//! signs anyone in, and hands every other command to the script, which writes what it
//! likes to the socket for as long as it likes.

use std::io::{self, BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

/// Greets with IMAP4rev1 and AUTH=PLAIN SASL-IR, so a password sign-in is one round trip.
pub const GREETING: &str = "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] hi\r\n";

/// Starts the server and returns its port. `greeting` is sent first; each command line
/// (tag and command split) then goes to `reply`, which writes the answer. A write error
/// (the client gave up) ends the connection.
pub fn serve(
    greeting: &'static str,
    reply: impl Fn(&str, &str, &mut TcpStream) -> io::Result<()> + Send + 'static,
) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let Ok((mut stream, _)) = listener.accept() else {
            return;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
        let _ = stream.write_all(greeting.as_bytes());
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut line = String::new();
        while reader.read_line(&mut line).unwrap_or(0) > 0 {
            let (tag, command) = line.trim_end().split_once(' ').unwrap_or(("", ""));
            if reply(tag, command, &mut stream).is_err() {
                return;
            }
            line.clear();
        }
    });
    port
}

/// A script that signs in every AUTHENTICATE and answers the rest with `rest`.
pub fn signed_in(
    rest: impl Fn(&str, &str, &mut TcpStream) -> io::Result<()> + Send + 'static,
) -> u16 {
    serve(GREETING, move |tag, command, out| {
        if command.starts_with("AUTHENTICATE") {
            write!(out, "{tag} OK [CAPABILITY IMAP4rev1] in\r\n")
        } else if command.starts_with("LOGOUT") {
            write!(out, "* BYE\r\n{tag} OK bye\r\n")
        } else {
            rest(tag, command, out)
        }
    })
}
