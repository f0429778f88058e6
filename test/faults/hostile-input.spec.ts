import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { TRIALS_QUEUE, type SweepDto } from '@tuneforge/contracts';
import { adminFetch, createTestDatabase, startCoordinatorProcess, uniqueQueuePrefix, type AppProcess, type TestDatabase } from '@tuneforge/testing';
import { aSweepSpec, BIRTHS_SWEEP_YAML } from '../../apps/coordinator/test/support/sweep-specs';
import { startTestCoordinator, TEST_REDIS_URL, type TestCoordinator } from '../../apps/coordinator/test/support/test-coordinator';

const DEEP_BRACKETS = '['.repeat(1000);

interface Answer {
  status: number;
  body: { message: string; issues?: { path: string; message: string }[] };
}

/** Sends raw bytes or text with exactly the headers given; the answer is JSON. */
async function send(baseUrl: string, method: string, path: string, body: string | Buffer | undefined, headers: Record<string, string>): Promise<Answer> {
  const response = await adminFetch(baseUrl + path, { method, headers, body });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

const issueText = (answer: Answer) => JSON.stringify(answer.body);

function assertIssue(answer: Answer, path: string, message: RegExp): void {
  assert.equal(answer.status, 400, issueText(answer));
  assert.ok(
    answer.body.issues?.some((issue) => issue.path === path && message.test(issue.message)),
    `expected an issue at '${path}' matching ${message}: ${issueText(answer)}`,
  );
}

describe('hostile input to the coordinator', () => {
  let coordinator: TestCoordinator;
  let db: DataSource;
  let existing: SweepDto;
  const post = (body: string | Buffer, headers: Record<string, string>) => send(coordinator.baseUrl, 'POST', '/api/v1/sweeps', body, headers);
  const postYaml = (yaml: string) => post(yaml, { 'content-type': 'application/yaml' });
  const postJson = (json: string | Buffer, headers: Record<string, string> = {}) => post(json, { 'content-type': 'application/json', ...headers });

  const written = async () => {
    const [row] = await db.query(
      `SELECT (SELECT count(*) FROM sweeps)::int AS sweeps, (SELECT count(*) FROM trials)::int AS trials, (SELECT count(*) FROM datasets)::int AS datasets,
              (SELECT spec::text FROM sweeps WHERE id = $1) AS "existingSpec"`,
      [existing.id],
    );
    return { ...row, jobs: await coordinator.queue.count() };
  };

  /** Runs `attack`, then checks that nothing was written and that the coordinator still answers. */
  const refusedWithoutTrace = async (attack: () => Promise<void>) => {
    const before = await written();
    await attack();
    assert.deepEqual(await written(), before, 'nothing is written');
    assert.equal((await send(coordinator.baseUrl, 'GET', '/api/v1/health/live', undefined, {})).status, 200, 'the coordinator still answers');
  };

  before(async () => {
    coordinator = await startTestCoordinator('hostile_input');
    db = coordinator.app.get(DataSource);
    const created = await postJson(JSON.stringify(aSweepSpec({ name: 'already-there', budget: { maxTrials: 20, maxConcurrent: 2, maxEpochsPerTrial: 5 } })));
    assert.equal(created.status, 201, issueText(created));
    existing = created.body as unknown as SweepDto;
  });
  after(() => coordinator.close());

  it('answers 413 to a YAML body over MAX_YAML_BODY_BYTES (64 KiB): YAML parses on the event loop, about 100 times slower than JSON', () =>
    refusedWithoutTrace(async () => {
      const answer = await postYaml(`name: big\nlist:\n${'- [1, 2, 3]\n'.repeat(7_000)}`);
      assert.equal(answer.status, 413, issueText(answer));
      assert.match(answer.body.message, /larger than the 65536 byte limit/);
    }));

  describe('deep nesting, refused before it is parsed', () => {
    it('answers 400 to 1,000 nested [ as YAML, three times over, and keeps serving', () =>
      refusedWithoutTrace(async () => {
        for (let i = 0; i < 3; i++) assertIssue(await postYaml(DEEP_BRACKETS), '', /^the YAML\/JSON document is nested deeper than 64 levels at line 1, column 65$/);
      }));

    it('answers 400 to 1,000 nested [ as JSON, three times over', () =>
      refusedWithoutTrace(async () => {
        for (let i = 0; i < 3; i++) {
          const answer = await postJson(DEEP_BRACKETS);
          assert.equal(answer.status, 400);
          assert.equal(answer.body.message, 'the JSON body is nested deeper than 64 levels at line 1, column 65');
        }
      }));

    it('answers 400 to a valid spec with one field nested 65 deep, as JSON and as YAML', () =>
      refusedWithoutTrace(async () => {
        const deep = JSON.stringify({ ...aSweepSpec(), description: '@' }).replace('"@"', '['.repeat(65) + ']'.repeat(65));
        const json = await postJson(deep);
        assert.equal(json.status, 400);
        assert.match(json.body.message, /JSON body is nested deeper than 64 levels/);
        assertIssue(await postYaml(deep), '', /nested deeper than 64 levels/);
      }));

    it('answers 400 to block-nested YAML (5,000 compact "- ") and to nesting built by aliases', () =>
      refusedWithoutTrace(async () => {
        assertIssue(await postYaml('- '.repeat(5000) + 'x\n'), '', /nested deeper than 64 levels at line 1/);
        const nest = (inner: string) => `${'['.repeat(30)}${inner}${']'.repeat(30)}`;
        const aliased = await postYaml(`${BIRTHS_SWEEP_YAML}x1: &x1 ${nest('1')}\nx2: &x2 ${nest('*x1')}\nx3: ${nest('*x2')}\n`);
        assert.equal(aliased.status, 400);
        assert.ok(aliased.body.issues?.some((issue) => /^x3\.0\./.test(issue.path) && issue.message === 'nested deeper than 64 levels'), issueText(aliased));
      }));

    it('answers 400 to a deeply nested PATCH body and leaves the budget as it was', () =>
      refusedWithoutTrace(async () => {
        const answer = await send(coordinator.baseUrl, 'PATCH', `/api/v1/sweeps/${existing.id}`, `{"maxTrials": ${DEEP_BRACKETS}`, { 'content-type': 'application/json' });
        assert.equal(answer.status, 400);
        assert.match(answer.body.message, /JSON body is nested deeper than 64 levels/);
      }));
  });

  describe('YAML aliases and merge keys', () => {
    const cases: [string, string, RegExp][] = [
      ['an unknown alias', `${BIRTHS_SWEEP_YAML}description: *nowhere\n`, /^YAML alias error: unknown alias .*: nowhere$/],
      ['an unknown alias used as a key', `${BIRTHS_SWEEP_YAML}*nowhere : 1\n`, /unknown alias .*nowhere/],
      [
        'billion laughs',
        'a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n',
        /aliases expand to more than 100 copies/,
      ],
      ['a merge of a scalar', `%YAML 1.1\n---\n${BIRTHS_SWEEP_YAML}<<: 1\n`, /^YAML merge key \(<<\) error: merge sources must be maps or map aliases$/],
      ['a !!merge tag on an unknown alias', `${BIRTHS_SWEEP_YAML}extra: {!!merge <<: *nowhere}\n`, /merge key \(<<\) error/],
      ['a mapping merged into itself', `%YAML 1.1\n---\n${BIRTHS_SWEEP_YAML}extra: &self {<<: *self}\n`, /an alias inside its own anchor/],
    ];
    for (const [what, yaml, message] of cases) {
      it(`answers 400 naming ${what}`, () => refusedWithoutTrace(async () => assertIssue(await postYaml(yaml), '', message)));
    }

    it('answers 400 to a collection that holds its own alias (a cycle), naming where', () =>
      refusedWithoutTrace(async () => {
        const answer = await postYaml(BIRTHS_SWEEP_YAML.replace(/layers: .*\n/, 'layers: &loop { type: choice, values: [*loop] }\n'));
        assertIssue(answer, 'searchSpace.layers.values.0', /cycles are not allowed/);
      }));
  });

  describe('encodings and compression', () => {
    const specJson = JSON.stringify(aSweepSpec({ name: 'compressed' }));
    const cases: [string, Buffer | string, Record<string, string>, number, RegExp][] = [
      ['gzip garbage', Buffer.from('this is not gzip at all'), { 'content-encoding': 'gzip' }, 400, /^the request body is not valid gzip data \(content-encoding: gzip\): incorrect header check$/],
      ['a truncated gzip stream', gzipSync(specJson).subarray(0, 40), { 'content-encoding': 'gzip' }, 400, /not valid gzip data.*unexpected end of file/],
      ['deflate garbage', Buffer.from('not deflate'), { 'content-encoding': 'deflate' }, 400, /not valid deflate data/],
      ['brotli garbage', Buffer.from([0xff, 0xff, 0xff, 0xff, 0x00, 0x01]), { 'content-encoding': 'br' }, 400, /not valid br data/],
      ['gzip sent as brotli', gzipSync(specJson), { 'content-encoding': 'br' }, 400, /not valid br data/],
      ['an unknown content-encoding', specJson, { 'content-encoding': 'compress' }, 415, /unsupported content encoding "compress"/],
      ['an unknown charset', specJson, { 'content-type': 'application/json; charset=klingon' }, 415, /unsupported charset "KLINGON"/],
      ['a gzip bomb (64 MB of zeros in 64 kB)', gzipSync(Buffer.alloc(64 * 1024 * 1024)), { 'content-encoding': 'gzip' }, 413, /larger than the 1048576 byte limit/],
    ];
    for (const [what, body, headers, status, message] of cases) {
      it(`answers ${status} to ${what}`, () =>
        refusedWithoutTrace(async () => {
          const answer = await postJson(body, headers);
          assert.equal(answer.status, status, issueText(answer));
          assert.match(answer.body.message, message);
        }));
    }

    it('answers 415 to YAML in an unknown charset', () =>
      refusedWithoutTrace(async () => {
        const answer = await post(BIRTHS_SWEEP_YAML, { 'content-type': 'application/yaml; charset=klingon' });
        assert.equal(answer.status, 415);
        assert.match(answer.body.message, /unsupported charset "KLINGON"/);
      }));

    it('still accepts well-formed gzip, deflate and brotli bodies', async () => {
      for (const [encoding, compress] of [['gzip', gzipSync], ['deflate', deflateSync], ['br', brotliCompressSync]] as const) {
        const answer = await postJson(compress(JSON.stringify(aSweepSpec({ name: `compressed-${encoding}` }))), { 'content-encoding': encoding });
        assert.equal(answer.status, 201, issueText(answer));
      }
    });
  });

  describe('characters PostgreSQL cannot store', () => {
    it('answers 400 naming the field of a NUL in a JSON spec', () =>
      refusedWithoutTrace(async () => {
        assertIssue(await postJson(JSON.stringify(aSweepSpec({ name: 'births\u0000' }))), 'name', /contains a NUL character \(\\u0000\) at character 7/);
        const values = aSweepSpec({ searchSpace: { hiddenUnits: { type: 'choice', values: [16, 'x\u0000' as unknown as number] } } });
        assertIssue(await postJson(JSON.stringify(values)), 'searchSpace.hiddenUnits.values.1', /NUL character/);
      }));

    it('answers 400 naming the field of a NUL in a YAML spec, in a value and in a key', () =>
      refusedWithoutTrace(async () => {
        assertIssue(await postYaml(BIRTHS_SWEEP_YAML.replace(/^name: .*$/m, 'name: "births\\0"')), 'name', /NUL character/);
        assertIssue(await postYaml(`${BIRTHS_SWEEP_YAML}"a\\0b": 1\n`), 'a\\u0000b', /^the key contains a NUL character/);
      }));

    it('answers 400 naming the field of a lone surrogate (jsonb refuses its escape), in JSON and YAML', () =>
      refusedWithoutTrace(async () => {
        assertIssue(await postJson(JSON.stringify(aSweepSpec({ description: 'half a pair: \ud800' }))), 'description', /lone UTF-16 surrogate \(\\ud800\)/);
        assertIssue(await postYaml(`${BIRTHS_SWEEP_YAML}description: "\\udc00"\n`), 'description', /lone UTF-16 surrogate \(\\udc00\)/);
      }));

    it('answers 400 naming a NUL key in a PATCH body and leaves the sweep as it was', () =>
      refusedWithoutTrace(async () => {
        const answer = await send(coordinator.baseUrl, 'PATCH', `/api/v1/sweeps/${existing.id}`, '{"maxTrials": 30, "x\\u0000": 1}', { 'content-type': 'application/json' });
        assertIssue(answer, 'body.x\\u0000', /the key contains a NUL/);
      }));

    it('answers 400 naming a NUL in a query string', () =>
      refusedWithoutTrace(async () => {
        assertIssue(await send(coordinator.baseUrl, 'GET', '/api/v1/sweeps?status=running%00', undefined, {}), 'query.status', /NUL character/);
        assertIssue(await send(coordinator.baseUrl, 'GET', `/api/v1/sweeps/${existing.id}/curves?metric=val%00loss`, undefined, {}), 'query.metric', /NUL character/);
      }));

    it('answers 400 naming a NUL in a dataset name and in a CSV header cell', () =>
      refusedWithoutTrace(async () => {
        const csv = ['date,births', ...Array.from({ length: 12 }, (_, i) => `2020-01-${String(i + 1).padStart(2, '0')},${100 + i}`)].join('\n');
        const named = await send(coordinator.baseUrl, 'POST', '/api/v1/datasets?name=bad%00name', csv, { 'content-type': 'text/csv' });
        assertIssue(named, 'query.name', /NUL character/);
        const header = await send(coordinator.baseUrl, 'POST', '/api/v1/datasets?name=header', csv.replace('births', 'bir\u0000ths'), { 'content-type': 'text/csv' });
        assertIssue(header, 'file', /^line 1, column 2: the header cell contains a NUL character/);
      }));

    it('answers 400 to a NUL in a header (the Idempotency-Key), from Node before any handler', () =>
      refusedWithoutTrace(async () => {
        const { port } = new URL(coordinator.baseUrl);
        const reply = await new Promise<string>((resolve, reject) => {
          const socket = connect(Number(port), '127.0.0.1', () =>
            socket.end(`POST /api/v1/sweeps HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nIdempotency-Key: a\u0000b\r\nContent-Length: 2\r\n\r\n{}`),
          );
          let data = '';
          socket.on('data', (chunk) => (data += chunk));
          socket.on('end', () => resolve(data));
          socket.on('error', reject);
        });
        assert.match(reply, /^HTTP\/1\.1 400 Bad Request/);
      }));
  });

  describe('what one request may create', () => {
    it('answers 400 naming budget.maxConcurrent, its limit and MAX_CONCURRENT_PER_SWEEP for maxConcurrent 100,000', () =>
      refusedWithoutTrace(async () => {
        const answer = await postJson(JSON.stringify(aSweepSpec({ budget: { maxTrials: 100, maxConcurrent: 100_000, maxEpochsPerTrial: 5 } })));
        assertIssue(answer, 'budget.maxConcurrent', /^100000 is above this coordinator's limit of 256 trials at once per sweep \(MAX_CONCURRENT_PER_SWEEP raises it\)$/);
      }));

    it('answers 400 naming budget.maxTrials and MAX_TRIALS_PER_SWEEP for 100,000 trials, both limits at once', () =>
      refusedWithoutTrace(async () => {
        const answer = await postYaml(BIRTHS_SWEEP_YAML.replace(/maxTrials: \d+/, 'maxTrials: 100000').replace(/maxConcurrent: \d+/, 'maxConcurrent: 100000'));
        assertIssue(answer, 'budget.maxTrials', /limit of 10000 trials per sweep \(MAX_TRIALS_PER_SWEEP raises it\)/);
        assertIssue(answer, 'budget.maxConcurrent', /MAX_CONCURRENT_PER_SWEEP/);
      }));

    it('answers 400 to a PATCH past either limit and leaves the sweep as it was', () =>
      refusedWithoutTrace(async () => {
        const patch = (body: object) => send(coordinator.baseUrl, 'PATCH', `/api/v1/sweeps/${existing.id}`, JSON.stringify(body), { 'content-type': 'application/json' });
        assertIssue(await patch({ maxTrials: 10_001 }), 'budget.maxTrials', /limit of 10000 trials per sweep \(MAX_TRIALS_PER_SWEEP/);
        assertIssue(await patch({ maxConcurrent: 257 }), 'budget.maxConcurrent', /limit of 256 .*MAX_CONCURRENT_PER_SWEEP/);
      }));

    it('accepts a sweep at the trial limit, creating only its first maxConcurrent trials', async () => {
      const answer = await postJson(JSON.stringify(aSweepSpec({ name: 'at-the-limit', budget: { maxTrials: 10_000, maxConcurrent: 2, maxEpochsPerTrial: 5 } })));
      assert.equal(answer.status, 201, issueText(answer));
      const sweep = answer.body as unknown as SweepDto;
      assert.equal(sweep.plannedTrials, 10_000);
      assert.equal(sweep.trialsCreated, 2);
    });
  });
});

describe('a coordinator process sent deeply nested bodies', () => {
  let database: TestDatabase;
  let coordinator: AppProcess | undefined;
  const queuePrefix = uniqueQueuePrefix('hostile_process');

  before(async () => {
    database = await createTestDatabase('hostile_process');
  });
  after(async () => {
    await coordinator?.stop();
    const queue = new Queue(TRIALS_QUEUE, { connection: { url: TEST_REDIS_URL }, prefix: queuePrefix });
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    await database.drop();
  });

  it('answers 400 to ten 1,000-[ YAML and JSON bodies each, stays up and writes nothing (the second one used to abort it out of memory)', async () => {
    const started = await startCoordinatorProcess({ DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: queuePrefix, LOG_LEVEL: 'error' });
    coordinator = started.process;
    for (let i = 0; i < 10; i++) {
      for (const contentType of ['application/yaml', 'application/json']) {
        const response = await adminFetch(`${started.api}/sweeps`, { method: 'POST', headers: { 'content-type': contentType }, body: DEEP_BRACKETS });
        assert.equal(response.status, 400, `request ${i + 1} (${contentType}): ${coordinator.output}`);
        assert.match(await response.text(), /nested deeper than 64 levels/);
      }
    }
    assert.equal((await adminFetch(`${started.api}/health/live`)).status, 200);
    assert.ok(coordinator.running, coordinator.output);
    const list = (await (await adminFetch(`${started.api}/sweeps`)).json()) as { total: number };
    assert.equal(list.total, 0);
  });
});
