//! Devices (SPEC.md §11): guest programs under tests/guest/dev_*.s run on both engines, which
//! must agree on every device's state, cycle for cycle.
#[path = "support/oom_guard.rs"]
mod oom_guard;

mod common;

use common::{assemble, machine_with, test_path, Run, TEST_RAM};
use emulator::devices::camera::{self, Indicator};
use emulator::devices::disk::{self, Image};
use emulator::devices::{keyboard, regs, uart, CLOCK_HZ};
use emulator::engine::interp::Interp;
use emulator::engine::threaded::Threaded;
use emulator::{Budget, Engine, Exit, Machine};
use std::path::{Path, PathBuf};

/// Cycle limit for device tests (sleeping in `wfi` makes long guest times cheap).
const CYCLES: u64 = 2_000_000_000;

/// Runs tests/guest/`name` on both engines; `setup(machine, engine index)` prepares each
/// machine (attach a disk, inject input). The engines must stop alike, in the same state.
fn run_both(name: &str, setup: impl Fn(&mut Machine, usize)) -> Run {
    let path = test_path(&format!("guest/{name}"));
    let src = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let prog = assemble(name, &src);
    let budget = Budget {
        max_cycles: CYCLES,
        ..Budget::UNLIMITED
    };
    let mut a = machine_with(&prog, TEST_RAM);
    let mut b = machine_with(&prog, TEST_RAM);
    for (i, m) in [&mut a, &mut b].into_iter().enumerate() {
        m.dev.camera.indicator = Indicator::Quiet;
        setup(m, i);
    }
    // Full state, devices included (emulator::diff::state_diff compares every device).
    let (m, exit) = testkit::run_agreeing(name, a, b, budget);
    Run { m, exit }
}

/// Like [`run_both`], and the guest must pass (halt with 0 or power off with 0).
fn pass_both(name: &str, setup: impl Fn(&mut Machine, usize)) -> Run {
    let run = run_both(name, setup);
    match &run.exit {
        Exit::Halted(0) | Exit::PowerOff(0) => run,
        Exit::Halted(c) | Exit::PowerOff(c) => panic!(
            "{name}: check {c} failed (pc {:#x}, serial {:?})",
            run.m.cpu.pc,
            run.serial()
        ),
        other => panic!("{name}: stopped with {other:?} at pc {:#x}", run.m.cpu.pc),
    }
}

fn word(m: &Machine, pa: u32) -> u32 {
    m.peek_phys(pa, 4).expect("RAM")
}

const DATA_AREA: u32 = 0x10_0000;

// ---------------------------------------------------------------- timer and PIC

#[test]
fn periodic_timer_ticks_at_the_predicted_cycles() {
    const PERIOD: u64 = 5000;
    let run = pass_both("dev_timer.s", |_, _| {});
    let m = &run.m;
    let s0 = word(m, DATA_AREA) as u64;
    assert_eq!(word(m, DATA_AREA + 4), 5, "ticks");
    let ticks: Vec<u64> = m
        .deliveries
        .as_ref()
        .unwrap()
        .iter()
        .filter(|d| d.vector == 32)
        .map(|d| d.cycle)
        .collect();
    let predicted: Vec<u64> = (1..=5).map(|k| s0 + 8 + k * PERIOD).collect();
    assert_eq!(ticks, predicted, "timer deliveries (SPEC §11.4, §12.4)");
    for (k, &t) in predicted.iter().enumerate() {
        assert_eq!(
            word(m, DATA_AREA + 16 + 4 * k as u32) as u64,
            (t + 12 + 2) & 0xFFFF_FFFF,
            "the handler's reading of tick {k}"
        );
    }
    // Exactly the same cycles on every run.
    let again = pass_both("dev_timer.s", |_, _| {});
    assert_eq!(again.m.deliveries, run.m.deliveries);
    assert_eq!(again.m.cpu.cycles, run.m.cpu.cycles);
}

#[test]
fn interrupt_priorities_masking_and_in_service() {
    let run = pass_both("dev_pic.s", |_, _| {});
    let lines: Vec<u8> = run
        .m
        .deliveries
        .as_ref()
        .unwrap()
        .iter()
        .filter(|d| d.vector >= 32)
        .map(|d| d.vector - 32)
        .collect();
    assert_eq!(lines, [2, 0, 1, 1, 1, 2]);
    let st = run.m.dev.stats();
    assert!(
        st.irqs[0] >= 1 && st.irqs[1] >= 3 && st.irqs[2] >= 2,
        "{st:?}"
    );
}

