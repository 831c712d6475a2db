//! The byte stream under an IMAP session: a TCP socket, with TLS from the start or after
//! STARTTLS, read through a buffer with bounded lines and literals, every read and write
//! bounded by the idle timeout and by the deadline of the operation under way.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection, StreamOwned};

use crate::server::ServerErrorKind;
use crate::server::net::resolve;
use crate::server::tls::{io_error_kind, tls_error_kind};

/// The TCP socket with the two bounds on waiting. TLS sits on top of it, so a handshake or
/// a record trickled a byte at a time is bounded exactly as plain text is: the idle
/// `timeout` alone would let a byte every few seconds go on for ever.
struct Socket {
    tcp: TcpStream,
    timeout: Duration,
    /// When the operation under way must be over, and the bound it was given.
    deadline: Option<(Instant, Duration)>,
    /// The read and write timeout the socket has now: the idle timeout, or less near the
    /// deadline (changed only when it must be, to spare a system call per read).
    wait: Duration,
    /// Bytes received since the connection opened.
    received: u64,
}

/// Carried inside an `io::Error` from [`Socket`] to the transport, which turns it back
/// into [`ServerErrorKind::Deadline`].
#[derive(Debug)]
struct PastDeadline(Duration);

impl std::fmt::Display for PastDeadline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "past the deadline of {:?}", self.0)
    }
}

impl std::error::Error for PastDeadline {}

impl Socket {
    /// Before each read or write: fails once the deadline has passed, and otherwise lets
    /// the socket wait no longer than the idle timeout or what is left before the
    /// deadline, whichever is shorter.
    fn bound_wait(&mut self) -> io::Result<()> {
        let wait = match self.deadline {
            None => self.timeout,
            Some((at, limit)) => {
                let left = at.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(io::Error::other(PastDeadline(limit)));
                }
                left.min(self.timeout)
            }
        };
        // Shrinking near the deadline, or back to the idle timeout for the next operation.
        if wait < self.wait || (wait > self.wait && self.wait < self.timeout) {
            self.tcp.set_read_timeout(Some(wait))?;
            self.tcp.set_write_timeout(Some(wait))?;
            self.wait = wait;
        }
        Ok(())
    }
}

impl Read for Socket {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.bound_wait()?;
        let n = self.tcp.read(buf)?;
        self.received += n as u64;
        Ok(n)
    }
}

impl Write for Socket {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.bound_wait()?;
        self.tcp.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.tcp.flush()
    }
}

enum Stream {
    Plain(Socket),
    Tls(Box<StreamOwned<ClientConnection, Socket>>),
}

impl Stream {
    fn socket(&self) -> &Socket {
        match self {
            Stream::Plain(s) => s,
            Stream::Tls(s) => &s.sock,
        }
    }

    fn socket_mut(&mut self) -> &mut Socket {
        match self {
            Stream::Plain(s) => s,
            Stream::Tls(s) => &mut s.sock,
        }
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.read(buf),
            Stream::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.write(buf),
            Stream::Tls(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Plain(s) => s.flush(),
            Stream::Tls(s) => s.flush(),
        }
    }
}

pub(crate) struct Transport {
    stream: Stream,
    buf: Box<[u8]>,
    start: usize,
    end: usize,
}

impl Transport {
    /// Open a TCP connection, trying each resolved address in turn, with `timeout` bounding
    /// the connect and every later read and write.
    pub fn connect(host: &str, port: u16, timeout: Duration) -> Result<Transport, ServerErrorKind> {
        let addrs = resolve(host, port)?;
        let mut last = None;
        for addr in addrs {
            match TcpStream::connect_timeout(&addr, timeout) {
                Ok(tcp) => return Transport::from_tcp(tcp, timeout),
                Err(e) => last = Some(e),
            }
        }
        Err(match last {
            Some(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
                ) =>
            {
                ServerErrorKind::Timeout(timeout)
            }
            Some(e) => ServerErrorKind::Connect(e.to_string()),
            None => ServerErrorKind::NotFound(format!("{host} has no address")),
        })
    }

    fn from_tcp(tcp: TcpStream, timeout: Duration) -> Result<Transport, ServerErrorKind> {
        let set = |r: io::Result<()>| r.map_err(|e| ServerErrorKind::Connect(e.to_string()));
        set(tcp.set_read_timeout(Some(timeout)))?;
        set(tcp.set_write_timeout(Some(timeout)))?;
        set(tcp.set_nodelay(true))?;
        Ok(Transport {
            stream: Stream::Plain(Socket {
                tcp,
                timeout,
                deadline: None,
                wait: timeout,
                received: 0,
            }),
            buf: vec![0; 16 * 1024].into_boxed_slice(),
            start: 0,
            end: 0,
        })
    }

