import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { OidcLoginEntity } from '../entities';
import { column, queryRows, rowsChanged } from '../rows';

/** Single sign-ons under way, between the redirect to the OpenID provider and its callback. */
export class OidcLoginStore {
  constructor(private readonly manager: EntityManager) {}

  /** Records a sign-on that has just started (and drops the expired ones). */
  async start(login: Omit<OidcLoginEntity, 'id'>): Promise<void> {
    await rowsChanged(this.manager, `DELETE FROM oidc_logins WHERE expires_at < now()`);
    await this.manager.insert(OidcLoginEntity, login);
  }

  /** Takes the unexpired sign-on of this state and browser, once: a second callback with the same state finds nothing. */
  async take(stateSha256: string, browserSha256: string): Promise<{ nonce: string; returnTo: string } | undefined> {
    const [row] = await queryRows(
      this.manager,
      z.object({ nonce: column.text, returnTo: column.text }),
      `DELETE FROM oidc_logins WHERE state_sha256 = $1 AND browser_sha256 = $2 AND expires_at > now() RETURNING nonce, return_to AS "returnTo"`,
      [stateSha256, browserSha256],
    );
    return row;
  }
}