// ---------------------------------------------------------------- UART

/// Input injected into a machine whose guest already sleeps in `wfi` wakes it when it arrives:
/// the arrival is in the event schedule (it used to be seen only at the next device event, a
/// million cycles later here). Both engines.
#[test]
fn injected_input_wakes_a_sleeping_guest() {
    let src = r#"
        .include "check.inc"
        .include "dev_regs.inc"
main:   set_vec V_IRQ0 + IRQ_UART, rx, D_P
        pic_enable IRQ_UART
        li      t1, UART
        li      t0, 1                   # RX interrupt
        sw      t0, UART_CTRL(t1)
        li      t1, TIMER               # a slow timer without interrupts: not idle
        li      t0, 1000000
        sw      t0, TIMER_PERIOD(t1)
        li      t0, 3                   # enable | periodic
        sw      t0, TIMER_CTRL(t1)
        ints_on
1:      wfi
        j       1b
rx:     li      t1, UART
        lw      a0, UART_DATA(t1)
        halt
"#;
    let prog = common::assemble("sleep.s", src);
    for threaded in [false, true] {
        let mut m = common::machine_with(&prog, common::TEST_RAM);
        let mut engine: Box<dyn Engine> = if threaded {
            Box::new(Threaded::new())
        } else {
            Box::new(Interp::new())
        };
        let budget = |c| Budget {
            max_cycles: c,
            ..Budget::UNLIMITED
        };
        assert_eq!(
            engine.run(&mut m, budget(10_000)),
            Exit::CycleLimit,
            "asleep"
        );
        m.dev.inject_serial(50_000, b"x");
        assert_eq!(
            engine.run(&mut m, budget(1_000_000)),
            Exit::Halted(b'x' as u32)
        );
        assert!(
            (50_000..60_000).contains(&m.cpu.cycles),
            "woken by the byte when it arrives: cycle {}",
            m.cpu.cycles
        );
    }
}

#[test]
fn uart_echoes_injected_input() {
    let input = b"hello, ring 0\n";
    let run = pass_both("dev_uart_echo.s", |m, _| {
        m.dev.inject_serial(5_000, input);
        m.dev.inject_serial(20_000, b"more\x04");
    });
    assert_eq!(run.serial(), "hello, ring 0\nmore");
    assert_eq!(run.m.dev.uart.rx_bytes, input.len() as u64 + 5);
}

#[test]
fn uart_full_rx_fifo_loses_nothing_and_full_tx_fifo_waits() {
    let input: Vec<u8> = (0..100u32).map(|i| (i * 7 + 3) as u8).collect();
    let run = pass_both("dev_uart_flood.s", |m, _| m.dev.inject_serial(0, &input));
    let m = &run.m;
    assert_eq!(word(m, DATA_AREA), 100, "bytes the guest read");
    let got: Vec<u8> = (0..100)
        .map(|i| m.peek_phys(DATA_AREA + 0x100 + i, 1).unwrap() as u8)
        .collect();
    assert_eq!(got, input, "every byte, in order");
    assert_eq!(m.dev.uart.output(), &input[..], "echoed back in full");
    assert!(
        m.dev.uart.stall_cycles > 0,
        "stores to the full TX FIFO waited"
    );
    assert_eq!(word(m, DATA_AREA + 4), 1, "TX-space interrupts");
    // 100 bytes at one byte time each, plus the wait for a full FIFO to drain: the stores
    // can't have finished before 100 - 16 byte times after the first.
    assert!(m.dev.uart.stall_cycles >= (100 - 16 - 16) * uart::BYTE_CYCLES);
}

#[test]
fn uart_input_timing_is_deterministic() {
    let a = pass_both("dev_uart_echo.s", |m, _| {
        m.dev.inject_serial(1234, b"xyz\x04")
    });
    let b = pass_both("dev_uart_echo.s", |m, _| {
        m.dev.inject_serial(1234, b"xyz\x04")
    });
    assert_eq!(a.m.cpu.cycles, b.m.cpu.cycles);
    assert_eq!(a.m.deliveries, b.m.deliveries);
    // The first byte lands one byte time after it arrives.
    let first =
        a.m.deliveries
            .as_ref()
            .unwrap()
            .iter()
            .find(|d| d.vector == 33)
            .unwrap()
            .cycle;
    assert_eq!(first, 1234 + uart::BYTE_CYCLES);
}

