//! Host display: a real window (`-display window`, cargo feature `window`, through `minifb`)
//! showing the framebuffer, with keys typed in it sent to the keyboard device.
//!
//! The window lives on its own thread. The machine hands it a rendered frame at each display
//! refresh (a cycle-scheduled event, [`crate::devices::fb::FRAME_CYCLES`]) and collects the
//! key events that arrived, which enter the keyboard with that cycle as their time:
//! guest-visible timing comes from the cycle clock only.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender};
use std::sync::{Arc, Mutex};

/// A rendered picture for the window.
pub struct Frame {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `0x00RRGGBB` pixels, row by row.
    pub pixels: Vec<u32>,
    /// The camera is on: show its in-use marker.
    pub camera_on: bool,
}

struct Channels {
    frames: SyncSender<Frame>,
    keys: Receiver<(u8, bool)>,
}

/// A window on another thread; clones (machine snapshots) share it.
#[derive(Clone)]
pub struct Display {
    chans: Arc<Mutex<Channels>>,
    closed: Arc<AtomicBool>,
}

impl std::fmt::Debug for Display {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Display(window)")
    }
}

impl Display {
    /// Opens the window (fails when built without the `window` feature or when there is no
    /// display to open it on).
    pub fn open(title: &str, width: u32, height: u32) -> Result<Display, String> {
        let (frames, keys, closed) = backend::open(title, width, height)?;
        Ok(Display {
            chans: Arc::new(Mutex::new(Channels { frames, keys })),
            closed,
        })
    }

    /// Shows `frame` unless the window is still busy with the previous one.
    pub fn show(&self, frame: Frame) {
        if let Ok(c) = self.chans.lock() {
            let _ = c.frames.try_send(frame);
        }
    }

    /// Key events (code, released) typed since the last call.
    pub fn keys(&self) -> Vec<(u8, bool)> {
        match self.chans.lock() {
            Ok(c) => c.keys.try_iter().collect(),
            Err(_) => Vec::new(),
        }
    }

    /// The person closed the window.
    pub fn closed(&self) -> bool {
        self.closed.load(Ordering::Relaxed)
    }
}

/// Draws the camera's in-use marker (a red dot ringed in white, top right) into `px`.
pub fn draw_camera_marker(width: u32, height: u32, px: &mut [u32]) {
    let r = 6i64;
    let (cx, cy) = (width as i64 - 2 * r, 2 * r);
    for y in (cy - r - 1).max(0)..(cy + r + 2).min(height as i64) {
        for x in (cx - r - 1).max(0)..(cx + r + 2).min(width as i64) {
            let d2 = (x - cx) * (x - cx) + (y - cy) * (y - cy);
            let i = (y * width as i64 + x) as usize;
            if d2 <= r * r {
                px[i] = 0xFF0000;
            } else if d2 <= (r + 1) * (r + 1) {
                px[i] = 0xFFFFFF;
            }
        }
    }
}

#[cfg(not(feature = "window"))]
mod backend {
    use super::Frame;
    use std::sync::atomic::AtomicBool;
    use std::sync::mpsc::{Receiver, SyncSender};
    use std::sync::Arc;

    type Opened = (SyncSender<Frame>, Receiver<(u8, bool)>, Arc<AtomicBool>);

    pub fn open(_title: &str, _w: u32, _h: u32) -> Result<Opened, String> {
        Err(
            "this ringfort was built without window support; rebuild it with \
             `cargo build --release --features window` (needs X11 at run time), or use \
             -display none with -screenshot FILE.png"
                .into(),
        )
    }
}

#[cfg(feature = "window")]
mod backend {
    use super::{draw_camera_marker, Frame};
    use crate::devices::keyboard::key;
    use minifb::{Key, Window, WindowOptions};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::mpsc::{self, Receiver, SyncSender};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    /// How long a key is held before it repeats.
    const REPEAT_DELAY: Duration = Duration::from_millis(500);
    /// Repeat interval.
    const REPEAT_EVERY: Duration = Duration::from_millis(50);

    type Opened = (SyncSender<Frame>, Receiver<(u8, bool)>, Arc<AtomicBool>);

