import { BullModule } from '@nestjs/bullmq';
import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TRIALS_QUEUE, WEBHOOKS_QUEUE } from '@tuneforge/contracts';
import { databaseOptions, STORES_PROVIDER } from '@tuneforge/persistence';
import { ProjectsController } from './accounts/projects.controller';
import { ProjectsService } from './accounts/projects.service';
import { TokensController } from './accounts/tokens.controller';
import { TokensService } from './accounts/tokens.service';
import { UsersController } from './accounts/users.controller';
import { UsersService } from './accounts/users.service';
import { AuditAnswerInterceptor } from './audit/audit-answer.interceptor';
import { AuditTrail } from './audit/audit-trail.service';
import { AuditWatchGuard } from './audit/audit-watch.guard';
import { AuditController } from './audit/audit.controller';
import { AccessGuard } from './auth/access.guard';
import { AdminBootstrap } from './auth/admin-bootstrap.service';
import { AuthController } from './auth/auth.controller';
import { Authenticator } from './auth/authenticator.service';
import { SignInLimiter } from './auth/sign-in-limiter.service';
import { HttpErrorFilter } from './common/http-error.filter';
import { LogContextInterceptor } from './common/log-context.interceptor';
import { COORDINATOR_CONFIG, type CoordinatorConfig } from './config/coordinator.config';
import { CurvesController } from './curves/curves.controller';
import { CurvesService } from './curves/curves.service';
import { DatasetsController } from './datasets/datasets.controller';
import { DatasetsService } from './datasets/datasets.service';
import { ChangeFeed } from './events/change-feed.service';
import { EventStream } from './events/event-stream.service';
import { EventsController } from './events/events.controller';
import { HealthController } from './health/health.controller';
import { RedisProbe } from './health/redis-probe.service';
import { Leadership } from './leadership/leadership.service';
import { CoordinatorMetrics } from './metrics/coordinator-metrics.service';
import { MetricsScrape } from './metrics/metrics-scrape.service';
import { TrialDispatcher } from './queue/trial-dispatcher.service';
import { TrialEventsListener } from './queue/trial-events.listener';
import { TrialReconciler } from './queue/trial-reconciler.service';
import { OidcClient } from './sso/oidc-client.service';
import { SsoController } from './sso/sso.controller';
import { SsoUsers } from './sso/sso-users.service';
import { CheckpointRetention } from './sweeps/checkpoint-retention.service';
import { SweepReads } from './sweeps/sweep-reads.service';
import { SweepScheduler } from './sweeps/sweep-scheduler.service';
import { SweepsController } from './sweeps/sweeps.controller';
import { SweepsService } from './sweeps/sweeps.service';
import { ModelExportController } from './trials/model-export.controller';
import { ModelExportService } from './trials/model-export.service';
import { TrialsController } from './trials/trials.controller';
import { TrialsService } from './trials/trials.service';
import { NotificationDispatcher } from './webhooks/notification-dispatcher.service';
import { WebhookDeliveryProcessor } from './webhooks/webhook-delivery.processor';
import { WebhookSeals } from './webhooks/webhook-seals.service';
import { WebhooksController } from './webhooks/webhooks.controller';
import { WebhooksService } from './webhooks/webhooks.service';
import { WorkersController } from './workers/workers.controller';

@Module({})
export class AppModule {
  static forRoot(config: CoordinatorConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        TypeOrmModule.forRoot({ ...databaseOptions(config.databaseUrl, 'tuneforge-coordinator'), retryAttempts: 3, retryDelay: 1_000 }),
        BullModule.forRoot({
          connection: { url: config.redisUrl, enableOfflineQueue: false },
          prefix: config.queuePrefix,
        }),
        BullModule.registerQueue({ name: TRIALS_QUEUE }, { name: WEBHOOKS_QUEUE }),
      ],
      controllers: [SweepsController, CurvesController, TrialsController, WorkersController, DatasetsController, HealthController, EventsController, ModelExportController, AuthController, TokensController, UsersController, ProjectsController, SsoController, AuditController, WebhooksController],
      providers: [
        { provide: COORDINATOR_CONFIG, useValue: config },
        STORES_PROVIDER,
        { provide: APP_FILTER, useClass: HttpErrorFilter },
        // Guards run in this order: the audit event is armed before the access rule can refuse.
        { provide: APP_GUARD, useClass: AuditWatchGuard },
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_INTERCEPTOR, useClass: AuditAnswerInterceptor },
        { provide: APP_INTERCEPTOR, useClass: LogContextInterceptor },
        AuditTrail,
        Authenticator,
        SignInLimiter,
        OidcClient,
        SsoUsers,
        AdminBootstrap,
        UsersService,
        TokensService,
        ProjectsService,
        RedisProbe,
        TrialDispatcher,
        TrialReconciler,
        CheckpointRetention,
        Leadership,
        SweepScheduler,
        SweepReads,
        SweepsService,
        TrialsService,
        ModelExportService,
        TrialEventsListener,
        DatasetsService,
        CurvesService,
        ChangeFeed,
        EventStream,
        CoordinatorMetrics,
        MetricsScrape,
        WebhookSeals,
        WebhooksService,
        NotificationDispatcher,
        WebhookDeliveryProcessor,
      ],
    };
  }
}