// ---------------------------------------------------------------- disk

/// A scratch directory for image files.
fn scratch() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// A `sectors`-sector image filled with `fill`.
fn make_image(dir: &Path, name: &str, sectors: usize, fill: u8) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, vec![fill; sectors * disk::SECTOR_SIZE]).unwrap();
    p
}

fn attach(m: &mut Machine, path: &Path, readonly: bool) {
    m.dev
        .attach_disk(Image::open(path, readonly).expect("image opens"));
}

#[test]
fn disk_writes_survive_power_off_and_read_back() {
    let dir = scratch();
    let imgs = [
        make_image(dir.path(), "a.img", 128, 0xEE),
        make_image(dir.path(), "b.img", 128, 0xEE),
    ];
    let run = run_both("dev_disk_write.s", |m, i| attach(m, &imgs[i], false));
    assert_eq!(run.exit, Exit::PowerOff(0), "serial {:?}", run.serial());
    assert_eq!(run.m.dev.disk.sectors_written, 3);
    assert_eq!(run.m.dev.stats().irqs[2], 1, "one completion interrupt");
    drop(run);
    for img in &imgs {
        let bytes = std::fs::read(img).unwrap();
        for i in 0..384u32 {
            let o = 10 * 512 + 4 * i as usize;
            assert_eq!(
                u32::from_le_bytes(bytes[o..o + 4].try_into().unwrap()),
                0xD15C_0000 + i,
                "{}: word {i}",
                img.display()
            );
        }
        assert!(
            bytes[..10 * 512].iter().all(|&b| b == 0xEE),
            "sectors before untouched"
        );
        assert!(
            bytes[13 * 512..].iter().all(|&b| b == 0xEE),
            "sectors after untouched"
        );
    }
    // A second run reads them back.
    let run = pass_both("dev_disk_read.s", |m, i| attach(m, &imgs[i], true));
    assert_eq!(run.m.dev.disk.sectors_read, 3);
}

#[test]
fn disk_dma_over_translated_code_runs_the_new_code() {
    let dir = scratch();
    let imgs = [
        make_image(dir.path(), "a.img", 16, 0),
        make_image(dir.path(), "b.img", 16, 0),
    ];
    pass_both("dev_disk_smc.s", |m, i| attach(m, &imgs[i], false));
}

#[test]
fn disk_writes_reach_the_file_only_at_flush_or_drop() {
    let dir = scratch();
    let img = make_image(dir.path(), "c.img", 16, 0);
    let image = Image::open(&img, false).unwrap();
    image.write(2, &[0xAB; 512]).unwrap();
    assert_eq!(image.dirty_sectors(), 1);
    assert!(
        std::fs::read(&img).unwrap().iter().all(|&b| b == 0),
        "not yet written"
    );
    assert_eq!(
        image.read(2, 1).unwrap(),
        vec![0xAB; 512],
        "reads see cached writes"
    );
    drop(image); // a clean exit flushes
    let bytes = std::fs::read(&img).unwrap();
    assert!(bytes[1024..1536].iter().all(|&b| b == 0xAB));
    assert!(bytes[..1024].iter().all(|&b| b == 0));
}

/// Writing more sectors than the cache holds writes the oldest back: the cache stays bounded
/// and every sector reaches the file.
#[test]
fn the_disk_write_cache_is_bounded() {
    let dir = scratch();
    let n = disk::MAX_DIRTY_SECTORS + 1000;
    let img = make_image(dir.path(), "big.img", n, 0);
    let image = Image::open(&img, false).unwrap();
    for s in 0..n {
        image.write(s as u64, &[(s % 251) as u8; 512]).unwrap();
        assert!(image.dirty_sectors() <= disk::MAX_DIRTY_SECTORS);
    }
    drop(image);
    let bytes = std::fs::read(&img).unwrap();
    for s in [
        0,
        1,
        disk::MAX_DIRTY_SECTORS - 1,
        disk::MAX_DIRTY_SECTORS,
        n - 1,
    ] {
        assert!(
            bytes[s * 512..s * 512 + 512]
                .iter()
                .all(|&b| b == (s % 251) as u8),
            "sector {s}"
        );
    }
}

