//! Host side of the serial console: where the UART's output goes and where its input comes
//! from (`-serial stdio`, `-serial tcp:HOST:PORT[,wait]`, `-serial file:PATH`).
//!
//! Input never reaches the guest directly: the UART polls its host on a cycle-scheduled event
//! and queues what arrived with that cycle as its timestamp (see [`crate::devices::uart`]), so
//! a run is deterministic given the same input at the same cycles.

use super::{Notice, Notices};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender, TryRecvError, TrySendError};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// A request from the person at the console to the emulator (not to the guest).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostEvent {
    /// `Ctrl-A x`: stop the emulator.
    Quit,
    /// `Ctrl-A s`: write the disk's cached sectors to its image now.
    FlushDisks,
    /// `Ctrl-A h`: show the console escapes (a [`Notice::EscapeHelp`]).
    Help,
}

/// A serial back end.
pub trait Host: Send {
    /// Transmits bytes the guest sent.
    fn write(&mut self, bytes: &[u8]);
    /// Pushes buffered output out to the host.
    fn flush(&mut self) {}
    /// Appends the input that has arrived since the last poll to `out`, and console commands
    /// to `events`. Returns false once no input can ever arrive again (end of file).
    fn poll(&mut self, out: &mut Vec<u8>, events: &mut Vec<HostEvent>) -> bool;
    /// Whether a person may be typing at it (a terminal, a network client).
    fn interactive(&self) -> bool {
        false
    }
    /// Whether the machine keeps to real time while it polls this back end (someone may be
    /// reading and typing now). The debugger's back end says no while it re-executes.
    fn paced(&self) -> bool {
        true
    }
    /// For messages: what this back end is.
    fn describe(&self) -> String;
}

/// Help for the console escapes, printed by `Ctrl-A h`.
pub const ESCAPE_HELP: &str = "\r\nC-a h    print this help\r\n\
C-a x    exit emulator\r\n\
C-a s    save disk data back to its image file\r\n\
C-a C-a  sends C-a\r\n";

/// Input chunks (of at most 4 KiB) a reader thread may queue before it waits for the machine
/// to take them: input the guest does not read stays in the host's pipe or socket, not in
/// host memory.
pub const INPUT_CHUNKS: usize = 64;

/// Output chunks queued for a network client before more output is dropped (and counted):
/// a client that stops reading must not grow the emulator's memory.
pub const OUTPUT_CHUNKS: usize = 4096;

/// Reads a byte stream on a thread and hands it over in chunks.
fn reader_thread(mut r: impl Read + Send + 'static, tx: SyncSender<Vec<u8>>) {
    thread::spawn(move || {
        let mut buf = [0u8; 4096];
        loop {
            match r.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    if tx.send(buf[..n].to_vec()).is_err() {
                        break;
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            }
        }
    });
}

/// Puts the terminal on fd 0 in raw mode (keys as typed, no echo; output processing kept)
/// for the lifetime of the guard. Also the debugger's, while the guest has the terminal.
pub struct RawTerminal {
    saved: libc::termios,
}

impl RawTerminal {
    /// Raw mode, if fd 0 is a terminal that accepts it.
    pub fn enable() -> Option<RawTerminal> {
        // SAFETY: isatty/tcgetattr/tcsetattr only read and write the termios struct we own.
        unsafe {
            if libc::isatty(0) != 1 {
                return None;
            }
            let mut saved: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(0, &mut saved) != 0 {
                return None;
            }
            let mut raw = saved;
            libc::cfmakeraw(&mut raw);
            // Keep output processing, so the guest's "\n" still starts a new line (as QEMU).
            raw.c_oflag |= libc::OPOST | libc::ONLCR;
            if libc::tcsetattr(0, libc::TCSANOW, &raw) != 0 {
                return None;
            }
            Some(RawTerminal { saved })
        }
    }
}

impl Drop for RawTerminal {
    fn drop(&mut self) {
        // SAFETY: restores the attributes read in `enable`.
        unsafe {
            libc::tcsetattr(0, libc::TCSANOW, &self.saved);
        }
    }
}

/// `-serial stdio`: output to standard output; input from standard input. When standard input
/// is a terminal it is put in raw mode (keys go to the guest as typed, Ctrl-C included) and
/// `Ctrl-A` starts an escape as in QEMU (`Ctrl-A x` quits, `Ctrl-A h` helps); piped input is
/// passed through byte for byte.
pub struct Stdio {
    input: Receiver<Vec<u8>>,
    open: bool,
    raw: Option<RawTerminal>,
    escape: bool,
    /// A byte that marks the end of piped input (none: the input just stops).
    end: Option<u8>,
}

