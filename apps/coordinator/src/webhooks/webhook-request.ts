import { createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { WEBHOOK_DELIVERY_HEADER, WEBHOOK_EVENT_HEADER, WEBHOOK_SIGNATURE_HEADER, WEBHOOK_TIMESTAMP_HEADER, type WebhookEvent } from '@tuneforge/contracts';
import { guardedLookup, targetRefusal, TargetRefusedError } from './webhook-target';

/** `sha256=<hex>`: HMAC-SHA256 with the secret (its whole text) of `<timestamp>.<body>` (the timestamp in Unix seconds). */
export function signatureOf(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export interface SignedPost {
  url: string;
  body: string;
  secret: string;
  event: WebhookEvent;
  /** The notification's id: the same on each attempt, for the receiver to drop repeats. */
  deliveryId: string;
  timeoutMs: number;
  allowPrivateTargets: boolean;
}

/** Posts one attempt and answers the receiver's status; throws when there is no answer (refused target, network, timeout). */
export function postSigned(post: SignedPost): Promise<number> {
  const url = new URL(post.url);
  const refusal = targetRefusal(url, post.allowPrivateTargets);
  if (refusal) return Promise.reject(new TargetRefusedError(refusal));
  const timestamp = Math.floor(Date.now() / 1000);
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<number>((resolve, reject) => {
    const outgoing = request(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(post.body),
          'user-agent': 'Tuneforge-Webhooks/1',
          [WEBHOOK_SIGNATURE_HEADER]: signatureOf(post.secret, timestamp, post.body),
          [WEBHOOK_TIMESTAMP_HEADER]: String(timestamp),
          [WEBHOOK_EVENT_HEADER]: post.event,
          [WEBHOOK_DELIVERY_HEADER]: post.deliveryId,
        },
        lookup: guardedLookup(post.allowPrivateTargets),
        signal: AbortSignal.timeout(post.timeoutMs),
      },
      (response) => {
        // Only the status counts: the body is not read.
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    outgoing.on('error', (error: Error) => reject(error.name === 'AbortError' || error.name === 'TimeoutError' ? new Error(`no answer within ${post.timeoutMs} ms`) : error));
    outgoing.end(post.body);
  });
}