#[test]
fn readonly_image_is_never_written() {
    let dir = scratch();
    let img = make_image(dir.path(), "ro.img", 64, 0x5A);
    let before = std::fs::read(&img).unwrap();
    let mtime = std::fs::metadata(&img).unwrap().modified().unwrap();
    let run = pass_both("dev_disk_ro.s", |m, _| attach(m, &img, true));
    assert_eq!(run.m.dev.disk.sectors_written, 0);
    assert_eq!(run.m.dev.disk.errors, 1);
    drop(run);
    assert_eq!(std::fs::read(&img).unwrap(), before, "contents unchanged");
    assert_eq!(std::fs::metadata(&img).unwrap().modified().unwrap(), mtime);
}

#[test]
fn bad_disk_commands_are_error_statuses() {
    let dir = scratch();
    let imgs = [
        make_image(dir.path(), "a.img", 128, 1),
        make_image(dir.path(), "b.img", 128, 1),
    ];
    let run = pass_both("dev_disk_errors.s", |m, i| attach(m, &imgs[i], false));
    assert_eq!(run.m.dev.disk.errors, 9);
    pass_both("dev_disk_nomedia.s", |_, _| {});
}

#[test]
fn bad_images_are_refused_with_clear_errors() {
    let dir = scratch();
    let missing = dir.path().join("nope.img");
    let e = Image::open(&missing, false).unwrap_err();
    assert!(
        e.contains("does not exist") && e.contains("nope.img"),
        "{e}"
    );
    let trunc = dir.path().join("trunc.img");
    std::fs::write(&trunc, vec![0u8; 1000]).unwrap();
    let e = Image::open(&trunc, false).unwrap_err();
    assert!(e.contains("1000 bytes") && e.contains("512"), "{e}");
    let empty = dir.path().join("empty.img");
    std::fs::write(&empty, b"").unwrap();
    let e = Image::open(&empty, true).unwrap_err();
    assert!(e.contains("empty"), "{e}");
    let e = Image::open(dir.path(), false).unwrap_err();
    assert!(e.contains("not a regular file"), "{e}");
    // Two writers of one image: the second is refused.
    let ok = make_image(dir.path(), "ok.img", 4, 0);
    let first = Image::open(&ok, false).unwrap();
    let e = Image::open(&ok, false).unwrap_err();
    assert!(e.contains("in use"), "{e}");
    drop(first);
    Image::open(&ok, false).expect("free again");
    // Readers share an image (a shared lock); a writer excludes readers and readers a writer.
    let r1 = Image::open(&ok, true).unwrap();
    let r2 = Image::open(&ok, true).expect("two readers share the image");
    let e = Image::open(&ok, false).unwrap_err();
    assert!(e.contains("in use"), "{e}");
    drop((r1, r2));
    let w = Image::open(&ok, false).unwrap();
    let e = Image::open(&ok, true).unwrap_err();
    assert!(e.contains("in use"), "{e}");
    drop(w);
}

// ---------------------------------------------------------------- framebuffer

/// Decodes a PNG into (width, height, 0x00RRGGBB pixels).
fn decode_png(path: &Path) -> (u32, u32, Vec<u32>) {
    let dec = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut r = dec.read_info().unwrap();
    let mut buf = vec![0; r.output_buffer_size()];
    let info = r.next_frame(&mut buf).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgb);
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    let px = buf[..info.buffer_size()]
        .chunks_exact(3)
        .map(|c| (c[0] as u32) << 16 | (c[1] as u32) << 8 | c[2] as u32)
        .collect();
    (info.width, info.height, px)
}

/// The picture dev_fb.s draws.
pub fn dev_fb_expected() -> Vec<u32> {
    let (w, h) = (64, 48);
    let mut px = vec![0x0020_3040u32; w * h];
    for y in 4..12 {
        for x in 8..24 {
            px[y * w + x] = 0xFF0000;
        }
    }
    px[0] = 0x2030FF;
    px[1] = 0x20ABCD;
    px[w * h - 1] = 0x00FF00;
    px
}

