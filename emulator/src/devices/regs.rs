//! Device register offsets: the one table. The devices match on these constants; tests check
//! `tests/guest/dev_regs.inc` (and `check.inc`) and SPEC.md §11's register tables against
//! [`TABLE`], so the three copies cannot drift.

use isa_spec::cr::memmap;

/// One device's register block.
#[derive(Clone, Copy, Debug)]
pub struct Block {
    /// Its module here (and in [`crate::devices`]).
    pub module: &'static str,
    /// Its name in SPEC.md §11's section title, which is also the `.equ` name of its base.
    pub title: &'static str,
    /// Base of its register window.
    pub base: u32,
    /// Prefix of its registers' `.equ` names in the guest include files.
    pub prefix: &'static str,
    /// Its registers.
    pub regs: &'static [Reg],
}

/// One register.
#[derive(Clone, Copy, Debug)]
pub struct Reg {
    /// Its name in SPEC.md.
    pub name: &'static str,
    /// Offset in the window (for an array, of element 0; elements 4 bytes apart).
    pub offset: u32,
    /// Its `.equ` name when it is not `PREFIX_NAME`.
    pub alias: &'static [&'static str],
}

/// `regs! { /// doc  module: "TITLE" @ BASE, "PREFIX" { NAME = 0x00 [as "ALIAS"], ... } }`:
/// a module of constants per device, and [`TABLE`].
macro_rules! regs {
    ($( $(#[$doc:meta])* $module:ident : $title:literal @ $base:path, $prefix:literal {
        $( $name:ident = $off:literal $(as $alias:literal)? ),* $(,)?
    } )*) => {
        $( $(#[$doc])* pub mod $module { $(
            #[doc = concat!("`", stringify!($name), "` (SPEC.md §11).")]
            pub const $name: u32 = $off;
        )* } )*

        /// Every device's registers, in bus-map order.
        pub const TABLE: &[Block] = &[$( Block {
            module: stringify!($module),
            title: $title,
            base: $base,
            prefix: $prefix,
            regs: &[$( Reg { name: stringify!($name), offset: $off, alias: &[$($alias)?] }, )*],
        }, )*];
    };
}

regs! {
    /// Interrupt controller (SPEC.md §11.3).
    pic: "PIC" @ memmap::PIC, "PIC" {
        PENDING = 0x00, ENABLE = 0x04, INSERVICE = 0x08, EOI = 0x0C,
        PRIORITY = 0x10 as "PIC_PRIO",
    }
    /// Timer (SPEC.md §11.4).
    timer: "TIMER" @ memmap::TIMER, "TIMER" {
        CTRL = 0x00, PERIOD = 0x04, STATUS = 0x08, NOW_LO = 0x0C, NOW_HI = 0x10,
    }
    /// UART (SPEC.md §11.5).
    uart: "UART" @ memmap::UART, "UART" {
        DATA = 0x00, STATUS = 0x04, CTRL = 0x08, RXCOUNT = 0x0C, TXCOUNT = 0x10,
    }
    /// Power controller (SPEC.md §11.6).
    power: "POWER" @ memmap::POWER, "POWER" {
        POWEROFF = 0x00 as "POWER_OFF", RESET = 0x04,
    }
    /// Block device (SPEC.md §11.7).
    disk: "DISK" @ memmap::DISK, "DISK" {
        CMD = 0x00, STATUS = 0x04, ERROR = 0x08, SECTOR = 0x0C, COUNT = 0x10, ADDR = 0x14,
        CTRL = 0x18, ACK = 0x1C, CAPACITY = 0x20,
    }
    /// Framebuffer control (SPEC.md §11.8).
    fb: "FBCTL" @ memmap::FBCTL, "FB" {
        WIDTH = 0x00, HEIGHT = 0x04, MODE = 0x08, PITCH = 0x0C, OFFSET = 0x10,
        PAL_INDEX = 0x14, PAL_DATA = 0x18, CTRL = 0x1C, FRAMES = 0x20,
        SIZE = 0x24 as "FB_SIZE_REG",
    }
    /// Keyboard (SPEC.md §11.9).
    keyboard: "KEYBOARD" @ memmap::KEYBOARD, "KBD" {
        DATA = 0x00, STATUS = 0x04, CTRL = 0x08, COUNT = 0x0C,
    }
    /// Real-time clock (SPEC.md §11.10).
    rtc: "RTC" @ memmap::RTC, "RTC" {
        SECONDS_LO = 0x00, SECONDS_HI = 0x04, NANOS = 0x08, ALARM_LO = 0x0C, ALARM_HI = 0x10,
        CTRL = 0x14, STATUS = 0x18, CLOCK_HZ = 0x1C,
    }
    /// Camera (SPEC.md §11.11).
    camera: "CAMERA" @ memmap::CAMERA, "CAM" {
        CTRL = 0x00, STATUS = 0x04, ADDR = 0x08, CAPTURE = 0x0C, WIDTH = 0x10, HEIGHT = 0x14,
        FRAMES = 0x18, ACK = 0x1C, ERROR = 0x20,
    }
}
