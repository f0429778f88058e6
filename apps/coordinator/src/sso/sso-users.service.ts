import { Inject, Injectable, Logger } from '@nestjs/common';
import { roleAtLeast, type ProjectRole } from '@tuneforge/contracts';
import { sha256, Stores, type UserEntity } from '@tuneforge/persistence';
import { SingleSignOnError } from '../common/domain-errors';
import { isUuid } from '../common/query';
import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config/coordinator.config';
import type { VerifiedClaims } from './oidc-client.service';

const MAX_NAME = 100;

/**
 * The Tuneforge user of a single sign-on: found by the provider's issuer and subject (stored on the user), or created
 * on the first sign-on, named by its preferred_username (else email, else subject). An existing user of that name is
 * never taken over: the new one's name gets a suffix from its subject. Each sign-on sets the user's roles in the
 * projects that OIDC_GROUP_ROLES names from its groups claim (the highest role its groups give; no group, no
 * membership): for single-sign-on users, those projects' memberships follow the provider.
 */
@Injectable()
export class SsoUsers {
  private readonly logger = new Logger(SsoUsers.name);

  constructor(
    private readonly stores: Stores,
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
  ) {}

  async signIn(claims: VerifiedClaims): Promise<{ user: UserEntity; created: boolean }> {
    return this.stores.transaction(async (tx) => {
      await tx.accounts.lockForSubject(claims.issuer, claims.subject);
      const found = await tx.accounts.userByOidc(claims.issuer, claims.subject);
      const user = found ?? (await tx.accounts.createUser({ name: await this.freeName(tx, claims), kind: 'person', passwordHash: null, isAdmin: false, oidcIssuer: claims.issuer, oidcSubject: claims.subject }));
      await this.syncRoles(tx, user.id, claims.groups);
      return { user, created: !found };
    });
  }

  private async freeName(tx: Stores, claims: VerifiedClaims): Promise<string> {
    const wanted = (claims.preferredUsername ?? claims.email ?? claims.subject).trim().slice(0, MAX_NAME) || claims.subject.slice(0, MAX_NAME);
    if (!(await tx.accounts.userByName(wanted))) return wanted;
    const suffixed = `${wanted.slice(0, MAX_NAME - 9)}-${sha256(`${claims.issuer} ${claims.subject}`).slice(0, 8)}`;
    if (!(await tx.accounts.userByName(suffixed))) return suffixed;
    throw new SingleSignOnError('OIDC_SIGN_IN_FAILED', `the users '${wanted}' and '${suffixed}' exist already; an administrator must rename one`);
  }

  /** Sets the roles the groups give in the projects of OIDC_GROUP_ROLES, and removes the user from those that none gives. */
  private async syncRoles(tx: Stores, userId: string, groups: readonly string[]): Promise<void> {
    const roles = new Map<string, ProjectRole | undefined>();
    for (const { group, grants } of this.config.oidc?.groupRoles ?? []) {
      for (const grant of grants) {
        const project = (isUuid(grant.project) ? await tx.accounts.project(grant.project) : undefined) ?? (await tx.accounts.projectByName(grant.project));
        if (!project) {
          this.logger.warn(`OIDC_GROUP_ROLES: group '${group}' names project '${grant.project}', which does not exist; skipped`);
          continue;
        }
        const held = roles.get(project.id);
        const given = groups.includes(group) ? grant.role : undefined;
        roles.set(project.id, held && (!given || roleAtLeast(held, given)) ? held : given);
      }
    }
    for (const [projectId, role] of roles) {
      if (role) await tx.accounts.setMember(projectId, userId, role);
      else await tx.accounts.removeMember(projectId, userId);
    }
  }
}