#[test]
fn screenshot_pixels_equal_what_the_guest_drew() {
    let run = pass_both("dev_fb.s", |_, _| {});
    let dir = scratch();
    let shot = dir.path().join("fb.png");
    run.m.dev.fb.save_png(&shot).unwrap();
    let (w, h, px) = decode_png(&shot);
    assert_eq!((w, h), (64, 48));
    assert_eq!(px, dev_fb_expected());
    assert!(run.m.dev.fb_accesses > 64 * 48);
    // No temporary file left behind.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn palette_mode_screenshot() {
    let run = pass_both("dev_fb_pal.s", |_, _| {});
    let dir = scratch();
    let shot = dir.path().join("pal.png");
    run.m.dev.fb.save_png(&shot).unwrap();
    let (w, h, px) = decode_png(&shot);
    assert_eq!((w, h), (32, 16));
    let colours = [0xFF0000, 0x00FF00, 0x0000FF, 0x123456];
    for y in 0..16 {
        for x in 0..32 {
            let want = if y == 0 { 0 } else { colours[x / 8] };
            assert_eq!(px[y * 32 + x], want, "pixel ({x}, {y})");
        }
    }
}

// ---------------------------------------------------------------- camera

#[test]
fn camera_is_only_for_drivers_and_delivers_a_frame() {
    const BUF: u32 = 0x20_0000;
    let run = pass_both("dev_camera.s", |_, _| {});
    let m = &run.m;
    // Ring 3's two attempts faulted with IO_PRIVILEGE.
    let io: Vec<_> = m
        .deliveries
        .as_ref()
        .unwrap()
        .iter()
        .filter(|d| d.vector == 9)
        .collect();
    assert_eq!(io.len(), 2);
    // The ring-1 driver switched it on, then off: the indicator showed both.
    let log = &m.dev.camera.indicator_log;
    assert_eq!(log.len(), 2, "{log:?}");
    assert!(log[0].1 && !log[1].1);
    assert!(!m.dev.camera.is_on());
    assert_eq!(m.dev.camera.frames, 1);
    assert_eq!(word(m, DATA_AREA), 1);
    // The frame in RAM is the test pattern of the frame it captured.
    let k = m.dev.camera.last_frame;
    assert!(k >= 1);
    for y in 0..camera::HEIGHT {
        for x in 0..camera::WIDTH {
            let got = word(m, BUF + 4 * (y * camera::WIDTH + x));
            assert_eq!(got, camera::pattern_pixel(k, x, y), "pixel ({x}, {y})");
        }
    }
    // The capture completed at the frame's start cycle (driver polled until then).
    assert!(m.cpu.cycles >= k * camera::FRAME_CYCLES);
}

// ---------------------------------------------------------------- RTC, keyboard, reset

#[test]
fn rtc_reads_base_plus_cycles_and_alarm_is_exact() {
    let run = pass_both("dev_rtc.s", |m, _| m.dev.rtc.set_base(1_767_225_600));
    let alarm = run
        .m
        .deliveries
        .as_ref()
        .unwrap()
        .iter()
        .find(|d| d.vector == 32 + 5)
        .expect("alarm interrupt")
        .cycle;
    assert_eq!(alarm, 2 * CLOCK_HZ);
    assert_eq!(run.m.dev.rtc.alarms, 1);
}

#[test]
fn keyboard_events_arrive_by_interrupt_and_none_is_lost() {
    let run = pass_both("dev_keyboard.s", |m, _| {
        m.dev.inject_key(1000, keyboard::event(b'a', false));
        m.dev.inject_key(2000, keyboard::event(b'a', true));
        for _ in 0..20 {
            m.dev.inject_key(3000, keyboard::event(b'b', false));
        }
    });
    assert_eq!(run.m.dev.keyboard.events, 22);
}

#[test]
fn reset_restores_devices_but_keeps_time_and_output() {
    let src = std::fs::read_to_string(test_path("guest/dev_reset.s")).unwrap();
    let prog = assemble("dev_reset.s", &src);
    let budget = Budget {
        max_cycles: CYCLES,
        ..Budget::UNLIMITED
    };
    let run = common::run_program_budget("dev_reset.s", &prog, TEST_RAM, budget);
    let m = &run.m;
    assert_eq!(run.exit, Exit::Halted(0), "pc {:#x}", m.cpu.pc);
    assert_eq!(m.dev.uart.output(), b"RS");
    assert_eq!(
        m.dev.timer.deadline,
        u64::MAX,
        "timer disarmed by the reset"
    );
}

// ---- the register table (emulator::devices::regs) and its copies ----

