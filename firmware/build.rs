//! Builds Ringfort OS from the RF32 sources beside this file (see src/lib.rs for the layout):
//! `system.elf`/`system.bin` from `system.files`, `boot.elf` from `boot.files`, one ELF per
//! program (`user/bin/NAME.s`, or the files of `user/bin/NAME/`), and `disk.img` holding the
//! programs and `disk/`, all in OUT_DIR, plus `programs.rs` (the program list for lib.rs). An
//! assembly error fails the build with the assembler's diagnostics.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

// The same numbers as src/lib.rs (a build script cannot use its own crate).
const SYSTEM_BASE: u32 = 0x1000;
const BOOT_BASE: u32 = 0xFFF0_0000;
const USER_BASE: u32 = 0x4000_0000;
const DISK_SIZE: u64 = 1 << 20;
const DISK_ENTRIES: u32 = 64;

fn main() {
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));
    // The whole folder (cargo scans a folder recursively): a new program, list file or
    // include anywhere below it rebuilds. Files that exist are named too.
    rerun(&dir);
    let include = dir.join("include");
    for f in files_in(&include, |_| true) {
        rerun(&f);
    }
    let system = list_file(&dir, "system.files");
    let (elf, bin) = match &system {
        Some(srcs) => {
            let p = assemble(
                "system image",
                srcs,
                SYSTEM_BASE,
                std::slice::from_ref(&include),
            );
            (p.to_elf(), p.to_flat())
        }
        None => (Vec::new(), Vec::new()),
    };
    write(&out.join("system.elf"), &elf);
    write(&out.join("system.bin"), &bin);
    let boot = match list_file(&dir, "boot.files") {
        Some(srcs) => assemble(
            "boot ROM",
            &srcs,
            BOOT_BASE,
            &[include.clone(), out.clone()],
        )
        .to_elf(),
        None => Vec::new(),
    };
    write(&out.join("boot.elf"), &boot);
    let programs = user_programs(&dir, &out, &include);
    let mut disk: Vec<(String, Vec<u8>)> = Vec::new();
    for (name, path) in &programs {
        disk.push((name.clone(), read(path)));
    }
    let disk_dir = dir.join("disk");
    rerun(&disk_dir);
    for f in files_in(&disk_dir, |n| !n.starts_with('.')) {
        rerun(&f);
        disk.push((file_name(&f), read(&f)));
    }
    let img = rffs::build(&disk, Some(DISK_SIZE), DISK_ENTRIES)
        .unwrap_or_else(|e| panic!("firmware: the default disk cannot be built: {e}"));
    write(&out.join("disk.img"), &img);
    write(&out.join("programs.rs"), programs_rs(&programs).as_bytes());
    let lib = files_in(&dir.join("user/lib"), |n| n.ends_with(".s"));
    let includes = files_in(&include, |_| true);
    write(
        &out.join("sources.rs"),
        sources_rs(&includes, &lib).as_bytes(),
    );
}

/// `INCLUDES` and `USER_LIB` for lib.rs: the texts `ringfort asm --os` builds a program with.
fn sources_rs(includes: &[PathBuf], lib: &[PathBuf]) -> String {
    let mut s = String::new();
    for (name, doc, files) in [
        (
            "INCLUDES",
            "The files of `include/` (name, text): what `ringfort asm --os` puts on the include path.",
            includes,
        ),
        (
            "USER_LIB",
            "The user library, `user/lib/*.s` (name, text), sorted: linked before every program.",
            lib,
        ),
    ] {
        let _ = writeln!(s, "/// {doc}\npub static {name}: &[(&str, &str)] = &[");
        for f in files {
            rerun(f);
            let path = f.to_str().expect("UTF-8 path");
            let _ = writeln!(s, "    ({:?}, include_str!({path:?})),", file_name(f));
        }
        s.push_str("];\n");
    }
    s
}

/// Assembles `sources` at `base` into one program, or fails the build with the diagnostics.
fn assemble(what: &str, sources: &[PathBuf], base: u32, include: &[PathBuf]) -> assembler::Program {
    let opts = assembler::Options {
        base,
        include_dirs: include.to_vec(),
        listing: false,
        ..Default::default()
    };
    match assembler::assemble_files(sources, &opts) {
        Ok(p) => {
            for w in &p.warnings {
                for line in w.to_string().lines() {
                    println!("cargo:warning={line}");
                }
            }
            p
        }
        Err(diags) => panic!("firmware: the {what} does not assemble:\n{diags}"),
    }
}