impl Stdio {
    /// Starts reading standard input.
    pub fn new() -> Stdio {
        let raw = RawTerminal::enable();
        let (tx, rx) = mpsc::sync_channel(INPUT_CHUNKS);
        reader_thread(std::io::stdin(), tx);
        Stdio {
            input: rx,
            open: true,
            raw,
            escape: false,
            end: None,
        }
    }

    /// Piped input that ends is followed by `byte` (a terminal's Ctrl-D, for a guest that
    /// knows it as "end of input"); without this the input simply stops.
    pub fn end_with(&mut self, byte: u8) {
        self.end = Some(byte);
    }

    fn escape_byte(&mut self, b: u8, out: &mut Vec<u8>, events: &mut Vec<HostEvent>) {
        if self.escape {
            self.escape = false;
            match b {
                b'x' | b'X' => events.push(HostEvent::Quit),
                b'h' | b'H' | b'?' => events.push(HostEvent::Help),
                b's' | b'S' => events.push(HostEvent::FlushDisks),
                0x01 => out.push(0x01),
                _ => {}
            }
        } else if b == 0x01 {
            self.escape = true;
        } else {
            out.push(b);
        }
    }
}

impl Default for Stdio {
    fn default() -> Self {
        Stdio::new()
    }
}

impl Host for Stdio {
    fn write(&mut self, bytes: &[u8]) {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(bytes);
        if self.raw.is_some() {
            let _ = out.flush();
        }
    }

    fn flush(&mut self) {
        let _ = std::io::stdout().flush();
    }

    fn poll(&mut self, out: &mut Vec<u8>, events: &mut Vec<HostEvent>) -> bool {
        // Piped or redirected input is taken whole, at the first poll: when the guest sees it
        // then depends only on the input, not on how fast the host delivered it, so the same
        // input gives the same run to the cycle (and the run is not paced to real time).
        if self.raw.is_none() {
            while let Ok(chunk) = self.input.recv() {
                out.extend_from_slice(&chunk);
            }
            out.extend(self.end);
            self.open = false;
            return false;
        }
        while self.open {
            match self.input.try_recv() {
                Ok(chunk) => {
                    if self.raw.is_some() {
                        for b in chunk {
                            self.escape_byte(b, out, events);
                        }
                    } else {
                        out.extend_from_slice(&chunk);
                    }
                }
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => self.open = false,
            }
        }
        self.open
    }

    fn interactive(&self) -> bool {
        self.raw.is_some()
    }

    fn describe(&self) -> String {
        "stdio".into()
    }
}

/// What the TCP writer thread is asked to do.
enum TcpMsg {
    Data(Vec<u8>),
    Sync(Sender<()>),
}

/// `-serial tcp:HOST:PORT[,wait]`: a TCP server; one client at a time is the console (nc,
/// telnet). Output while no client is connected is dropped, as in QEMU. When a client
/// disconnects the next one may connect.
pub struct Tcp {
    input: Receiver<Vec<u8>>,
    output: SyncSender<TcpMsg>,
    addr: SocketAddr,
    /// Output bytes dropped because the client did not read them fast enough.
    pub dropped: u64,
    notices: Notices,
}

/// Options of a `tcp:` serial back end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TcpSpec {
    /// Address to listen on.
    pub addr: String,
    /// Block until the first client connects.
    pub wait: bool,
}

impl TcpSpec {
    /// Parses `HOST:PORT[,wait][,nowait][,server][,wait=on|off][,server=on]` (the part after
    /// `tcp:`). An empty host means 127.0.0.1; port 0 picks a free port.
    pub fn parse(s: &str) -> Result<TcpSpec, String> {
        let mut parts = s.split(',');
        let hostport = parts.next().unwrap_or("");
        let (host, port) = hostport
            .rsplit_once(':')
            .ok_or_else(|| format!("tcp:{s}: expected tcp:HOST:PORT"))?;
        let port: u16 = port
            .parse()
            .map_err(|_| format!("tcp:{s}: `{port}` is not a port number"))?;
        let host = if host.is_empty() { "127.0.0.1" } else { host };
        let mut wait = false;
        for opt in parts {
            match opt {
                "wait" | "wait=on" => wait = true,
                "nowait" | "wait=off" => wait = false,
                "server" | "server=on" | "nodelay" | "nodelay=on" => {}
                other => return Err(format!("tcp:{s}: unknown option `{other}`")),
            }
        }
        Ok(TcpSpec {
            addr: format!("{host}:{port}"),
            wait,
        })
    }
}

