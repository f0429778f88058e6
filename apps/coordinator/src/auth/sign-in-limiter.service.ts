import { Inject, Injectable } from '@nestjs/common';
import { Stores } from '@tuneforge/persistence';
import { TooManySignInsError, UnauthenticatedError } from '../common/domain-errors';
import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config/coordinator.config';

/**
 * The limits on failed sign-ins (POST /auth/session): at most SIGN_IN_MAX_FAILURES_PER_NAME per account name (since
 * its last successful sign-in) and SIGN_IN_MAX_FAILURES_PER_ADDRESS per client address (a success does not clear
 * these) within SIGN_IN_WINDOW_SECONDS. Over either, the sign-in answers 429 without checking the credential, even a
 * right one. Counted in PostgreSQL (`sign_in_attempts`), so restarts and replicas share them.
 */
@Injectable()
export class SignInLimiter {
  constructor(
    private readonly stores: Stores,
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
  ) {}

  /** Runs `check` (a wrong credential throws UnauthenticatedError) within the limits of this name and address. */
  async attempt<T>(accountName: string | null, clientAddress: string, check: () => Promise<T>): Promise<T> {
    const { perName, perAddress, windowSeconds } = this.config.signInLimits;
    const attempts = this.stores.signInAttempts;
    const id = await attempts.begin(accountName, clientAddress, windowSeconds);
    let outcome: 'ok' | 'failed' | undefined;
    try {
      // The counts include this attempt, and the attempts under way beside it.
      const failures = await attempts.failures(accountName, clientAddress, windowSeconds);
      const overName = accountName !== null && failures.byName > perName;
      const overAddress = failures.byAddress > perAddress;
      if (overName || overAddress) {
        const retryAfter = Math.max(1, overName ? failures.nameClearsInSeconds : 0, overAddress ? failures.addressClearsInSeconds : 0);
        const what = overName ? 'for this name' : 'from this address';
        throw new TooManySignInsError(`too many failed sign-ins ${what}; try again in ${retryAfter} s`, retryAfter);
      }
      try {
        const result = await check();
        outcome = 'ok';
        return result;
      } catch (error) {
        if (error instanceof UnauthenticatedError) outcome = 'failed';
        throw error;
      }
    } finally {
      if (outcome) await attempts.settle(id, outcome);
      else await attempts.forget(id);
    }
  }
}
