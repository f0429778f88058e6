import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { InvalidArgumentError, type Command } from 'commander';
import { PROJECT_ROLES, type MeDto, type ProjectDto, type ProjectRole, type TokenDto } from '@tuneforge/contracts';
import type { TuneforgeClient } from '@tuneforge/api-client';
import { ApiError, connect } from './api-client';
import { credentialsPath, forgetCredential, resolveToken, storeCredential, storedCredential, type TokenSource } from './credentials';
import { BadInputError } from './model-commands';
import { age, table } from './render';

/** Not signed in, or not allowed (a 401 or 403): exit code 4, with what to do. */
export class AccessError extends Error {
  override name = 'AccessError';
}

/** How the CLI reaches its coordinator: the client with the resolved token, and the API URL tokens are stored under. */
export interface Connection {
  api: () => TuneforgeClient;
  apiUrl: () => string;
  tokenFlag: () => string | undefined;
}

/** The message of a refusal for the caller's credentials (401) or role (403); undefined for other errors. */
export function accessProblem(error: unknown): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  if (error.status === 401) return `not signed in: ${error.reason}\nrun \`tuneforge login\` (or pass --token, or set TUNEFORGE_TOKEN)`;
  if (error.status === 403) return `not allowed: ${error.reason}`;
  return undefined;
}

