//! `ringfort grade` end to end: verdicts and their reasons, globbed submissions, a broken test
//! file, determinism over threads and engines, shards merged, JUnit XML, a Ringfort OS case.
//! The test files and programs are in tests/grade/.

#[path = "support/cli.rs"]
mod cli;

use serde_json::Value;
use std::process::Output;

/// Runs `ringfort grade ARGS`.
fn grade(args: &[&str]) -> Output {
    let mut all = vec!["grade"];
    all.extend_from_slice(args);
    cli::ringfort_output(&all)
}

/// Runs `ringfort grade ARGS --json`: (exit status, the report).
fn grade_json(args: &[&str]) -> (i32, Value) {
    let mut all = args.to_vec();
    all.push("--json");
    let out = grade(&all);
    let text = String::from_utf8_lossy(&out.stdout);
    let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap(), v)
}

/// The row of `sub` (a suffix of the submission's path, or `-`) and `case`.
fn row<'a>(r: &'a Value, sub: &str, case: &str) -> &'a Value {
    r["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["submission"].as_str().unwrap().ends_with(sub) && x["case"] == case)
        .unwrap_or_else(|| panic!("no row {sub} / {case}"))
}

/// The kinds of a row's failures.
fn kinds(x: &Value) -> Vec<String> {
    x["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_folder_of_submissions_gives_a_row_each_with_the_reason_it_failed() {
    let (status, r) = grade_json(&["tests/grade/course.toml"]);
    assert_eq!(status, 1, "some case fails");
    assert_eq!(
        r["rows"].as_array().unwrap().len(),
        12,
        "6 submissions x 2 cases"
    );
    let good = row(&r, "subs/good.s", "prints hi");
    assert_eq!(good["passed"], true);
    assert_eq!(
        (good["stop"].as_str(), good["exit_value"].as_u64()),
        (Some("halted"), Some(0))
    );
    assert!(good["cycles"].as_u64().unwrap() > good["instructions"].as_u64().unwrap());

    let wrong = row(&r, "subs/wrong_output.s", "prints hi");
    assert_eq!(kinds(wrong), ["output"]);
    let diff = wrong["failures"][0]["diff"].as_str().unwrap();
    assert!(diff.contains("-hi\n") && diff.contains("+ho\n"), "{diff}");
    assert_eq!(
        row(&r, "subs/wrong_output.s", "looks like hi")["passed"],
        true
    );

    let exit = &row(&r, "subs/wrong_exit.s", "prints hi")["failures"][0];
    assert_eq!(
        (
            exit["kind"].as_str(),
            exit["expected"].as_u64(),
            exit["actual"].as_u64()
        ),
        (Some("exit-code"), Some(0), Some(3))
    );

    let looping = row(&r, "subs/loop.s", "prints hi");
    assert_eq!(looping["stop"], "cycle-limit");
    assert_eq!(looping["failures"][0]["kind"], "timeout");
    assert_eq!(looping["failures"][0]["cycles"], 100_000);
    assert!(looping["cycles"].as_u64().unwrap() >= 100_000);

    let fault = row(&r, "subs/fault.s", "prints hi");
    assert!(kinds(fault).contains(&"fault".to_string()), "{fault}");
    let f = fault["failures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "fault")
        .unwrap();
    assert_eq!(
        (f["vector"].as_u64(), f["pc"].as_u64()),
        (Some(3), Some(4)),
        "misaligned load at pc 4"
    );
    assert_eq!(f["name"], "misaligned access");

    let asm = row(&r, "subs/bad_asm.s", "prints hi");
    assert_eq!(kinds(asm), ["assembly"]);
    let msg = asm["failures"][0]["message"].as_str().unwrap();
    assert!(
        msg.contains("subs/bad_asm.s:1:21: error:"),
        "file:line:col: {msg}"
    );
    assert_eq!(asm["stop"], "not-run");

    // The table says the same, with the diff and a line per submission.
    let out = grade(&["tests/grade/course.toml"]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("wrong output") && table.contains("+ho"),
        "{table}"
    );
    assert!(table.contains("timeout: 100000 cycles"), "{table}");
    assert!(
        table.contains("fault: misaligned access (vector 3, cause 0x3) at pc 0x00000004"),
        "{table}"
    );
    assert!(
        table.contains("tests/grade/subs/good.s") && table.contains("2/2 passed"),
        "{table}"
    );
    assert!(table.contains("4 of 12 cases passed"), "{table}");
}

#[test]
fn rules_input_and_a_missing_program_give_their_rows() {
    let (status, r) = grade_json(&["tests/grade/rules.toml"]);
    assert_eq!(status, 1);
    let user = row(&r, "-", "user mode");
    assert_eq!(user["passed"], true, "{user}");
    assert_eq!(
        (user["stop"].as_str(), user["output"].as_str()),
        (Some("poweroff"), Some("u"))
    );
    let esc = row(&r, "-", "escapes ring 3");
    assert!(kinds(esc).contains(&"ring".to_string()), "{esc}");
    let ring = esc["failures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "ring")
        .unwrap();
    assert!(ring["cause"]
        .as_str()
        .unwrap()
        .contains("privileged instruction (vector 2) at pc 0x00000004"));
    assert_eq!(row(&r, "-", "input")["passed"], true);
    let missing = row(&r, "-", "missing");
    assert_eq!(kinds(missing), ["build"]);
    assert!(missing["failures"][0]["message"]
        .as_str()
        .unwrap()
        .contains("nowhere.s"));
}

#[test]
fn registers_and_memory_are_checked_at_the_stop() {
    let dir = tempfile::tempdir().unwrap();
    let sub = std::fs::canonicalize("tests/grade/subs/good.s").unwrap();
    let toml = format!(
        "[[case]]\nname = \"state\"\nprogram = {:?}\nregisters = {{ t4 = 41, a0 = 0 }}\n\
         memory_at = [{{ symbol = \"result\", words = [7] }}, {{ addr = 0x0, bytes = [0xff] }}]\n",
        sub.display().to_string()
    );
    let path = dir.path().join("t.toml");
    std::fs::write(&path, toml).unwrap();
    let (status, r) = grade_json(&[path.to_str().unwrap()]);
    assert_eq!(status, 1);
    let f = &r["rows"][0]["failures"];
    assert_eq!(
        (
            f[0]["kind"].as_str(),
            f[0]["name"].as_str(),
            f[0]["actual"].as_u64()
        ),
        (Some("register"), Some("t4"), Some(42))
    );
    assert_eq!(
        (f[1]["kind"].as_str(), f[1]["at"].as_str()),
        (Some("memory"), Some("result"))
    );
    assert_eq!(f[1]["actual"], serde_json::json!([42, 0, 0, 0]));
    assert_eq!(
        (f[2]["kind"].as_str(), f[2]["at"].as_str()),
        (Some("memory"), Some("0x0"))
    );
    assert_eq!(f.as_array().unwrap().len(), 3, "a0 = 0 holds");
}

#[test]
fn a_broken_test_file_is_a_clear_message_and_status_2() {
    let out = grade(&["tests/grade/broken.toml"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("broken.toml") && err.contains("line 2"),
        "{err}"
    );
    let out = grade(&["tests/grade/no-such.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read test file"));
    let out = grade(&["tests/grade/course.toml", "--shard", "4/3"]);
    assert_eq!(out.status.code(), Some(2), "a bad shard is a usage error");
}

#[test]
fn results_do_not_depend_on_threads_or_engine() {
    for file in [
        "tests/grade/course.toml",
        "tests/grade/rules.toml",
        "tests/grade/os.toml",
    ] {
        let (_, one) = grade_json(&[file, "--threads", "1"]);
        let (_, two) = grade_json(&[file, "--threads", "2"]);
        let (_, interp) = grade_json(&[file, "--threads", "2", "--engine", "interp"]);
        assert_eq!(one, two, "{file}: threads");
        assert_eq!(one, interp, "{file}: engines");
    }
}

#[test]
fn shards_merged_equal_the_whole_run() {
    let dir = tempfile::tempdir().unwrap();
    let (_, whole) = grade_json(&["tests/grade/course.toml"]);
    let mut parts = Vec::new();
    for k in 1..=3 {
        let shard = format!("{k}/3");
        let (_, r) = grade_json(&["tests/grade/course.toml", "--shard", &shard]);
        assert_eq!(r["shard"], shard.as_str());
        assert_eq!(r["rows"].as_array().unwrap().len(), 4);
        let p = dir.path().join(format!("part{k}.json"));
        std::fs::write(&p, r.to_string()).unwrap();
        parts.push(p.to_str().unwrap().to_string());
    }
    let args: Vec<&str> = std::iter::once("--merge")
        .chain(parts.iter().map(|s| s.as_str()))
        .collect();
    let (status, merged) = grade_json(&args);
    assert_eq!(status, 1, "the merged run has failures, as the whole one");
    assert_eq!(merged, whole);
    // A shard missing is said, not silently dropped.
    let out = grade(&["--merge", &parts[0], &parts[2]]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("4 of 12 results are missing"));
}

#[test]
fn junit_xml_parses_with_the_right_counts() {
    let dir = tempfile::tempdir().unwrap();
    let xml_path = dir.path().join("junit.xml");
    let out = grade(&[
        "tests/grade/course.toml",
        "--junit",
        xml_path.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let xml = std::fs::read_to_string(&xml_path).unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    assert_eq!(
        (root.attribute("tests"), root.attribute("failures")),
        (Some("12"), Some("8"))
    );
    let suites: Vec<_> = root
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    assert_eq!(suites.len(), 6, "a suite per submission");
    let cases = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .count();
    let failed = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase") && n.children().any(|c| c.has_tag_name("failure")))
        .count();
    assert_eq!((cases, failed), (12, 8));
}

#[test]
fn a_submission_runs_from_the_ringfort_os_shell() {
    let (status, r) = grade_json(&["tests/grade/os.toml"]);
    let x = row(&r, "-", "hello from the shell");
    assert_eq!(status, 0, "{x}");
    assert_eq!(
        x["stop"], "poweroff",
        "Ctrl-D after the shell input powers off"
    );
    assert!(x["output"]
        .as_str()
        .unwrap()
        .contains("$ prog\nhello, ring 3\n"));
}

#[test]
fn elf_submissions_grade_like_their_sources_and_bad_reports_do_not_merge() {
    let dir = tempfile::tempdir().unwrap();
    let elf = dir.path().join("good.elf");
    let out = cli::ringfort_output(&[
        "asm",
        "tests/grade/subs/good.s",
        "-o",
        elf.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    std::fs::write(dir.path().join("notes.txt"), "not a program").unwrap();
    let toml = "submissions = [\"*.elf\", \"notes.txt\"]\n[[case]]\nname = \"hi\"\noutput = \"hi\\n\"\nexit = 0\n";
    let t = dir.path().join("t.toml");
    std::fs::write(&t, toml).unwrap();
    let (status, r) = grade_json(&[t.to_str().unwrap()]);
    assert_eq!(status, 1);
    assert_eq!(row(&r, "good.elf", "hi")["passed"], true);
    let (_, src) = grade_json(&["tests/grade/course.toml"]);
    assert_eq!(
        row(&r, "good.elf", "hi")["cycles"],
        row(&src, "subs/good.s", "prints hi")["cycles"]
    );
    // A text file is taken as a flat image: it runs (and fails), it does not stop the run.
    assert_eq!(row(&r, "notes.txt", "hi")["passed"], false);
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{").unwrap();
    let out = grade(&["--merge", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a `ringfort grade --json` report"));
}

#[test]
fn the_program_in_docs_os_md_runs_from_the_shell() {
    // (The example once returned through an `ra` that `call puts` had overwritten, and
    // looped forever: this case is what caught it.)
    let doc = std::fs::read_to_string("docs/os.md").unwrap();
    let at = doc.find("## Writing and running a program").unwrap();
    let start = at + doc[at..].find("```asm\n").unwrap() + "```asm\n".len();
    let src = &doc[start..start + doc[start..].find("```").unwrap()];
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("prog.s"), src).unwrap();
    let toml =
        "[[case]]\nname = \"docs\"\nprogram = \"prog.s\"\nos = true\nmax_cycles = 20_000_000\n\
                output_contains = \"$ prog\\nhello, ring 3\\n$ \"\nexit = 0\nno_fault = true\n";
    std::fs::write(dir.path().join("t.toml"), toml).unwrap();
    let (status, r) = grade_json(&[dir.path().join("t.toml").to_str().unwrap()]);
    assert_eq!(status, 0, "{}", r["rows"][0]);
}
