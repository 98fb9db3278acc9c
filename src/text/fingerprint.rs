//! A body's fingerprint: what reprints of one release share.
//!
//! A 256-bit SimHash (Charikar's hash over three-character shingles of the folded text, four
//! 64-bit words of independent hashes): the share of bits two fingerprints differ in estimates
//! the angle between the two bodies' shingle sets, so a reprint with small edits differs in a
//! few dozen bits and a different body, even one written from the same template, in several
//! times as many. Grouping fingerprints into releases is searching's ([`crate::search`]).

use super::fold_char;

/// A fingerprint: four words of 64 bits; all zero for a body too short to tell.
pub(crate) type Print = [u64; PRINT_WORDS];

/// Words of a fingerprint.
pub(crate) const PRINT_WORDS: usize = 4;

/// How many bits two fingerprints differ in.
pub(crate) fn distance(a: &Print, b: &Print) -> u32 {
    a.iter().zip(b).map(|(x, y)| (x ^ y).count_ones()).sum()
}

/// Lines shorter than this (in characters) at a body's top and bottom are not fingerprinted.
const EDGE_LINE: usize = 40;

/// The fewest shingles a body needs for a fingerprint: shorter bodies (a caption, a
/// one-line notice) are alike across different releases.
const MIN_SHINGLES: usize = 60;

/// The fewest letters and digits a short article (title and body) needs for a fingerprint.
const MIN_WHOLE: usize = 12;

/// The fingerprint of an article: the SimHash of its body, or for a body too short to tell
/// reprints by (a one-paragraph notice), a hash of its whole title and body, so that only
/// copies with the same title and text are one release; 0 (none) when even that is too short.
pub(crate) fn fingerprint(title: &str, body: &str) -> Print {
    let print = simhash(body);
    if print != [0; PRINT_WORDS] {
        return print;
    }
    let whole: String = title
        .chars()
        .chain(body.chars())
        .filter_map(fold_char)
        .filter(|&c| super::is_alphanumeric(c))
        .collect();
    if whole.chars().count() < MIN_WHOLE {
        return print;
    }
    // Two keyed 128-bit hashes: copies of one text hash alike; any two other texts differ in
    // about half the bits, far more than a reprint may.
    let mut out = [0u64; PRINT_WORDS];
    for (half, key) in [(0, 0x5348_4f52_5431u64), (2, 0x5445_5854_3232u64)] {
        use std::hash::Hasher;
        let mut hasher = siphasher::sip128::SipHasher13::new_with_keys(key, !key);
        hasher.write(whole.as_bytes());
        let hash = siphasher::sip128::Hasher128::finish128(&hasher);
        out[half] = hash.h1;
        out[half + 1] = hash.h2;
    }
    out[0] |= u64::from(out == [0; PRINT_WORDS]);
    out
}

/// The SimHash fingerprint of a body, or 0 (none) for a body too short to tell.
///
/// Short lines at the top and bottom (a source line, a byline, 责任编辑) are left out: they
/// are what a site adds when it reprints a release, and on a body of a few hundred characters
/// they alone would move the fingerprint by several bits.
fn simhash(body: &str) -> Print {
    let chars = core_chars(body);
    let mut out = [0u64; PRINT_WORDS];
    if chars.len() < MIN_SHINGLES + 2 {
        return out;
    }
    let shingles = chars.len() - 2;
    let mut counters = [Counters::default(); PRINT_WORDS];
    // Three characters of 21 bits each fit one u64; splitmix64 spreads them over all bits,
    // once per word with a different seed.
    let packed = |s: &[char]| (u64::from(s[0]) << 42) | (u64::from(s[1]) << 21) | u64::from(s[2]);
    let mut windows = chars.windows(3);
    let mut batch = [[0u64; 8]; PRINT_WORDS];
    loop {
        let mut filled = 0;
        for shingle in windows.by_ref().take(8) {
            let packed = packed(shingle);
            for (word, batch) in batch.iter_mut().enumerate() {
                batch[filled] = splitmix64(packed ^ SEEDS[word]);
            }
            filled += 1;
        }
        for (counters, batch) in counters.iter_mut().zip(&batch) {
            if filled == 8 {
                counters.add8(batch);
            } else {
                batch[..filled].iter().for_each(|&hash| counters.add(hash));
            }
        }
        if filled < 8 {
            break;
        }
    }
    for (word, counters) in counters.iter().enumerate() {
        // A bit is set when more than half the shingles' hashes set it.
        out[word] = counters.over(shingles / 2);
    }
    // All zero means "none"; a real fingerprint of all zeros is one bit away from it.
    out[0] |= u64::from(out == [0; PRINT_WORDS]);
    out
}

/// Sixty-four counters, one per bit of a hash, kept bit-sliced: plane `p` holds bit `p` of
/// every counter, so adding a hash is a ripple-carry add of one word (two or three steps on
/// average) instead of sixty-four additions.
#[derive(Clone, Copy, Default)]
struct Counters {
    planes: [u64; 32],
}

impl Counters {
    /// Adds one to the counter of every bit set in `hash`.
    fn add(&mut self, hash: u64) {
        let mut carry = hash;
        for plane in &mut self.planes {
            if carry == 0 {
                break;
            }
            let next = *plane & carry;
            *plane ^= carry;
            carry = next;
        }
    }

