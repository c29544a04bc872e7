// 64-bit state hashing: one xxhash64-style round per 8-byte word and a final avalanche. The same value serves as
// the table position (full storage), the fingerprint (fingerprint storage) and the seed of the k bit positions
// (bitstate). States are padded to whole words by the kernel (kStateSize), and the padding is zero.

const P1: u64 = 0x9e3779b185ebca87;
const P2: u64 = 0xc2b2ae3d27d4eb4f;
const P3: u64 = 0x165667b19e3779f9;

// @ts-ignore: decorator
@inline function round(h: u64, w: u64): u64 {
  h ^= w * P2;
  h = rotl<u64>(h, 31);
  return h * P1;
}

// @ts-ignore: decorator
@inline function finish(h: u64): u64 {
  h ^= h >> 33;
  h *= P2;
  h ^= h >> 29;
  h *= P3;
  h ^= h >> 32;
  return h;
}

/** Slot of a 32-bit hash in a table of n slots (multiply-shift, no modulo). */
// @ts-ignore: decorator
@inline export function position(h32: u32, n: u32): u32 {
  return <u32>((<u64>h32 * <u64>n) >> 32);
}

/** Rehash: put entry e (hash in its high word, never 0) into the first free slot of table t (n slots, 8 bytes
 *  each) from its position on; the slot's index. The visited set and collapse storage grow their tables this way. */
export function reinsert(t: usize, n: u32, e: u64): u32 {
  let i = position(<u32>(e >> 32), n);
  while (load<u64>(t + (<usize>i << 3)) != 0) {
    i++;
    if (i == n) i = 0;
  }
  store<u64>(t + (<usize>i << 3), e);
  return i;
}

export function hash64(p: usize, n: usize, seed: u64): u64 {
  let h: u64 = seed ^ (<u64>n * P3);
  for (let i: usize = 0; i < n; i += 8) h = round(h, load<u64>(p + i));
  return finish(h);
}

/** A second, independent mix of a 64-bit value (bitstate's second hash, walk seeds). */
export function mix64(x: u64): u64 {
  x += 0x9e3779b97f4a7c15;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9;
  x = (x ^ (x >> 27)) * 0x94d049bb133111eb;
  return x ^ (x >> 31);
}

export function sameBytes(a: usize, b: usize, n: usize): bool {
  for (let i: usize = 0; i < n; i += 8) if (load<u64>(a + i) != load<u64>(b + i)) return false;
  return true;
}

/** Hash of `n` bytes at p, any length (collapse storage's components are not padded to whole words). */
export function hashAny(p: usize, n: usize, seed: u64): u64 {
  let h: u64 = seed ^ (<u64>n * P3);
  let i: usize = 0;
  for (; i + 8 <= n; i += 8) h = round(h, load<u64>(p + i));
  if (i < n) {
    let w: u64 = 0;
    for (let k: usize = 0; i + k < n; k++) w |= (<u64>load<u8>(p + i + k)) << (<u64>k << 3);
    h = round(h, w);
  }
  return finish(h);
}

/** Byte equality of any length. */
export function sameAny(a: usize, b: usize, n: usize): bool {
  let i: usize = 0;
  for (; i + 8 <= n; i += 8) if (load<u64>(a + i) != load<u64>(b + i)) return false;
  for (; i < n; i++) if (load<u8>(a + i) != load<u8>(b + i)) return false;
  return true;
}
