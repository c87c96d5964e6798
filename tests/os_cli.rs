//! Ringfort OS through the command line: `ringfort` with no subcommand boots the firmware built
//! into it (or says it has none), `mkdisk --os` / `--list` / `--extract` / `--extract-all`,
//! guest-written RFFS images with extents out of order, and `-drive builtin`.
//!
//! These tests hold whether or not the firmware lists existed when the binary was built: what
//! a build without firmware does is checked when it has none, the boot when it has one.

#[path = "support/cli.rs"]
mod cli;

use cli::{assert_success as ok, ringfort_cmd as bin, text};
use std::path::{Path, PathBuf};
use std::process::Output;

fn run(args: &[&str], stdin: &[u8]) -> Output {
    cli::ringfort_piped(args, stdin)
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn guest(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/guest")
        .join(name)
}

/// The files of the built-in disk (name, contents).
fn builtin_files() -> Vec<(String, Vec<u8>)> {
    rffs::list(firmware::DISK_IMAGE)
        .unwrap()
        .into_iter()
        .map(|e| {
            let data = rffs::read_file(firmware::DISK_IMAGE, &e.name).unwrap();
            (e.name, data)
        })
        .collect()
}

#[test]
fn help_still_lists_the_subcommands() {
    let out = run(&["--help"], b"");
    ok(&out);
    let help = text(&out.stdout);
    for sub in ["asm", "disasm", "run", "debug", "bench", "mkdisk"] {
        assert!(help.contains(&format!("  {sub} ")), "{sub}: {help}");
    }
    assert!(help.contains("Ringfort OS"), "{help}");
    let out = run(&["mkdisk", "--help"], b"");
    ok(&out);
    assert!(text(&out.stdout).contains("--extract-all"));
}

#[test]
fn no_subcommand_boots_the_os_or_says_there_is_none() {
    let out = run(&["-serial", "none", "--max-cycles", "200000"], b"");
    let err = text(&out.stderr);
    if !firmware::present() {
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains("built without firmware"), "{err}");
        let out = run(&["run"], b"");
        assert!(text(&out.stderr).contains("built without firmware"));
        return;
    }
    assert!(
        err.contains("no -drive given: booting from the built-in disk in memory"),
        "{err}"
    );
    // The same machine options as `run`, at top level.
    let out = run(
        &["-serial", "tcp:127.0.0.1:0", "--max-cycles", "200000"],
        b"",
    );
    assert!(
        !text(&out.stderr).contains("error"),
        "{}",
        text(&out.stderr)
    );
    // -S starts the OS in the debugger, stopped at the boot ROM's entry.
    let out = run(&["-S", "-serial", "none"], b"info registers pc\nquit\n");
    ok(&out);
    let said = text(&out.stdout);
    assert!(
        said.contains("Ringfort debugger: Ringfort OS, entry 0xfff"),
        "{said}"
    );
}

#[test]
fn a_program_at_top_level_is_not_a_subcommand() {
    let out = run(&["mkdsk"], b"");
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("not a subcommand"), "{err}");
}

#[test]
fn mkdisk_os_holds_the_default_files_and_the_users() {
    let dir = tempfile::tempdir().unwrap();
    let note = dir.path().join("note.txt");
    std::fs::write(&note, "mine\n").unwrap();
    let img = dir.path().join("os.img");
    let out = run(&["mkdisk", p(&img), "--os", p(&note)], b"");
    let builtin = builtin_files();
    if builtin.is_empty() {
        assert_eq!(out.status.code(), Some(1));
        assert!(text(&out.stderr).contains("without firmware"));
        return;
    }
    ok(&out);
    let bytes = std::fs::read(&img).unwrap();
    assert_eq!(bytes.len() as u64, firmware::DISK_SIZE);
    for (name, data) in &builtin {
        assert_eq!(&rffs::read_file(&bytes, name).unwrap(), data, "{name}");
    }
    for (name, _) in firmware::PROGRAMS {
        assert!(rffs::read_file(&bytes, name).is_ok(), "{name}");
    }
    assert_eq!(rffs::read_file(&bytes, "note.txt").unwrap(), b"mine\n");
    // A given file replaces a built-in one of the same name.
    let (name, _) = &builtin[0];
    let mine = dir.path().join(name);
    std::fs::write(&mine, "replaced").unwrap();
    let img2 = dir.path().join("os2.img");
    ok(&run(&["mkdisk", p(&img2), "--os", p(&mine)], b""));
    let bytes = std::fs::read(&img2).unwrap();
    assert_eq!(rffs::read_file(&bytes, name).unwrap(), b"replaced");
    assert_eq!(rffs::list(&bytes).unwrap().len(), builtin.len());
}

