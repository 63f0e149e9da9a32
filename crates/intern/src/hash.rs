//! The string hash the interner uses by default.
//!
//! Identifiers are short: most are 2 to 16 bytes long. [`IdentHash`] reads
//! a string of 4 to 16 bytes with four (possibly overlapping) unaligned
//! 4-byte loads at offsets computed without a branch, a shorter one by its
//! first, middle and last bytes, and mixes the result with a single
//! 64×64→128-bit "folded" multiply, whose low and high halves are both well
//! mixed. The interner folds the two halves into 32 bits, keeps the low 24
//! in its index's tags, and takes the home slot from the low bits.
//!
//! The hash has a fixed seed: it is fast and well distributed on ordinary
//! input, but it is **not** designed to resist collision attacks. Use
//! [`Interner::with_hasher`](crate::Interner::with_hasher) with a keyed hasher
//! when the strings come from an adversary.

use std::hash::{BuildHasher, Hasher};

/// Seeds: arbitrary odd constants with about half of their bits set (the
/// fractional digits of π in hexadecimal).
const SEED0: u64 = 0x243f_6a88_85a3_08d3;
const SEED1: u64 = 0x1319_8a2e_0370_7344;
const SEED2: u64 = 0xa409_3822_299f_31d0 | 1;
const SEED3: u64 = 0x082e_fa98_ec4e_6c89;

/// Multiplies `a` by `b` as 128-bit numbers and folds the product's two
/// halves together with XOR.
#[inline(always)]
const fn fold(a: u64, b: u64) -> u64 {
    let product = (a as u128) * (b as u128);
    (product as u64) ^ ((product >> 64) as u64)
}

/// Reads eight little-endian bytes of `bytes` starting at `at`.
#[inline(always)]
pub(crate) fn read_u64(bytes: &[u8], at: usize) -> u64 {
    let mut word = [0; 8];
    word.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(word)
}

/// Hashes a byte string; this is the function behind [`IdentHasher::write`].
///
/// The result depends only on the bytes (the length is mixed in), so it can
/// be computed once and compared or stored.
///
/// # Examples
///
/// ```
/// use arenakit_intern::hash_bytes;
///
/// assert_eq!(hash_bytes(b"parse_expr"), hash_bytes(b"parse_expr"));
/// assert_ne!(hash_bytes(b"parse_expr"), hash_bytes(b"parse_item"));
/// assert_ne!(hash_bytes(b""), hash_bytes(b"\0"));
/// ```
#[inline(always)]
pub fn hash_bytes(bytes: &[u8]) -> u64 {
    let len = bytes.len();
    let (a, b) = if len <= 16 {
        short_words(bytes)
    } else {
        hash_long(bytes)
    };
    fold(a ^ SEED0, b ^ SEED1 ^ (len as u64))
}

/// Two words that together hold every byte of a string of at most 16 bytes,
/// so two strings of the same such length are equal exactly when their
/// words are: [`wide_words`] from 4 bytes up, [`narrow_words`] below.
#[inline(always)]
pub(crate) fn short_words(bytes: &[u8]) -> (u64, u64) {
    debug_assert!(bytes.len() <= 16);
    if bytes.len() >= 4 {
        wide_words(bytes)
    } else {
        narrow_words(bytes)
    }
}

/// Three words that together hold every byte of a string of 17 to 24
/// bytes: its first sixteen bytes, as two words, and its last eight, which
/// overlap them unless the string is 24 bytes long. Two strings of the same
/// such length are equal exactly when their words are.
#[inline(always)]
pub(crate) fn medium_words(bytes: &[u8]) -> ((u64, u64), u64) {
    let len = bytes.len();
    debug_assert!((17..=24).contains(&len));
    (
        (read_u64(bytes, 0), read_u64(bytes, 8)),
        read_u64(bytes, len - 8),
    )
}

