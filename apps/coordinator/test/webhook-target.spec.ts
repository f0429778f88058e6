import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { lookup, type LookupAddress } from 'node:dns';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { SecretBox } from '../src/webhooks/secret-box';
import { postSigned } from '../src/webhooks/webhook-request';
import { addressRefusal, guardedLookup, TargetRefusedError } from '../src/webhooks/webhook-target';
import { shownUrlOf } from '../src/webhooks/webhooks.service';

/** Runs a LookupFunction as http.request does, with `all` (Node's happy eyeballs) or without. */
function resolveWith(lookupFn: ReturnType<typeof guardedLookup>, name: string, all: boolean): Promise<string[]> {
  return new Promise((resolve, reject) =>
    lookupFn(name, { all }, (error: NodeJS.ErrnoException | null, address: string | LookupAddress[]) => {
      if (error) reject(error);
      else resolve(Array.isArray(address) ? address.map((a) => a.address) : [address]);
    }),
  );
}

describe('where webhooks may post (webhook-target.ts)', () => {
  it('refuses loopback, private, link-local, shared and reserved addresses, IPv4 and IPv6, and lets public ones through', () => {
    for (const address of ['127.0.0.1', '10.0.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.100.100.100', '0.0.0.0', '224.0.0.1', '255.255.255.255', '::1', '::', 'fd12::1', 'fe80::1', '::ffff:10.0.0.1', '::ffff:7f00:1']) {
      assert.match(addressRefusal(address) ?? '', /loopback, private, link-local or reserved/, address);
    }
    for (const address of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '2001:4860:4860::8888', '::ffff:8.8.8.8']) assert.equal(addressRefusal(address), undefined, address);
  });

  it('checks the address a name resolves to at connection time (DNS rebinding included), unless private targets are allowed', async () => {
    for (const all of [false, true]) {
      await assert.rejects(resolveWith(guardedLookup(false), 'localhost', all), (error) => error instanceof TargetRefusedError && /localhost resolves to 127\.0\.0\.1 is a loopback/.test(error.message));
      assert.ok((await resolveWith(guardedLookup(true), 'localhost', all)).includes('127.0.0.1'));
    }
  });

  const machine = hostname();
  const machineAddress = promisify(lookup)(machine).then(({ address }) => address, () => undefined);
  it("refuses a post to a name that resolves to a private address (this machine's name)", async (context) => {
    const address = await machineAddress;
    if (!address || addressRefusal(address) === undefined) return context.skip(`${machine} does not resolve to a private address here`);
    const server = createServer((_request, response) => response.end());
    await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
    const url = `http://${machine}:${(server.address() as AddressInfo).port}/hook`;
    const post = { url, body: '{}', secret: 'whsec_x', event: 'sweep.completed' as const, deliveryId: 'd', timeoutMs: 2_000 };
    try {
      await assert.rejects(postSigned({ ...post, allowPrivateTargets: false }), (error) => error instanceof TargetRefusedError);
      assert.equal(await postSigned({ ...post, allowPrivateTargets: true }), 200);
    } finally {
      server.close();
    }
  });

  it('shows a URL by its scheme, host and first path segment only', () => {
    const cases = [
      ['https://hooks.slack.com/services/T0/B0/secret', 'https://hooks.slack.com/services/…'],
      ['https://example.com', 'https://example.com/'],
      ['https://example.com/hook', 'https://example.com/hook'],
      ['https://example.com/hook?token=secret', 'https://example.com/hook/…'],
      ['http://user:password@example.com:8080/a/b', 'http://example.com:8080/a/…'],
    ];
    for (const [url, shown] of cases) assert.equal(shownUrlOf(new URL(url)), shown);
  });
});

describe(SecretBox.name, () => {
  const key = randomBytes(32);
  const sut = new SecretBox(key);

  it('opens what it sealed, in the same context only, and only with its key', () => {
    const sealed = sut.seal('whsec_value', 'webhook:1:secret');
    assert.match(sealed, /^v1\./);
    assert.ok(!sealed.includes('whsec_value'));
    assert.notEqual(sut.seal('whsec_value', 'webhook:1:secret'), sealed, 'a new IV each time');
    assert.equal(sut.open(sealed, 'webhook:1:secret'), 'whsec_value');
    assert.throws(() => sut.open(sealed, 'webhook:2:secret'), 'another row');
    assert.throws(() => new SecretBox(randomBytes(32)).open(sealed, 'webhook:1:secret'), 'another key');
    const bytes = Buffer.from(sealed.slice(3), 'base64');
    bytes[bytes.length - 1] ^= 1; // the ciphertext's last byte
    const tampered = `v1.${bytes.toString('base64')}`;
    assert.throws(() => sut.open(tampered, 'webhook:1:secret'), 'a changed value');
  });
});
