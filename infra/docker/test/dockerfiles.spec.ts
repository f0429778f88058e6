import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { validate, ValidationSeverity } from 'dockerfile-utils';

const DOCKER_DIR = join(__dirname, '..');
const REPO_ROOT = join(DOCKER_DIR, '../..');
const ROOT_PACKAGE = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
const TFJS_VERSION: string = ROOT_PACKAGE.dependencies['@tensorflow/tfjs'];

/** Every check of dockerfile-utils (the linter of VS Code's Docker support) as an error. */
const LINT_SETTINGS = Object.fromEntries(
  [
    'deprecatedMaintainer', 'directiveCasing', 'emptyContinuationLine', 'instructionCasing', 'instructionCmdMultiple',
    'instructionEntrypointMultiple', 'instructionHealthcheckMultiple', 'instructionJSONInSingleQuotes', 'instructionWorkdirRelative',
  ].map((setting) => [setting, ValidationSeverity.ERROR]),
);

interface Stage {
  name?: string;
  image: string;
  instructions: Instruction[];
}

/** The build stages of a Dockerfile, FROM images resolved against the ARGs declared before the first FROM. */
function stagesOf(content: string): Stage[] {
  const dockerfile = DockerfileParser.parse(content);
  const args = new Map<string, string>();
  for (const arg of dockerfile.getInitialARGs()) {
    const property = arg.getProperty();
    if (!property) throw new Error(`an ARG before the first FROM names no variable: ${arg.getTextContent()}`);
    args.set(property.getName(), property.getValue() ?? '');
  }
  const resolve = (text: string) => text.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, braced, bare) => args.get(braced ?? bare) ?? `<unset ${braced ?? bare}>`);
  const stages: Stage[] = [];
  let current: Stage | undefined;
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      const [image, as, name] = instruction.getArguments().map((a) => a.getValue());
      current = { image: resolve(image), name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] };
      stages.push(current);
    } else current?.instructions.push(instruction);
  }
  return stages;
}

/** The stage the image is made of: the last one. */
function finalStage(stages: Stage[]): Stage {
  const final = stages.at(-1);
  if (!final) throw new Error('the Dockerfile has no FROM');
  return final;
}

const keyword = (stage: Stage, name: string) => stage.instructions.filter((i) => i.getKeyword() === name);
const jsonArgs = (instruction: Instruction) =>
  (instruction as unknown as { getJSONStrings(): { getValue(): string }[] }).getJSONStrings().map((s) => JSON.parse(s.getValue()) as string);
/** The stage a COPY copies from (--from=), if any. */
const copyFrom = (instruction: Instruction) =>
  (instruction as unknown as { getFlags(): { getName(): string; getValue(): string | null }[] }).getFlags().find((f) => f.getName() === 'from')?.getValue() ?? undefined;
const runText = (stage: Stage) => keyword(stage, 'RUN').map((i) => i.getArgumentsContent() ?? '');

const IMAGES = {
  'coordinator.Dockerfile': { entry: 'apps/coordinator/src/main.ts', health: '/api/v1/health' },
  'worker-gpu.Dockerfile': { entry: 'apps/worker/src/main.ts', health: '/livez' },
  'worker-cpu.Dockerfile': { entry: 'apps/worker/src/main.ts', health: '/livez' },
} as const;

