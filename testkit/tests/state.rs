//! Saving and restoring the machine state: a machine saved at any point (through the file
//! encoding, postcard), restored into a fresh machine and run on, ends exactly as the machine
//! that was never saved — on either engine, whichever engine ran before the save.

use emulator::devices::uart::Sink;
use emulator::engine::interp::Interp;
use emulator::engine::threaded::Threaded;
use emulator::state::MachineState;
use emulator::{Budget, Config, Engine, Exit, Machine};

/// Ring 0 with a periodic timer interrupt counting in s0, printing to the UART (stalling on
/// its full FIFO) and reading its input, writing the framebuffer and reading the keyboard.
/// (Paging and the TLB are covered by the property suite's random programs.)
const PROGRAM: &str = "
        .equ PIC,   0xF0000000
        .equ TIMER, 0xF0001000
        .equ UART,  0xF0002000
        .equ KBD,   0xF0005000
        .equ FB,    0xF1000000
        .text
        .global _start
_start:
        li      sp, 0x10000
        la      t0, vectors
        mtcr    vbase, t0
        la      t1, tick
        sw      t1, 32*8(t0)
        li      t1, 1
        sw      t1, 32*8+4(t0)
        li      t0, PIC
        li      t1, 1
        sw      t1, 4(t0)
        li      t0, TIMER
        li      t1, 777
        sw      t1, 4(t0)
        li      t1, 7
        sw      t1, 0(t0)
        li      s0, 0
        li      t0, 4
        mtcr    status, t0
        li      s1, UART
        li      s2, FB
        li      s3, 0
        li      s5, KBD
loop:   andi    t1, s3, 63
        addi    t1, t1, 48
        sw      t1, 0(s1)
        sw      s3, 0(s2)
        addi    s2, s2, 4
        lw      t3, 0(s1)
        add     s4, s4, t3
        lw      t3, 0(s5)
        add     s4, s4, t3
        la      t4, buf
        andi    t5, s3, 255
        slli    t5, t5, 2
        add     t4, t4, t5
        sw      s4, 0(t4)
        addi    s3, s3, 1
        li      t2, 3000
        blt     s3, t2, loop
        mv      a0, s0
        halt

tick:   addi    s0, s0, 1
        li      t0, PIC
        sw      zero, 0xC(t0)
        iret

        .bss
        .balign 8
vectors: .space 64 * 8
buf:    .space  1024
";

fn machine() -> Machine {
    let prog = assembler::assemble(
        &[assembler::Source {
            name: "state.s".into(),
            text: PROGRAM.into(),
        }],
        &Default::default(),
    )
    .unwrap_or_else(|d| panic!("{d}"));
    let mut m = Machine::new(Config {
        ram_size: 1 << 20,
        serial: Sink::Buffer(Vec::new()),
    });
    m.load_program(&prog).expect("loads");
    // Input that arrives before, around and after the save points.
    m.dev.inject_serial(5_000, b"hello, machine");
    m.dev.inject_serial(90_000, &[b'x'; 40]);
    m.dev.inject_key(20_000, 0x41);
    m.dev.inject_key(70_000, 0x42);
    m
}

fn engine(threaded: bool) -> Box<dyn Engine> {
    if threaded {
        Box::new(Threaded::new())
    } else {
        Box::new(Interp::new())
    }
}

fn run_to(m: &mut Machine, e: &mut dyn Engine, max_cycles: u64) -> Exit {
    e.run(
        m,
        Budget {
            max_cycles,
            ..Budget::UNLIMITED
        },
    )
}

/// The first difference between two machines' states (everything `save_state` covers, the
/// output sent since, and the event schedule).
fn diff(a: &Machine, b: &Machine) -> Option<String> {
    let checks: [(&str, bool); 9] = [
        ("cpu", a.cpu == b.cpu),
        ("stop", a.stop == b.stop),
        ("steps", a.steps == b.steps),
        ("delivered", a.delivered == b.delivered),
        ("tlb", a.tlb == b.tlb),
        ("devices", a.dev == b.dev),
        ("last transition", a.last_transition == b.last_transition),
        ("stats", a.stats == b.stats),
        ("ram", a.ram() == b.ram() && a.rom == b.rom),
    ];
    checks
        .iter()
        .find(|c| !c.1)
        .map(|c| format!("{} differs:\n{:?}\n{:?}", c.0, a.dev, b.dev))
}

#[test]
fn save_restore_run_equals_run_on_both_engines() {
    let mut whole = machine();
    let end = run_to(&mut whole, &mut *engine(false), u64::MAX);
    assert_eq!(end, Exit::Halted(whole.cpu.regs[10]));
    assert!(whole.dev.pic.raised[0] > 5, "the timer interrupted");
    let total = whole.cpu.cycles;
    for at in [1, 3_001, total / 3, total / 2 + 17, total - 50] {
        for (before, after) in [(false, false), (false, true), (true, false), (true, true)] {
            let mut a = machine();
            run_to(&mut a, &mut *engine(before), at);
            let saved = a.save_state();
            let bytes = postcard::to_allocvec(&saved).expect("encodes");
            let back: MachineState = postcard::from_bytes(&bytes).expect("decodes");
            let mut b = Machine::new(Config {
                ram_size: 1 << 20,
                serial: Sink::Buffer(Vec::new()),
            });
            b.restore_state(&back).expect("restores");
            // Only the output from here on is compared.
            a.dev.uart.sink = Sink::Buffer(Vec::new());
            assert_eq!(diff(&a, &b), None, "right after restoring at cycle {at}");
            let ea = run_to(&mut a, &mut *engine(after), u64::MAX);
            let eb = run_to(&mut b, &mut *engine(after), u64::MAX);
            assert_eq!(ea, eb);
            assert_eq!(
                diff(&a, &b),
                None,
                "saved at cycle {at} (threaded before: {before}, after: {after})"
            );
            assert_eq!(a.cpu, whole.cpu, "as the run that was never saved");
            assert_eq!(a.ram(), whole.ram());
        }
    }
}

