/**
 * Completes an RSA private JWK that carries only `n`, `e` and `d` (as the emulator's does) with the CRT
 * parameters WebCrypto and node:crypto insist on, by recovering the primes from n, e and d
 * (the standard probabilistic method, NIST SP 800-56B appendix C).
 */
import type { JsonWebKey } from 'node:crypto';

const toBig = (b64url: string) => BigInt(`0x${Buffer.from(b64url, 'base64url').toString('hex') || '0'}`);

function toB64url(value: bigint): string {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  return Buffer.from(hex, 'hex').toString('base64url');
}

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
    e >>= 1n;
  }
  return result;
}

function gcd(a: bigint, b: bigint): bigint {
  let [x, y] = [a, b];
  while (y) [x, y] = [y, x % y];
  return x;
}

function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [a % m, m];
  let [oldS, s] = [1n, 0n];
  while (r) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  return ((oldS % m) + m) % m;
}

export interface RsaPrivateJwk {
  kty: 'RSA';
  n: string;
  e: string;
  d: string;
  [other: string]: unknown;
}

export function completeRsaPrivateJwk(jwk: RsaPrivateJwk): JsonWebKey & { kid?: string } {
  const [n, e, d] = [toBig(jwk.n), toBig(jwk.e), toBig(jwk.d)];
  const k = d * e - 1n;
  let t = k;
  while (t % 2n === 0n) t /= 2n;
  for (let g = 2n; g < 1000n; g += 1n) {
    let x = modPow(g, t, n);
    for (let step = t; step < k; step *= 2n) {
      const y = (x * x) % n;
      if (y === 1n && x !== 1n && x !== n - 1n) {
        const p = gcd(x - 1n, n);
        const q = n / p;
        return {
          ...jwk,
          p: toB64url(p),
          q: toB64url(q),
          dp: toB64url(d % (p - 1n)),
          dq: toB64url(d % (q - 1n)),
          qi: toB64url(modInverse(q, p)),
        } as JsonWebKey & { kid?: string };
      }
      x = y;
    }
  }
  throw new Error('Could not recover the RSA primes from n, e and d');
}
