//! The byte stream under an IMAP session: a TCP socket, with TLS from the start or after
//! STARTTLS, read through a buffer with bounded lines and literals.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection, StreamOwned};

use crate::server::ErrorKind;
use crate::server::net::resolve;
use crate::server::tls::{io_error_kind, tls_error_kind};

enum Stream {
    Plain(TcpStream),
    Tls(Box<StreamOwned<ClientConnection, TcpStream>>),
}

impl Stream {
    fn tcp(&self) -> &TcpStream {
        match self {
            Stream::Plain(s) => s,
            Stream::Tls(s) => &s.sock,
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
    timeout: Duration,
}

impl Transport {
    /// Open a TCP connection, trying each resolved address in turn, with `timeout` bounding
    /// the connect and every later read and write.
    pub fn connect(host: &str, port: u16, timeout: Duration) -> Result<Transport, ErrorKind> {
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
                ErrorKind::Timeout(timeout)
            }
            Some(e) => ErrorKind::Connect(e.to_string()),
            None => ErrorKind::Connect(format!("{host} has no address")),
        })
    }

    fn from_tcp(tcp: TcpStream, timeout: Duration) -> Result<Transport, ErrorKind> {
        let set = |r: io::Result<()>| r.map_err(|e| ErrorKind::Connect(e.to_string()));
        set(tcp.set_read_timeout(Some(timeout)))?;
        set(tcp.set_write_timeout(Some(timeout)))?;
        set(tcp.set_nodelay(true))?;
        Ok(Transport {
            stream: Stream::Plain(tcp),
            buf: vec![0; 16 * 1024].into_boxed_slice(),
            start: 0,
            end: 0,
            timeout,
        })
    }

    /// Wrap the connection in TLS and finish the handshake now, so that certificate
    /// problems surface here rather than on the first command.
    pub fn start_tls(self, config: Arc<ClientConfig>, host: &str) -> Result<Transport, ErrorKind> {
        if self.start != self.end {
            // Bytes the server sent before the handshake would be read as if they came
            // through TLS: the STARTTLS response-injection attack (CVE-2011-0411 class).
            return Err(ErrorKind::Protocol(
                "the server sent data after agreeing to start TLS".into(),
            ));
        }
        let Stream::Plain(mut tcp) = self.stream else {
            return Err(ErrorKind::Protocol("TLS is already on".into()));
        };
        let name = ServerName::try_from(host.to_string())
            .map_err(|_| ErrorKind::Config(format!("{host:?} is not a valid TLS server name")))?;
        let mut conn = ClientConnection::new(config, name).map_err(|e| tls_error_kind(&e))?;
        while conn.is_handshaking() {
            conn.complete_io(&mut tcp)
                .map_err(|e| io_error_kind(&e, self.timeout))?;
        }
        Ok(Transport {
            stream: Stream::Tls(Box::new(StreamOwned::new(conn, tcp))),
            ..self
        })
    }

    pub fn is_tls(&self) -> bool {
        matches!(self.stream, Stream::Tls(_))
    }

    pub fn write_all(&mut self, bytes: &[u8]) -> Result<(), ErrorKind> {
        self.stream
            .write_all(bytes)
            .and_then(|()| self.stream.flush())
            .map_err(|e| io_error_kind(&e, self.timeout))
    }

    /// One line without its CRLF (a bare LF is tolerated), refusing lines over `max` bytes.
    pub fn read_line(&mut self, max: usize) -> Result<Vec<u8>, ErrorKind> {
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
                return Err(ErrorKind::TooLarge(format!(
                    "a line longer than {max} bytes"
                )));
            }
        }
    }

    /// Exactly `n` bytes appended to `out` (the caller has checked `n` against its limit).
    pub fn read_exact_into(&mut self, n: usize, out: &mut Vec<u8>) -> Result<(), ErrorKind> {
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

    fn fill(&mut self) -> Result<(), ErrorKind> {
        let n = loop {
            match self.stream.read(&mut self.buf) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(io_error_kind(&e, self.timeout)),
            }
        };
        if n == 0 {
            return Err(ErrorKind::Dropped);
        }
        self.start = 0;
        self.end = n;
        Ok(())
    }

    /// Close the socket without waiting for the server.
    pub fn shutdown(&self) {
        let _ = self.stream.tcp().shutdown(std::net::Shutdown::Both);
    }
}
