import { Inject, Injectable } from '@nestjs/common';
import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config/coordinator.config';
import { ServiceUnavailableError } from '../common/domain-errors';
import { SecretBox } from './secret-box';

/** A webhook's target URL and signing secret as stored: sealed, each bound to the webhook's id and its column. */
export interface SealedTarget {
  urlSealed: string;
  secretSealed: string;
}

/** Seals and opens webhooks' URLs and secrets with WEBHOOK_SECRETS_KEY. */
@Injectable()
export class WebhookSeals {
  private readonly box?: SecretBox;

  constructor(@Inject(COORDINATOR_CONFIG) config: CoordinatorConfig) {
    this.box = config.webhooks.secretsKey ? new SecretBox(config.webhooks.secretsKey) : undefined;
  }

  seal(webhookId: string, url: string, secret: string): SealedTarget {
    if (!this.box) throw new ServiceUnavailableError('WEBHOOKS_NOT_CONFIGURED', 'this coordinator has no WEBHOOK_SECRETS_KEY to keep webhook secrets with; its operator sets one');
    return { urlSealed: this.box.seal(url, `webhook:${webhookId}:url`), secretSealed: this.box.seal(secret, `webhook:${webhookId}:secret`) };
  }

  /** Throws when there is no key, or the values were sealed with another one. */
  open(webhook: SealedTarget & { webhookId: string }): { url: string; secret: string } {
    if (!this.box) throw new Error('this coordinator has no WEBHOOK_SECRETS_KEY');
    try {
      return { url: this.box.open(webhook.urlSealed, `webhook:${webhook.webhookId}:url`), secret: this.box.open(webhook.secretSealed, `webhook:${webhook.webhookId}:secret`) };
    } catch {
      throw new Error('its URL and secret do not open with this WEBHOOK_SECRETS_KEY (sealed with another key?)');
    }
  }
}
