import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { trialConfigOf, type TrialDto, type TrialPageDto } from '@tuneforge/contracts';
import { Stores, type TrialRef } from '@tuneforge/persistence';
import { aParsedSweepSpec, claimTrials, endTrials, lowestAssignment, seedSweep } from '@tuneforge/testing';
import { apiClient, startTestCoordinator, type TestCoordinator } from './support/test-coordinator';

describe('GET /sweeps/:id/trials with after= (keyset pages)', () => {
  let coordinator: TestCoordinator;
  let api: ReturnType<typeof apiClient>;
  let stores: Stores;

  before(async () => {
    coordinator = await startTestCoordinator('trial_paging');
    api = apiClient(coordinator.baseUrl);
    stores = coordinator.app.get(Stores);
  });
  after(() => coordinator.close());

  /** A sweep of `count` trials: those numbered 0 mod 9 stay queued, 4 mod 9 run, the rest completed with values that repeat (ties). */
  const aSweep = async (count: number, direction: 'minimize' | 'maximize' = 'minimize') => {
    const spec = aParsedSweepSpec({ objective: { metric: 'val_loss', direction }, budget: { maxTrials: 1_000, maxConcurrent: count, maxEpochsPerTrial: 1 } });
    const { sweep, trials } = await seedSweep(stores, { spec, trials: count });
    const ofNumber = (pick: (n: number) => boolean) => trials.filter((_, n) => pick(n));
    await endTrials(stores, ofNumber((n) => n % 9 !== 0 && n % 9 !== 4), { bestMetric: (t) => ((t.number * 3) % 5) / 10 });
    await claimTrials(stores, ofNumber((n) => n % 9 === 4));
    return { sweepId: sweep.id, trials, config: trialConfigOf(spec, lowestAssignment(spec)) };
  };
  const pageOf = async (sweepId: string, query: string): Promise<TrialPageDto> => {
    const answer = await api.get<TrialPageDto>(`/api/v1/sweeps/${sweepId}/trials?${query}`);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return answer.body;
  };
  /** Every page from the first, following nextCursor; each page's offset is where it starts. */
  const allPages = async (sweepId: string, query: string, between?: (page: number) => Promise<void>): Promise<TrialDto[]> => {
    const seen: TrialDto[] = [];
    let page = await pageOf(sweepId, query);
    for (let n = 1; ; n++) {
      assert.equal(page.offset, seen.length, `page ${n} starts at ${seen.length}`);
      seen.push(...page.items);
      if (!page.nextCursor) return seen;
      await between?.(n);
      page = await pageOf(sweepId, `${query}&after=${page.nextCursor}`);
    }
  };
  const ids = (trials: readonly TrialDto[]) => trials.map((t) => t.id);

  it('reads every trial once, in the order offset pages give, for each sort, order and status', async () => {
    const { sweepId } = await aSweep(40);
    for (const query of ['sort=objective', 'sort=objective&order=desc', 'sort=number', 'sort=number&order=desc', 'sort=createdAt', 'sort=createdAt&order=desc', 'status=completed', 'status=running&sort=number']) {
      const whole = (await pageOf(sweepId, `${query}&limit=500`)).items;
      const paged = await allPages(sweepId, `${query}&limit=7`);
      assert.deepEqual(ids(paged), ids(whole), query);
    }
    const newestFirst = (await pageOf(sweepId, 'sort=number&order=desc&limit=500')).items.map((t) => t.number);
    assert.deepEqual(newestFirst, Array.from({ length: 40 }, (_, i) => 39 - i));
    const objective = (await pageOf(sweepId, 'limit=500')).items.map((t) => t.bestMetric);
    assert.deepEqual(objective.slice(-9), Array(9).fill(null), 'trials without a value last');
  });

  it('puts the best first for a maximized objective, ties by number, unscored last', async () => {
    const { sweepId } = await aSweep(20, 'maximize');
    const paged = await allPages(sweepId, 'limit=3');
    const scored = paged.filter((t) => t.bestMetric !== null);
    assert.deepEqual(
      scored.map((t) => [t.bestMetric, t.number]),
      [...scored].sort((a, b) => (b.bestMetric as number) - (a.bestMetric as number) || a.number - b.number).map((t) => [t.bestMetric, t.number]),
    );
    assert.equal(paged.length, 20);
    assert.ok(paged.slice(scored.length).every((t) => t.bestMetric === null));
  });

  it('gives no trial twice and skips none that kept its place while trials end and new ones are created between pages', async () => {
    const { sweepId, trials, config } = await aSweep(45);
    const finished = new Set(ids((await pageOf(sweepId, 'limit=500&status=completed')).items));
    const active = (await pageOf(sweepId, 'limit=500&sort=number')).items.filter((t) => t.status === 'queued' || t.status === 'running');
    const added: TrialRef[] = [];
    const paged = await allPages(sweepId, 'limit=6', async (page) => {
      // Between pages: two active trials end (one better than anything, one worse), and three new trials are created.
      const ending = active.splice(0, 2).map((t) => trials[t.number]);
      if (ending.length > 0) await endTrials(stores, ending, { bestMetric: (t) => (t.number % 2 === 0 ? -1 : 9) - page / 100 });
      await stores.transaction(async (tx) => {
        const from = trials.length + added.length;
        added.push(...(await tx.trials.insertMany(sweepId, [0, 1, 2].map((i) => ({ number: from + i, seed: from + i, config })))));
        await tx.sweeps.addCreated(sweepId, 3);
      });
    });
    assert.equal(new Set(ids(paged)).size, paged.length, 'no trial twice');
    for (const id of finished) assert.ok(ids(paged).includes(id), `finished trial ${id} was read`);
    for (const trial of added) assert.ok(ids(paged).includes(trial.id), `trial ${trial.id}, created while paging, was read (unscored, last)`);
  });

  it('keeps offset pages, and answers each with the cursor of the page after it', async () => {
    const { sweepId } = await aSweep(12);
    const byOffset = await pageOf(sweepId, 'sort=number&limit=4&offset=4');
    assert.deepEqual(byOffset.items.map((t) => t.number), [4, 5, 6, 7]);
    assert.ok(byOffset.nextCursor);
    const next = await pageOf(sweepId, `sort=number&limit=4&after=${byOffset.nextCursor}`);
    assert.deepEqual(next.items.map((t) => t.number), [8, 9, 10, 11]);
    assert.equal(next.offset, 8);
    assert.equal(next.nextCursor, null, 'the last page has no cursor');
  });

  describe('refuses', () => {
    let sweepId: string;
    let cursor: string;
    before(async () => {
      sweepId = (await aSweep(6)).sweepId;
      cursor = (await pageOf(sweepId, 'limit=2')).nextCursor as string;
    });
    const refusal = async (query: string, code: 'CURSOR_INVALID' | 'VALIDATION_FAILED', id = sweepId) => {
      const answer = await api.get<{ code: string; issues: { path: string; message: string }[] }>(`/api/v1/sweeps/${id}/trials?${query}`);
      assert.equal(answer.status, 400, query);
      assert.equal(answer.body.code, code, query);
      assert.deepEqual(answer.body.issues.map((i) => i.path), ['query.after'], query);
      return answer.body.issues[0].message;
    };

    it('a cursor that is not one', async () => {
      const json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      for (const after of ['nonsense!', 'AAAA', Buffer.from('not json').toString('base64url'), json({ sweep: sweepId }), json([1, 2]), json(null)]) {
        assert.match(await refusal(`after=${encodeURIComponent(after)}`, 'CURSOR_INVALID'), /is not a cursor this API gave out/);
      }
      const made = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
      assert.match(await refusal(`after=${json({ ...made, number: -1 })}`, 'CURSOR_INVALID'), /is not a cursor/);
      assert.match(await refusal(`after=${json({ ...made, value: undefined })}`, 'CURSOR_INVALID'), /is not a cursor/, 'an objective cursor names the value it ended at');
    });

    it("another list's cursor: another sweep, sort, order or status", async () => {
      const other = (await aSweep(6)).sweepId;
      assert.match(await refusal(`limit=2&after=${cursor}`, 'CURSOR_INVALID', other), /another sweep/);
      assert.match(await refusal(`sort=number&after=${cursor}`, 'CURSOR_INVALID'), /sort=objective&order=asc/);
      assert.match(await refusal(`order=desc&after=${cursor}`, 'CURSOR_INVALID'), /sort=objective&order=asc/);
      assert.match(await refusal(`status=completed&after=${cursor}`, 'CURSOR_INVALID'), /sort=objective&order=asc/);
    });

    it('after with an offset, or one too long to be a cursor', async () => {
      assert.match(await refusal(`offset=2&after=${cursor}`, 'VALIDATION_FAILED'), /offset or after, not both/);
      await refusal(`after=${'A'.repeat(401)}`, 'VALIDATION_FAILED');
      await refusal('after=', 'VALIDATION_FAILED');
    });
  });
});
