//! Sorting a segment's (term, position) pairs by term.

use super::TERM_BITS;

/// Sorts `terms` and `positions` together by term, keeping the order of equal terms: a least
/// significant digit radix sort, a byte at a time (256 places to scatter stay in cache; with
/// wider digits most writes miss it), skipping the bytes every term shares. Every byte's
/// counts are taken in one pass over the terms (a byte's counts do not depend on the order),
/// so each byte sorted costs one pass, its scatter.
pub(super) fn sort_by_term(terms: &mut Vec<u64>, positions: &mut Vec<u32>) {
    const DIGIT: u32 = 8;
    const BYTES: usize = TERM_BITS.div_ceil(DIGIT) as usize;
    let n = terms.len();
    let digit = |t: u64, byte: usize| ((t >> (byte as u32 * DIGIT)) & ((1 << DIGIT) - 1)) as usize;
    let mut counts = vec![[0usize; 1 << DIGIT]; BYTES];
    for &t in terms.iter() {
        for (byte, counts) in counts.iter_mut().enumerate() {
            counts[digit(t, byte)] += 1;
        }
    }
    let mut spare_terms = vec![0u64; n];
    let mut spare_positions = vec![0u32; n];
    for (byte, counts) in counts.iter_mut().enumerate() {
        if counts.contains(&n) {
            continue;
        }
        let mut sum = 0;
        for count in counts.iter_mut() {
            (*count, sum) = (sum, sum + *count);
        }
        for (&t, &p) in terms.iter().zip(positions.iter()) {
            let slot = &mut counts[digit(t, byte)];
            spare_terms[*slot] = t;
            spare_positions[*slot] = p;
            *slot += 1;
        }
        std::mem::swap(terms, &mut spare_terms);
        std::mem::swap(positions, &mut spare_positions);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_by_term_and_keeps_the_order_of_equal_terms() {
        // Terms that differ in every byte sorting looks at, in few distinct values so that
        // many are equal; positions number the input, so stability shows.
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let values: Vec<u64> = (0..50).map(|_| next() & ((1 << TERM_BITS) - 1)).collect();
        let mut terms: Vec<u64> = (0..5000).map(|_| values[(next() % 50) as usize]).collect();
        let mut positions: Vec<u32> = (0..5000).collect();
        let mut expected: Vec<(u64, u32)> = terms.iter().copied().zip(positions.iter().copied()).collect();
        expected.sort_by_key(|&(term, _)| term);
        sort_by_term(&mut terms, &mut positions);
        let sorted: Vec<(u64, u32)> = terms.into_iter().zip(positions).collect();
        assert_eq!(sorted, expected);
    }

    #[test]
    fn terms_that_share_every_byte_stay_as_they_are() {
        let mut terms = vec![7u64; 4];
        let mut positions = vec![3, 1, 2, 0];
        sort_by_term(&mut terms, &mut positions);
        assert_eq!(positions, [3, 1, 2, 0]);
        let (mut none, mut no_positions) = (Vec::new(), Vec::new());
        sort_by_term(&mut none, &mut no_positions);
        assert!(none.is_empty());
    }
}
