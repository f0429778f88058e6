import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { dropDatabase } from '@tuneforge/persistence';
import { AppProcess, TEST_DATABASE_SERVER_URL } from '@tuneforge/testing';
import { find, podSpecOf, renderOverlay } from './support/render';

// Replicas of the coordinator start together, each with the migrate init container: the entry point
// must let them all succeed, one applying the migrations and the others finding the schema current.
describe('migrations as an init container', () => {
  const url = `${TEST_DATABASE_SERVER_URL}/tf_test_k8s_migrate_${randomBytes(4).toString('hex')}`;
  after(() => dropDatabase(url));

  it("runs the init container's entry point three times at once on a new database: one applies, all succeed", async () => {
    const coordinator = find(renderOverlay('prod'), 'Deployment', 'tuneforge-coordinator');
    const migrate = podSpecOf(coordinator).initContainers.find((c: any) => c.name === 'migrate');
    const entry = migrate.command.at(-1) as string;
    assert.match(entry, /migrate\.ts$/);

    const runs = [1, 2, 3].map(() => new AppProcess(entry, { DATABASE_URL: url }));
    const exits = await Promise.all(runs.map((run) => run.exit()));
    exits.forEach(({ code }, index) => assert.equal(code, 0, runs[index].output));
    const outputs = runs.map((run) => run.output);
    assert.equal(outputs.filter((output) => /^applied /m.test(output)).length, 1, outputs.join('\n---\n'));
    assert.equal(outputs.filter((output) => /is up to date/.test(output)).length, 2, outputs.join('\n---\n'));
  });

  it('names a malformed DATABASE_URL and exits 1', async () => {
    const run = new AppProcess('apps/coordinator/src/migrate.ts', { DATABASE_URL: 'not a url' });
    assert.equal((await run.exit()).code, 1);
    assert.match(run.output, /migration failed: Invalid URL/);
  });
});
