import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { connectionEnvShape, logLevelsUpTo, parseEnv } from './env';

describe('process environment', () => {
  const schema = z.object(connectionEnvShape('postgres://postgres@127.0.0.1:5432/tuneforge'));

  it('writes the named log level and every more severe one', () => {
    assert.deepEqual(logLevelsUpTo('warn'), ['fatal', 'error', 'warn']);
    assert.deepEqual(logLevelsUpTo('log'), ['fatal', 'error', 'warn', 'log']);
    assert.equal(parseEnv(schema, {}, 'worker').LOG_LEVEL, 'log');
  });

  it('refuses an unknown LOG_LEVEL, naming it', () => {
    assert.throws(() => parseEnv(schema, { LOG_LEVEL: 'loud' }, 'worker'), /invalid worker environment: LOG_LEVEL: /);
  });
});
