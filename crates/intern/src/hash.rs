//! The string hash the interner uses by default, and the words it compares.
//!
//! Identifiers are short: most are 2 to 24 bytes long. [`IdentHash`] reads
//! such a string as the three [`Words`] that hold all its bytes, loaded
//! without a branch on the length, and mixes them with a single
//! 64×64→128-bit "folded" multiply, whose low and high halves are both well
//! mixed. The interner keeps the same words per string and compares them on
//! a look-up, so the words are loaded once for both. It folds the hash's
//! two halves into 32 bits, takes the home slot from the low bits and keeps
//! the bits above the symbol's in its index's tags.
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
fn read_u64(bytes: &[u8], at: usize) -> u64 {
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
    if len <= WORDS_MAX {
        let Words {
            first,
            last,
            middle,
        } = Words::of(bytes);
        // One multiply for all three words: the middle one, 0 up to 16
        // bytes, is turned half a word so that its bytes do not meet the
        // first word's at the same places.
        fold(
            first ^ SEED0 ^ middle.rotate_left(32),
            last ^ SEED1 ^ (len as u64),
        )
    } else {
        let (a, b) = hash_long(bytes);
        fold(a ^ SEED0, b ^ SEED1 ^ (len as u64))
    }
}

/// The longest string [`Words`] holds.
pub(crate) const WORDS_MAX: usize = 24;

/// Zero bytes, loaded in place of a string too short for a load.
static ZEROS: [u8; 16] = [0; 16];

/// Three words that together hold every byte of a string of at most
/// [`WORDS_MAX`] bytes, so two strings of the same such length are equal
/// exactly when their words are. They do not tell lengths apart: "abab" and
/// "ababab" have the same ones.
///
/// | length | `first` | `last` | `middle` |
/// |---|---|---|---|
/// | 0 | 0 | 0 | 0 |
/// | 1 to 3 | first, middle and last byte | 0 | 0 |
/// | 4 to 7 | first and last 4 bytes | 0 | 0 |
/// | 8 to 16 | first 8 bytes | last 8 bytes | 0 |
/// | 17 to 24 | first 8 bytes | last 8 bytes | bytes 8 to 15 |
///
/// [`of`](Words::of) computes them without a branch on the length: in a
/// stream of identifiers the lengths follow no pattern, and a branch on
/// them is mispredicted often enough to cost a quarter of a look-up. Every
/// load is made for every length, each from the string where it is long
/// enough and from [`ZEROS`] where it is not, and the wanted value is then
/// selected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Words {
    pub(crate) first: u64,
    pub(crate) last: u64,
    pub(crate) middle: u64,
}

// One record per symbol, with no padding: 24 bytes.
const _: () = assert!(size_of::<Words>() == 24);

impl Words {
    /// Whether `self` and `other` are equal, with one branch.
    #[inline(always)]
    pub(crate) fn equals(&self, other: &Words) -> bool {
        ((self.first ^ other.first) | (self.last ^ other.last) | (self.middle ^ other.middle)) == 0
    }

    /// The words of a string of at most [`WORDS_MAX`] bytes.
    #[inline(always)]
    pub(crate) fn of(bytes: &[u8]) -> Words {
        use std::hint::select_unpredictable as select;
        let len = bytes.len();
        debug_assert!(len <= WORDS_MAX);
        // Each source is the string when it holds the loads made from it,
        // else zeros of the length those loads need.
        let eights = select(len >= 8, bytes, &ZEROS[..8]);
        let sixteen = select(len > 16, bytes, &ZEROS[..16]);
        let fours = select(len >= 4, bytes, &ZEROS[..4]);
        let ones = select(len >= 1, bytes, &ZEROS[..1]);
        let first_eight = read_u64(eights, 0);
        let last = read_u64(eights, eights.len() - 8);
        let middle = read_u64(sixteen, 8);
        let quads =
            (u64::from(read_u32(fours, 0)) << 32) | u64::from(read_u32(fours, fours.len() - 4));
        let n = ones.len();
        let spread =
            (u64::from(ones[0]) << 16) | (u64::from(ones[n / 2]) << 8) | u64::from(ones[n - 1]);
        let first = select(len >= 8, first_eight, select(len >= 4, quads, spread));
        Words {
            first,
            last,
            middle,
        }
    }
}

/// Reads four little-endian bytes of `bytes` starting at `at`.
#[inline(always)]
fn read_u32(bytes: &[u8], at: usize) -> u32 {
    let mut word = [0; 4];
    word.copy_from_slice(&bytes[at..at + 4]);
    u32::from_le_bytes(word)
}

/// Compresses a string longer than [`WORDS_MAX`] bytes into two words:
/// every full 16-byte block but the last is folded into an accumulator, and
/// the final 16 bytes (which may overlap the previous block) are returned
/// with it.
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
    fn words_hold_every_byte_of_strings_up_to_24_bytes() {
        for len in 0..=WORDS_MAX {
            let base: Vec<u8> = (b'a'..).take(len).collect();
            let reference = Words::of(&base);
            assert_eq!(Words::of(&base.clone()), reference);
            for at in 0..len {
                let mut changed = base.clone();
                changed[at] = b'_';
                assert_ne!(Words::of(&changed), reference, "byte {at} of {len}");
            }
        }
    }

    #[test]
    fn words_of_different_lengths_can_agree() {
        // Why a look-up compares lengths as well as words.
        assert_eq!(Words::of(b"abab"), Words::of(b"ababab"));
        assert_eq!(Words::of(b"a"), Words::of(b"aaa"));
        assert_eq!(Words::of(b""), Words::of(&[0; 24]));
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
