//! Unit tests of RAM: chunks, plain stores, the layout epoch.

use super::{Ram, CHUNK};

#[test]
fn sized_access_is_little_endian_and_bounded() {
    let mut r = Ram::new(16);
    assert_eq!(r.len(), 16);
    r.write(4, 4, 0x1122_3344);
    assert_eq!(r.get(4, 1), Some(0x44));
    assert_eq!(r.get(6, 2), Some(0x1122));
    assert_eq!(r.word(4), 0x1122_3344);
    assert_eq!(
        r.bytes(4, 4).as_deref(),
        Some(&[0x44, 0x33, 0x22, 0x11][..])
    );
    assert!(r.contains(12, 4) && !r.contains(13, 4) && !r.contains(u32::MAX, 4));
    assert_eq!(r.get(14, 4), None);
    assert!(!r.write_bytes(16, &[1]) && !r.zero(15, 2));
    assert_eq!(r.bytes(u32::MAX, 2), None);
    r.set_words(0, &[1, 2]);
    assert_eq!(r.words::<2>(0), [1, 2]);
    r.set_word(8, 0xdead_beef);
    assert_eq!(r.read(8, 2), 0xbeef);
}

#[test]
fn chunks_are_allocated_on_first_write_only() {
    let mut r = Ram::new(16 << 20);
    assert_eq!(r.allocated_chunks(), 0);
    assert_eq!(r.word(5 * CHUNK), 0);
    assert_eq!(r.words::<4>(7 * CHUNK + 8), [0; 4]);
    assert_eq!(
        r.bytes(0, 3 * CHUNK).map(|b| b.iter().all(|&b| b == 0)),
        Some(true)
    );
    // Zeros into chunks never written allocate nothing; a loader's zero fill neither.
    assert!(r.write_bytes(CHUNK as u32 - 2, &[0; 8]) && r.zero(0, 4 * CHUNK));
    assert_eq!(r.allocated_chunks(), 0);
    r.write(3 * CHUNK + 1, 1, 7);
    assert_eq!(r.allocated_chunks(), 1);
    let c: Vec<_> = r.chunks().filter(|c| c.bytes.is_some()).collect();
    assert_eq!(
        (c.len(), c[0].start, c[0].len),
        (1, 3 * CHUNK as u32, CHUNK)
    );
    assert_eq!(r, {
        let mut s = Ram::new(16 << 20);
        s.write_bytes(3 * CHUNK as u32, &[0, 7]);
        s
    });
    assert_eq!(r.first_difference(&Ram::new(16 << 20)), Some(3 * CHUNK + 1));
}

#[test]
fn ranges_and_unaligned_accesses_span_chunks() {
    let mut r = Ram::new(3 * CHUNK + 100);
    let data: Vec<u8> = (0..300u32).map(|i| i as u8 | 1).collect();
    let at = 2 * CHUNK as u32 - 150;
    assert!(r.write_bytes(at, &data));
    assert_eq!(r.allocated_chunks(), 2);
    assert_eq!(r.bytes(at, 300).as_deref(), Some(&data[..]));
    assert_eq!(r.bytes_in_chunk(at, 300), None);
    assert_eq!(r.bytes_in_chunk(at, 150), Some(&data[..150]));
    let x = 2 * CHUNK - 2;
    assert_eq!(
        r.read(x, 4),
        u32::from_le_bytes(data[148..152].try_into().unwrap())
    );
    r.write(x - 1, 4, 0x0102_0304);
    assert_eq!(r.get(x as u32 - 1, 4), Some(0x0102_0304));
    r.set_words(2 * CHUNK - 4, &[5, 6]);
    assert_eq!(r.words::<2>(2 * CHUNK - 4), [5, 6]);
    assert!(r.zero(at, 300));
    assert_eq!(r.to_vec(), vec![0; 3 * CHUNK + 100]);
    // The last chunk is cut at the end of RAM.
    let last = r.chunks().last().unwrap();
    assert_eq!((last.start, last.len), (3 * CHUNK as u32, 100));
    assert!(r.write_bytes(3 * CHUNK as u32 + 96, &[9; 4]));
    assert!(!r.write_bytes(3 * CHUNK as u32 + 97, &[9; 4]));
    assert_eq!(Ram::from_bytes(r.to_vec()), r);
}