/// [`short_words`] of a string of 4 to 16 bytes.
///
/// Every such length takes the same four (possibly overlapping) 4-byte
/// loads, at offsets computed without a branch, so the common identifier
/// lengths share one path.
#[inline(always)]
fn wide_words(bytes: &[u8]) -> (u64, u64) {
    let len = bytes.len();
    assert!((4..=16).contains(&len));
    // 0 for 4 to 7 bytes, 4 for 8 to 16: the loads then cover the first
    // and the last eight bytes.
    let step = (len >> 3) << 2;
    let at = |offset: usize| {
        // SAFETY: every offset used below is at most `len - 4`, checked
        // above to be in bounds: `step` is 4 only when `len >= 8`. The read
        // is unaligned.
        u64::from(unsafe { bytes.as_ptr().add(offset).cast::<u32>().read_unaligned() })
    };
    let a = (at(0) << 32) | at(step);
    let b = (at(len - 4) << 32) | at(len - 4 - step);
    (a, b)
}

/// [`short_words`] of a string of at most 3 bytes: its first, middle and
/// last bytes, which between them are every byte.
#[inline(always)]
fn narrow_words(bytes: &[u8]) -> (u64, u64) {
    let len = bytes.len();
    debug_assert!(len < 4);
    if len == 0 {
        return (0, 0);
    }
    let spread =
        (u64::from(bytes[0]) << 16) | (u64::from(bytes[len / 2]) << 8) | u64::from(bytes[len - 1]);
    (spread, 0)
}

/// Compresses a string longer than 16 bytes into two words: every full
/// 16-byte block but the last is folded into an accumulator, and the final 16
/// bytes (which may overlap the previous block) are returned with it.
///
/// It is inlined too: a caller that has checked the length keeps only one
/// of the two paths, and the interner's look-up of a long string, which is
/// itself out of line, saves a call.
#[inline(always)]
fn hash_long(bytes: &[u8]) -> (u64, u64) {
    let len = bytes.len();
    let mut acc = SEED2;
    let mut at = 0;
    while len - at > 16 {
        acc = fold(read_u64(bytes, at) ^ acc, read_u64(bytes, at + 8) ^ SEED3);
        at += 16;
    }
    (read_u64(bytes, len - 16) ^ acc, read_u64(bytes, len - 8))
}

/// A [`BuildHasher`] for [`IdentHasher`]: the interner's default hash, tuned
/// for short identifiers.
///
/// It has no state (every instance hashes the same way), so it costs nothing
/// to store and two interners with it agree on every hash.
///
/// # Examples
///
/// ```
/// use arenakit_intern::IdentHash;
/// use std::hash::{BuildHasher, Hasher};
///
/// let mut hasher = IdentHash.build_hasher();
/// hasher.write(b"foo");
/// assert_eq!(hasher.finish(), arenakit_intern::hash_bytes(b"foo"));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IdentHash;

impl BuildHasher for IdentHash {
    type Hasher = IdentHasher;

    #[inline(always)]
    fn build_hasher(&self) -> IdentHasher {
        IdentHasher { state: 0 }
    }
}

/// The [`Hasher`] built by [`IdentHash`].
///
/// A single [`write`](Hasher::write) of a byte string — what the interner
/// does — yields exactly [`hash_bytes`] of it. Further writes are folded into
/// the running state with a multiply, so the hasher also works, less
/// quickly, for composite keys.
///
/// # Examples
///
/// ```
/// use arenakit_intern::IdentHash;
/// use std::hash::BuildHasher;
///
/// let hash = IdentHash.hash_one((1_u32, "x"));
/// assert_eq!(hash, IdentHash.hash_one((1_u32, "x")));
/// assert_ne!(hash, IdentHash.hash_one((2_u32, "x")));
/// ```
#[derive(Clone, Copy, Debug)]
pub struct IdentHasher {
    state: u64,
}

impl IdentHasher {
    /// Mixes one integer into the state.
    #[inline]
    fn mix(&mut self, word: u64) {
        self.state = fold(self.state ^ word ^ SEED2, SEED3);
    }
}