    /// The keyboard device's code for a window key.
    fn code(k: Key) -> Option<u8> {
        use Key::*;
        let n = k as u8;
        Some(match k {
            Key0 | Key1 | Key2 | Key3 | Key4 | Key5 | Key6 | Key7 | Key8 | Key9 => b'0' + n,
            A | B | C | D | E | F | G | H | I | J | K | L | M | N | O | P | Q | R | S | T | U
            | V | W | X | Y | Z => b'a' + (n - A as u8),
            F1 | F2 | F3 | F4 | F5 | F6 | F7 | F8 | F9 | F10 | F11 | F12 => {
                key::F1 + (n - F1 as u8)
            }
            Down => key::DOWN,
            Left => key::LEFT,
            Right => key::RIGHT,
            Up => key::UP,
            Apostrophe => b'\'',
            Backquote => b'`',
            Backslash => b'\\',
            Comma => b',',
            Equal => b'=',
            LeftBracket => b'[',
            Minus => b'-',
            Period => b'.',
            RightBracket => b']',
            Semicolon => b';',
            Slash => b'/',
            Backspace => key::BACKSPACE,
            Delete => key::DELETE,
            End => key::END,
            Enter | NumPadEnter => key::ENTER,
            Escape => key::ESCAPE,
            Home => key::HOME,
            Insert => key::INSERT,
            PageDown => key::PAGE_DOWN,
            PageUp => key::PAGE_UP,
            Space => key::SPACE,
            Tab => key::TAB,
            CapsLock => key::CAPS_LOCK,
            LeftShift => key::LSHIFT,
            RightShift => key::RSHIFT,
            LeftCtrl => key::LCTRL,
            RightCtrl => key::RCTRL,
            LeftAlt => key::LALT,
            RightAlt => key::RALT,
            NumPad0 | NumPad1 | NumPad2 | NumPad3 | NumPad4 | NumPad5 | NumPad6 | NumPad7
            | NumPad8 | NumPad9 => b'0' + (n - NumPad0 as u8),
            NumPadDot => b'.',
            NumPadSlash => b'/',
            NumPadAsterisk => b'*',
            NumPadMinus => b'-',
            NumPadPlus => b'+',
            _ => return None,
        })
    }

    pub fn open(title: &str, w: u32, h: u32) -> Result<Opened, String> {
        let (ftx, frx) = mpsc::sync_channel::<Frame>(1);
        let (ktx, krx) = mpsc::channel();
        let (ready_tx, ready_rx) = mpsc::channel();
        let closed = Arc::new(AtomicBool::new(false));
        let closed2 = closed.clone();
        let title = title.to_string();
        std::thread::spawn(move || {
            let opts = WindowOptions {
                resize: true,
                ..WindowOptions::default()
            };
            let mut win = match Window::new(&title, w as usize, h as usize, opts) {
                Ok(win) => {
                    let _ = ready_tx.send(Ok(()));
                    win
                }
                Err(e) => {
                    let _ = ready_tx.send(Err(format!("cannot open a window: {e}")));
                    return;
                }
            };
            win.set_target_fps(60);
            let mut last: Option<Frame> = None;
            let mut camera_shown = false;
            let mut held: Vec<Key> = Vec::new();
            let mut since = Instant::now();
            let mut last_repeat = since;
            while win.is_open() {
                if let Some(mut f) = frx.try_iter().last() {
                    if f.camera_on {
                        draw_camera_marker(f.width, f.height, &mut f.pixels);
                    }
                    if f.camera_on != camera_shown {
                        camera_shown = f.camera_on;
                        win.set_title(&if camera_shown {
                            format!("{title} [camera on]")
                        } else {
                            title.clone()
                        });
                    }
                    last = Some(f);
                }
                let ok = match &last {
                    Some(f) => win
                        .update_with_buffer(&f.pixels, f.width as usize, f.height as usize)
                        .is_ok(),
                    None => {
                        win.update();
                        true
                    }
                };
                if !ok {
                    std::thread::sleep(Duration::from_millis(16));
                }
                // Presses and releases by comparing the keys down with the last update (a quick
                // tap can come and go within one update), plus the window's auto-repeat.
                let down = win.get_keys();
                let mut events = Vec::new();
                for k in &down {
                    if !held.contains(k) {
                        events.push((*k, false));
                    }
                }
                for k in &held {
                    if !down.contains(k) {
                        events.push((*k, true));
                    }
                }
                // Auto-repeat: a key held for REPEAT_DELAY repeats every REPEAT_EVERY.
                let now = Instant::now();
                if down.len() != held.len() || down.iter().any(|k| !held.contains(k)) {
                    since = now;
                    last_repeat = now;
                } else if let Some(k) = down.last() {
                    if now - since >= REPEAT_DELAY && now - last_repeat >= REPEAT_EVERY {
                        events.push((*k, false));
                        last_repeat = now;
                    }
                }
                held = down;
                for (k, released) in events {
                    if let Some(c) = code(k) {
                        let _ = ktx.send((c, released));
                    }
                }
            }
            closed2.store(true, Ordering::Relaxed);
        });
        match ready_rx.recv() {
            Ok(Ok(())) => Ok((ftx, krx, closed)),
            Ok(Err(e)) => Err(e),
            Err(_) => Err("cannot open a window".into()),
        }
    }
}