#[test]
fn a_state_of_another_configuration_or_a_damaged_one_is_refused_unchanged() {
    let mut a = machine();
    run_to(&mut a, &mut *engine(true), 20_000);
    let s = a.save_state();
    let mut small = Machine::new(Config {
        ram_size: 1 << 19,
        serial: Sink::None,
    });
    let before = small.cpu.clone();
    let e = small.restore_state(&s).unwrap_err();
    assert!(e.contains("1M of RAM, this machine 512K"), "{e}");
    assert_eq!(small.cpu, before);

    let mut m = Machine::new(Config {
        ram_size: 1 << 20,
        serial: Sink::None,
    });
    let mut bad = s.clone();
    bad.ram_pages.push((256, vec![1; 4096]));
    assert!(m.restore_state(&bad).unwrap_err().contains("outside RAM"));
    let mut bad = s.clone();
    bad.cpu.last_load = 40;
    assert!(m.restore_state(&bad).unwrap_err().contains("damaged"));
    let mut bad = s.clone();
    bad.dev.fb.width = 0;
    assert!(m.restore_state(&bad).unwrap_err().contains("framebuffer"));
    assert_eq!(m.cpu.pc, Machine::new(Config::default()).cpu.pc);

    // A TLB entry out of its slot cannot be decoded.
    let mut bytes = postcard::to_allocvec(&s).expect("encodes");
    let good: MachineState = postcard::from_bytes(&bytes).expect("decodes");
    assert_eq!(good.tlb, s.tlb);
    bytes.truncate(bytes.len() / 2);
    assert!(postcard::from_bytes::<MachineState>(&bytes).is_err());
}

/// Reads sector 1 into RAM with the completion interrupt on, then waits for the interrupt:
/// a state saved while the command is in flight completes it at the same cycle.
const DISK_PROGRAM: &str = "
        .equ PIC,  0xF0000000
        .equ DISK, 0xF0003000
        .text
        .global _start
_start:
        li      sp, 0x10000
        la      t0, vectors
        mtcr    vbase, t0
        la      t1, done
        sw      t1, 34*8(t0)
        li      t1, 1
        sw      t1, 34*8+4(t0)
        li      t0, PIC
        li      t1, 4
        sw      t1, 4(t0)
        li      t0, DISK
        li      t1, 1
        sw      t1, 0x0C(t0)
        sw      t1, 0x10(t0)
        li      t1, 0x8000
        sw      t1, 0x14(t0)
        li      t1, 1
        sw      t1, 0x18(t0)
        sw      t1, 0(t0)
        li      t0, 4
        mtcr    status, t0
wait:   addi    s0, s0, 1
        j       wait
done:   li      t0, 0x8000
        lw      a0, 0(t0)
        mv      a1, s0
        halt

        .bss
        .balign 8
vectors: .space 64 * 8
";

#[test]
fn a_disk_command_in_flight_completes_identically_after_restoring() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("d.img");
    let mut data = vec![0u8; 4 * 512];
    data[512..516].copy_from_slice(&0xD15C_0001u32.to_le_bytes());
    std::fs::write(&path, &data).expect("image written");
    let prog = assembler::assemble(
        &[assembler::Source {
            name: "disk.s".into(),
            text: DISK_PROGRAM.into(),
        }],
        &Default::default(),
    )
    .unwrap_or_else(|d| panic!("{d}"));
    let image = emulator::devices::disk::Image::open(&path, true).expect("image opens");
    let new = |image: &emulator::devices::disk::Image| {
        let mut m = Machine::new(Config {
            ram_size: 1 << 20,
            serial: Sink::Buffer(Vec::new()),
        });
        m.dev.attach_disk(image.clone());
        m
    };
    let mut whole = new(&image);
    whole.load_program(&prog).expect("loads");
    let end = run_to(&mut whole, &mut *engine(false), u64::MAX);
    assert_eq!(end, Exit::Halted(0xD15C_0001), "the read completed");
    for threaded in [false, true] {
        let mut a = new(&image);
        a.load_program(&prog).expect("loads");
        // Past the command (issued within the first hundred cycles), before its completion.
        run_to(&mut a, &mut *engine(threaded), 3_000);
        assert_ne!(a.dev.disk.status() & emulator::devices::disk::ST_BUSY, 0);
        let bytes = postcard::to_allocvec(&a.save_state()).expect("encodes");
        let state: MachineState = postcard::from_bytes(&bytes).expect("decodes");
        let mut b = new(&image);
        b.restore_state(&state).expect("restores");
        assert_eq!(
            run_to(&mut b, &mut *engine(!threaded), u64::MAX),
            Exit::Halted(0xD15C_0001)
        );
        assert_eq!(b.cpu, whole.cpu, "the interrupt came at the same cycle");
        assert_eq!(b.dev, whole.dev);
    }
    // Without the disk, the state is refused: the guest would see its disk vanish.
    let mut a = new(&image);
    a.load_program(&prog).expect("loads");
    run_to(&mut a, &mut *engine(true), 3_000);
    let mut bare = Machine::new(Config {
        ram_size: 1 << 20,
        serial: Sink::None,
    });
    let e = bare.restore_state(&a.save_state()).unwrap_err();
    assert!(
        e.contains("it has a 2K read-only disk, this machine no disk"),
        "{e}"
    );
}
