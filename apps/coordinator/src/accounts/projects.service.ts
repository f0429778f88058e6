import { Injectable, Logger } from '@nestjs/common';
import { roleAtLeast, type MemberDto, type ProjectDto, type ProjectRole } from '@tuneforge/contracts';
import { Stores } from '@tuneforge/persistence';
import type { Principal } from '../auth/principal';
import { ConflictError, NotFoundError } from '../common/domain-errors';
import { lockProject, requireProject } from './account-writes';
import { UsersService } from './users.service';

/**
 * Projects and their members. Membership changes of a project run one at a time (its row locked), so
 * two admins demoting each other cannot leave it without an admin.
 */
@Injectable()
export class ProjectsService {
  private readonly logger = new Logger(ProjectsService.name);

  constructor(
    private readonly stores: Stores,
    private readonly users: UsersService,
  ) {}

  /** The caller's projects with their role; a deployment admin's are all of them, as admin. */
  async list(principal: Principal): Promise<{ items: ProjectDto[] }> {
    const projects = principal.isAdmin ? await this.stores.accounts.allProjects() : principal.memberships;
    return { items: projects.map((p) => ({ id: p.projectId, name: p.projectName, role: p.role })) };
  }

  /** A new project; its creator becomes its admin. */
  async create(principal: Principal, name: string): Promise<ProjectDto> {
    const project = await this.stores.transaction(async (tx) => {
      const created = await tx.accounts.createProjectIfNew(name);
      if (!created) throw new ConflictError('PROJECT_EXISTS', `a project named '${name}' exists already`);
      await tx.accounts.setMember(created.id, principal.userId, 'admin');
      return created;
    });
    this.logger.log(`created project '${name}' (${project.id}), admin '${principal.name}'`);
    return { id: project.id, name: project.name, role: 'admin' };
  }

  async members(projectId: string): Promise<{ items: MemberDto[] }> {
    await requireProject(this.stores, projectId);
    return { items: await this.stores.accounts.members(projectId) };
  }

  /** Adds the user (id or name) with `role`, or changes their role; never demotes the last admin. */
  async setMember(projectId: string, userRef: string, role: ProjectRole): Promise<MemberDto> {
    const member = await this.stores.transaction(async (tx) => {
      await lockProject(tx, projectId);
      const user = await this.users.find(userRef, tx);
      const current = await tx.accounts.member(projectId, user.id);
      if (current?.role === 'admin' && !roleAtLeast(role, 'admin')) await refuseLastAdmin(tx, projectId, `make '${user.name}' ${role}`);
      await tx.accounts.setMember(projectId, user.id, role);
      return { userId: user.id, name: user.name, kind: user.kind, role };
    });
    this.logger.log(`project ${projectId}: '${member.name}' is ${role}`);
    return member;
  }

  /** Removes the user (id or name) from the project; never its last admin. */
  async removeMember(projectId: string, userRef: string): Promise<void> {
    const name = await this.stores.transaction(async (tx) => {
      await lockProject(tx, projectId);
      const user = await this.users.find(userRef, tx);
      const current = await tx.accounts.member(projectId, user.id);
      if (!current) throw new NotFoundError('MEMBER_NOT_FOUND', `member of project ${projectId}`, user.name);
      if (current.role === 'admin') await refuseLastAdmin(tx, projectId, `remove '${user.name}'`);
      await tx.accounts.removeMember(projectId, user.id);
      return user.name;
    });
    this.logger.log(`project ${projectId}: '${name}' removed`);
  }
}

async function refuseLastAdmin(tx: Stores, projectId: string, what: string): Promise<void> {
  if ((await tx.accounts.adminCount(projectId)) <= 1) {
    throw new ConflictError('LAST_PROJECT_ADMIN', `cannot ${what}: they are the project's last admin; make another member admin first`);
  }
}
