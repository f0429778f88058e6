import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { processLogger } from '@tuneforge/logging';
import { DEFAULT_PROJECT_ID, newApiToken, parseApiToken, sha256, Stores } from '@tuneforge/persistence';
import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config/coordinator.config';

export const ADMIN_USER = 'admin';
const BOOTSTRAP_TOKEN_NAME = 'TUNEFORGE_ADMIN_TOKEN';

/**
 * Auth is on from the first start: with no user yet, it creates the administrator `admin` (admin of the
 * default project) with an API token: TUNEFORGE_ADMIN_TOKEN when set (a Kubernetes Secret, the demo's),
 * or a new one printed once to stdout, whatever LOG_LEVEL says (framed text on a pretty log, one JSON line
 * with `adminToken` otherwise; no other line holds it). A TUNEFORGE_ADMIN_TOKEN the database does not
 * know yet is added to the first administrator at any start, so a rotated Secret takes effect (revoke the
 * old token with `tuneforge token revoke`).
 */
@Injectable()
export class AdminBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger(AdminBootstrap.name);

  constructor(
    private readonly stores: Stores,
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.auth.mode === 'off') {
      this.logger.warn('AUTH_MODE=off: every request acts as an administrator, with no credentials. Never expose this coordinator.');
    }
    const printed = await this.stores.transaction(async (tx) => {
      // One coordinator at a time decides (several may start together).
      await tx.accounts.lockForBootstrap();
      return this.ensureAdmin(tx);
    });
    if (printed) {
      processLogger().announce({
        text:
          `\nTuneforge created the administrator '${ADMIN_USER}'. Its API token, shown this once (store it; \`tuneforge login\` takes it):\n\n  ${printed}\n\n` +
          'Set TUNEFORGE_ADMIN_TOKEN to choose it yourself instead.\n\n',
        message: `created the administrator '${ADMIN_USER}'; its API token, adminToken, is shown this once: store it (\`tuneforge login\` takes it), or set TUNEFORGE_ADMIN_TOKEN to choose it yourself`,
        fields: { context: AdminBootstrap.name, adminToken: printed },
      });
    }
  }

  /** Creates the administrator if there is none, and registers TUNEFORGE_ADMIN_TOKEN; answers a token to print, if one was made. */
  private async ensureAdmin(tx: Stores): Promise<string | undefined> {
    const configured = this.config.auth.adminToken;
    let admin = await tx.accounts.firstAdmin();
    let printed: string | undefined;
    if (!admin) {
      admin = await tx.accounts.createUser({ name: ADMIN_USER, kind: 'person', passwordHash: null, isAdmin: true });
      await tx.accounts.setMember(DEFAULT_PROJECT_ID, admin.id, 'admin');
      this.logger.log(`created the administrator '${ADMIN_USER}' (admin of project 'default')`);
      if (!configured) {
        const made = newApiToken();
        await tx.accounts.insertToken({ userId: admin.id, name: 'first start', prefix: made.prefix, secretSha256: made.secretSha256, expiresAt: null });
        printed = made.token;
      }
    }
    if (configured) {
      const parsed = parseApiToken(configured);
      if (parsed && !(await tx.accounts.tokenByPrefix(parsed.prefix))) {
        await tx.accounts.insertToken({ userId: admin.id, name: BOOTSTRAP_TOKEN_NAME, prefix: parsed.prefix, secretSha256: sha256(parsed.secret), expiresAt: null });
        this.logger.log(`registered TUNEFORGE_ADMIN_TOKEN (prefix ${parsed.prefix}) for '${admin.name}'`);
      }
    }
    return printed;
  }
}
