//! The `board!` macro: turns the one-line-per-device bus map in `devices/mod.rs` into the
//! [`Devices`](super::Devices) struct and every loop over its devices, so no list of devices is
//! written twice.

/// `board! { /// doc  field: Type = WINDOW_BASE => reset_value; ... }` defines `Devices` (the
/// devices as public fields in map order, which is also their order in a saved state, then the
/// board's own fields) and the loops over them.
macro_rules! board {
    ($( $(#[$doc:meta])* $field:ident : $ty:ty = $base:path => $new:expr; )*) => {
        /// Every device of the machine. Saved (see [`crate::state`]) without its host
        /// attachments: the window, host pacing, notices and the event schedule (recomputed).
        #[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
        pub struct Devices {
            $( $(#[$doc])* pub $field: $ty, )*
            /// Device register accesses (for `--stats`).
            pub accesses: u64,
            /// Framebuffer memory accesses (for `--stats`).
            pub fb_accesses: u64,
            /// The host window, when there is one.
            #[serde(skip)]
            pub display: Option<display::Display>,
            /// Set when the person at the console asked the emulator to quit (`Ctrl-A x`,
            /// closing the window): the machine then powers off with code 0 and no device
            /// event follows.
            #[serde(skip)]
            pub quit: bool,
            /// Messages for the user, shared with snapshots and host back ends.
            #[serde(skip)]
            pub notices: Notices,
            #[serde(skip, default = "never")]
            pub(crate) refresh_at: u64,
            #[serde(skip)]
            last_show: Option<Instant>,
            #[serde(skip)]
            pacer: Pacer,
            #[serde(skip, default = "never")]
            next: u64,
            #[serde(skip)]
            stall: u64,
            #[serde(skip)]
            dma: Vec<(u32, Vec<u8>)>,
        }

        /// The bus map: (device, base of its register window), in map order.
        pub const MAP: &[(&str, u32)] = &[$( (stringify!($field), $base), )*];

        impl Devices {
            /// Every device in its reset state, and the board's own fields.
            fn board() -> Devices {
                Devices {
                    $( $field: $new, )*
                    accesses: 0,
                    fb_accesses: 0,
                    display: None,
                    quit: false,
                    notices: Notices::default(),
                    refresh_at: NEVER,
                    last_show: None,
                    pacer: Pacer::default(),
                    next: NEVER,
                    stall: 0,
                    dma: Vec::new(),
                }
            }

            /// The interrupt lines the devices raise, with the raising device's name
            /// ([`Device::line`], [`Device::name`]), in map order.
            pub fn lines() -> Vec<(u8, &'static str)> {
                let d = Devices::board();
                let mut lines = Vec::new();
                $( if let Some(l) = Device::line(&d.$field) {
                    lines.push((l, Device::name(&d.$field)));
                } )*
                lines
            }

            /// The device whose register window holds physical `addr`.
            pub fn device_at(&mut self, addr: u32) -> Option<&mut dyn Device> {
                match addr & !0xfff {
                    $( $base => Some(&mut self.$field), )*
                    _ => None,
                }
            }

            /// Runs every device's due events.
            fn service_each(&mut self, io: &mut Io) {
                $( if io.now >= Device::next_event(&self.$field) {
                    Device::service(&mut self.$field, io);
                } )*
            }

            /// The lines devices asked to raise, as a mask.
            fn requested_lines(&mut self) -> u16 {
                let mut lines = 0u16;
                $( if Device::take_irq(&mut self.$field) {
                    lines |= Device::line(&self.$field).map_or(0, |l| 1 << l);
                } )*
                lines
            }

            /// The earliest device deadline.
            fn earliest_event(&self) -> u64 {
                NEVER $( .min(Device::next_event(&self.$field)) )*
            }

            /// Resets every device.
            fn reset_each(&mut self, io: &mut Io) {
                $( Device::reset(&mut self.$field, io); )*
            }

            /// Refuses a restored state some device could not be in (see [`Device::check`]).
            pub(crate) fn check(&self) -> Result<(), String> {
                $( Device::check(&self.$field)
                    .map_err(|e| format!("{} {e}", Device::name(&self.$field)))?; )*
                Ok(())
            }

            /// Takes back every device's host attachments from `old` (see
            /// [`Device::adopt_host`]).
            fn adopt_each(&mut self, old: &mut Devices, io: &mut Io) {
                $( Device::adopt_host(&mut self.$field, &mut old.$field, io); )*
            }

            /// Whether every device is in the same state as in `o`.
            fn same_devices(&self, o: &Devices) -> bool {
                true $( && self.$field == o.$field )*
            }
        }
    };
}
