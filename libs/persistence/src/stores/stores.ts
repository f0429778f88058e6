import { DataSource, type EntityManager } from 'typeorm';
import { CurveReadModel } from '../read-models/curve.read-model';
import { SweepReadModel } from '../read-models/sweep.read-model';
import { TrialReadModel } from '../read-models/trial.read-model';
import { AccountStore } from './account.store';
import { AuditStore } from './audit.store';
import { CheckpointStore } from './checkpoint.store';
import { DatasetStore } from './dataset.store';
import { OidcLoginStore } from './oidc-login.store';
import { SignInAttemptStore } from './sign-in-attempt.store';
import { SweepStore } from './sweep.store';
import { TrialStore } from './trial.store';
import { WebhookStore } from './webhook.store';
import { WorkerStore } from './worker.store';

/**
 * Every statement the apps run, by table (the stores, which write) and by screen (the read models).
 * Bound to one EntityManager: the data source's, or a transaction's inside `transaction`.
 */
export class Stores {
  readonly trials: TrialStore;
  readonly sweeps: SweepStore;
  readonly workers: WorkerStore;
  readonly datasets: DatasetStore;
  readonly checkpoints: CheckpointStore;
  readonly accounts: AccountStore;
  readonly audit: AuditStore;
  readonly signInAttempts: SignInAttemptStore;
  readonly oidcLogins: OidcLoginStore;
  readonly webhooks: WebhookStore;
  readonly sweepReads: SweepReadModel;
  readonly trialReads: TrialReadModel;
  readonly curves: CurveReadModel;

  constructor(readonly manager: EntityManager) {
    this.trials = new TrialStore(manager);
    this.sweeps = new SweepStore(manager);
    this.workers = new WorkerStore(manager);
    this.datasets = new DatasetStore(manager);
    this.checkpoints = new CheckpointStore(manager);
    this.accounts = new AccountStore(manager);
    this.audit = new AuditStore(manager);
    this.signInAttempts = new SignInAttemptStore(manager);
    this.oidcLogins = new OidcLoginStore(manager);
    this.webhooks = new WebhookStore(manager);
    this.sweepReads = new SweepReadModel(manager);
    this.trialReads = new TrialReadModel(manager);
    this.curves = new CurveReadModel(manager);
  }

  /** Runs `work` in one transaction, with stores bound to it. */
  transaction<T>(work: (tx: Stores) => Promise<T>): Promise<T> {
    return this.manager.transaction((manager) => work(new Stores(manager)));
  }

  /** Whether PostgreSQL answers (health checks). */
  async ping(): Promise<void> {
    await this.manager.query('SELECT 1');
  }
}

/** The Nest provider of `Stores` (a plain object, so this library does not depend on Nest): bound to the app's DataSource. */
export const STORES_PROVIDER = { provide: Stores, useFactory: (dataSource: DataSource) => new Stores(dataSource.manager), inject: [DataSource] };