impl Hasher for IdentHasher {
    // Always inlined: after `build_hasher` the state is known to be zero, so
    // the branch below folds away and a look-up hashes without a call.
    #[inline(always)]
    fn write(&mut self, bytes: &[u8]) {
        // The first write replaces the zero state outright, so a lone string
        // costs one multiply; later writes are combined with what came before.
        self.state = if self.state == 0 {
            hash_bytes(bytes)
        } else {
            fold(self.state ^ SEED2, hash_bytes(bytes) ^ SEED3)
        };
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.mix(u64::from(i));
    }

    #[inline]
    fn write_u16(&mut self, i: u16) {
        self.mix(u64::from(i));
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.mix(u64::from(i));
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.mix(i);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.mix(i as u64);
    }

    #[inline(always)]
    fn finish(&self) -> u64 {
        self.state
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// Every string of up to three bytes over a small alphabet, plus
    /// identifier-like strings of many lengths.
    fn sample() -> Vec<Vec<u8>> {
        let alphabet = b"\0_aAzZ09\xff";
        let mut out = vec![Vec::new()];
        for &a in alphabet {
            out.push(vec![a]);
            for &b in alphabet {
                out.push(vec![a, b]);
                for &c in alphabet {
                    out.push(vec![a, b, c]);
                }
            }
        }
        let count = if cfg!(miri) { 200 } else { 20_000 };
        for i in 0..count {
            let len = 1 + i % 40;
            let word: Vec<u8> = format!("id_{i}_{}", "x".repeat(len)).into_bytes();
            out.push(word);
        }
        out
    }

    #[test]
    fn no_full_hash_collisions_on_sample() {
        let mut seen: HashMap<u64, Vec<u8>> = HashMap::new();
        for word in sample() {
            let hash = hash_bytes(&word);
            if let Some(other) = seen.insert(hash, word.clone()) {
                panic!("{word:?} and {other:?} share hash {hash:#x}");
            }
        }
    }

    #[test]
    fn low_and_high_bits_spread_over_buckets() {
        // 4096 sequential identifiers into 256 buckets by the low 8 bits and,
        // separately, by the top 8 bits: no bucket should hold more than three
        // times its fair share.
        let mut low = [0_u32; 256];
        let mut high = [0_u32; 256];
        let count = if cfg!(miri) { 512 } else { 4096 };
        for i in 0..count {
            let hash = hash_bytes(format!("v{i}").as_bytes());
            low[(hash & 0xff) as usize] += 1;
            high[(hash >> 56) as usize] += 1;
        }
        let fair = count / 256;
        assert!(low.iter().all(|&n| n <= 3 * fair + 4), "{low:?}");
        assert!(high.iter().all(|&n| n <= 3 * fair + 4), "{high:?}");
    }

    #[test]
    fn length_is_mixed_in() {
        assert_ne!(hash_bytes(b"abcdefgh"), hash_bytes(b"abcdefghabcdefgh"));
        assert_ne!(hash_bytes(b"abab"), hash_bytes(b"ab"));
        assert_ne!(hash_bytes(b"aaa"), hash_bytes(b"aa"));
        let long = [b'q'; 100];
        assert_ne!(hash_bytes(&long[..99]), hash_bytes(&long));
    }

    #[test]
    fn every_byte_of_a_long_string_matters() {
        let base = vec![b'a'; 70];
        let reference = hash_bytes(&base);
        for i in 0..base.len() {
            let mut changed = base.clone();
            changed[i] = b'b';
            assert_ne!(hash_bytes(&changed), reference, "byte {i} ignored");
        }
    }

    #[test]
    fn composite_writes_depend_on_order() {
        let mut ab = IdentHash.build_hasher();
        ab.write(b"a");
        ab.write(b"b");
        let mut ba = IdentHash.build_hasher();
        ba.write(b"b");
        ba.write(b"a");
        assert_ne!(ab.finish(), ba.finish());
    }
}