function role(value: string): ProjectRole {
  if (!(PROJECT_ROLES as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${PROJECT_ROLES.join(', ')}`);
  return value as ProjectRole;
}

function days(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of days, at least 1');
  return n;
}

/** A line from stdin, not echoed on a terminal. */
async function promptForToken(): Promise<string> {
  const terminal = Boolean(process.stdin.isTTY);
  process.stderr.write(terminal ? 'API token (not shown): ' : '');
  const reader = createInterface({ input: process.stdin, output: new Writable({ write: (_chunk, _encoding, done) => done() }), terminal });
  const line = await new Promise<string | undefined>((resolve) => {
    reader.once('line', resolve);
    reader.once('close', () => resolve(undefined));
  });
  reader.close();
  if (terminal) process.stderr.write('\n');
  const token = line?.trim();
  if (!token) throw new BadInputError('no token given: pass --token, or type or pipe one in');
  return token;
}

function describeMe(me: MeDto): string {
  const who = `${me.user.name} (${me.user.kind === 'service' ? 'service account' : 'person'}${me.user.isAdmin ? ', administrator of the deployment' : ''})`;
  const projects = me.projects.length > 0 ? me.projects.map((p) => `${p.role} of ${p.name}`).join(', ') : 'no project yet';
  return `${who}: ${projects}`;
}

function tokenStatus(token: TokenDto, now = Date.now()): string {
  if (token.revokedAt) return 'revoked';
  if (token.expiresAt && Date.parse(token.expiresAt) <= now) return 'expired';
  return 'active';
}

/** A project by id or name among those the caller sees. */
async function projectNamed(api: TuneforgeClient, ref: string): Promise<ProjectDto> {
  const { items } = await api.listProjects();
  const found = items.find((p) => p.id === ref || p.name === ref);
  if (!found) throw new BadInputError(`you are in no project '${ref}'${items.length > 0 ? ` (yours: ${items.map((p) => p.name).join(', ')})` : ''}`);
  return found;
}

/** login, logout, whoami, token and project: signing in, and managing tokens, projects and members. */
export function registerAccountCommands(cli: Command, connection: Connection): void {
  const { api, apiUrl } = connection;

  cli
    .command('login')
    .description('check an API token (--token, or typed or piped in) and store it for this coordinator (file mode 0600)')
    .action(async () => {
      const token = connection.tokenFlag() ?? (await promptForToken());
      let me: MeDto;
      try {
        me = await connect(apiUrl(), token).me();
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) throw new AccessError(`${apiUrl()} refused the token: ${error.reason}`);
        throw error;
      }
      const path = storeCredential(apiUrl(), { token, user: me.user.name, savedAt: new Date().toISOString() });
      console.log(`signed in to ${apiUrl()} as ${describeMe(me)}`);
      console.log(`token stored in ${path}`);
    });

  cli
    .command('logout')
    .description('forget the token stored for this coordinator (--revoke: revoke it first, so it stops working everywhere)')
    .option('--revoke', 'also revoke the token on the coordinator')
    .action(async (options: { revoke?: boolean }) => {
      const stored = storedCredential(apiUrl());
      if (options.revoke && stored) {
        const client = connect(apiUrl(), stored.token);
        const prefix = stored.token.split('_')[1];
        const mine = (await client.listTokens()).items.find((t) => t.prefix === prefix);
        if (mine) await client.revokeToken({ id: mine.id });
        console.log(`revoked token ${prefix}`);
      }
      console.log(forgetCredential(apiUrl()) ? `signed out of ${apiUrl()} (its token removed from ${credentialsPath()})` : `no token was stored for ${apiUrl()}`);
    });

  cli
    .command('whoami')
    .description('who the token signs in as, and their role in each project')
    .action(async () => {
      const source: TokenSource | undefined = resolveToken(connection.tokenFlag(), apiUrl())?.source;
      console.log(describeMe(await api().me()));
      console.log(`token from ${source ?? 'nowhere'}, for ${apiUrl()}`);
    });

  const token = cli.command('token').description('your API tokens: create, list, revoke');
  token
    .command('create')
    .description('a new API token, printed once on stdout')
    .argument('<name>', 'what it is for, e.g. laptop or ci')
    .option('--expires-in-days <n>', 'stop working after this many days (default: never)', days)
    .option('--user <user>', 'deployment admins: a token for this user (name or id)')
    .action(async (name: string, options: { expiresInDays?: number; user?: string }) => {
      const created = await api().createToken({ body: { name, expiresInDays: options.expiresInDays, user: options.user } });
      console.error(`created token '${created.name}' (id ${created.id}, prefix ${created.prefix}, ${created.expiresAt ? `expires ${created.expiresAt}` : 'never expires'}); it is shown this once:`);
      console.log(created.token);
    });
  token
    .command('list')
    .description('your tokens (deployment admins: --user anyone\'s), without their secrets')
    .option('--user <user>', "deployment admins: this user's tokens (name or id)")
    .action(async (options: { user?: string }) => {
      const { items } = await api().listTokens({ query: { user: options.user } });
      if (items.length === 0) return console.log('no tokens');
      console.log(table(['id', 'name', 'prefix', 'status', 'created', 'expires', 'last used'], items.map((t) => [t.id, t.name, t.prefix, tokenStatus(t), `${age(t.createdAt)} ago`, t.expiresAt ?? 'never', t.lastUsedAt ? `${age(t.lastUsedAt)} ago` : 'never'])));
    });
  token
    .command('revoke')
    .description('revoke a token: it stops working at once')
    .argument('<id>', 'token id (see `tuneforge token list`)')
    .action(async (id: string) => {
      await api().revokeToken({ id });
      console.log(`token ${id} revoked`);
    });

  const project = cli.command('project').description('projects and their members');
  project
    .command('list')
    .description('your projects and your role in each')
    .action(async () => {
      const { items } = await api().listProjects();
      console.log(items.length > 0 ? table(['name', 'role', 'id'], items.map((p) => [p.name, p.role, p.id])) : 'you are in no project yet; ask a project admin to add you');
    });
  project
    .command('create')
    .description('create a project (deployment admins); you become its admin')
    .argument('<name>', 'project name')
    .action(async (name: string) => {
      const created = await api().createProject({ body: { name } });
      console.log(`created project '${created.name}' (${created.id}); you are its admin`);
    });
  project
    .command('members')
    .description("a project's members and their roles")
    .argument('<project>', 'project name or id')
    .action(async (ref: string) => {
      const { id } = await projectNamed(api(), ref);
      const { items } = await api().listMembers({ id });
      console.log(table(['name', 'kind', 'role', 'user id'], items.map((m) => [m.name, m.kind, m.role, m.userId])));
    });
  project
    .command('add-member')
    .description("add a user to a project, or change their role (project admins)")
    .argument('<project>', 'project name or id')
    .argument('<user>', 'user name or id')
    .option('--role <role>', `${PROJECT_ROLES.join(', ')}`, role, 'viewer' as ProjectRole)
    .action(async (ref: string, user: string, options: { role: ProjectRole }) => {
      const target = await projectNamed(api(), ref);
      const member = await api().setMember({ id: target.id, userId: user, body: { role: options.role } });
      console.log(`${member.name} is ${member.role} of ${target.name}`);
    });
  project
    .command('remove-member')
    .description('remove a user from a project (project admins; never its last admin)')
    .argument('<project>', 'project name or id')
    .argument('<user>', 'user name or id')
    .action(async (ref: string, user: string) => {
      const target = await projectNamed(api(), ref);
      await api().removeMember({ id: target.id, userId: user });
      console.log(`${user} removed from ${target.name}`);
    });
}
