//! How integers are packed in the grams files: blocks of [`BLOCK`] bit-packed with SIMD
//! (bitpacking's `BitPacker4x`, the packer of tantivy's own postings), shorter runs packed
//! to their width (tantivy-bitpacker). Each packed run starts with its width in bits.
//!
//! Decoding never trusts the bytes: a width over 32 or a run longer than what is left gives
//! `None`, never a panic, so that damage is an error the caller names.

use bitpacking::{BitPacker, BitPacker4x};
use tantivy_bitpacker::{BitPacker as ShortPacker, BitUnpacker};

/// Integers in a packed block.
pub(super) const BLOCK: usize = BitPacker4x::BLOCK_LEN;

fn packer() -> BitPacker4x {
    BitPacker4x::new()
}

/// Bytes a packed block of `bits`-wide integers takes after its width byte.
pub(super) fn block_bytes(bits: u8) -> usize {
    BitPacker4x::compressed_block_size(bits)
}

/// Appends a block of strictly increasing `values` following `previous`: each is packed as
/// its distance from the one before, less one.
pub(super) fn pack_increasing(previous: Option<u32>, values: &[u32], out: &mut Vec<u8>) {
    let bits = packer().num_bits_strictly_sorted(previous, values);
    append_block(out, bits, |room| {
        packer().compress_strictly_sorted(previous, values, room, bits);
    });
}

/// Appends a block of non-decreasing `values` following `previous`, as distances.
pub(super) fn pack_sorted(previous: u32, values: &[u32], out: &mut Vec<u8>) {
    let bits = packer().num_bits_sorted(previous, values);
    append_block(out, bits, |room| {
        packer().compress_sorted(previous, values, room, bits);
    });
}

/// Appends a block of `values` as they are.
pub(super) fn pack_plain(values: &[u32], out: &mut Vec<u8>) {
    let bits = packer().num_bits(values);
    append_block(out, bits, |room| {
        packer().compress(values, room, bits);
    });
}

fn append_block(out: &mut Vec<u8>, bits: u8, pack: impl FnOnce(&mut [u8])) {
    out.push(bits);
    let at = out.len();
    out.resize(at + block_bytes(bits), 0);
    pack(&mut out[at..]);
}

/// The width of the block at the start of `bytes` and its packed bytes, if they are whole.
fn block_at(bytes: &[u8]) -> Option<(u8, &[u8])> {
    let (&bits, rest) = bytes.split_first()?;
    (bits <= 32).then_some(())?;
    Some((bits, rest.get(..block_bytes(bits))?))
}

/// Decodes a block written by [`pack_increasing`]; returns the bytes it took.
pub(super) fn unpack_increasing(previous: Option<u32>, bytes: &[u8], out: &mut [u32; BLOCK]) -> Option<usize> {
    let (bits, packed) = block_at(bytes)?;
    packer().decompress_strictly_sorted(previous, packed, out, bits);
    Some(1 + packed.len())
}

/// Decodes a block written by [`pack_sorted`]; returns the bytes it took.
pub(super) fn unpack_sorted(previous: u32, bytes: &[u8], out: &mut [u32; BLOCK]) -> Option<usize> {
    let (bits, packed) = block_at(bytes)?;
    packer().decompress_sorted(previous, packed, out, bits);
    Some(1 + packed.len())
}

/// Decodes a block written by [`pack_plain`]; returns the bytes it took.
pub(super) fn unpack_plain(bytes: &[u8], out: &mut [u32; BLOCK]) -> Option<usize> {
    let (bits, packed) = block_at(bytes)?;
    packer().decompress(packed, out, bits);
    Some(1 + packed.len())
}

/// Bytes a short run of `count` integers `bits` wide takes after its width byte.
pub(super) fn short_bytes(count: usize, bits: u8) -> usize {
    (count * usize::from(bits)).div_ceil(8)
}

/// Appends fewer than [`BLOCK`] strictly increasing `values` following `previous`, packed to
/// the width of the largest distance (less one).
pub(super) fn pack_short(previous: Option<u32>, values: &[u32], out: &mut Vec<u8>) {
    let gaps = || {
        let mut last = previous;
        values.iter().map(move |&v| {
            let gap = last.map_or(v, |l| v - l - 1);
            last = Some(v);
            gap
        })
    };
    let bits = gaps().max().map_or(0, |g| (32 - g.leading_zeros()) as u8);
    out.push(bits);
    let mut packer = ShortPacker::new();
    for gap in gaps() {
        packer
            .write(u64::from(gap), bits, out)
            .expect("a Vec takes every write");
    }
    packer.close(out).expect("a Vec takes every write");
}

/// Decodes `out.len()` integers written by [`pack_short`] from the start of `bytes`, which
/// must hold them exactly.
pub(super) fn unpack_short(previous: Option<u32>, bytes: &[u8], out: &mut [u32]) -> Option<()> {
    let (&bits, packed) = bytes.split_first()?;
    if bits > 32 || packed.len() != short_bytes(out.len(), bits) {
        return None;
    }
    let unpacker = BitUnpacker::new(bits);
    let mut last = previous;
    for (i, value) in out.iter_mut().enumerate() {
        let gap = unpacker.get(i as u32, packed) as u32;
        // Wrapping: damaged bytes give wrong values, never an overflow.
        *value = last.map_or(gap, |l| l.wrapping_add(gap).wrapping_add(1));
        last = Some(*value);
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_and_short_runs_read_back() {
        let values: Vec<u32> = (0..BLOCK as u32).map(|i| 7 + i * i).collect();
        let mut out = Vec::new();
        pack_increasing(Some(3), &values, &mut out);
        pack_sorted(1, &values, &mut out);
        pack_plain(&values, &mut out);
        pack_short(None, &values[..5], &mut out);
        pack_short(Some(6), &values[..1], &mut out);
        let mut block = [0u32; BLOCK];
        let mut at = unpack_increasing(Some(3), &out, &mut block).unwrap();
        assert_eq!(block.as_slice(), values);
        at += unpack_sorted(1, &out[at..], &mut block).unwrap();
        assert_eq!(block.as_slice(), values);
        at += unpack_plain(&out[at..], &mut block).unwrap();
        assert_eq!(block.as_slice(), values);
        let short = 1 + short_bytes(5, out[at]);
        let mut five = [0u32; 5];
        unpack_short(None, &out[at..at + short], &mut five).unwrap();
        assert_eq!(five.as_slice(), &values[..5]);
        at += short;
        let mut one = [0u32; 1];
        unpack_short(Some(6), &out[at..], &mut one).unwrap();
        assert_eq!(one, [7]);
        assert_eq!(out[at], 0, "7 right after 6 takes no bits");
    }

    #[test]
    fn damaged_runs_are_refused_not_read() {
        let mut block = [0u32; BLOCK];
        assert!(unpack_plain(&[33, 0, 0], &mut block).is_none(), "a width over 32");
        assert!(unpack_plain(&[8, 0, 0], &mut block).is_none(), "cut short");
        assert!(unpack_plain(&[], &mut block).is_none());
        let mut two = [0u32; 2];
        assert!(unpack_short(None, &[40, 0, 0], &mut two).is_none());
        assert!(unpack_short(None, &[8, 0], &mut two).is_none(), "one byte for two");
        assert!(
            unpack_short(None, &[8, 0, 0, 0], &mut two).is_none(),
            "one byte too many"
        );
        assert!(
            unpack_short(Some(u32::MAX), &[8, 255, 255], &mut two).is_some(),
            "wraps"
        );
    }
}
