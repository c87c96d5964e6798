use super::*;
use proptest::prelude::*;

fn files() -> Vec<(String, Vec<u8>)> {
    vec![
        ("hello.txt".to_string(), b"hello\n".to_vec()),
        ("big.bin".to_string(), vec![7u8; 1300]),
        ("empty".to_string(), Vec::new()),
    ]
}

/// A guest-style image: 16 entries, files out of directory order with holes between them.
fn guest_image() -> Vec<u8> {
    let mut img = build(&[], Some(64 << 10), 16).unwrap();
    let dir = 512;
    let put_entry = |img: &mut Vec<u8>, i: usize, name: &str, start: u32, len: u32| {
        let o = dir + i * ENTRY_SIZE;
        img[o..o + NAME_FIELD].fill(0);
        img[o..o + name.len()].copy_from_slice(name.as_bytes());
        put(img, o + NAME_FIELD, start);
        put(img, o + NAME_FIELD + 4, len);
    };
    put_entry(&mut img, 0, "late", 40, 700);
    put_entry(&mut img, 1, "early", 5, 3);
    put_entry(&mut img, 2, "none", 0, 0);
    img[40 * 512..40 * 512 + 700].fill(0xAB);
    img[5 * 512..5 * 512 + 3].copy_from_slice(b"abc");
    put(&mut img, sb::FILE_COUNT, 3);
    put(&mut img, sb::DATA_END, 42);
    img
}

#[test]
fn layout_round_trips() {
    let FsImage { head: img, size } = build_head(&files(), None, 16).unwrap();
    assert_eq!(size, 64 << 10);
    let l = read_layout(&img).unwrap();
    assert_eq!((l.dir_start, l.dir_sectors, l.data_start), (1, 1, 2));
    let want = |name: &str, start, length| Entry {
        name: name.into(),
        start,
        length,
    };
    assert_eq!(
        l.entries,
        vec![
            want("hello.txt", 2, 6),
            want("big.bin", 3, 1300),
            want("empty", 6, 0)
        ]
    );
    assert_eq!(l.data_end, 6);
    assert_eq!(&img[2 * 512..2 * 512 + 6], b"hello\n");
    let full = build(&files(), None, 16).unwrap();
    assert_eq!(full.len(), 64 << 10);
    assert_eq!(read_file(&full, "big.bin").unwrap(), vec![7u8; 1300]);
    assert_eq!(read_file(&full, "empty").unwrap(), b"");
}

#[test]
fn bad_inputs_are_refused() {
    let long = "x".repeat(24);
    assert_eq!(
        build(&[(long.clone(), vec![])], None, 16),
        Err(Error::BadName(long))
    );
    assert!(build(&[("a b".into(), vec![])], None, 16).is_err());
    let dup = vec![("a".to_string(), vec![]), ("a".to_string(), vec![])];
    assert_eq!(build(&dup, None, 16), Err(Error::Duplicate("a".into())));
    assert!(matches!(
        build(&[("a".into(), vec![0; 4096])], Some(2048), 16),
        Err(Error::NoRoom { .. })
    ));
    assert_eq!(build(&[], None, 10), Err(Error::BadEntries(10)));
    assert!(build(&[], None, 4294967280).is_err());
    assert_eq!(build(&[], Some(1000), 16), Err(Error::BadSize(1000)));
    let many: Vec<_> = (0..17).map(|i| (format!("f{i}"), vec![])).collect();
    assert!(matches!(
        build(&many, None, 16),
        Err(Error::TooManyFiles { .. })
    ));
}

#[test]
fn guest_written_images_are_read_entry_by_entry() {
    let img = guest_image();
    let names: Vec<_> = list(&img).unwrap().into_iter().map(|e| e.name).collect();
    assert_eq!(names, ["late", "early", "none"]);
    assert_eq!(read_file(&img, "late").unwrap(), vec![0xAB; 700]);
    assert_eq!(read_file(&img, "early").unwrap(), b"abc");
    assert_eq!(read_file(&img, "none").unwrap(), b"");
    let e = read_file(&img, "nope").unwrap_err();
    assert_eq!(
        e.to_string(),
        "no file `nope` on the image (files: late, early, none)"
    );
}

