import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { SignInAttemptEntity } from '../entities';
import { column, queryRow, rowsChanged } from '../rows';

/** The failures that count against one sign-in, by name and by address, and how long until the oldest of each leaves the window. */
export interface SignInFailures {
  byName: number;
  byAddress: number;
  /** Seconds until the oldest failure counted by name (by address) is older than the window; 0 when none is counted. */
  nameClearsInSeconds: number;
  addressClearsInSeconds: number;
}

/**
 * The sign-ins of POST /auth/session, for the limits on failures (PostgreSQL is the truth: the limits hold across
 * coordinator restarts and replicas). An attempt is written `pending` before its credential is checked and counted
 * with the others, so parallel guesses count against each other: of many at once, at most the limit get checked.
 */
export class SignInAttemptStore {
  constructor(private readonly manager: EntityManager) {}

  /** Records a pending attempt (and drops those older than the window); answers its id. */
  async begin(accountName: string | null, clientAddress: string, windowSeconds: number): Promise<string> {
    await rowsChanged(this.manager, `DELETE FROM sign_in_attempts WHERE at < now() - make_interval(secs => $1)`, [windowSeconds]);
    const row = await this.manager.save(this.manager.create(SignInAttemptEntity, { accountName, clientAddress, outcome: 'pending' }));
    return row.id;
  }

  /**
   * Failed and pending attempts within the window: for the name since its last successful sign-in (a success
   * clears the name's count), for the address all of them (a success from there does not).
   */
  failures(accountName: string | null, clientAddress: string, windowSeconds: number): Promise<SignInFailures> {
    return queryRow(
      this.manager,
      z.object({ byName: column.int, byAddress: column.int, nameClearsInSeconds: column.int, addressClearsInSeconds: column.int }),
      `WITH recent AS (
         SELECT account_name, client_address, outcome, at FROM sign_in_attempts
         WHERE at > now() - make_interval(secs => $3) AND (account_name = $1 OR client_address = $2)
       ), last_ok AS (
         SELECT max(at) AS at FROM recent WHERE account_name = $1 AND outcome = 'ok'
       ), by_name AS (
         SELECT count(*)::int AS n, min(r.at) AS oldest FROM recent r, last_ok
         WHERE r.account_name = $1 AND r.outcome <> 'ok' AND (last_ok.at IS NULL OR r.at > last_ok.at)
       ), by_address AS (
         SELECT count(*)::int AS n, min(at) AS oldest FROM recent WHERE client_address = $2 AND outcome <> 'ok'
       )
       SELECT by_name.n AS "byName", by_address.n AS "byAddress",
         coalesce(ceil(extract(epoch FROM by_name.oldest + make_interval(secs => $3) - now())), 0)::int AS "nameClearsInSeconds",
         coalesce(ceil(extract(epoch FROM by_address.oldest + make_interval(secs => $3) - now())), 0)::int AS "addressClearsInSeconds"
       FROM by_name, by_address`,
      [accountName, clientAddress, windowSeconds],
    );
  }

  /** The attempt's credential held, or did not. */
  async settle(id: string, outcome: 'failed' | 'ok'): Promise<void> {
    await rowsChanged(this.manager, `UPDATE sign_in_attempts SET outcome = $2 WHERE id = $1`, [id, outcome]);
  }

  /** An attempt refused before its credential was checked (over a limit), or stopped by an error, does not count. */
  async forget(id: string): Promise<void> {
    await rowsChanged(this.manager, `DELETE FROM sign_in_attempts WHERE id = $1`, [id]);
  }
}
