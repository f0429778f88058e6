import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { BadInputError } from './model-commands';

/**
 * The API tokens `tuneforge login` stores, one per coordinator (keyed by its API URL), in the user's
 * config directory: `$XDG_CONFIG_HOME/tuneforge/credentials.json` or `~/.config/tuneforge/credentials.json`.
 * The directory is 0700 and the file 0600: only their owner reads them.
 */

export interface StoredCredential {
  token: string;
  /** Who the token signs in as (when it was stored). */
  user: string;
  savedAt: string;
}

type CredentialsFile = Record<string, StoredCredential>;

/** Where a token is taken from, first found first: `--token`, TUNEFORGE_TOKEN, then the one stored for this API. */
export type TokenSource = '--token' | 'TUNEFORGE_TOKEN' | 'credentials file';

export function credentialsPath(env: NodeJS.ProcessEnv = process.env): string {
  // A relative XDG_CONFIG_HOME is to be ignored (XDG Base Directory Specification).
  const base = env.XDG_CONFIG_HOME && isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return join(base, 'tuneforge', 'credentials.json');
}

function readAll(path = credentialsPath()): CredentialsFile {
  if (!existsSync(path)) return {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as CredentialsFile;
  } catch {
    // reported below
  }
  throw new BadInputError(`${path} is not a credentials file tuneforge wrote; delete it and run \`tuneforge login\` again`);
}

/** Writes the whole file: a new file of mode 0600 renamed over the old one, so it is never readable by others, even for a moment. */
function writeAll(credentials: CredentialsFile, path = credentialsPath()): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const temporary = `${path}.${process.pid}.tmp`;
  rmSync(temporary, { force: true });
  writeFileSync(temporary, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, path);
}

export function storedCredential(apiUrl: string): StoredCredential | undefined {
  return readAll()[apiUrl];
}

export function storeCredential(apiUrl: string, credential: StoredCredential): string {
  writeAll({ ...readAll(), [apiUrl]: credential });
  return credentialsPath();
}

/** Forgets the token of this API; false when none was stored. */
export function forgetCredential(apiUrl: string): boolean {
  const all = readAll();
  if (!(apiUrl in all)) return false;
  delete all[apiUrl];
  writeAll(all);
  return true;
}

/** The token to send to `apiUrl`, and where it came from (none: the request goes without one). */
export function resolveToken(flag: string | undefined, apiUrl: string, env: NodeJS.ProcessEnv = process.env): { token: string; source: TokenSource } | undefined {
  if (flag) return { token: flag, source: '--token' };
  if (env.TUNEFORGE_TOKEN) return { token: env.TUNEFORGE_TOKEN, source: 'TUNEFORGE_TOKEN' };
  const stored = storedCredential(apiUrl);
  return stored && { token: stored.token, source: 'credentials file' };
}
