import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { AppLogger } from './app-logger';
import { withLogContext, withoutLogContext } from './log-context';
import { logEnvShape, logLevelsUpTo, logSettings, type LogSettings } from './log-settings';
import { ThirdPartyOutput } from './third-party-output';

/** A logger writing into memory, and what it wrote, line by line. */
function aLogger(settings: Partial<LogSettings> = {}, fields?: Record<string, string>) {
  const written: string[] = [];
  const destination = { write: (chunk: string) => written.push(...chunk.split('\n').filter(Boolean)) };
  const sut = new AppLogger({ levels: logLevelsUpTo('debug'), format: 'json', colors: false, ...settings }, { destination, fields });
  return { sut, written, json: () => written.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe(AppLogger.name, () => {
  it('writes one JSON object a line: level, ISO time, context, message', () => {
    const { sut, json } = aLogger();
    sut.log('listening on http://127.0.0.1:3000', 'Coordinator');
    sut.warn('heartbeat failed', 'WorkerRegistry');
    const [info, warn] = json();
    assert.deepEqual([info.level, info.context, info.message], ['info', 'Coordinator', 'listening on http://127.0.0.1:3000']);
    assert.equal(new Date(info.time as string).toISOString(), info.time);
    assert.deepEqual([warn.level, warn.context], ['warn', 'WorkerRegistry']);
  });

  it("adds the context's ids and the process's fields to every line", async () => {
    const { sut, json } = aLogger({}, { workerId: 'w-1' });
    await withLogContext({ sweepId: 's-1', trialId: 't-1' }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      withLogContext({ attempt: 2 }, () => sut.log('trial t-1 completed', 'TrialRunner'));
      withoutLogContext(() => sut.log('about the process', 'Worker'));
    });
    sut.log('outside', 'Worker');
    const [inside, processLine, outside] = json();
    assert.deepEqual([inside.sweepId, inside.trialId, inside.attempt, inside.workerId], ['s-1', 't-1', 2, 'w-1']);
    assert.deepEqual([processLine.trialId, processLine.workerId], [undefined, 'w-1']);
    assert.deepEqual([outside.sweepId, outside.workerId], [undefined, 'w-1']);
  });

  it("keeps an error's stack as a field, from an Error or from Nest's (message, stack, context)", () => {
    const { sut, json } = aLogger();
    const error = new Error('disk full');
    sut.error(error, 'TrialRunner');
    sut.error('request failed', error.stack, 'HttpErrorFilter');
    sut.error('no stack', undefined, 'Ctx');
    const [fromError, fromStack, without] = json();
    assert.equal(fromError.message, 'disk full');
    assert.match((fromError.err as { stack: string }).stack, /^Error: disk full\n\s+at /);
    assert.equal((fromError.err as { type: string }).type, 'Error');
    assert.deepEqual([fromStack.message, fromStack.context], ['request failed', 'HttpErrorFilter']);
    assert.equal((fromStack.err as { stack: string }).stack, error.stack);
    assert.deepEqual([without.message, without.context, without.err], ['no stack', 'Ctx', undefined]);
  });

  it('writes only the levels it is set to', () => {
    const { sut, json } = aLogger({ levels: logLevelsUpTo('warn') });
    sut.log('quiet');
    sut.debug('quieter');
    sut.warn('loud');
    sut.setLogLevels(logLevelsUpTo('verbose'));
    sut.verbose('now written');
    assert.deepEqual(
      json().map((l) => [l.level, l.message]),
      [
        ['warn', 'loud'],
        ['trace', 'now written'],
      ],
    );
  });

  it('writes text with the context and the ids on one line, without colours unless asked', () => {
    const { sut, written } = aLogger({ format: 'pretty' }, { workerId: 'w-1' });
    withLogContext({ trialId: 't-1' }, () => sut.warn('checkpoint unreadable', 'TrialRunner'));
    assert.equal(written.length, 1);
    assert.match(written[0], /^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: \[TrialRunner\] checkpoint unreadable \{.*"workerId":"w-1".*"trialId":"t-1".*\}$/);
    assert.ok(!written[0].includes('\u001b['), 'no ANSI colour codes');
  });

  it('announces a first token as framed text on a pretty log and as one JSON line otherwise, at any level', () => {
    const announcement = { text: '\n  the token\n\n', message: 'a token, shown once', fields: { adminToken: 'the token' } };
    const pretty = aLogger({ format: 'pretty', levels: ['error'] });
    pretty.sut.announce(announcement);
    assert.deepEqual(pretty.written, ['  the token']);
    const json = aLogger({ levels: ['error'] });
    json.sut.announce(announcement);
    assert.deepEqual(
      json.json().map((l) => [l.message, l.adminToken]),
      [['a token, shown once', 'the token']],
    );
  });
});

describe(ThirdPartyOutput.name, () => {
  it('logs a message once per process, numbers aside, at its level and with its source', () => {
    const { sut: logger, json } = aLogger();
    const sut = new ThirdPartyOutput(logger);
    for (const units of [32, 32, 64]) sut.note('warn', `Orthogonal initializer is being called on a matrix with more than 2000 (${4 * units * units}) elements: Slowness may result.`, 'setup-thread');
    sut.note('log', 'Platform node has already been set. Overwriting the platform with node.', 'console');
    sut.note('warn', '   ', 'console');
    assert.deepEqual(
      json().map((l) => [l.level, l.context, l.oncePerProcess, l.message]),
      [
        ['warn', 'setup-thread', true, 'Orthogonal initializer is being called on a matrix with more than 2000 (4096) elements: Slowness may result.'],
        ['info', 'console', true, 'Platform node has already been set. Overwriting the platform with node.'],
      ],
    );
  });
});

describe('log settings', () => {
  const schema = z.object(logEnvShape);

  it('defaults to JSON off a terminal and to pretty text on one, coloured only there', () => {
    assert.deepEqual(logSettings(schema.parse({}), { isTTY: false }, {}), { levels: ['fatal', 'error', 'warn', 'log'], format: 'json', colors: false });
    assert.deepEqual(logSettings(schema.parse({}), { isTTY: true }, {}), { levels: ['fatal', 'error', 'warn', 'log'], format: 'pretty', colors: true });
    assert.equal(logSettings(schema.parse({}), { isTTY: true }, { NO_COLOR: '1' }).colors, false);
    assert.deepEqual(logSettings(schema.parse({ LOG_FORMAT: 'pretty' }), { isTTY: false }, {}).colors, false);
    assert.equal(logSettings(schema.parse({ LOG_FORMAT: 'json' }), { isTTY: true }, {}).format, 'json');
  });

  it('writes the named log level and every more severe one', () => {
    assert.deepEqual(logLevelsUpTo('warn'), ['fatal', 'error', 'warn']);
    assert.deepEqual(logLevelsUpTo('verbose'), ['fatal', 'error', 'warn', 'log', 'debug', 'verbose']);
  });

  it('refuses an unknown LOG_LEVEL or LOG_FORMAT, naming it', () => {
    assert.deepEqual(schema.safeParse({ LOG_LEVEL: 'loud' }).error?.issues.map((i) => i.path), [['LOG_LEVEL']]);
    assert.deepEqual(schema.safeParse({ LOG_FORMAT: 'xml' }).error?.issues.map((i) => i.path), [['LOG_FORMAT']]);
  });
});
