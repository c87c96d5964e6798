//! Test files the grader refuses, with a message that says where and why; shard syntax.

use std::path::Path;

/// The error `text` gives.
fn error(text: &str) -> String {
    grader::model::parse(text, Path::new(".")).expect_err("refused")
}

#[test]
fn bad_test_files_are_refused_with_a_reason() {
    let cases = [
        (
            "[[case]]\nname = \"a\"\nprogram = \"p.s\"\nexpect = 1\n",
            "unknown field `expect`",
        ),
        ("[[case]]\nprogram = \"p.s\"\n", "needs a name"),
        ("[[case]]\nname = \"a\"\n", "has no program"),
        ("", "no cases"),
        (
            "[[case]]\nname = \"a\"\nprogram = \"p\"\noutput_regex = \"(\"\n",
            "output_regex",
        ),
        (
            "[[case]]\nname = \"a\"\nprogram = \"p\"\nregisters = { q9 = 1 }\n",
            "`q9` is not a register",
        ),
        (
            "[[case]]\nname = \"a\"\nprogram = \"p\"\nregisters = { a0 = 0x1_0000_0000 }\n",
            "not a 32-bit value",
        ),
        (
            "[[case]]\nname = \"a\"\nprogram = \"p\"\n[[case]]\nname = \"a\"\nprogram = \"q\"\n",
            "two cases are named `a`",
        ),
        (
            "[[case]]\nname = \"a\"\nprogram = \"p\"\nmemory = \"3K\"\n",
            "memory",
        ),
        (
            "[[case]]\nname = \"a\"\nprogram = \"p\"\nmemory_at = [{ words = [1] }]\n",
            "addr or symbol",
        ),
        (
            "[[case]]\nname = \"a\"\nprogram = \"p\"\nshell = \"ls\\n\"\n",
            "needs os = true",
        ),
        (
            "[[case]]\nname = \"a\"\nprogram = \"p\"\nos = true\nring3_only = true\n",
            "ring3_only",
        ),
        (
            "submissions = \"/no/such/dir/*.s\"\n[[case]]\nname = \"a\"\n",
            "match no file",
        ),
        ("[[case]\nname = \"a\"\n", "line 1"),
    ];
    for (text, want) in cases {
        let e = error(text);
        assert!(e.contains(want), "{text:?}: {e}");
    }
}

#[test]
fn shards_are_k_of_n() {
    assert_eq!(grader::parse_shard("2/8"), Ok((2, 8)));
    for bad in ["0/3", "4/3", "1/0", "x/2", "3", ""] {
        assert!(grader::parse_shard(bad).is_err(), "{bad}");
    }
}

#[test]
fn defaults_apply_to_every_case() {
    let text =
        "[defaults]\nmax_cycles = 77\nno_fault = true\n[[case]]\nname = \"a\"\nprogram = \"p.s\"\n\
                [[case]]\nname = \"b\"\nprogram = \"p.s\"\nmax_cycles = 5\n";
    let plan = grader::model::parse(text, Path::new("dir")).unwrap();
    assert_eq!(
        (plan.cases[0].max_cycles, plan.cases[1].max_cycles),
        (77, 5)
    );
    assert!(plan.cases.iter().all(|c| c.no_fault));
    assert_eq!(plan.cases[0].program.as_deref(), Some(Path::new("dir/p.s")));
}

#[test]
fn the_example_in_docs_grading_md_is_a_valid_test_file() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/grading.md"))
        .unwrap();
    let start = doc.find("```toml\n").expect("a TOML example") + "```toml\n".len();
    let text = &doc[start..start + doc[start..].find("```").unwrap()];
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/grade"));
    let plan = grader::model::parse(text, dir).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(plan.cases.len(), 4);
    assert_eq!(plan.submissions.len(), 6);
    assert!(plan.cases[3].os.is_some() && plan.cases[2].ring3_only);
}
