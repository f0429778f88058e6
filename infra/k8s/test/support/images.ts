import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './render';

/** The numeric user and group an image runs as. */
export interface ImageUser {
  uid: number;
  gid: number;
}

/** infra/docker/<name>.Dockerfile of a Tuneforge image (`…/tuneforge/<name>:tag`), as text; undefined for other images. */
export function tuneforgeDockerfile(image: string): { file: string; text: string } | undefined {
  const name = /(?:^|\/)tuneforge\/([a-z0-9-]+)(?::|@|$)/.exec(image)?.[1];
  if (!name) return undefined;
  const file = join(REPO_ROOT, 'infra/docker', `${name}.Dockerfile`);
  if (!existsSync(file)) throw new Error(`image ${image} has no Dockerfile at ${file}`);
  return { file, text: readFileSync(file, 'utf8') };
}

/**
 * The final `USER uid:gid` of a Tuneforge image's Dockerfile; undefined for other images. Throws when it
 * is not numeric, since Kubernetes can check runAsNonRoot only against a numeric user.
 */
export function tuneforgeImageUser(image: string): ImageUser | undefined {
  const dockerfile = tuneforgeDockerfile(image);
  if (!dockerfile) return undefined;
  const user = [...dockerfile.text.matchAll(/^USER\s+(\S+)\s*$/gm)].at(-1)?.[1];
  const numeric = user && /^(\d+):(\d+)$/.exec(user);
  if (!numeric) throw new Error(`${dockerfile.file}: the final USER is ${user ?? 'unset'}, not a numeric uid:gid`);
  return { uid: Number(numeric[1]), gid: Number(numeric[2]) };
}

/** The final stage of a Dockerfile: what follows its last FROM, continuation lines joined. */
function finalStage(text: string): string[] {
  const lines = text.replace(/\\\n/g, ' ').split('\n');
  return lines.slice(lines.findLastIndex((line) => /^FROM\s/.test(line)));
}

/** The CMD (exec form) a Tuneforge image runs when the pod names no command. */
export function tuneforgeImageCommand(image: string): string[] {
  const dockerfile = tuneforgeDockerfile(image);
  const cmd = dockerfile && finalStage(dockerfile.text).findLast((line) => /^CMD\s/.test(line));
  if (!cmd) throw new Error(`no CMD for image ${image}`);
  return JSON.parse(cmd.replace(/^CMD\s+/, '')) as string[];
}

/** The ENV of a Tuneforge image's final stage (KEY=value pairs without spaces in values, as these Dockerfiles write them). */
export function tuneforgeImageEnv(image: string): Record<string, string> {
  const dockerfile = tuneforgeDockerfile(image);
  if (!dockerfile) return {};
  const pairs = finalStage(dockerfile.text)
    .filter((line) => /^ENV\s/.test(line))
    .flatMap((line) => line.replace(/^ENV\s+/, '').trim().split(/\s+/));
  return Object.fromEntries(pairs.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
}
