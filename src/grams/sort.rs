//! Sorting (key, position) pairs by key, stably: a segment's grams by term, and the releases'
//! fingerprints by band value ([`crate::search`]).

/// The most bits a pass of the sort takes: the places it scatters to stay in the caches.
const DIGIT: u32 = 11;

/// A term's sort key above a position (the low 32 bits), in one integer, so that sorting
/// moves one value instead of two.
pub(crate) trait Packed: Copy + Default {
    /// The pair of `key` and `position`.
    fn pack(key: u64, position: u32) -> Self;
    fn key(self) -> u64;
    fn position(self) -> u32;
    /// The `width` bits of the key from bit `from`.
    fn key_digit(self, from: u32, width: u32) -> usize;
}

impl Packed for u64 {
    fn pack(key: u64, position: u32) -> u64 {
        (key << 32) | u64::from(position)
    }
    fn key(self) -> u64 {
        self >> 32
    }
    fn position(self) -> u32 {
        self as u32
    }
    fn key_digit(self, from: u32, width: u32) -> usize {
        ((self >> (32 + from)) & ((1 << width) - 1)) as usize
    }
}

impl Packed for u128 {
    fn pack(key: u64, position: u32) -> u128 {
        (u128::from(key) << 32) | u128::from(position)
    }
    fn key(self) -> u64 {
        (self >> 32) as u64
    }
    fn position(self) -> u32 {
        self as u32
    }
    fn key_digit(self, from: u32, width: u32) -> usize {
        ((self >> (32 + from)) & ((1 << width) - 1)) as usize
    }
}

/// Sorts `pairs` by their keys of `bits` bits, keeping the order of equal keys: a least
/// significant digit radix sort in as few passes of at most [`DIGIT`] bits as the keys need,
/// skipping the digits every key shares. Every digit's counts are taken in one pass (a
/// digit's counts do not depend on the order), so each digit sorted costs one pass, its
/// scatter.
pub(crate) fn sort_by_key<P: Packed>(pairs: &mut Vec<P>, bits: u32) {
    let passes = bits.div_ceil(DIGIT);
    let width = bits.div_ceil(passes.max(1));
    let n = pairs.len();
    let mut counts = vec![vec![0usize; 1 << width]; passes as usize];
    for &pair in pairs.iter() {
        for (pass, counts) in (0..).zip(counts.iter_mut()) {
            counts[pair.key_digit(pass * width, width)] += 1;
        }
    }
    let mut spare = vec![P::default(); n];
    for (pass, counts) in (0..).zip(counts.iter_mut()) {
        if counts.contains(&n) {
            continue;
        }
        let mut sum = 0;
        for count in counts.iter_mut() {
            (*count, sum) = (sum, sum + *count);
        }
        for &pair in pairs.iter() {
            let slot = &mut counts[pair.key_digit(pass * width, width)];
            spare[*slot] = pair;
            *slot += 1;
        }
        std::mem::swap(pairs, &mut spare);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grams::TERM_BITS;

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
        let terms: Vec<u64> = (0..5000).map(|_| values[(next() % 50) as usize]).collect();
        let mut expected: Vec<(u64, u32)> = terms.iter().copied().zip(0..).collect();
        expected.sort_by_key(|&(term, _)| term);
        let mut pairs: Vec<u128> = expected.iter().map(|&(t, p)| u128::pack(t, p)).collect();
        // In the order of positions, which sorting must keep among equal terms.
        pairs.sort_by_key(|&pair| pair.position());
        sort_by_key(&mut pairs, TERM_BITS);
        let sorted: Vec<(u64, u32)> = pairs.into_iter().map(|p| (p.key(), p.position())).collect();
        assert_eq!(sorted, expected);
    }

    #[test]
    fn terms_that_share_every_byte_stay_as_they_are() {
        let mut pairs: Vec<u64> = [3, 1, 2, 0].into_iter().map(|p| u64::pack(7, p)).collect();
        sort_by_key(&mut pairs, 24);
        assert_eq!(pairs.iter().map(|p| p.position()).collect::<Vec<_>>(), [3, 1, 2, 0]);
        let mut none = Vec::<u64>::new();
        sort_by_key(&mut none, 24);
        assert!(none.is_empty());
    }
}
