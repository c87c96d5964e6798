//! Devices through the command line, as a person uses them: `-serial` back ends (piped stdin,
//! a real TCP client, a file), `-drive` with `ringfort mkdisk` images, `-screenshot`, the
//! camera indicator, `-rtc`, `--stats`.
#[path = "support/cli.rs"]
mod cli;
#[path = "support/oom_guard.rs"]
mod oom_guard;

use std::io::{BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::Duration;

use cli::{assert_success as ok, ringfort_cmd as bin, text};

fn guest(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/guest")
        .join(name)
}

/// Runs ringfort with `args` and `stdin` piped in (then closed).
fn run(args: &[&str], stdin: &[u8]) -> Output {
    cli::ringfort_piped(args, stdin)
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

// ---------------------------------------------------------------- serial

#[test]
fn piped_stdin_is_echoed() {
    for engine in ["interp", "threaded"] {
        let out = run(
            &[
                "run",
                p(&guest("dev_uart_echo.s")),
                "--engine",
                engine,
                "-serial",
                "stdio",
            ],
            b"hello through a pipe\nsecond line\n\x04",
        );
        ok(&out);
        assert_eq!(text(&out.stdout), "hello through a pipe\nsecond line\n");
    }
}

#[test]
fn piped_input_larger_than_the_fifo_is_not_lost() {
    let input: String = (0..300).map(|i| (b'a' + (i % 26) as u8) as char).collect();
    let mut bytes = input.clone().into_bytes();
    bytes.push(4);
    let out = run(&["run", p(&guest("dev_uart_echo.s"))], &bytes);
    ok(&out);
    assert_eq!(text(&out.stdout), input);
}

#[test]
fn a_tcp_client_talks_to_the_guest() {
    let mut child = bin()
        .args([
            "run",
            p(&guest("dev_uart_echo.s")),
            "-serial",
            "tcp:127.0.0.1:0,wait",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The port it listens on is in its first stderr lines.
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let addr = cli::tcp_address(&mut err);
    let mut s = TcpStream::connect(&addr).expect("connects");
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s.write_all(b"ping over tcp\n").unwrap();
    let mut got = vec![0u8; 14];
    s.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"ping over tcp\n");
    s.write_all(b"bye\x04").unwrap();
    let mut rest = [0u8; 3];
    s.read_exact(&mut rest).unwrap();
    assert_eq!(&rest, b"bye");
    let status = cli::wait_exit(&mut child, 30);
    let mut rest_err = String::new();
    err.read_to_string(&mut rest_err).unwrap();
    assert!(status.success(), "{status:?} {addr}{rest_err}");
}

#[test]
fn serial_to_a_file_and_to_nowhere() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("console.txt");
    let hello = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/hello.s");
    let out = run(
        &["run", p(&hello), "-serial", &format!("file:{}", p(&f))],
        b"",
    );
    ok(&out);
    assert_eq!(text(&out.stdout), "");
    assert_eq!(
        std::fs::read_to_string(&f).unwrap(),
        "Hello from RF32 ring 0!\n"
    );
    let out = run(&["run", p(&hello), "-serial", "none"], b"");
    ok(&out);
    assert_eq!(text(&out.stdout), "");
    let out = run(&["run", p(&hello), "-serial", "pty"], b"");
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("supported back ends"));
    let out = run(&["run", p(&hello), "-nographic"], b"");
    ok(&out);
    assert_eq!(text(&out.stdout), "Hello from RF32 ring 0!\n");
}

// ---------------------------------------------------------------- disk

fn sha(path: &Path) -> Vec<u8> {
    // A simple content fingerprint (the whole file; images here are small).
    std::fs::read(path).unwrap()
}

#[test]
fn disk_written_in_a_debugger_session_reaches_the_image() {
    // The debugger ends its session the way `run` ends a run: cached sectors are written to
    // the image (and a failure to write them would fail the session).
    let dir = tempfile::tempdir().unwrap();
    let img = dir.path().join("disk.img");
    ok(&run(&["mkdisk", p(&img), "--size", "64K"], b""));
    let cmds = dir.path().join("cmds");
    std::fs::write(&cmds, "continue\n").unwrap();
    let drive = format!("file={}", p(&img));
    let out = run(
        &[
            "debug",
            "--batch",
            "-x",
            p(&cmds),
            p(&guest("dev_disk_write.s")),
            "-drive",
            &drive,
        ],
        b"",
    );
    ok(&out);
    let out = run(
        &[
            "run",
            p(&guest("dev_disk_read.s")),
            "-drive",
            &format!("{drive},readonly=on"),
        ],
        b"",
    );
    ok(&out);
}

#[test]
fn disk_written_in_one_run_is_read_in_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let img = dir.path().join("disk.img");
    ok(&run(&["mkdisk", p(&img), "--size", "64K"], b""));
    assert_eq!(std::fs::metadata(&img).unwrap().len(), 64 << 10);
    let drive = format!("file={}", p(&img));
    let out = run(
        &[
            "run",
            p(&guest("dev_disk_write.s")),
            "-drive",
            &drive,
            "--stats",
        ],
        b"",
    );
    ok(&out);
    let stats = text(&out.stderr);
    assert!(
        stats.contains("0 sectors read, 3 written, 1 flushes"),
        "{stats}"
    );
    assert!(stats.contains("2 disk"), "{stats}");
    for engine in ["interp", "threaded"] {
        let out = run(
            &[
                "run",
                p(&guest("dev_disk_read.s")),
                "-drive",
                &format!("{drive},readonly=on"),
                "--engine",
                engine,
            ],
            b"",
        );
        ok(&out);
    }
}

