//! The views of devices, stop points and the hot-block profile.

use super::*;

impl Debugger {
    /// `info devices`.
    pub fn info_devices(&mut self) -> CmdResult {
        let d = &self.m.dev;
        let bits = |v: u16| -> String {
            let v: Vec<String> = (0..16)
                .filter(|i| v & (1 << i) != 0)
                .map(|i| i.to_string())
                .collect();
            if v.is_empty() {
                "none".into()
            } else {
                v.join(",")
            }
        };
        let mut l = vec![format!(
            "PIC    {:#010x}  pending lines: {}; enabled: {}; in service: {}",
            memmap::PIC,
            bits(d.pic.pending),
            bits(d.pic.enable),
            bits(d.pic.in_service)
        )];
        let prios: Vec<String> = d
            .pic
            .priority
            .iter()
            .enumerate()
            .filter(|(_, p)| **p != 0)
            .map(|(i, p)| format!("{i}:{p}"))
            .collect();
        if !prios.is_empty() {
            l.push(format!(
                "       priorities (line:prio): {}",
                prios.join(" ")
            ));
        }
        let t = &d.timer;
        l.push(format!(
            "TIMER  {:#010x}  line 0; ctrl {:#x} (enable {}, periodic {}, irq {}), period {}, \
             fired {}, {}; fired {} time(s)",
            memmap::TIMER,
            t.ctrl,
            t.ctrl & 1,
            (t.ctrl >> 1) & 1,
            (t.ctrl >> 2) & 1,
            t.period,
            t.fired as u8,
            if t.deadline == u64::MAX {
                "stopped".to_string()
            } else {
                format!(
                    "next at cycle {} (in {})",
                    t.deadline,
                    t.deadline.saturating_sub(self.m.cpu.cycles)
                )
            },
            t.fires
        ));
        let u = &d.uart;
        l.push(format!(
            "UART   {:#010x}  line 1; ctrl {:#x} (rx irq {}, tx irq {}), {} byte(s) waiting to be \
             read, {} sent",
            memmap::UART,
            u.ctrl,
            u.ctrl & 1,
            (u.ctrl >> 1) & 1,
            u.pending_input(),
            u.tx_bytes
        ));
        l.push(format!(
            "POWER  {:#010x}  {}",
            memmap::POWER,
            match d.power.request {
                None => "no request pending".to_string(),
                Some(emulator::devices::power::PowerRequest::Off(c)) => {
                    format!("power-off pending (exit code {c})")
                }
                Some(emulator::devices::power::PowerRequest::Reset) => {
                    "reset pending".to_string()
                }
            }
        ));
        l.extend(self.other_devices());
        l.push(format!(
            "Device register accesses so far: {}; iopl {} (rings 0..{} may access them)",
            d.accesses,
            self.m.cpu.crs[num::IOPL as usize] & 3,
            self.m.cpu.crs[num::IOPL as usize] & 3
        ));
        for x in l {
            self.say(x);
        }
        Ok(())
    }

    /// `info devices` lines for the disk, framebuffer, keyboard, RTC and camera (read without
    /// side effects: no register read that pops or latches).
    fn other_devices(&self) -> Vec<String> {
        use emulator::devices::{camera, disk, keyboard, rtc};
        let d = &self.m.dev;
        let now = self.m.cpu.cycles;
        let onoff = |b: bool| if b { "on" } else { "off" };
        let mut l = Vec::new();
        let k = &d.disk;
        let st = k.status();
        let medium = match &k.image {
            None => "no medium".to_string(),
            Some(img) => format!(
                "{} ({} sectors{}, {} written sector(s) not yet in the file)",
                img.path().display(),
                img.sectors(),
                if img.readonly() { ", read-only" } else { "" },
                img.dirty_sectors()
            ),
        };
        l.push(format!(
            "DISK   {:#010x}  line {}; {medium}; status {st:#x} (busy {}, done {}, error {}{}); \
             ctrl {:#x} (irq {}); sector {}, count {}, addr {:#010x}; {} command(s), {} read, {} \
             written, {} flush(es), {} error(s)",
            memmap::DISK,
            disk::LINE,
            st & 1,
            (st >> 1) & 1,
            (st >> 2) & 1,
            match k.read(0x08) {
                Some(e) if e != 0 => format!(": code {e}"),
                _ => String::new(),
            },
            k.ctrl,
            k.ctrl & 1,
            k.sector,
            k.count,
            k.addr,
            k.commands,
            k.sectors_read,
            k.sectors_written,
            k.flushes,
            k.errors
        ));
        let f = &d.fb;
        l.push(format!(
            "FB     {:#010x}  display {}; {}x{} {}, offset {:#x}; video memory at {:#010x}, {} \
             byte(s) written",
            memmap::FBCTL,
            onoff(f.ctrl & 1 != 0),
            f.width,
            f.height,
            if f.mode == emulator::devices::fb::MODE_INDEXED8 {
                "8-bit indexed"
            } else {
                "32-bit XRGB"
            },
            f.offset,
            memmap::FB_BASE,
            f.bytes_written
        ));
        // STATUS and COUNT read from a copy: reading the device itself takes `&mut`.
        let mut kb = d.keyboard.clone();
        let kst = kb.read(0x04).unwrap_or(0);
        l.push(format!(
            "KBD    {:#010x}  line {}; ctrl {:#x} (irq {}); {} event(s) waiting to be read{}; {} \
             delivered",
            memmap::KEYBOARD,
            keyboard::LINE,
            d.keyboard.ctrl,
            d.keyboard.ctrl & 1,
            kb.read(0x0C).unwrap_or(0),
            if kst & 2 != 0 {
                " (more held back: the queue is full)"
            } else {
                ""
            },
            d.keyboard.events
        ));
        let r = &d.rtc;
        let ns = r.time_ns(now);
        l.push(format!(
            "RTC    {:#010x}  line {}; time {}.{:09} s since 1970; alarm {} at {} s{}; {} alarm(s) \
             went off",
            memmap::RTC,
            rtc::LINE,
            ns / 1_000_000_000,
            ns % 1_000_000_000,
            if r.ctrl & 1 != 0 { "armed" } else { "not armed" },
            r.alarm,
            if r.fired { " (went off)" } else { "" },
            r.alarms
        ));
        let c = &d.camera;
        let cst = c.status();
        l.push(format!(
            "CAMERA {:#010x}  line {}; sensor {}; status {cst:#x} (busy {}, done {}, error {}{}); \
             ctrl {:#x} (irq {}); addr {:#010x}; {} frame(s) captured",
            memmap::CAMERA,
            camera::LINE,
            onoff(c.is_on()),
            (cst & camera::ST_BUSY != 0) as u8,
            (cst & camera::ST_DONE != 0) as u8,
            (cst & camera::ST_ERROR != 0) as u8,
            match c.read(0x20) {
                Some(e) if e != 0 => format!(": code {e}"),
                _ => String::new(),
            },
            c.ctrl,
            (c.ctrl & camera::CTRL_IE != 0) as u8,
            c.addr,
            c.frames
        ));
        l
    }

