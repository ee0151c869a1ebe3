//! The I/O quiche leaves to its user: UDP sockets, a poll(2) wait bounded by quiche's timer,
//! randomness for connection IDs, key log and qlog files, SIGTERM, and shared config.

use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::net::{SocketAddr, UdpSocket};
use std::os::fd::{AsRawFd, FromRawFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// The largest UDP payload we read or write (also quiche's max_recv_udp_payload_size).
pub const MAX_DATAGRAM: usize = 1500;
/// Our datagrams stay within QIR's 1500-byte MTU links over IPv6 (1500 - 40 - 8).
pub const MAX_SEND: usize = 1452;

static TERMINATED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_term(_: libc::c_int) {
    TERMINATED.store(true, Ordering::SeqCst);
}

/// The server is usually PID 1 of its PID namespace, where signals without a handler are
/// dropped: install one so the runner's SIGTERM stops it (endpoints/README.md).
pub fn handle_sigterm() {
    unsafe {
        libc::signal(libc::SIGTERM, on_term as extern "C" fn(libc::c_int) as usize);
        libc::signal(libc::SIGINT, on_term as extern "C" fn(libc::c_int) as usize);
    }
}

pub fn terminated() -> bool {
    TERMINATED.load(Ordering::SeqCst)
}

/// A non-blocking UDP socket on `addr`. An IPv6 wildcard is dual-stack (IPV6_V6ONLY off), so
/// one socket on [::]:443 serves IPv4 (as ::ffff:a.b.c.d) and IPv6.
pub fn bind(addr: SocketAddr) -> io::Result<UdpSocket> {
    let family = if addr.is_ipv6() { libc::AF_INET6 } else { libc::AF_INET };
    let fd = unsafe { libc::socket(family, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // From here the fd is owned by the socket and closed on error.
    let sock = unsafe { UdpSocket::from_raw_fd(fd) };
    if addr.is_ipv6() {
        let off: libc::c_int = 0;
        let rc = unsafe {
            libc::setsockopt(
                fd,
                libc::IPPROTO_IPV6,
                libc::IPV6_V6ONLY,
                &off as *const _ as *const libc::c_void,
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            )
        };
        if rc != 0 {
            return Err(io::Error::last_os_error());
        }
    }
    let (sa, len) = sockaddr(addr);
    let rc = unsafe { libc::bind(fd, &sa as *const _ as *const libc::sockaddr, len) };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    sock.set_nonblocking(true)?;
    Ok(sock)
}

fn sockaddr(addr: SocketAddr) -> (libc::sockaddr_storage, libc::socklen_t) {
    let mut ss: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let len = match addr {
        SocketAddr::V4(a) => {
            let sin = &mut ss as *mut _ as *mut libc::sockaddr_in;
            unsafe {
                (*sin).sin_family = libc::AF_INET as libc::sa_family_t;
                (*sin).sin_port = a.port().to_be();
                (*sin).sin_addr.s_addr = u32::from(*a.ip()).to_be();
            }
            std::mem::size_of::<libc::sockaddr_in>()
        }
        SocketAddr::V6(a) => {
            let sin6 = &mut ss as *mut _ as *mut libc::sockaddr_in6;
            unsafe {
                (*sin6).sin6_family = libc::AF_INET6 as libc::sa_family_t;
                (*sin6).sin6_port = a.port().to_be();
                (*sin6).sin6_addr.s6_addr = a.ip().octets();
            }
            std::mem::size_of::<libc::sockaddr_in6>()
        }
    };
    (ss, len as libc::socklen_t)
}

/// Waits until one of `socks` is readable or `timeout` passes (None: 100 ms, so that a SIGTERM
/// is noticed). Returns the indices of the readable sockets.
pub fn wait(socks: &[&UdpSocket], timeout: Option<Duration>) -> Vec<usize> {
    let ms = timeout.map(|t| t.as_micros().div_ceil(1000).min(100) as i32).unwrap_or(100);
    let mut fds: Vec<libc::pollfd> = socks
        .iter()
        .map(|s| libc::pollfd { fd: s.as_raw_fd(), events: libc::POLLIN, revents: 0 })
        .collect();
    let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, ms) };
    if n <= 0 {
        return Vec::new();
    }
    fds.iter().enumerate().filter(|(_, f)| f.revents != 0).map(|(i, _)| i).collect()
}

/// Fresh random bytes from the kernel (connection IDs, reset tokens, token keys).
pub fn random(out: &mut [u8]) {
    let mut f = File::open("/dev/urandom").expect("/dev/urandom");
    f.read_exact(out).expect("/dev/urandom");
}

pub fn random_cid() -> [u8; quiche::MAX_CONN_ID_LEN] {
    let mut cid = [0; quiche::MAX_CONN_ID_LEN];
    random(&mut cid);
    cid
}

pub fn random_u128() -> u128 {
    let mut b = [0; 16];
    random(&mut b);
    u128::from_ne_bytes(b)
}

/// Attaches the key log (SSLKEYLOGFILE, appended: several connections share it) and a qlog
/// file in QLOGDIR to a new connection. quiche writes qlog events as they happen (JSON-SEQ);
/// the file is not buffered so that a server stopped by SIGTERM leaves whole records.
pub fn observe(conn: &mut quiche::Connection, role: &str) {
    if let Ok(path) = std::env::var("SSLKEYLOGFILE") {
        match OpenOptions::new().create(true).append(true).open(&path) {
            Ok(f) => conn.set_keylog(Box::new(f)),
            Err(e) => eprintln!("quiche: key log {path}: {e}"),
        }
    }
    if let Ok(dir) = std::env::var("QLOGDIR") {
        let id: String = conn.source_id().iter().map(|b| format!("{b:02x}")).collect();
        let path = format!("{dir}/{role}-{id}.sqlog");
        let _ = std::fs::create_dir_all(&dir);
        match File::create(&path) {
            Ok(f) => conn.set_qlog(Box::new(f), format!("quire-quiche {role}"), id),
            Err(e) => eprintln!("quiche: qlog {path}: {e}"),
        }
    }
}

/// Settings both roles share. `small_windows`: QIR's transfer wants initial flow-control
/// windows small enough that MAX_DATA / MAX_STREAM_DATA updates are needed.
pub fn base_config(version: u32, small_windows: bool) -> quiche::Result<quiche::Config> {
    let mut c = quiche::Config::new(version)?;
    c.set_application_protos(&[crate::ALPN_HQ, crate::ALPN_H3])?;
    c.set_max_idle_timeout(30_000);
    c.set_max_recv_udp_payload_size(MAX_DATAGRAM);
    c.set_max_send_udp_payload_size(MAX_SEND);
    if small_windows {
        c.set_initial_max_data(256 * 1024);
        c.set_initial_max_stream_data_bidi_local(64 * 1024);
        c.set_initial_max_stream_data_bidi_remote(64 * 1024);
        c.set_initial_max_stream_data_uni(64 * 1024);
    } else {
        c.set_initial_max_data(16 * 1024 * 1024);
        c.set_initial_max_stream_data_bidi_local(8 * 1024 * 1024);
        c.set_initial_max_stream_data_bidi_remote(8 * 1024 * 1024);
        c.set_initial_max_stream_data_uni(1024 * 1024);
    }
    // QIR's multiplexing check wants initial_max_streams_bidi <= 1000 from the server.
    c.set_initial_max_streams_bidi(1000);
    c.set_initial_max_streams_uni(100);
    c.set_active_connection_id_limit(4);
    c.set_disable_active_migration(false);
    c.enable_early_data();
    c.log_keys();
    Ok(c)
}

/// Sends everything quiche has for `conn` (bounded: quiche returns Done when it has nothing
/// or the congestion window is full). Returns the number of datagrams sent.
pub fn flush(conn: &mut quiche::Connection, socks: &[(SocketAddr, &UdpSocket)]) -> usize {
    let mut out = [0u8; MAX_DATAGRAM];
    let mut n = 0;
    loop {
        let (len, info) = match conn.send(&mut out) {
            Ok(v) => v,
            Err(quiche::Error::Done) => break,
            Err(e) => {
                eprintln!("quiche: send: {e}");
                conn.close(false, 0x1, b"send failed").ok();
                break;
            }
        };
        // The socket whose address quiche chose as this packet's source (client migration).
        let sock = socks.iter().find(|(a, _)| *a == info.from).map(|(_, s)| *s).unwrap_or(socks[0].1);
        if let Err(e) = sock.send_to(&out[..len], info.to) {
            if e.kind() == io::ErrorKind::WouldBlock {
                break; // the kernel's buffer is full: quiche will retransmit what is lost
            }
            eprintln!("quiche: send_to {}: {e}", info.to);
        }
        n += 1;
    }
    n
}