/// The `.equ NAME, NUMBER` definitions of the guest include files.
fn include_equs(files: &[&str]) -> std::collections::HashMap<String, u32> {
    let mut defs = std::collections::HashMap::new();
    for f in files {
        let text = std::fs::read_to_string(test_path(f)).expect("include file");
        for line in text.lines() {
            let Some(rest) = line.trim().strip_prefix(".equ") else {
                continue;
            };
            let rest = rest.split('#').next().unwrap_or("");
            let Some((name, value)) = rest.split_once(',') else {
                continue;
            };
            let value = value.trim();
            let n = match value.strip_prefix("0x") {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None => value.parse().ok(),
            };
            if let Some(n) = n {
                defs.insert(name.trim().to_string(), n);
            }
        }
    }
    defs
}

/// The `.equ` name of a register in the guest include files.
fn include_name(b: &regs::Block, r: &regs::Reg) -> String {
    match r.alias.first() {
        Some(a) => a.to_string(),
        None => format!("{}_{}", b.prefix, r.name),
    }
}

#[test]
fn guest_include_register_offsets_are_the_table() {
    // The test programs' includes, and the firmware's machine header (Ringfort OS).
    for files in [
        &["guest/check.inc", "guest/dev_regs.inc"][..],
        &["../firmware/include/machine.inc"][..],
    ] {
        check_register_offsets(&include_equs(files));
    }
}

/// Every register of the table is defined with its offset, and no other register-like name.
fn check_register_offsets(defs: &std::collections::HashMap<String, u32>) {
    let mut known = std::collections::HashSet::new();
    for b in regs::TABLE {
        assert_eq!(defs.get(b.title), Some(&b.base), "{} base", b.title);
        for r in b.regs {
            let name = include_name(b, r);
            assert_eq!(defs.get(&name), Some(&r.offset), "{name}");
            known.insert(name);
        }
    }
    // And no register the table does not have.
    for name in defs.keys() {
        for b in regs::TABLE {
            let reg_like = name.starts_with(&format!("{}_", b.prefix));
            assert!(
                !reg_like || known.contains(name),
                "{name}: not in the table"
            );
        }
    }
}

#[test]
fn spec_register_tables_are_the_table() {
    let spec_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("isa-spec/SPEC.md");
    let spec = std::fs::read_to_string(spec_path).expect("SPEC.md");
    let sections: Vec<&str> = spec.split("\n### ").collect();
    let mut devices = emulator::devices::Devices::new(uart::Sink::None);
    for b in regs::TABLE {
        let section = sections
            .iter()
            .find(|s| s.starts_with("11.") && s.split_whitespace().nth(1) == Some(b.title))
            .unwrap_or_else(|| panic!("no §11 section for {}", b.title));
        let title = section.lines().next().unwrap_or("");
        let base = title
            .split("`0x")
            .nth(1)
            .and_then(|h| u32::from_str_radix(&h[..8], 16).ok());
        assert_eq!(base, Some(b.base), "{title}");
        // `(`0xF0003000`, IRQ line 2)`: the line the device raises.
        let line = title
            .split("line ")
            .nth(1)
            .and_then(|t| t.trim_end_matches(')').parse::<u8>().ok());
        let dev = devices.device_at(b.base).expect("mapped");
        assert_eq!(line, dev.line(), "{title}");
        // Rows `| `0x10 + 4n` | `PRIORITY[n]` | ...`: the offset of element 0, the bare name.
        let rows: Vec<(String, u32)> = section
            .lines()
            .filter(|l| l.starts_with("| `0x"))
            .map(|l| {
                let cells: Vec<&str> = l.split('|').map(|c| c.trim().trim_matches('`')).collect();
                let off = cells[1].split_whitespace().next().unwrap_or("");
                let off = u32::from_str_radix(off.trim_start_matches("0x"), 16).expect(l);
                (cells[2].trim_end_matches("[n]").to_string(), off)
            })
            .collect();
        let want: Vec<(String, u32)> = b
            .regs
            .iter()
            .map(|r| (r.name.to_string(), r.offset))
            .collect();
        assert_eq!(rows, want, "SPEC.md §11 {}", b.title);
    }
}

/// The library does not print: the camera's indicator is a notice the front end takes.
#[test]
fn camera_indicator_is_a_notice() {
    let run = run_both("dev_camera.s", |m, _| {
        m.dev.camera.indicator = Indicator::Notice;
    });
    let mut m = run.m;
    let said: Vec<String> = m.take_notices().iter().map(|n| n.to_string()).collect();
    assert_eq!(said, ["[camera on]\n", "[camera off]\n"]);
}
