/**
 * The comparisons against the strongest anchors, in one run: bookkeeping against Optuna on each of its storages
 * (PostgreSQL, JournalStorage on a file and on Redis) and the demo job's time to quality against Optuna + PyTorch.
 * Replaces those two sections of BENCHMARKS.md (the whole `npm run bench` takes hours; these are what issue 16 asks for).
 * Usage: npm run bench:anchors [-- --optuna-src DIR --rounds 3 --seeds 1,2,3 --trials 2000]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { uniqueQueuePrefix } from '@tuneforge/testing';
import { bookkeeping, bookkeepingSection } from './bookkeeping.bench';
import { ownArgs } from './own-args';
import { timeToQuality, timeToQualitySection } from './time-to-quality';

const ROOT = join(__dirname, '..');

/** Replaces the `## ` section whose heading starts with `heading` (up to the next `## `), or inserts it before `before`. */
export function replaceSection(markdown: string, heading: string, section: string[], before: string): string {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => l.startsWith(heading));
  const body = section.join('\n').replace(/\n+$/, '').split('\n').concat('');
  if (start < 0) {
    const at = lines.findIndex((l) => l.startsWith(before));
    if (at < 0) throw new Error(`BENCHMARKS.md has no section '${before}'`);
    lines.splice(at, 0, ...body);
    return lines.join('\n');
  }
  const next = lines.findIndex((l, i) => i > start && l.startsWith('## '));
  lines.splice(start, (next < 0 ? lines.length : next) - start, ...body);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: ownArgs(module),
    options: {
      'optuna-src': { type: 'string' },
      rounds: { type: 'string', default: '3' },
      seeds: { type: 'string', default: '1,2,3' },
      trials: { type: 'string', default: '2000' },
      'skip-time-to-quality': { type: 'boolean', default: false },
    },
  });
  const optunaSource = values['optuna-src'] ?? null;
  const progress = (m: string) => process.stderr.write(`[bench] ${m}\n`);
  // Each round makes (and drops first) databases of its own on this server.
  const server = process.env.BENCH_DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432';
  const env = { DATABASE_URL: `${server}/tuneforge_bench`, REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', QUEUE_PREFIX: uniqueQueuePrefix('anchors') };
  const books = await bookkeeping(env, Number(values.trials), 20, 2, progress, Number(values.rounds), undefined, optunaSource);
  const quality = values['skip-time-to-quality'] ? undefined : await timeToQuality(values.seeds.split(',').map(Number), optunaSource, progress);
  const file = join(ROOT, 'BENCHMARKS.md');
  let markdown = readFileSync(file, 'utf8');
  markdown = replaceSection(markdown, '## Bookkeeping throughput', bookkeepingSection(books), '## Search efficiency');
  if (quality) markdown = replaceSection(markdown, '## Time to quality', timeToQualitySection(quality), '## Search efficiency');
  writeFileSync(file, markdown);
  process.stdout.write([...bookkeepingSection(books), ...timeToQualitySection(quality)].join('\n'));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