    /// Wrap the connection in TLS and finish the handshake now, so that certificate
    /// problems surface here rather than on the first command.
    pub fn start_tls(
        self,
        config: Arc<ClientConfig>,
        host: &str,
    ) -> Result<Transport, ServerErrorKind> {
        if self.start != self.end {
            // Bytes the server sent before the handshake would be read as if they came
            // through TLS: the STARTTLS response-injection attack (CVE-2011-0411 class).
            return Err(ServerErrorKind::Protocol(
                "the server sent data after agreeing to start TLS".into(),
            ));
        }
        let Stream::Plain(mut socket) = self.stream else {
            return Err(ServerErrorKind::Protocol("TLS is already on".into()));
        };
        let name = ServerName::try_from(host.to_string()).map_err(|_| {
            ServerErrorKind::Address(format!("{host:?} is not a valid TLS server name"))
        })?;
        let mut conn = ClientConnection::new(config, name).map_err(|e| tls_error_kind(&e))?;
        while conn.is_handshaking() {
            conn.complete_io(&mut socket)
                .map_err(|e| socket_error(&e, &socket))?;
        }
        Ok(Transport {
            stream: Stream::Tls(Box::new(StreamOwned::new(conn, socket))),
            ..self
        })
    }

    /// From now on the operation under way must be over within `limit`; `None` lifts the
    /// bound.
    pub fn set_deadline(&mut self, limit: Option<Duration>) {
        self.stream.socket_mut().deadline = limit.map(|limit| (Instant::now() + limit, limit));
    }

    /// Bytes received since the connection opened.
    pub fn bytes_read(&self) -> u64 {
        self.stream.socket().received
    }

    pub fn is_tls(&self) -> bool {
        matches!(self.stream, Stream::Tls(_))
    }

    pub fn write_all(&mut self, bytes: &[u8]) -> Result<(), ServerErrorKind> {
        let result = self
            .stream
            .write_all(bytes)
            .and_then(|()| self.stream.flush());
        result.map_err(|e| socket_error(&e, self.stream.socket()))
    }

    /// One line without its CRLF (a bare LF is tolerated), refusing lines over `max` bytes.
    pub fn read_line(&mut self, max: usize) -> Result<Vec<u8>, ServerErrorKind> {
        let mut line = Vec::new();
        loop {
            if self.start == self.end {
                self.fill()?;
            }
            let avail = &self.buf[self.start..self.end];
            if let Some(pos) = avail.iter().position(|&b| b == b'\n') {
                line.extend_from_slice(&avail[..pos]);
                self.start += pos + 1;
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return Ok(line);
            }
            line.extend_from_slice(avail);
            self.start = self.end;
            if line.len() > max {
                return Err(ServerErrorKind::TooLarge(format!(
                    "a line longer than {max} bytes"
                )));
            }
        }
    }

    /// Exactly `n` bytes appended to `out` (the caller has checked `n` against its limit).
    pub fn read_exact_into(&mut self, n: usize, out: &mut Vec<u8>) -> Result<(), ServerErrorKind> {
        let mut left = n;
        while left > 0 {
            if self.start == self.end {
                self.fill()?;
            }
            let take = left.min(self.end - self.start);
            out.extend_from_slice(&self.buf[self.start..self.start + take]);
            self.start += take;
            left -= take;
        }
        Ok(())
    }

    fn fill(&mut self) -> Result<(), ServerErrorKind> {
        let n = loop {
            match self.stream.read(&mut self.buf) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(socket_error(&e, self.stream.socket())),
            }
        };
        if n == 0 {
            return Err(ServerErrorKind::Dropped);
        }
        self.start = 0;
        self.end = n;
        Ok(())
    }

    /// Close the socket without waiting for the server.
    pub fn shutdown(&self) {
        let _ = self.stream.socket().tcp.shutdown(std::net::Shutdown::Both);
    }
}

/// A failed read or write in words: the deadline when it was the deadline that ended it
/// (also when the last wait before it timed out), the idle timeout otherwise.
fn socket_error(e: &io::Error, socket: &Socket) -> ServerErrorKind {
    if let Some(PastDeadline(limit)) = e.get_ref().and_then(|inner| inner.downcast_ref()) {
        return ServerErrorKind::Deadline(*limit);
    }
    if let Some((at, limit)) = socket.deadline
        && Instant::now() >= at
        && matches!(
            e.kind(),
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
        )
    {
        return ServerErrorKind::Deadline(limit);
    }
    io_error_kind(e, socket.timeout)
}
