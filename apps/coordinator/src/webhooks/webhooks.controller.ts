import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CreateWebhookSchema, ListWebhookDeliveriesQuerySchema, type CreatedWebhookDto, type Page, type WebhookDeliveryDto, type WebhookDto } from '@tuneforge/contracts';
import { parseBody, parseQuery } from '../common/query';
import { WebhooksService } from './webhooks.service';

@ApiTags('webhooks')
@Controller()
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post('projects/:id/webhooks')
  @ApiOperation({ summary: "Subscribe a URL to a project's sweep events (or one sweep's); the answer holds the signing secret, once" })
  @ApiResponse({ status: 201, description: 'created' })
  @ApiResponse({ status: 400, description: 'a bad URL, event or format (VALIDATION_FAILED), or a private target (WEBHOOK_TARGET_REFUSED)' })
  @ApiResponse({ status: 404, description: 'no such project, or no such sweep in it' })
  @ApiResponse({ status: 503, description: 'the coordinator has no WEBHOOK_SECRETS_KEY (WEBHOOKS_NOT_CONFIGURED)' })
  create(@Param('id') projectId: string, @Body() body: unknown): Promise<CreatedWebhookDto> {
    return this.webhooks.create(projectId, parseBody(CreateWebhookSchema, body));
  }

  @Get('projects/:id/webhooks')
  @ApiOperation({ summary: "A project's webhooks (their URLs shortened; never their secrets)" })
  list(@Param('id') projectId: string): Promise<{ items: WebhookDto[] }> {
    return this.webhooks.list(projectId);
  }

  @Delete('webhooks/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a webhook with its delivery log; notifications not delivered yet are dropped' })
  @ApiResponse({ status: 204, description: 'deleted' })
  async delete(@Param('id') id: string): Promise<void> {
    await this.webhooks.delete(id);
  }

  @Get('webhooks/:id/deliveries')
  @ApiOperation({ summary: "A webhook's delivery log, newest first: each attempt's event, status code or error, and time" })
  deliveries(@Param('id') id: string, @Query() query: unknown): Promise<Page<WebhookDeliveryDto>> {
    return this.webhooks.deliveries(id, parseQuery(ListWebhookDeliveriesQuerySchema, query));
  }
}