    /// `info breakpoints`.
    pub fn info_breakpoints(&mut self) -> CmdResult {
        if self.points.list.is_empty() {
            self.say("No breakpoints, watchpoints or catchpoints.");
            return Ok(());
        }
        let mut l = vec![format!(
            "{:<4} {:<16} {:<5} {:<3} {:<11} What",
            "Num", "Type", "Disp", "Enb", "Address"
        )];
        for p in &self.points.list {
            let (ty, disp, addr, what) = match &p.kind {
                Kind::Break { addr, temp } => (
                    "breakpoint".to_string(),
                    if *temp { "del" } else { "keep" },
                    format!("{addr:#010x}"),
                    format!(
                        "{}{}",
                        self.syms
                            .name_at(*addr)
                            .map(|s| format!("in {s}"))
                            .unwrap_or_else(|| p.what.clone()),
                        self.syms.line_suffix(*addr)
                    ),
                ),
                Kind::Watch(w) => (
                    w.kind.short().to_string(),
                    "keep",
                    format!("{:#010x}", w.addr),
                    format!(
                        "{} ({} byte{}{})",
                        p.what,
                        w.len,
                        if w.len == 1 { "" } else { "s" },
                        if w.phys { ", physical" } else { "" }
                    ),
                ),
                Kind::Catch(c) => (
                    "catchpoint".to_string(),
                    "keep",
                    String::new(),
                    c.describe(),
                ),
            };
            l.push(format!(
                "{:<4} {:<16} {:<5} {:<3} {:<11} {}",
                p.id,
                ty,
                disp,
                if p.enabled { "y" } else { "n" },
                addr,
                what
            ));
            if let Some((c, _)) = &p.cond {
                l.push(format!("        stop only if {c}"));
            }
            if p.hits > 0 {
                l.push(format!(
                    "        hit {} time{}",
                    p.hits,
                    if p.hits == 1 { "" } else { "s" }
                ));
            }
        }
        for x in l {
            self.say(x);
        }
        Ok(())
    }

    /// `hot [N]`: the threaded engine's hottest blocks.
    pub fn hot(&mut self, n: usize) -> CmdResult {
        if !self.engine.has_blocks() {
            return Err(DbgError::hint(
                "block profiles come from the threaded engine, and this session runs the \
                 interpreter",
                "switch with `engine threaded` (or start with `ringfort debug --engine threaded \
                 PROG`), then `continue` with no read/access watchpoints or catchpoints set",
            ));
        }
        // Shares are of the cycles the profile holds. Not of the cycle counter's progress:
        // time travel moves the counter back while blocks keep their counts, and it drops the
        // translated blocks (with their counts) when it restores memory.
        // One line per guest address: a block translated again (after a store into its code
        // page) is the same code; the cache adds its translations up and counts them.
        let all = emulator::Engine::hot_blocks(&self.threaded, usize::MAX);
        let total = all.iter().map(|b| b.cycles).sum::<u64>().max(1);
        let hot: Vec<emulator::engine::HotBlock> = all.into_iter().take(n).collect();
        if hot.is_empty() {
            self.say(
                "No blocks have run on the threaded engine yet: it runs `continue` unless a \
                 read/access watchpoint, catchpoint or trace is active.",
            );
            return Ok(());
        }
        let engine = emulator::Engine::name(&self.threaded);
        let mut l = vec![format!(
            "Hottest blocks ({engine} engine), by cycles; share of the {total} cycles in its \
             profile:"
        )];
        l.push(format!(
            "  {:>2}  {:<10}  {:<24} {:>12} {:>14} {:>7} {:>6} {:>12} {:>6}",
            "#", "pc", "where", "executions", "cycles", "share", "insns", "translations", "native"
        ));
        for (i, b) in hot.iter().enumerate() {
            l.push(format!(
                "  {:>2}  {:#010x}  {:<24} {:>12} {:>14} {:>6.1}% {:>6} {:>12} {:>6}",
                i + 1,
                b.pc,
                self.syms.name_at(b.pc).unwrap_or_default(),
                b.execs,
                b.cycles,
                b.cycles as f64 * 100.0 / total as f64,
                b.len,
                b.translations,
                if b.native { "yes" } else { "no" }
            ));
        }
        if let Some(report) = emulator::Engine::tier_report(&self.threaded) {
            l.extend(report.lines().map(|x| format!("  {x}")));
        }
        for x in l {
            self.say(x);
        }
        Ok(())
    }
}