/// The sources a list file names (relative to `dir`), or `None` when it does not exist.
fn list_file(dir: &Path, name: &str) -> Option<Vec<PathBuf>> {
    let path = dir.join(name);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => panic!("firmware: cannot read {}: {e}", path.display()),
    };
    rerun(&path);
    let mut srcs = Vec::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let src = dir.join(line);
        if !src.is_file() {
            panic!("firmware: {name} lists {line}, which does not exist");
        }
        rerun(&src);
        srcs.push(src);
    }
    Some(srcs)
}

/// Assembles every program of `user/bin` (see [`programs_in`]), each after `user/lib/*.s`,
/// into `OUT_DIR/programs/NAME.elf`: the programs' names and files, sorted by name.
fn user_programs(dir: &Path, out: &Path, include: &Path) -> Vec<(String, PathBuf)> {
    let (bin, lib) = (dir.join("user/bin"), dir.join("user/lib"));
    rerun(&bin);
    rerun(&lib);
    let libs = files_in(&lib, is_source);
    let out = out.join("programs");
    std::fs::create_dir_all(&out)
        .unwrap_or_else(|e| panic!("firmware: cannot create {}: {e}", out.display()));
    let mut made = Vec::new();
    for (name, files) in programs_in(&bin) {
        let srcs: Vec<PathBuf> = libs.iter().chain(&files).cloned().collect();
        for s in &srcs {
            rerun(s);
        }
        let what = format!("program {name}");
        let prog = assemble(&what, &srcs, USER_BASE, &[include.to_path_buf()]);
        let file = out.join(format!("{name}.elf"));
        write(&file, &prog.to_elf());
        made.push((name, file));
    }
    made
}

/// The programs in `bin` and their sources, sorted by name: `NAME.s` is the program `NAME`,
/// and so is a folder `NAME/` whose `*.s` files (sorted by name) make up one program; its
/// other files, such as an include file they share, are only read through `.include`.
fn programs_in(bin: &Path) -> Vec<(String, Vec<PathBuf>)> {
    let Ok(rd) = std::fs::read_dir(bin) else {
        return Vec::new();
    };
    let mut progs = Vec::new();
    for path in rd.filter_map(|e| e.ok().map(|e| e.path())) {
        let file = file_name(&path);
        let (name, srcs) = if path.is_dir() && !file.starts_with('.') {
            rerun(&path); // the folder: a file added to it, or its include file, rebuilds
            (file, files_in(&path, is_source))
        } else if path.is_file() && is_source(&file) {
            (file.trim_end_matches(".s").to_string(), vec![path.clone()])
        } else {
            continue;
        };
        if let Err(e) = rffs::check_name(&name) {
            panic!("firmware: {}: not a program name: {e}", path.display());
        }
        if srcs.is_empty() {
            panic!("firmware: {} holds no .s files", path.display());
        }
        progs.push((name, srcs));
    }
    progs.sort();
    if let Some(w) = progs.windows(2).find(|w| w[0].0 == w[1].0) {
        panic!(
            "firmware: user/bin has both {0}.s and {0}/: which is the program?",
            w[0].0
        );
    }
    progs
}

/// An assembly source: `*.s`, not hidden.
fn is_source(name: &str) -> bool {
    name.ends_with(".s") && !name.starts_with('.')
}

/// The generated `programs.rs`: `PROGRAMS`, each program's name and ELF bytes.
fn programs_rs(programs: &[(String, PathBuf)]) -> String {
    let mut s = String::from(
        "/// The user programs (name, ELF32 image linked at [`USER_BASE`]), sorted by name: one\n\
         /// per `user/bin/NAME.s` or `user/bin/NAME/`. They are on [`DISK_IMAGE`] too.\n\
         pub static PROGRAMS: &[(&str, &[u8])] = &[\n",
    );
    for (name, file) in programs {
        let path = file.to_str().expect("OUT_DIR is UTF-8");
        let _ = writeln!(s, "    ({name:?}, include_bytes!({path:?})),");
    }
    s.push_str("];\n");
    s
}

/// Regular files in `dir` whose names pass `keep`, sorted by name; none if it does not exist.
fn files_in(dir: &Path, keep: impl Fn(&str) -> bool) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.file_name().and_then(|n| n.to_str()).is_some_and(&keep))
        .collect();
    v.sort();
    v
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_else(|| panic!("firmware: {} has no UTF-8 file name", p.display()))
        .to_string()
}

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("firmware: cannot read {}: {e}", p.display()))
}

fn write(p: &Path, bytes: &[u8]) {
    std::fs::write(p, bytes)
        .unwrap_or_else(|e| panic!("firmware: cannot write {}: {e}", p.display()));
}

/// `cargo:rerun-if-changed` for a path that exists (a missing one would rerun every build;
/// the firmware folder itself covers its appearing).
fn rerun(p: &Path) {
    if p.exists() {
        println!("cargo:rerun-if-changed={}", p.display());
    }
}
