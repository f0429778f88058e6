import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ApiError, createApiClient, UnexpectedAnswerError, type TuneforgeClient } from './api-client';

interface Seen {
  method: string;
  url: string;
  contentType: string | undefined;
  body: string;
}

/** A stand-in coordinator: records each request and answers what the test set. */
describe(createApiClient.name, () => {
  let server: Server;
  let sut: TuneforgeClient;
  let seen: Seen[];
  let answer: { status: number; type: string; body: string | Buffer };

  const readBody = async (request: IncomingMessage) => {
    let text = '';
    for await (const chunk of request) text += chunk;
    return text;
  };
  const answerJson = (status: number, body: unknown) => (answer = { status, type: 'application/json', body: JSON.stringify(body) });

  before(async () => {
    server = createServer(async (request, response) => {
      seen.push({ method: request.method ?? '', url: request.url ?? '', contentType: request.headers['content-type'], body: await readBody(request) });
      response.writeHead(answer.status, { 'content-type': answer.type }).end(answer.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    sut = createApiClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/` });
  });
  beforeEach(() => (seen = []));
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('fills path parameters and the query (leaving out what is undefined), and parses the answer', async () => {
    answerJson(200, { sweepId: 's/1', metric: 'loss', points: 3, curves: [] });
    const curves = await sut.sweepCurves({ id: 's/1', query: { top: 2, metric: undefined, trials: 'a,b' } });
    assert.deepEqual(curves, { sweepId: 's/1', metric: 'loss', points: 3, curves: [] });
    assert.equal(seen[0].url, '/api/v1/sweeps/s%2F1/curves?top=2&trials=a%2Cb');
    assert.equal(sut.url('checkpointBytes', { id: 't1', epoch: '7' }), `${sut.baseUrl}/trials/t1/checkpoints/7`);
  });

  it('sends an object as JSON and a string as the route’s text type (YAML, CSV); refuses an answer off its schema or status', async () => {
    answerJson(200, { message: 'no matter' });
    await assert.rejects(sut.updateSweep({ id: 'x', body: { maxTrials: 5 } }), UnexpectedAnswerError);
    await assert.rejects(sut.createSweep({ body: 'name: x\n' }), UnexpectedAnswerError);
    await assert.rejects(sut.uploadDataset({ body: 'a,b\n1,2\n' }), ApiError, 'a 200 is not an answer of POST /datasets (201 is)');
    assert.deepEqual(
      seen.map((s) => [s.method, s.url, s.contentType, s.body]),
      [
        ['PATCH', '/api/v1/sweeps/x', 'application/json', '{"maxTrials":5}'],
        ['POST', '/api/v1/sweeps', 'application/yaml', 'name: x\n'],
        ['POST', '/api/v1/datasets', 'text/csv', 'a,b\n1,2\n'],
      ],
    );
  });

  it('reads a refusal’s code and issues, and keeps a body that is not an error body as the reason', async () => {
    answerJson(409, { statusCode: 409, error: 'Conflict', code: 'SWEEP_NOT_PAUSED', message: "sweep 'x' is running" });
    const refused = await sut.resumeSweep({ id: 'x' }).catch((error: unknown) => error);
    assert.ok(refused instanceof ApiError);
    assert.deepEqual([refused.status, refused.code, refused.reason, refused.message], [409, 'SWEEP_NOT_PAUSED', "sweep 'x' is running", "POST /sweeps/x/resume failed with 409: sweep 'x' is running"]);

    answer = { status: 502, type: 'text/plain', body: 'bad gateway' };
    const proxied = await sut.getSweep({ id: 'x' }).catch((error: unknown) => error);
    assert.ok(proxied instanceof ApiError);
    assert.deepEqual([proxied.code, proxied.reason], [undefined, 'bad gateway']);
  });

  it('answers a route without a body (a DELETE’s 204) with nothing, and refuses any other status', async () => {
    answer = { status: 204, type: 'text/plain', body: '' };
    assert.equal(await sut.deleteSweep({ id: 's1' }), undefined);
    answerJson(409, { statusCode: 409, error: 'Conflict', code: 'DATASET_IN_USE', message: "dataset 'd1' is used by live sweeps 's1'" });
    await assert.rejects(sut.deleteDataset({ id: 'd1' }), (error) => error instanceof ApiError && error.code === 'DATASET_IN_USE');
    answerJson(200, {});
    await assert.rejects(sut.deleteSweep({ id: 's1' }), ApiError, 'a 200 is not an answer of DELETE /sweeps/:id (204 is)');
    assert.deepEqual(seen.map((s) => [s.method, s.url]), [
      ['DELETE', '/api/v1/sweeps/s1'],
      ['DELETE', '/api/v1/datasets/d1'],
      ['DELETE', '/api/v1/sweeps/s1'],
    ]);
  });

  it('answers a binary route with its bytes, unparsed', async () => {
    answer = { status: 200, type: 'application/octet-stream', body: Buffer.from([1, 2, 3]) };
    assert.deepEqual([...new Uint8Array(await sut.latestWeights({ id: 't1' }))], [1, 2, 3]);
  });
});
