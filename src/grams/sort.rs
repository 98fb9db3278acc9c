//! Sorting a segment's (term, position) pairs by term.

use super::TERM_BITS;

/// Sorts `terms` and `positions` together by term, keeping the order of equal terms: a least
/// significant digit radix sort, a byte at a time (256 places to scatter to stay in cache;
/// at 14 bits a time, most writes missed it and the sort took 5 times as long), skipping the
/// bytes every term shares.
pub(super) fn sort_by_term(terms: &mut Vec<u64>, positions: &mut Vec<u32>) {
    const DIGIT: u32 = 8;
    let n = terms.len();
    let mut spare_terms = vec![0u64; n];
    let mut spare_positions = vec![0u32; n];
    for shift in (0..TERM_BITS).step_by(DIGIT as usize) {
        let digit = |t: u64| ((t >> shift) & ((1 << DIGIT) - 1)) as usize;
        let mut counts = vec![0usize; 1 << DIGIT];
        for &t in terms.iter() {
            counts[digit(t)] += 1;
        }
        if counts.contains(&n) {
            continue;
        }
        let mut sum = 0;
        for count in &mut counts {
            (*count, sum) = (sum, sum + *count);
        }
        for (&t, &p) in terms.iter().zip(positions.iter()) {
            let slot = &mut counts[digit(t)];
            spare_terms[*slot] = t;
            spare_positions[*slot] = p;
            *slot += 1;
        }
        std::mem::swap(terms, &mut spare_terms);
        std::mem::swap(positions, &mut spare_positions);
    }
}
