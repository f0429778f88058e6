import { createHash, randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * The secrets of accounts: API tokens (`tf_<prefix>_<secret>`: the prefix finds the row and may be shown,
 * only a SHA-256 of the secret is stored), session secrets, and passwords (scrypt, memory-hard).
 */

const TOKEN = /^tf_([a-z0-9]{10})_([A-Za-z0-9_-]{43})$/;
const PREFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export interface ParsedToken {
  prefix: string;
  secret: string;
}

export function newApiToken(): { token: string; prefix: string; secretSha256: string } {
  const prefix = Array.from(randomBytes(10), (b) => PREFIX_ALPHABET[b % PREFIX_ALPHABET.length]).join('');
  const secret = randomBytes(32).toString('base64url');
  return { token: `tf_${prefix}_${secret}`, prefix, secretSha256: sha256(secret) };
}

/** The token's parts, or undefined when it is not shaped like a Tuneforge token. */
export function parseApiToken(token: string): ParsedToken | undefined {
  const match = TOKEN.exec(token);
  return match ? { prefix: match[1], secret: match[2] } : undefined;
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** Whether `secret` hashes to `expectedSha256`, in time that does not depend on where they differ. */
export function secretMatches(secret: string, expectedSha256: string): boolean {
  const actual = Buffer.from(sha256(secret), 'hex');
  const expected = Buffer.from(expectedSha256, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** Whether an Authorization header is `Bearer <secret>` with a secret that hashes to `expectedSha256` (the metrics scrape's check). */
export function bearerMatches(authorization: string | undefined, expectedSha256: string): boolean {
  const [scheme, secret, ...rest] = (authorization ?? '').trim().split(/\s+/);
  return scheme?.toLowerCase() === 'bearer' && secret !== undefined && rest.length === 0 && secretMatches(secret, expectedSha256);
}

/** A random secret for a session cookie or a CSRF token. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

// 2^15 x 8 x 128 bytes = 32 MiB per hash: memory-hard, about 100 ms here.
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, keyLength: 32 };

function scrypt(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCallback(password, salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key))));
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const { N, r, p, keyLength } = SCRYPT;
  const key = await scrypt(password, salt, keyLength, { N, r, p, maxmem: 128 * N * r * 2 });
  return ['scrypt', N, r, p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function passwordMatches(password: string, stored: string): Promise<boolean> {
  const [scheme, N, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const options = { N: Number(N), r: Number(r), p: Number(p), maxmem: 128 * Number(N) * Number(r) * 2 };
  const key = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, options);
  return timingSafeEqual(key, expected);
}

/** A hash no password matches, made once: checked against for names without a password, so they take as long as a wrong password. */
let decoy: Promise<string> | undefined;
export function decoyPasswordHash(): Promise<string> {
  decoy ??= hashPassword(newSecret());
  return decoy;
}