#[test]
fn readonly_image_is_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let img = dir.path().join("ro.img");
    std::fs::write(&img, vec![0x5Au8; 32 * 1024]).unwrap();
    let before = sha(&img);
    let out = run(
        &[
            "run",
            p(&guest("dev_disk_ro.s")),
            "-drive",
            &format!("file={},readonly=on,format=raw", p(&img)),
        ],
        b"",
    );
    ok(&out);
    assert_eq!(sha(&img), before);
}

#[test]
fn bad_images_and_drive_options_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let prog = guest("dev_disk_read.s");
    let missing = dir.path().join("missing.img");
    let out = run(
        &["run", p(&prog), "-drive", &format!("file={}", p(&missing))],
        b"",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("does not exist"),
        "{}",
        text(&out.stderr)
    );
    let trunc = dir.path().join("trunc.img");
    std::fs::write(&trunc, vec![0u8; 700]).unwrap();
    let out = run(
        &["run", p(&prog), "-drive", &format!("file={}", p(&trunc))],
        b"",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("not a whole number of 512-byte sectors"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read(&trunc).unwrap(), vec![0u8; 700], "left alone");
    for bad in [
        "file=x.img,format=qcow2",
        "readonly=on",
        "file=x.img,bogus=1",
    ] {
        let out = run(&["run", p(&prog), "-drive", bad], b"");
        assert_eq!(out.status.code(), Some(1), "{bad}");
        assert!(
            text(&out.stderr).contains("-drive"),
            "{bad}: {}",
            text(&out.stderr)
        );
    }
}

#[test]
fn mkdisk_packs_files_a_guest_can_read() {
    let dir = tempfile::tempdir().unwrap();
    let hello = dir.path().join("hello.txt");
    let other = dir.path().join("other.bin");
    let message = "Hello from a file on an RFFS disk!\nIt spans more than one sector: ".to_string()
        + &"x".repeat(600)
        + "\n";
    std::fs::write(&hello, &message).unwrap();
    std::fs::write(&other, [1u8, 2, 3]).unwrap();
    let img = dir.path().join("fs.img");
    ok(&run(&["mkdisk", p(&img), p(&other), p(&hello)], b""));
    let out = run(&["mkdisk", "--list", p(&img)], b"");
    ok(&out);
    let listing = text(&out.stdout);
    assert!(
        listing.contains("RFFS") && listing.contains("hello.txt"),
        "{listing}"
    );
    assert!(listing.contains("other.bin"), "{listing}");
    let out = run(
        &[
            "run",
            p(&guest("dev_rffs.s")),
            "-drive",
            &format!("file={}", p(&img)),
        ],
        b"",
    );
    ok(&out);
    assert_eq!(text(&out.stdout), message);
    // An existing image is not replaced without --force.
    let out = run(&["mkdisk", p(&img), "--size", "1M"], b"");
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("--force"));
    assert_eq!(std::fs::metadata(&img).unwrap().len(), 64 << 10);
    ok(&run(&["mkdisk", p(&img), "--size", "1M", "--force"], b""));
    assert_eq!(std::fs::metadata(&img).unwrap().len(), 1 << 20);
    // Sizes that are not whole sectors, and files that do not fit, are refused.
    let out = run(
        &["mkdisk", p(&dir.path().join("x.img")), "--size", "1000"],
        b"",
    );
    assert!(!out.status.success());
    let out = run(
        &[
            "mkdisk",
            p(&dir.path().join("y.img")),
            "--size",
            "2K",
            p(&hello),
        ],
        b"",
    );
    assert!(!out.status.success());
    assert!(!dir.path().join("y.img").exists());
}