    /// Adds eight hashes at once: a tree of full adders counts them per bit into four planes
    /// (ones, twos, fours, eights), which are then added to the counters. Branch-free but for
    /// the carry past the fourth plane, where one hash at a time takes an unpredictable branch
    /// for each step of its carry.
    fn add8(&mut self, h: &[u64; 8]) {
        // A full adder over three planes: (sum, carry).
        let full = |a: u64, b: u64, c: u64| (a ^ b ^ c, (a & b) | (c & (a ^ b)));
        let (a0, a1) = full(h[0], h[1], h[2]);
        let (b0, b1) = full(h[3], h[4], h[5]);
        let (c0, c1) = (h[6] ^ h[7], h[6] & h[7]);
        let (ones, t1) = full(a0, b0, c0);
        let (d0, d1) = full(a1, b1, c1);
        let (twos, t2) = (d0 ^ t1, d0 & t1);
        let (fours, eights) = (d1 ^ t2, d1 & t2);
        let mut carry = 0;
        for (plane, addend) in self.planes.iter_mut().zip([ones, twos, fours, eights]) {
            let (sum, next) = full(*plane, addend, carry);
            *plane = sum;
            carry = next;
        }
        for plane in &mut self.planes[4..] {
            if carry == 0 {
                break;
            }
            let next = *plane & carry;
            *plane ^= carry;
            carry = next;
        }
    }

    /// The bits whose counters exceed `half`.
    fn over(&self, half: usize) -> u64 {
        let mut out = 0;
        for bit in 0..64 {
            let count: u64 = self
                .planes
                .iter()
                .enumerate()
                .map(|(p, plane)| (plane >> bit & 1) << p)
                .sum();
            if count > half as u64 {
                out |= 1 << bit;
            }
        }
        out
    }
}

/// The folded letters and digits of a body's lines, short lines at its top and bottom left out.
fn core_chars(body: &str) -> Vec<char> {
    let lines: Vec<&str> = body.lines().filter(|l| !l.trim().is_empty()).collect();
    let short = |l: &&str| l.chars().count() < EDGE_LINE;
    let start = lines.iter().position(|l| !short(l)).unwrap_or(0);
    let end = lines.iter().rposition(|l| !short(l)).map_or(lines.len(), |e| e + 1);
    let core = if start < end { &lines[start..end] } else { &lines[..] };
    core.iter()
        .flat_map(|l| l.chars())
        .filter_map(fold_char)
        .filter(|&c| super::is_alphanumeric(c))
        .collect()
}

/// A seed per fingerprint word: four independent hashes of each shingle.
const SEEDS: [u64; PRINT_WORDS] = [0, 0x5851_F42D_4C95_7F2D, 0x1405_7B7E_F767_814F, 0x2545_F491_4F6C_DD1D];

fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A release's body, long enough for a fingerprint.
    pub(crate) const BODY: &str =
        "峄城区持续优化营商环境，深化放管服改革，推进政务服务一网通办，企业开办时间压缩到一个工作日以内。\
        全区新登记市场主体同比增长百分之十二，其中民营企业占九成以上。区政府还出台了支持中小微企业发展的十条措施，\
        涵盖减税降费、融资担保、用地保障和人才引进等方面，为企业发展营造了良好环境。";

    /// The fingerprint as Charikar writes it: a signed sum per bit.
    fn reference(body: &str) -> Print {
        let chars = core_chars(body);
        let mut out = [0u64; PRINT_WORDS];
        for (word, out) in out.iter_mut().enumerate() {
            let mut sums = [0i64; 64];
            for shingle in chars.windows(3) {
                let packed = (u64::from(shingle[0]) << 42) | (u64::from(shingle[1]) << 21) | u64::from(shingle[2]);
                let hash = splitmix64(packed ^ SEEDS[word]);
                for (bit, sum) in sums.iter_mut().enumerate() {
                    *sum += if hash >> bit & 1 == 1 { 1 } else { -1 };
                }
            }
            for (bit, sum) in sums.iter().enumerate() {
                if *sum > 0 {
                    *out |= 1 << bit;
                }
            }
        }
        out
    }

    #[test]
    fn eight_hashes_at_once_count_as_one_at_a_time() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let (mut batched, mut single) = (Counters::default(), Counters::default());
        for round in 0..5000 {
            let mut hashes = [0u64; 8];
            for hash in &mut hashes {
                state = splitmix64(state);
                // Every few rounds all bits set, so carries run past the fourth plane.
                *hash = if round % 7 == 0 { u64::MAX } else { state };
            }
            batched.add8(&hashes);
            hashes.iter().for_each(|&h| single.add(h));
            assert_eq!(batched.planes, single.planes, "round {round}");
        }
    }

    #[test]
    fn bit_sliced_counters_give_charikars_fingerprint() {
        let bodies = [
            BODY.to_string(),
            BODY.repeat(40),
            format!("{BODY}ABCdef123{BODY}"),
            "甲乙丙丁".repeat(50),
        ];
        for body in &bodies {
            assert_eq!(simhash(body), reference(body), "{} characters", body.chars().count());
        }
    }
}
