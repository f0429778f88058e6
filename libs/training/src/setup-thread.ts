import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { noteThirdPartyOutput, withoutLogContext } from '@tuneforge/logging';
import type { SetupJobs } from './setup.thread';

export type SetupJob = keyof SetupJobs;
export type SetupRequest<J extends SetupJob> = Parameters<SetupJobs[J]>[0];
export type SetupAnswer<J extends SetupJob> = ReturnType<SetupJobs[J]>['answer'];

/** A message to the setup thread, and its answer: the job's result, or its error's name and message. */
export interface SetupMessage {
  id: number;
  job: SetupJob;
  request: unknown;
}
export type SetupReply = { id: number } & ({ answer: unknown } | { error: { name: string; message: string; stack?: string } });

// A TypeScript file: the thread inherits the process's `-r ./tools/register.js` (its execArgv), as the
// tests, `npm run worker` and the worker images start node.
const THREAD = join(__dirname, 'setup.thread.ts');
/** An idle thread ends after this long (it holds a tfjs runtime, and a wasm heap at its high-water mark). */
const IDLE_MS = 30_000;

interface Waiting {
  resolve(answer: unknown): void;
  reject(error: Error): void;
}

interface Running {
  thread: Worker;
  waiting: Map<number, Waiting>;
  idle?: NodeJS.Timeout;
}

/**
 * The setup work of a trial that would block the event loop for seconds (seeded initialisers, dataset
 * windowing), on one worker thread: started on the first job (starting it and loading tfjs there costs
 * about a second), running jobs in turn. It does not keep the process alive while idle and ends after
 * IDLE_MS without jobs; a thread that dies fails its waiting jobs, and the next job starts another.
 */
class SetupThread {
  private running?: Running;
  private nextId = 0;

  run<J extends SetupJob>(job: J, request: SetupRequest<J>): Promise<SetupAnswer<J>> {
    const running = this.running ?? this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      clearTimeout(running.idle);
      running.waiting.set(id, { resolve: resolve as (answer: unknown) => void, reject });
      running.thread.ref();
      running.thread.postMessage({ id, job, request } satisfies SetupMessage);
    });
  }

  private start(): Running {
    const running: Running = { thread: new Worker(THREAD, { stdout: true, stderr: true }), waiting: new Map() };
    logLinesOf(running.thread.stdout, 'log');
    logLinesOf(running.thread.stderr, 'warn');
    const fail = (error: Error) => {
      if (this.running === running) this.running = undefined;
      clearTimeout(running.idle);
      for (const waiting of running.waiting.values()) waiting.reject(error);
      running.waiting.clear();
    };
    running.thread.on('message', (reply: SetupReply) => {
      const waiting = running.waiting.get(reply.id);
      running.waiting.delete(reply.id);
      if ('error' in reply) waiting?.reject(Object.assign(new Error(reply.error.message), reply.error));
      else waiting?.resolve(reply.answer);
      if (running.waiting.size > 0) return;
      running.thread.unref();
      running.idle = setTimeout(() => {
        if (this.running === running) this.running = undefined;
        void running.thread.terminate();
      }, IDLE_MS).unref();
    });
    running.thread.on('error', fail);
    running.thread.on('exit', (code) => fail(new Error(`the setup thread exited (code ${code}) before it answered`)));
    this.running = running;
    return running;
  }
}

/**
 * What the thread prints (a library's console output) goes through the process's
 * logger, once per process: a new thread after an idle one ended would print them again. The lines are
 * about the library, not about the trial whose job happened to start the thread.
 */
function logLinesOf(output: Readable, level: 'log' | 'warn'): void {
  createInterface({ input: output, crlfDelay: Infinity }).on('line', (line) => withoutLogContext(() => noteThirdPartyOutput(level, line, 'setup-thread')));
}

const setupThread = new SetupThread();

/** Runs `job` on the setup thread; the answer's typed arrays arrive transferred, not copied. */
export function runOnSetupThread<J extends SetupJob>(job: J, request: SetupRequest<J>): Promise<SetupAnswer<J>> {
  return setupThread.run(job, request);
}
