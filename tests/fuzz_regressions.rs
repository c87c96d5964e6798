//! Every input saved under `fuzz/regressions/<target>/` (inputs that made a fuzz target fail
//! once, see docs/testing.md) runs through the same check as its fuzz target, on stable Rust.
#[path = "support/fuzz_checks.rs"]
mod fuzz_checks;
#[path = "support/oom_guard.rs"]
mod oom_guard;

use std::path::Path;

fn each_input(target: &str, check: fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(target);
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path
            .file_name()
            .is_some_and(|f| f.to_string_lossy().starts_with('.'))
        {
            continue;
        }
        let data = std::fs::read(&path).unwrap();
        eprintln!("{target}: {}", path.display());
        check(&data);
        n += 1;
    }
    n
}

#[test]
fn assembler_regressions() {
    assert!(each_input("assemble", fuzz_checks::assemble) > 0);
}

#[test]
fn elf_loader_regressions() {
    assert!(each_input("load_elf", fuzz_checks::load_elf) > 0);
}

#[test]
fn machine_image_regressions() {
    assert!(each_input("run_image", fuzz_checks::run_image) > 0);
}
