import { bookkeeping, bookkeepingSection } from './bookkeeping.bench';
(async () => {
  const r = await bookkeeping({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/tuneforge_bench', REDIS_URL: 'redis://127.0.0.1:6379', QUEUE_PREFIX: 'tf-lead-smoke' }, 2000, 20, 2, (m) => console.error(m), 1, ['journal-file', 'journal-redis'], '/work/optuna-src');
  console.log(bookkeepingSection(r).slice(16, 22).join('\n'));
})();