#[test]
fn extract_gives_the_bytes_back() {
    let dir = tempfile::tempdir().unwrap();
    let data: Vec<u8> = (0..1500u32).map(|i| (i * 7 + i / 13) as u8).collect();
    let blob = dir.path().join("blob.bin");
    std::fs::write(&blob, &data).unwrap();
    let small = dir.path().join("small.txt");
    std::fs::write(&small, "small\n").unwrap();
    let img = dir.path().join("fs.img");
    ok(&run(&["mkdisk", p(&img), p(&small), p(&blob)], b""));
    let out_file = dir.path().join("back.bin");
    ok(&run(
        &[
            "mkdisk",
            p(&img),
            "--extract",
            "blob.bin",
            "-o",
            p(&out_file),
        ],
        b"",
    ));
    assert_eq!(std::fs::read(&out_file).unwrap(), data);
    let out = run(
        &["mkdisk", p(&img), "--extract", "blob.bin", "-o", "-"],
        b"",
    );
    ok(&out);
    assert_eq!(out.stdout, data);
    // Default output: ./NAME.
    let out = bin()
        .current_dir(dir.path())
        .args(["mkdisk", "fs.img", "--extract", "small.txt"])
        .output()
        .unwrap();
    ok(&out);
    assert_eq!(
        std::fs::read(dir.path().join("small.txt")).unwrap(),
        b"small\n"
    );
    let all = dir.path().join("all");
    ok(&run(&["mkdisk", p(&img), "--extract-all", p(&all)], b""));
    assert_eq!(std::fs::read(all.join("blob.bin")).unwrap(), data);
    assert_eq!(std::fs::read(all.join("small.txt")).unwrap(), b"small\n");
    // A missing file: the error lists what is there.
    let out = run(&["mkdisk", p(&img), "--extract", "nope"], b"");
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("no file `nope`") && err.contains("small.txt, blob.bin"),
        "{err}"
    );
}

/// A guest-written image: 16 entries, files out of directory order with a hole between them.
fn guest_style_image() -> Vec<u8> {
    let mut img = rffs::build(&[], Some(64 << 10), 16).unwrap();
    let entry = |img: &mut Vec<u8>, i: usize, name: &str, start: u32, len: u32| {
        let o = 512 + i * 32;
        img[o..o + name.len()].copy_from_slice(name.as_bytes());
        img[o + 24..o + 28].copy_from_slice(&start.to_le_bytes());
        img[o + 28..o + 32].copy_from_slice(&len.to_le_bytes());
    };
    entry(&mut img, 0, "late.txt", 60, 600);
    entry(&mut img, 1, "early.txt", 9, 5);
    img[60 * 512..60 * 512 + 600].fill(b'L');
    img[9 * 512..9 * 512 + 5].copy_from_slice(b"early");
    img[0x18..0x1C].copy_from_slice(&2u32.to_le_bytes()); // file_count
    img[0x20..0x24].copy_from_slice(&62u32.to_le_bytes()); // data_end
    img
}

