//! A thousand machines in one process (the issue about running many machines at once): guest
//! RAM is allocated in chunks on first write (`emulator::ram`), so 1,000 machines with 16 MiB
//! of RAM each, every one of which has run a program that writes a few KiB, stay well under
//! 2 GiB of resident host memory, and the process runs under CI's 12 GiB address-space cap
//! (set here too, so the test means the same outside `.ci/run`): RAM reserved up front, as a
//! single `vec![0; len]` per machine did, would need 16 GiB of address space.
#[path = "support/oom_guard.rs"]
mod oom_guard;

use emulator::{Budget, Config, EngineKind, Exit, Machine};

/// Machines built and kept alive.
const MACHINES: usize = 1000;

/// Guest RAM of each (16 MiB).
const RAM: u32 = 16 << 20;

/// Resident memory allowed for the whole process with every machine alive (MiB).
const RSS_CAP_MIB: u64 = 2048;

/// CI's address-space cap (`ulimit -v`, in bytes): 12 GiB.
const AS_CAP: u64 = 12 << 30;

/// Writes 4 KiB at 1 MiB and a word near the top of RAM (the stack's usual place), then
/// halts with a0 = the sum of what it wrote back.
const PROGRAM: &str = "
_start: li      t0, 0x100000
        li      t1, 1024
        li      a0, 0
1:      sw      t1, 0(t0)
        lw      t2, 0(t0)
        add     a0, a0, t2
        addi    t0, t0, 4
        addi    t1, t1, -1
        bnez    t1, 1b
        li      t0, 0xFFFFFC
        sw      a0, 0(t0)
        lw      a0, 0(t0)
        halt
";

/// This process's resident and virtual memory, in bytes (`/proc/self/statm`).
fn memory() -> (u64, u64) {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("/proc/self/statm");
    let pages: Vec<u64> = statm
        .split_whitespace()
        .map(|v| v.parse().expect("a number"))
        .collect();
    // SAFETY: `sysconf` only reads a configuration value.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as u64;
    (pages[1] * page, pages[0] * page)
}

/// Lowers this process's address-space limit to [`AS_CAP`] (if it is higher).
fn cap_address_space() {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `getrlimit`/`setrlimit` read and write the plain struct passed.
    unsafe {
        assert_eq!(libc::getrlimit(libc::RLIMIT_AS, &mut lim), 0);
        if lim.rlim_cur == libc::RLIM_INFINITY || lim.rlim_cur > AS_CAP {
            lim.rlim_cur = AS_CAP;
            assert_eq!(libc::setrlimit(libc::RLIMIT_AS, &lim), 0);
        }
    }
}

#[test]
fn a_thousand_16_mib_machines_fit_in_2_gib() {
    cap_address_space();
    let prog = assembler::assemble(
        &[assembler::Source {
            name: "many.s".into(),
            text: PROGRAM.into(),
        }],
        &Default::default(),
    )
    .expect("assembles");
    let want: u32 = (1..=1024).sum();
    let (rss0, vsz0) = memory();
    // First idle: built, program loaded, nothing run.
    let mut machines: Vec<Machine> = (0..MACHINES)
        .map(|_| {
            let mut m = Machine::new(Config {
                ram_size: RAM,
                ..Config::default()
            });
            m.load_program(&prog).expect("loads");
            m
        })
        .collect();
    let (rss_idle, vsz_idle) = memory();
    // Then each runs the program (the engine's own caches are not per machine: one engine).
    let mut engine = EngineKind::Threaded.create();
    for (i, m) in machines.iter_mut().enumerate() {
        let exit = engine.run(m, Budget::UNLIMITED);
        assert_eq!(exit, Exit::Halted(want), "machine {i}");
        assert_eq!(m.ram().word(0xff_fffc), want);
    }
    drop(engine);
    let (rss, vsz) = memory();
    let kib = |bytes: u64| (bytes / MACHINES as u64) >> 10;
    eprintln!(
        "{MACHINES} machines of {} MiB: idle +{} KiB resident, +{} KiB virtual per machine; \
         after the program +{} KiB resident, +{} KiB virtual per machine; process {} MiB \
         resident, {} MiB virtual",
        RAM >> 20,
        kib(rss_idle - rss0),
        kib(vsz_idle - vsz0),
        kib(rss - rss0),
        kib(vsz - vsz0),
        rss >> 20,
        vsz >> 20,
    );
    assert!(rss < RSS_CAP_MIB << 20, "{} MiB resident", rss >> 20);
    assert!(vsz < AS_CAP, "{} MiB of address space", vsz >> 20);
    // Every machine is still whole.
    for m in &machines {
        assert_eq!(m.ram().word(0x10_0000), 1024);
    }
}
