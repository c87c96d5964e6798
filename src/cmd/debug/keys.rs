//! The debugger's terminal as the guest's keyboard while the guest runs: raw mode, and the
//! keys standard input has ready, read without waiting.

use emulator::devices::serial::RawTerminal;

/// Standard input, a terminal.
pub struct StdinKeys;

impl debugger::console::Keys for StdinKeys {
    fn raw(&self) -> Option<Box<dyn std::any::Any>> {
        RawTerminal::enable().map(|r| Box::new(r) as Box<dyn std::any::Any>)
    }

    fn read_ready(&self, out: &mut Vec<u8>) {
        let mut buf = [0u8; 4096];
        loop {
            let mut fds = libc::pollfd {
                fd: 0,
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: poll and read on fd 0 with a pollfd and a buffer this function owns.
            let n = unsafe {
                if libc::poll(&mut fds, 1, 0) != 1 || fds.revents & libc::POLLIN == 0 {
                    return;
                }
                libc::read(0, buf.as_mut_ptr().cast(), buf.len())
            };
            if n <= 0 {
                return;
            }
            out.extend_from_slice(&buf[..n as usize]);
            if (n as usize) < buf.len() {
                return;
            }
        }
    }
}
