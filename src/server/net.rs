//! Address checks shared by every server.

use std::net::{IpAddr, SocketAddr, ToSocketAddrs};

use super::ServerErrorKind;

pub(crate) fn resolve(host: &str, port: u16) -> Result<Vec<SocketAddr>, ServerErrorKind> {
    let addrs: Vec<SocketAddr> = (host, port)
        .to_socket_addrs()
        .map_err(|e| ServerErrorKind::NotFound(format!("cannot resolve {host}: {e}")))?
        .collect();
    Ok(addrs)
}

/// True when every address `host` resolves to is a loopback address, so that traffic never
/// leaves the machine.
pub(crate) fn is_loopback(host: &str, port: u16) -> bool {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return ip.is_loopback();
    }
    match resolve(host, port) {
        Ok(addrs) => !addrs.is_empty() && addrs.iter().all(|a| a.ip().is_loopback()),
        Err(_) => false,
    }
}