impl Tcp {
    /// Listens as `spec` says; with `wait`, returns only once a client has connected. Tells
    /// `notices` the address it listens on (useful with port 0), that it waits, who connected,
    /// and at the end any output it dropped.
    pub fn listen(spec: &TcpSpec, notices: &Notices) -> Result<Tcp, String> {
        let listener = TcpListener::bind(&spec.addr)
            .map_err(|e| format!("-serial tcp:{}: cannot listen: {e}", spec.addr))?;
        let addr = listener
            .local_addr()
            .map_err(|e| format!("-serial tcp:{}: {e}", spec.addr))?;
        notices.push(Notice::SerialListening(addr.to_string()));
        let first = if spec.wait {
            notices.push(Notice::SerialWaiting(addr.to_string()));
            let (s, peer) = listener
                .accept()
                .map_err(|e| format!("-serial tcp:{addr}: accept failed: {e}"))?;
            notices.push(Notice::SerialClient(peer.to_string()));
            Some(s)
        } else {
            None
        };
        let slot: Arc<Mutex<Option<TcpStream>>> = Arc::new(Mutex::new(None));
        let (in_tx, in_rx) = mpsc::sync_channel(INPUT_CHUNKS);
        let (out_tx, out_rx) = mpsc::sync_channel::<TcpMsg>(OUTPUT_CHUNKS);
        // Writer: sends output to the current client, never blocking the emulator.
        let wslot = slot.clone();
        thread::spawn(move || {
            for msg in out_rx {
                match msg {
                    TcpMsg::Data(bytes) => {
                        let mut guard = wslot.lock().unwrap_or_else(|p| p.into_inner());
                        if let Some(s) = guard.as_mut() {
                            if s.write_all(&bytes).is_err() {
                                *guard = None;
                            }
                        }
                    }
                    TcpMsg::Sync(ack) => {
                        let _ = ack.send(());
                    }
                }
            }
        });
        // Reader: serves one client at a time, forever.
        let rslot = slot.clone();
        {
            let mut guard = slot.lock().unwrap_or_else(|p| p.into_inner());
            *guard = first.as_ref().and_then(|s| s.try_clone().ok());
        }
        thread::spawn(move || {
            let mut next = first;
            loop {
                let stream = match next.take() {
                    Some(s) => s,
                    None => match listener.accept() {
                        Ok((s, _)) => {
                            *rslot.lock().unwrap_or_else(|p| p.into_inner()) = s.try_clone().ok();
                            s
                        }
                        Err(_) => {
                            thread::sleep(Duration::from_millis(50));
                            continue;
                        }
                    },
                };
                let _ = stream.set_nodelay(true);
                let mut r = stream;
                let mut buf = [0u8; 4096];
                loop {
                    match r.read(&mut buf) {
                        Ok(0) => break,
                        Ok(n) => {
                            if in_tx.send(buf[..n].to_vec()).is_err() {
                                return;
                            }
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                        Err(_) => break,
                    }
                }
                *rslot.lock().unwrap_or_else(|p| p.into_inner()) = None;
            }
        });
        Ok(Tcp {
            input: in_rx,
            output: out_tx,
            addr,
            dropped: 0,
            notices: notices.clone(),
        })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Host for Tcp {
    fn write(&mut self, bytes: &[u8]) {
        if let Err(TrySendError::Full(_)) = self.output.try_send(TcpMsg::Data(bytes.to_vec())) {
            self.dropped += bytes.len() as u64;
        }
    }

    fn flush(&mut self) {
        // Wait (briefly) until the writer thread has sent everything queued so far.
        let (tx, rx) = mpsc::channel();
        let deadline = std::time::Instant::now() + Duration::from_secs(2);
        let mut msg = TcpMsg::Sync(tx);
        loop {
            match self.output.try_send(msg) {
                Ok(()) => {
                    let _ = rx.recv_timeout(
                        deadline.saturating_duration_since(std::time::Instant::now()),
                    );
                    return;
                }
                Err(TrySendError::Full(m)) if std::time::Instant::now() < deadline => {
                    msg = m;
                    thread::sleep(Duration::from_millis(5));
                }
                Err(_) => return,
            }
        }
    }

    fn poll(&mut self, out: &mut Vec<u8>, _events: &mut Vec<HostEvent>) -> bool {
        loop {
            match self.input.try_recv() {
                Ok(chunk) => out.extend_from_slice(&chunk),
                Err(TryRecvError::Empty) => return true,
                Err(TryRecvError::Disconnected) => return false,
            }
        }
    }

    fn interactive(&self) -> bool {
        true
    }

    fn describe(&self) -> String {
        format!("tcp:{}", self.addr)
    }
}

impl Drop for Tcp {
    fn drop(&mut self) {
        self.flush();
        if self.dropped > 0 {
            self.notices.push(Notice::SerialDropped {
                bytes: self.dropped,
                addr: self.addr.to_string(),
            });
        }
    }
}

/// `-serial file:PATH`: output appended to a file (created or truncated); no input.
pub struct FileSink {
    out: std::io::BufWriter<std::fs::File>,
    path: String,
}

impl FileSink {
    /// Creates (truncates) `path`.
    pub fn create(path: &str) -> Result<FileSink, String> {
        let f = std::fs::File::create(path)
            .map_err(|e| format!("-serial file:{path}: cannot create: {e}"))?;
        Ok(FileSink {
            out: std::io::BufWriter::new(f),
            path: path.to_string(),
        })
    }
}

impl Host for FileSink {
    fn write(&mut self, bytes: &[u8]) {
        let _ = self.out.write_all(bytes);
        if bytes.contains(&b'\n') {
            let _ = self.out.flush();
        }
    }

    fn flush(&mut self) {
        let _ = self.out.flush();
    }

    fn poll(&mut self, _out: &mut Vec<u8>, _events: &mut Vec<HostEvent>) -> bool {
        false
    }

    fn describe(&self) -> String {
        format!("file:{}", self.path)
    }
}

impl Drop for FileSink {
    fn drop(&mut self) {
        let _ = self.out.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A client that connects and never reads: once the sockets' buffers are full, at most
    /// [`OUTPUT_CHUNKS`] writes wait in the queue and the rest is dropped and counted, so the
    /// emulator's memory stays bounded and it never blocks.
    #[test]
    fn a_client_that_does_not_read_costs_bounded_memory() {
        let spec = TcpSpec::parse("127.0.0.1:0").unwrap();
        let notices = Notices::default();
        let mut tcp = Tcp::listen(&spec, &notices).unwrap();
        let client = TcpStream::connect(tcp.local_addr()).unwrap();
        // Output before the server's thread has taken the connection goes nowhere (as with no
        // client), so a busy machine may need another round.
        let n: u64 = 32 << 20;
        for _ in 0..10 {
            thread::sleep(Duration::from_millis(100));
            for _ in 0..n / 64 {
                tcp.write(&[b'x'; 64]);
            }
            if tcp.dropped > 0 {
                break;
            }
        }
        assert!(
            tcp.dropped > 0,
            "output past the buffers and the queue is dropped"
        );
        assert!(
            tcp.dropped >= n - (OUTPUT_CHUNKS as u64 * 64) - (16 << 20),
            "at most the queue and the sockets' buffers hold output: {} of {n} dropped",
            tcp.dropped
        );
        // What the library used to print is now told to the machine's notices.
        let addr = tcp.local_addr().to_string();
        let dropped = tcp.dropped;
        drop(tcp);
        drop(client);
        assert_eq!(
            notices.take(),
            [
                Notice::SerialListening(addr.clone()),
                Notice::SerialDropped {
                    bytes: dropped,
                    addr
                }
            ]
        );
    }

    #[test]
    fn tcp_spec_parsing() {
        assert_eq!(
            TcpSpec::parse("127.0.0.1:4444,wait").unwrap(),
            TcpSpec {
                addr: "127.0.0.1:4444".into(),
                wait: true
            }
        );
        assert_eq!(
            TcpSpec::parse(":5000,server,nowait").unwrap(),
            TcpSpec {
                addr: "127.0.0.1:5000".into(),
                wait: false
            }
        );
        assert!(TcpSpec::parse("localhost").is_err());
        assert!(TcpSpec::parse("h:99999").is_err());
        assert!(TcpSpec::parse("h:1,bogus").is_err());
    }
}