#[test]
fn overlapping_and_outside_extents_name_the_entry() {
    let mut img = guest_image();
    // `early` grows into `late`'s first sector.
    put(&mut img, 512 + 32 + NAME_FIELD, 39);
    put(&mut img, 512 + 32 + NAME_FIELD + 4, 1000);
    let e = list(&img).unwrap_err().to_string();
    assert!(e.contains("overlap") && e.contains("`late`"), "{e}");
    let mut img = guest_image();
    put(&mut img, 512 + NAME_FIELD, 127); // `late` runs past the 128 sectors
    let e = list(&img).unwrap_err().to_string();
    assert!(e.contains("entry 0 (`late`)") && e.contains("past"), "{e}");
    let mut img = guest_image();
    put(&mut img, 512 + 32 + NAME_FIELD, 1); // `early` inside the directory
    let e = list(&img).unwrap_err().to_string();
    assert!(e.contains("entry 1 (`early`)"), "{e}");
    let mut img = guest_image();
    put(&mut img, sb::DATA_END, 41); // below `late`'s end
    assert!(list(&img).unwrap_err().to_string().contains("data_end"));
    let mut img = guest_image();
    img[512 + 32..512 + 32 + 5].copy_from_slice(b"late\0");
    assert!(list(&img).unwrap_err().to_string().contains("same name"));
}

#[test]
fn hostile_superblocks_are_errors() {
    let img = guest_image();
    let with = |off: usize, v: u32| {
        let mut i = img.clone();
        put(&mut i, off, v);
        list(&i)
    };
    assert_eq!(list(&img[..100]), Err(Error::NotRffs));
    assert_eq!(list(&[0u8; 512]), Err(Error::NotRffs));
    assert_eq!(with(sb::VERSION, 2), Err(Error::Version(2)));
    assert!(matches!(
        with(sb::FILE_COUNT, 17),
        Err(Error::Superblock(_))
    ));
    assert!(matches!(
        with(sb::FILE_COUNT, u32::MAX),
        Err(Error::Superblock(_))
    ));
    assert!(matches!(with(sb::DIR_START, 0), Err(Error::Superblock(_))));
    assert!(matches!(
        with(sb::DIR_SECTORS, u32::MAX),
        Err(Error::Superblock(_))
    ));
    assert!(matches!(
        with(sb::DATA_START, u32::MAX),
        Err(Error::Superblock(_))
    ));
    // A huge directory the image does not hold: truncated, nothing allocated for it.
    let mut big = img[..512].to_vec();
    put(&mut big, sb::DIR_SECTORS, MAX_ENTRIES / 16);
    put(&mut big, sb::DIR_ENTRIES, MAX_ENTRIES);
    put(&mut big, sb::DATA_START, 1 + MAX_ENTRIES / 16);
    put(&mut big, sb::TOTAL_SECTORS, u32::MAX);
    put(&mut big, sb::DATA_END, u32::MAX);
    put(&mut big, sb::FILE_COUNT, MAX_ENTRIES);
    assert!(matches!(list(&big), Err(Error::Truncated(_))));
    assert_eq!(head_len(&big), Some((1 + MAX_ENTRIES as u64 / 16) * 512));
    // A huge length the image does not hold.
    let mut i = img.clone();
    put(&mut i, sb::TOTAL_SECTORS, u32::MAX);
    put(&mut i, sb::DATA_END, u32::MAX);
    put(&mut i, 512 + NAME_FIELD + 4, u32::MAX);
    assert!(list(&i).is_ok());
    assert!(matches!(read_file(&i, "late"), Err(Error::Truncated(_))));
    // Only the head of an image: the directory reads, the files do not.
    let head = &img[..1024];
    assert_eq!(head_len(head), Some(1024));
    assert_eq!(list(head).unwrap().len(), 3);
    assert!(matches!(read_file(head, "late"), Err(Error::Truncated(_))));
}

fn file_set() -> impl Strategy<Value = Vec<(String, Vec<u8>)>> {
    prop::collection::btree_map(
        "[a-zA-Z0-9._-]{1,23}",
        prop::collection::vec(any::<u8>(), 0..1500),
        0..20,
    )
    .prop_map(|m| m.into_iter().collect())
}

proptest! {
    #[test]
    fn build_then_read_gives_the_files_back(files in file_set(), entries in 2u32..5) {
        let img = build(&files, None, entries * 16).unwrap();
        let listed = list(&img).unwrap();
        prop_assert_eq!(listed.len(), files.len());
        for ((name, data), e) in files.iter().zip(&listed) {
            prop_assert_eq!(&e.name, name);
            prop_assert_eq!(&read_file(&img, name).unwrap(), data);
        }
    }

    /// Any bytes: an error or a layout, never a panic; files read stay inside the image.
    #[test]
    fn arbitrary_images_never_panic(
        files in file_set(),
        edits in prop::collection::vec((0usize..4096, any::<u8>()), 0..40),
        cut in 0usize..8192,
    ) {
        let mut img = build(&files, None, 32).unwrap();
        for (at, b) in edits {
            if let Some(x) = img.get_mut(at) {
                *x = b;
            }
        }
        img.truncate(cut.max(1));
        if let Ok(l) = read_layout(&img) {
            for e in &l.entries {
                let _ = read_file(&img, &e.name);
            }
        }
    }
}
