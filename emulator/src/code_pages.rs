//! The code-page bitmap: one bit per 4 KiB page of RAM, set while the page holds translated
//! code. Every RAM write tests it (self-modifying code, program loading and DMA into code
//! pages invalidate translations), so the test is one word load and a bit test: the bitmap is
//! a vector of 64-bit `bitvec` arrays, indexed by page / 64, rather than one `BitVec`, whose
//! pointer encoding costs a dozen host instructions to turn into a word address.

use bitvec::array::BitArray;

/// Pages per word.
const WORD_PAGES: usize = 64;

/// One bit per RAM page.
#[derive(Clone, Debug)]
pub struct CodePages {
    words: Vec<BitArray<u64>>,
    pages: usize,
}

impl CodePages {
    /// A bitmap for `pages` pages, all clear.
    pub fn new(pages: usize) -> CodePages {
        CodePages {
            words: vec![BitArray::ZERO; pages.div_ceil(WORD_PAGES)],
            pages,
        }
    }

    /// Pages covered.
    pub fn len(&self) -> usize {
        self.pages
    }

    /// Whether the bitmap covers no page.
    pub fn is_empty(&self) -> bool {
        self.pages == 0
    }

    /// Whether `page` holds translated code (false past the end).
    #[inline(always)]
    pub fn contains(&self, page: usize) -> bool {
        match self.words.get(page / WORD_PAGES) {
            Some(w) => (w.data >> (page % WORD_PAGES)) & 1 != 0,
            None => false,
        }
    }

    /// Marks or clears `page` (ignored past the end).
    pub fn set(&mut self, page: usize, value: bool) {
        if page < self.pages {
            self.words[page / WORD_PAGES].set(page % WORD_PAGES, value);
        }
    }

    /// Clears every page.
    pub fn clear(&mut self) {
        self.words.fill(BitArray::ZERO);
    }
}

#[cfg(test)]
mod tests {
    use super::CodePages;

    #[test]
    fn pages_are_set_tested_and_cleared_one_by_one() {
        let mut c = CodePages::new(130);
        assert_eq!(c.len(), 130);
        for p in [0, 63, 64, 129] {
            assert!(!c.contains(p));
            c.set(p, true);
            assert!(c.contains(p));
        }
        assert!(!c.contains(1) && !c.contains(65) && !c.contains(128));
        c.set(64, false);
        assert!(!c.contains(64) && c.contains(63));
        // Past the end: never set, never reported.
        c.set(130, true);
        assert!(!c.contains(130) && !c.contains(1 << 20));
        c.clear();
        assert!(!(0..130).any(|p| c.contains(p)));
    }
}
