import { Command, CommanderError, InvalidArgumentError } from 'commander';
import type { SweepDto } from '@tuneforge/contracts';
import { AccessError, accessProblem, registerAccountCommands } from './account-commands';
import { ApiError, apiBaseUrl, connect, UnreachableError } from './api-client';
import { resolveToken } from './credentials';
import { BadInputError, registerModelCommands } from './model-commands';
import { sweepDetails, sweepsTable, trialsTable } from './render';
import { locateIssues, readSpecFile, SpecFileError } from './spec-file';
import { watchSweep } from './watch';

/** Exit codes: 0 done; 1 the coordinator refused the request or the sweep did not complete; 2 bad usage or file; 3 coordinator unreachable; 4 not signed in or not allowed. */
export const EXIT = { ok: 0, refused: 1, badInput: 2, unreachable: 3, notAllowed: 4 } as const;

const DEFAULT_API = 'http://127.0.0.1:3000';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return n;
}

function program(): Command {
  const cli = new Command('tuneforge')
    .description('Submit and follow Tuneforge hyperparameter sweeps')
    .option('--api <url>', 'coordinator URL (env TUNEFORGE_API)', process.env.TUNEFORGE_API ?? DEFAULT_API)
    .option('--token <token>', 'API token (else TUNEFORGE_TOKEN, else the one `tuneforge login` stored for this coordinator)')
    .showHelpAfterError()
    .exitOverride();
  const apiUrl = () => apiBaseUrl(cli.opts<{ api: string }>().api);
  const tokenFlag = () => cli.opts<{ token?: string }>().token;
  const api = () => connect(apiUrl(), resolveToken(tokenFlag(), apiUrl())?.token ?? '');
  const follow = async (id: string, trialLines: boolean, intervalMs: number) => {
    const sweep = await watchSweep(api(), id, { trialLines, intervalMs, out: process.stderr });
    console.log(sweepDetails(sweep));
    if (sweep.status !== 'completed') process.exitCode = EXIT.refused;
  };

  cli
    .command('submit')
    .description('validate a sweep file (YAML or JSON) and submit it')
    .argument('<file>', 'sweep spec, e.g. examples/births-lstm.yaml')
    .option('-w, --watch', 'follow the sweep until it ends')
    .option('--interval <ms>', 'poll interval while watching', positiveInt, 1_000)
    .option('-p, --project <project>', 'the project to create it in (name or id; needed when you may create in several)')
    .action(async (file: string, options: { watch?: boolean; interval: number; project?: string }) => {
      const spec = readSpecFile(file);
      let sweep: SweepDto;
      try {
        sweep = await api().createSweep({ body: spec.text, query: { project: options.project } });
      } catch (error) {
        if (error instanceof ApiError && error.issues.length > 0) throw new SpecFileError(file, locateIssues(file, spec.text, error.issues));
        throw error;
      }
      console.log(`submitted sweep ${sweep.id} '${sweep.name}': ${sweep.plannedTrials} trials, ${sweep.algorithm} search, ${sweep.objective.direction} ${sweep.objective.metric}`);
      if (options.watch) await follow(sweep.id, false, options.interval);
    });

  cli
    .command('status')
    .description('one sweep in detail, or the most recent sweeps')
    .argument('[id]', 'sweep id')
    .option('-n, --limit <n>', 'how many sweeps to list', positiveInt, 20)
    .action(async (id: string | undefined, options: { limit: number }) => {
      if (id) console.log(sweepDetails(await api().getSweep({ id })));
      else {
        const page = await api().listSweeps({ query: { limit: options.limit } });
        console.log(page.items.length > 0 ? sweepsTable(page.items) : 'no sweeps yet');
      }
    });

  cli
    .command('trials')
    .description("a sweep's leaderboard, best first")
    .argument('<id>', 'sweep id')
    .option('-t, --top <n>', 'how many trials (at most 500 a page)', positiveInt, 10)
    .option('--after <cursor>', 'the page after the one that printed this cursor (read in index order, however deep)')
    .action(async (id: string, options: { top: number; after?: string }) => {
      const sweep = await api().getSweep({ id });
      const limit = Math.min(options.top, 500);
      const page = await api().listTrials({ id, query: { sort: 'objective', limit, after: options.after } });
      console.log(trialsTable(page.items, sweep.objective.metric, page.offset));
      console.log(`${page.items.length === 0 ? 'none' : `${page.offset + 1}-${page.offset + page.items.length}`} of ${page.total} trials`);
      if (page.nextCursor) console.log(`next: tuneforge trials ${id} --top ${limit} --after ${page.nextCursor}`);
    });

  for (const action of ['cancel', 'pause', 'resume'] as const) {
    cli
      .command(action)
      .description(`${action} a sweep`)
      .argument('<id>', 'sweep id')
      .action(async (id: string) => {
        const sweep = action === 'cancel' ? (await api().cancelSweep({ id })).sweep : await api()[`${action}Sweep`]({ id });
        console.log(`sweep ${sweep.id} is ${sweep.status}`);
      });
  }

  for (const [kind, description] of [
    ['sweep', 'delete a sweep that has ended, with its trials, metrics and checkpoints'],
    ['dataset', 'delete an uploaded dataset that no running or paused sweep uses'],
  ] as const) {
    cli
      .command(`delete-${kind}`)
      .description(description)
      .argument('<id>', `${kind} id`)
      .action(async (id: string) => {
        await (kind === 'sweep' ? api().deleteSweep({ id }) : api().deleteDataset({ id }));
        console.log(`${kind} ${id} deleted`);
      });
  }

  for (const [name, trialLines, description] of [
    ['watch', false, 'follow a sweep with a progress bar and the best value so far'],
    ['logs', true, 'follow a sweep, printing each trial as it ends and why'],
  ] as const) {
    cli
      .command(name)
      .description(description)
      .argument('<id>', 'sweep id')
      .option('--interval <ms>', 'poll interval', positiveInt, 1_000)
      .action((id: string, options: { interval: number }) => follow(id, trialLines, options.interval));
  }
  registerModelCommands(cli, api);
  registerAccountCommands(cli, { api, apiUrl, tokenFlag });
  return cli;
}

async function main(argv: string[]): Promise<number> {
  try {
    await program().parseAsync(argv);
    return Number(process.exitCode ?? EXIT.ok);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    if (error instanceof SpecFileError) {
      console.error(error.message);
      return EXIT.badInput;
    }
    if (error instanceof BadInputError) {
      console.error(`error: ${error.message}`);
      return EXIT.badInput;
    }
    if (error instanceof UnreachableError) {
      console.error(`error: ${error.message}; start it or point --api / TUNEFORGE_API at it`);
      return EXIT.unreachable;
    }
    const notAllowed = error instanceof AccessError ? error.message : accessProblem(error);
    if (notAllowed) {
      console.error(`error: ${notAllowed}`);
      return EXIT.notAllowed;
    }
    if (error instanceof ApiError) {
      console.error(`error: ${error.message}${error.issues.map((i) => `\n  ${i.path || '(request)'}: ${i.message}`).join('')}`);
      return EXIT.refused;
    }
    console.error(`error: ${(error as Error).stack ?? String(error)}`);
    return EXIT.refused;
  }
}

void main(process.argv).then((code) => process.exit(code));