for (const [file, expected] of Object.entries(IMAGES)) {
  describe(`infra/docker/${file}`, () => {
    const content = readFileSync(join(DOCKER_DIR, file), 'utf8');
    const stages = stagesOf(content);
    const final = finalStage(stages);

    it('passes the dockerfile-utils linter with every check an error', () => {
      assert.deepEqual(validate(content, LINT_SETTINGS).map((d) => `line ${d.range.start.line + 1}: ${d.message}`), []);
    });

    it('pins every base image to a version tag (no latest, no untagged image)', () => {
      const stageNames = new Set(stages.map((s) => s.name));
      for (const { image } of stages) {
        if (stageNames.has(image)) continue;
        assert.doesNotMatch(image, /<unset/, `FROM ${image} uses an ARG without a default`);
        const tag = image.slice(image.lastIndexOf('/') + 1).split(':')[1];
        assert.ok(tag && tag !== 'latest', `FROM ${image} is not pinned`);
      }
    });

    it('is multi-stage: the final stage copies built files from an earlier stage and builds nothing itself', () => {
      assert.ok(stages.length >= 2);
      const copiesFrom = keyword(final, 'COPY').map(copyFrom).filter((from) => from !== undefined);
      assert.ok(copiesFrom.length > 0, 'the final stage copies nothing from a build stage');
      for (const from of copiesFrom) assert.ok(stages.some((s) => s.name === from) || /[:/]/.test(from), `COPY --from=${from} names no stage`);
      assert.ok(!runText(final).some((run) => /npm (ci|install)|build-essential/.test(run)), 'the final stage installs dependencies or compilers itself');
    });

    it('installs only production npm dependencies into what the final stage runs', () => {
      const installs = stages.flatMap((stage) => runText(stage).filter((run) => /npm ci/.test(run)).map((run) => ({ stage: stage.name, run })));
      assert.ok(installs.some(({ run }) => /npm ci --omit=dev/.test(run)), 'no npm ci --omit=dev');
      const appCopy = keyword(final, 'COPY').find((c) => c.getArguments().at(-1)?.getValue() === '/app');
      const source = appCopy && copyFrom(appCopy);
      assert.ok(source, 'the final stage does not copy /app from a stage');
      const sourceStage = stages.find((s) => s.name === source);
      assert.ok(sourceStage, `/app comes from stage ${source}, which the Dockerfile does not define`);
      assert.ok(runText(sourceStage).some((run) => /npm ci --omit=dev/.test(run)), `/app comes from stage ${source}, which has dev dependencies`);
    });

    it('uses apt-get without recommended packages and leaves no package lists behind', () => {
      for (const stage of stages) {
        for (const run of runText(stage).filter((r) => /apt-get install/.test(r))) {
          assert.match(run, /--no-install-recommends/, `stage ${stage.name}: ${run}`);
          assert.match(run, /rm -rf \/var\/lib\/apt\/lists\/\*/, `stage ${stage.name}: ${run}`);
          assert.match(run, /apt-get install -y/, `stage ${stage.name}: ${run}`);
        }
        assert.equal(keyword(stage, 'ADD').length, 0, 'COPY, not ADD');
      }
    });

    it('runs as a non-root user, under tini, in exec form, with a health check', () => {
      const user = keyword(final, 'USER').at(-1)?.getArgumentsContent();
      assert.ok(user && !/^(root|0)(:|$)/.test(user), `the final USER is ${user ?? 'root (none set)'}`);
      // Numeric, so that Kubernetes can tell it is not root (runAsNonRoot) and the pods' runAsUser can match it.
      assert.match(user, /^[1-9]\d*:[1-9]\d*$/, `the final USER ${user} is not a numeric uid:gid`);
      const [entrypoint] = keyword(final, 'ENTRYPOINT');
      assert.deepEqual(jsonArgs(entrypoint), ['/usr/bin/tini', '--'], 'tini is PID 1, forwarding SIGTERM to node');
      assert.ok(runText(final).some((run) => /apt-get install[^&]*\btini\b/.test(run)), 'the final stage installs tini');
      const command = jsonArgs(keyword(final, 'CMD')[0]);
      assert.deepEqual(command, ['node', '-r', './tools/register.js', expected.entry]);
      for (const path of command.slice(2)) assert.ok(existsSync(join(REPO_ROOT, path)), `CMD runs ${path}, which does not exist`);
      const [healthcheck] = keyword(final, 'HEALTHCHECK');
      assert.ok(healthcheck, 'no HEALTHCHECK');
      assert.match(healthcheck.getArgumentsContent() ?? '', new RegExp(`CMD \\["node", "-e", ".*${expected.health.replace(/\//g, '\\/')}`));
    });

    it('has a .dockerignore beside it that keeps node_modules, git and build output out of the context', () => {
      const ignore = join(DOCKER_DIR, `${file}.dockerignore`);
      assert.ok(existsSync(ignore), `${ignore} is missing`);
      const patterns = readFileSync(ignore, 'utf8').split('\n').map((line) => line.trim());
      for (const pattern of ['.git', '**/node_modules', '**/dist', 'tmp', '.env']) assert.ok(patterns.includes(pattern), `${file}.dockerignore lacks ${pattern}`);
      for (const needed of ['package.json', 'package-lock.json', 'tools', 'tsconfig.base.json', 'apps', 'libs']) {
        assert.ok(!patterns.includes(needed), `${file}.dockerignore excludes ${needed}, which the build needs`);
      }
    });
  });
}

describe('worker images match their TensorFlow.js bindings', () => {
  it(`GPU: installs @tensorflow/tfjs-node-gpu@${TFJS_VERSION} (the workspace's tfjs) on CUDA 11.2 with cuDNN 8, which its libtensorflow needs`, () => {
    const stages = stagesOf(readFileSync(join(DOCKER_DIR, 'worker-gpu.Dockerfile'), 'utf8'));
    const final = finalStage(stages);
    assert.match(final.image, /^nvidia\/cuda:11\.2\.\d+-cudnn8-runtime-ubuntu20\.04$/);
    assert.ok(runText(stages[0]).some((run) => run.includes(`@tensorflow/tfjs-node-gpu@${TFJS_VERSION}`)));
    // Native addons built in the first stage must load on the final one: same glibc (Debian 11 and Ubuntu 20.04: 2.31).
    assert.match(stages[0].image, /-bullseye/);
    assert.ok(runText(stages[0]).some((run) => /build-essential/.test(run) && /python3/.test(run) && /libopenblas-dev/.test(run)));
    assert.ok(runText(final).some((run) => /libopenblas0/.test(run)));
    assert.ok(keyword(final, 'ENV').some((env) => /TF_BACKEND=tfjs-node-gpu/.test(env.getArgumentsContent() ?? '')));
  });

  it(`CPU: installs @tensorflow/tfjs-node@${TFJS_VERSION}`, () => {
    const stages = stagesOf(readFileSync(join(DOCKER_DIR, 'worker-cpu.Dockerfile'), 'utf8'));
    const final = finalStage(stages);
    assert.ok(runText(stages[0]).some((run) => run.includes(`@tensorflow/tfjs-node@${TFJS_VERSION}`)));
    assert.ok(runText(stages[0]).some((run) => /build-essential/.test(run) && /python3/.test(run) && /libopenblas-dev/.test(run)));
    assert.ok(runText(final).some((run) => /libopenblas0/.test(run)));
    assert.ok(keyword(final, 'ENV').some((env) => /TF_BACKEND=tfjs-node\b/.test(env.getArgumentsContent() ?? '')));
  });
});