/// Sizes on the command line cost no host memory: a 64 GiB image with a file is written
/// sparse (only its first sectors are built in memory), listed by reading its directory only,
/// and an absurd directory is refused at once. All within a 512 MiB address space.
#[test]
fn mkdisk_sizes_cost_no_host_memory() {
    let dir = tempfile::tempdir().unwrap();
    let hello = dir.path().join("hello.txt");
    std::fs::write(&hello, "hi\n").unwrap();
    let capped = |args: &[&str]| cli::ringfort_capped(512, args);
    let img = dir.path().join("big.img");
    ok(&capped(&["mkdisk", p(&img), "--size", "64G", p(&hello)]));
    assert_eq!(std::fs::metadata(&img).unwrap().len(), 64 << 30);
    let out = capped(&["mkdisk", "--list", p(&img)]);
    ok(&out);
    assert!(
        text(&out.stdout).contains("hello.txt"),
        "{}",
        text(&out.stdout)
    );
    let out = capped(&[
        "mkdisk",
        p(&dir.path().join("z.img")),
        "--fs",
        "--entries",
        "4294967280",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("--entries"),
        "{}",
        text(&out.stderr)
    );
}

// ---------------------------------------------------------------- framebuffer, camera, rtc

#[test]
fn screenshot_is_what_the_guest_drew() {
    let dir = tempfile::tempdir().unwrap();
    let shot = dir.path().join("shot.png");
    let out = run(
        &["run", p(&guest("dev_fb.s")), "-screenshot", p(&shot)],
        b"",
    );
    ok(&out);
    let dec = png::Decoder::new(BufReader::new(std::fs::File::open(&shot).unwrap()));
    let mut r = dec.read_info().unwrap();
    let mut buf = vec![0; r.output_buffer_size()];
    let info = r.next_frame(&mut buf).unwrap();
    assert_eq!((info.width, info.height), (64, 48));
    let px = |x: usize, y: usize| {
        let o = (y * 64 + x) * 3;
        (buf[o] as u32) << 16 | (buf[o + 1] as u32) << 8 | buf[o + 2] as u32
    };
    assert_eq!(px(0, 0), 0x2030FF);
    assert_eq!(px(1, 0), 0x20ABCD);
    assert_eq!(px(2, 0), 0x203040);
    assert_eq!(px(8, 4), 0xFF0000);
    assert_eq!(px(23, 11), 0xFF0000);
    assert_eq!(px(24, 11), 0x203040);
    assert_eq!(px(63, 47), 0x00FF00);
}

#[test]
fn display_window_needs_the_feature_or_a_display() {
    let hello = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/hello.s");
    let out = run(
        &["run", p(&hello), "-display", "window", "-serial", "none"],
        b"",
    );
    if cfg!(feature = "window") && std::env::var_os("DISPLAY").is_some() {
        return; // a real window opened (and the guest halted)
    }
    assert_eq!(out.status.code(), Some(1));
    let e = text(&out.stderr);
    assert!(e.contains("-display window"), "{e}");
    let out = run(&["run", p(&hello), "-display", "window", "-nographic"], b"");
    assert!(text(&out.stderr).contains("contradict"));
}

#[test]
fn camera_indicator_shows_on_stderr() {
    let out = run(&["run", p(&guest("dev_camera.s"))], b"");
    ok(&out);
    let e = text(&out.stderr);
    let on = e.find("[camera on]").expect("indicator on");
    let off = e.find("[camera off]").expect("indicator off");
    assert!(on < off, "{e}");
}

#[test]
fn rtc_base_makes_runs_deterministic() {
    for base in [
        "base=2026-01-01T00:00:00",
        "base=1767225600",
        "base=2026-01-01",
    ] {
        let out = run(&["run", p(&guest("dev_rtc.s")), "-rtc", base], b"");
        ok(&out);
    }
    let out = run(
        &["run", p(&guest("dev_rtc.s")), "-rtc", "base=tomorrow"],
        b"",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("not a time"));
}
