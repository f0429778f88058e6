import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { CreatedWebhookDto, CreateWebhook, ListWebhookDeliveriesQuery, Page, WebhookDeliveryDto, WebhookDto } from '@tuneforge/contracts';
import { Stores, type WebhookEntity } from '@tuneforge/persistence';
import { requireProject } from '../accounts/account-writes';
import { NotFoundError, WebhookTargetRefusedError } from '../common/domain-errors';
import { isUuid } from '../common/query';
import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config/coordinator.config';
import { newSigningSecret } from './secret-box';
import { WebhookSeals } from './webhook-seals.service';
import { targetRefusal } from './webhook-target';

/** A project's webhooks and their delivery logs. The access guard has checked the caller's role in the project. */
@Injectable()
export class WebhooksService {
  private readonly logger = new Logger(WebhooksService.name);

  constructor(
    private readonly stores: Stores,
    private readonly seals: WebhookSeals,
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
  ) {}

  /** A new webhook with a new signing secret, in the answer only. A sweep it names must be the project's. */
  async create(projectId: string, body: CreateWebhook): Promise<CreatedWebhookDto> {
    await requireProject(this.stores, projectId);
    const url = new URL(body.url);
    const refusal = targetRefusal(url, this.config.webhooks.allowPrivateTargets);
    if (refusal) throw new WebhookTargetRefusedError(refusal);
    if (body.sweepId !== undefined && (await this.stores.accounts.projectOf('sweep', body.sweepId)) !== projectId) {
      throw new NotFoundError('SWEEP_NOT_FOUND', 'sweep', body.sweepId);
    }
    const id = randomUUID();
    const secret = newSigningSecret();
    const webhook = await this.stores.webhooks.insert({
      id,
      projectId,
      sweepId: body.sweepId ?? null,
      urlShown: shownUrlOf(url),
      ...this.seals.seal(id, url.href, secret),
      events: body.events,
      format: body.format,
    });
    this.logger.log(`project ${projectId}: webhook ${id} (${webhook.urlShown}, ${body.events.join(', ')}${body.sweepId ? `, sweep ${body.sweepId}` : ''})`);
    return { ...toWebhookDto(webhook), secret };
  }

  async list(projectId: string): Promise<{ items: WebhookDto[] }> {
    await requireProject(this.stores, projectId);
    return { items: (await this.stores.webhooks.ofProject(projectId)).map(toWebhookDto) };
  }

  async delete(id: string): Promise<void> {
    if (!isUuid(id) || !(await this.stores.webhooks.delete(id))) throw webhookNotFound(id);
  }

  async deliveries(id: string, query: ListWebhookDeliveriesQuery): Promise<Page<WebhookDeliveryDto>> {
    if (!isUuid(id) || (await this.stores.accounts.projectOf('webhook', id)) === undefined) throw webhookNotFound(id);
    const [rows, total] = await this.stores.webhooks.deliveries(id, query);
    return { items: rows.map((row) => ({ ...row, at: row.at.toISOString() })), total, limit: query.limit, offset: query.offset };
  }
}

function webhookNotFound(id: string): NotFoundError {
  return new NotFoundError('WEBHOOK_NOT_FOUND', 'webhook', id);
}

/** What lists show of a target: scheme, host and first path segment; the rest may be a credential (a Slack webhook's is). */
export function shownUrlOf(url: URL): string {
  const [first, ...rest] = url.pathname.split('/').filter(Boolean);
  const path = first === undefined ? '/' : `/${first}${rest.length > 0 || url.search ? '/…' : ''}`;
  return `${url.protocol}//${url.host}${path}`;
}

function toWebhookDto(webhook: WebhookEntity): WebhookDto {
  return {
    id: webhook.id,
    projectId: webhook.projectId,
    sweepId: webhook.sweepId,
    url: webhook.urlShown,
    events: webhook.events,
    format: webhook.format,
    createdAt: webhook.createdAt.toISOString(),
  };
}
