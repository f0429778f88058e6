import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { connectionEnvShape, parseEnv } from './env';

describe('process environment', () => {
  const schema = z.object(connectionEnvShape('postgres://postgres@127.0.0.1:5432/tuneforge'));

  it('fills in the defaults', () => {
    assert.equal(parseEnv(schema, {}, 'worker').QUEUE_PREFIX, 'tuneforge');
  });

  it('refuses a bad value, naming its variable', () => {
    assert.throws(() => parseEnv(schema, { QUEUE_PREFIX: 'a:b' }, 'worker'), /invalid worker environment: QUEUE_PREFIX: letters, digits, _ and - only/);
  });
});