#[test]
fn guest_written_images_list_and_extract() {
    let dir = tempfile::tempdir().unwrap();
    let img = dir.path().join("guest.img");
    std::fs::write(&img, guest_style_image()).unwrap();
    let out = run(&["mkdisk", "--list", p(&img)], b"");
    ok(&out);
    let listing = text(&out.stdout);
    assert!(
        listing.contains("sector       60  late.txt") && listing.contains("early.txt"),
        "{listing}"
    );
    let out = run(
        &["mkdisk", p(&img), "--extract", "late.txt", "-o", "-"],
        b"",
    );
    ok(&out);
    assert_eq!(out.stdout, vec![b'L'; 600]);
    let out = run(
        &["mkdisk", p(&img), "--extract", "early.txt", "-o", "-"],
        b"",
    );
    assert_eq!(out.stdout, b"early");
    // Overlapping extents: an error naming the entry, not a panic.
    let mut bad = guest_style_image();
    bad[512 + 32 + 24..512 + 32 + 28].copy_from_slice(&59u32.to_le_bytes());
    bad[512 + 32 + 28..512 + 32 + 32].copy_from_slice(&1024u32.to_le_bytes());
    std::fs::write(&img, bad).unwrap();
    let out = run(&["mkdisk", "--list", p(&img)], b"");
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("overlap") && err.contains("late.txt"), "{err}");
    // A file past the end of a truncated image.
    let mut cut = guest_style_image();
    cut.truncate(40 * 512);
    std::fs::write(&img, cut).unwrap();
    let out = run(&["mkdisk", p(&img), "--extract", "late.txt"], b"");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("truncated"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_flat_program_reads_the_builtin_disk() {
    let dir = tempfile::tempdir().unwrap();
    let bin_file = dir.path().join("disk_builtin.bin");
    let src = guest("disk_builtin.s");
    ok(&run(
        &["asm", "-O", "binary", "-o", p(&bin_file), p(&src)],
        b"",
    ));
    let out = run(&["run", p(&bin_file), "-drive", "builtin"], b"");
    ok(&out);
    // Without a disk the same program fails its first check.
    let out = run(&["run", p(&bin_file)], b"");
    assert!(!out.status.success());
}

/// The debugger knows the symbols of everything loaded: a boot ROM's beside the program's (as
/// the built-in OS gives it the boot ROM's and the system image's).
#[test]
fn the_debugger_names_rom_and_program_code() {
    let dir = tempfile::tempdir().unwrap();
    let rom_s = dir.path().join("rom.s");
    std::fs::write(
        &rom_s,
        "        .text\n        .global rom_start\nrom_start:\n        li a0, 7\n        halt\n",
    )
    .unwrap();
    let prog = dir.path().join("prog.s");
    std::fs::write(
        &prog,
        "        .text\n        .global _start\n_start: li a0, 1\n        halt\n",
    )
    .unwrap();
    let rom = dir.path().join("rom.elf");
    ok(&run(
        &["asm", "--base", "0xFFF00000", "-o", p(&rom), p(&rom_s)],
        b"",
    ));
    let out = run(
        &["debug", "-bios", p(&rom), p(&prog)],
        b"info symbol 0xfff00004\ninfo symbol $pc\nbreak rom_start\nquit\n",
    );
    let said = text(&out.stdout);
    assert!(said.contains("0xfff00004 is rom_start+0x4"), "{said}");
    assert!(said.contains("0x00000000 is _start"), "{said}");
    assert!(
        said.contains("Breakpoint 1 at 0xfff00000 <rom_start>"),
        "{said}"
    );
}

/// Garbage behind an RFFS magic: `--list` and `--extract` fail with a message (status 1),
/// never a panic.
#[test]
fn garbage_images_are_errors_not_panics() {
    let dir = tempfile::tempdir().unwrap();
    let img = dir.path().join("junk.img");
    let mut seed = 0x1234_5678u32;
    for round in 0..20 {
        let mut bytes: Vec<u8> = (0..4096)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                // Small numbers now and then, so that some fields look plausible.
                if seed.is_multiple_of(3) {
                    (seed >> 8) as u8 & 7
                } else {
                    (seed >> 8) as u8
                }
            })
            .collect();
        bytes[..4].copy_from_slice(b"RFFS");
        bytes[4..8].copy_from_slice(&1u32.to_le_bytes());
        std::fs::write(&img, &bytes).unwrap();
        for args in [
            vec!["mkdisk", "--list", p(&img)],
            vec!["mkdisk", p(&img), "--extract", "x", "-o", "-"],
        ] {
            let out = run(&args, b"");
            let code = out.status.code();
            assert!(
                code == Some(0) || code == Some(1),
                "round {round}: {code:?}: {}",
                text(&out.stderr)
            );
        }
    }
}
