import { z } from 'zod';
import { parseEnv } from '@tuneforge/contracts';

/** 32 bytes as base64 (`openssl rand -base64 32`) or base64url. */
const aesKey = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9+/_-]{43}=?$/, 'must be 32 random bytes in base64 (openssl rand -base64 32)')
  .transform((text) => Buffer.from(text, 'base64'));

const WebhooksEnvSchema = z.object({
  /** Encrypts webhooks' signing secrets and URLs in the database (every replica needs the same); without it webhooks cannot be created. */
  WEBHOOK_SECRETS_KEY: aesKey.optional(),
  /** `true` lets webhooks post to loopback, private and link-local addresses (a receiver inside the network, the tests' local one). */
  WEBHOOK_ALLOW_PRIVATE_TARGETS: z.enum(['true', 'false']).default('false'),
  /** How long one attempt waits for the receiver's answer. */
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  /** Attempts per notification, the first included; the wait before the second, doubling after each. */
  WEBHOOK_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(8),
  WEBHOOK_FIRST_RETRY_MS: z.coerce.number().int().min(10).max(3_600_000).default(10_000),
  /** Where people open the dashboard (links in notifications): https://tuneforge.example.com. */
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
});

export interface WebhooksConfig {
  /** AES-256-GCM key of the sealed columns; undefined: webhooks cannot be created (WEBHOOKS_NOT_CONFIGURED). */
  secretsKey?: Buffer;
  allowPrivateTargets: boolean;
  timeoutMs: number;
  attempts: number;
  firstRetryMs: number;
  /** The dashboard's address, without a trailing slash. */
  publicUrl: string;
}

/** Webhook settings; the dashboard's address defaults to this machine on the coordinator's `port`. */
export function loadWebhooksConfig(env: NodeJS.ProcessEnv, port: number): { webhooks: WebhooksConfig } {
  const e = parseEnv(WebhooksEnvSchema, env, 'coordinator');
  return {
    webhooks: {
      secretsKey: e.WEBHOOK_SECRETS_KEY,
      allowPrivateTargets: e.WEBHOOK_ALLOW_PRIVATE_TARGETS === 'true',
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
      attempts: e.WEBHOOK_ATTEMPTS,
      firstRetryMs: e.WEBHOOK_FIRST_RETRY_MS,
      publicUrl: (e.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    },
  };
}
