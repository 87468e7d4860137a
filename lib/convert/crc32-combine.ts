// zlib's crc32_combine (crc32.c, 1.2.12+), which Node does not expose: the CRC-32 of A‖B from crc(A), crc(B) and
// B's length, so chunks checksummed on different threads give the whole file's CRC. Polynomials over GF(2) in
// zlib's reflected bit order: multiplying by x^(8·len) mod P shifts crc(A) past B's bytes.
const POLY = 0xedb88320;

/** a · b mod P. */
function multModP(a: number, b: number): number {
  let m = 0x80000000;
  let p = 0;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
  }
  return p >>> 0;
}

/** X2N[k] = x^(2^k) mod P. */
const X2N: number[] = [0x40000000];
for (let k = 1; k < 64; k++) X2N.push(multModP(X2N[k - 1]!, X2N[k - 1]!));

/** x^(n · 2^k) mod P. */
function x2nModP(n: number, k: number): number {
  let p = 0x80000000;
  while (n > 0) {
    if (n % 2 === 1) p = multModP(X2N[k & 63]!, p);
    n = Math.floor(n / 2);
    k++;
  }
  return p;
}

/** CRC-32 (zlib's, as `zlib.crc32`) of A followed by B, given crc(A), crc(B) and B's length in bytes. */
export function crc32Combine(crcA: number, crcB: number, lengthB: number): number {
  return (multModP(x2nModP(lengthB, 3), crcA >>> 0) ^ (crcB >>> 0)) >>> 0;
}
