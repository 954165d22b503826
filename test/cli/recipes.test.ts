import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parse } from 'yaml';
import { prepareSweep } from '../../src/app/sweep.js';
import { INDEX_VARIABLES } from '../../src/cli/shard-option.js';
import { ROOT } from './build.js';

/*
 * The scale-out recipes of docs/scale-out.md are files (docs/recipes/): each
 * is parsed here and checked for what makes it work: the index variable the
 * engine sets, N the same in the engine's job count and in the command, the
 * merge after every shard, and a shard command this flashsim accepts (its
 * sweep is prepared, not run).
 */

const recipe = (name: string): string => readFileSync(join(ROOT, 'docs/recipes', name), 'utf8');

/** The sweep options of a recipe's shard command (`... main.js sweep FILE opts`), with the scenario made repository-relative. */
function sweepOf(command: string): { file: string; options: Record<string, string[]> } {
  const words = command.trim().split(/\s+/);
  const at = words.indexOf('sweep');
  expect(at, command).toBeGreaterThan(0);
  const file = words[at + 1].replace(/^\/app\//, '');
  const options: Record<string, string[]> = {};
  for (let i = at + 2; i < words.length; i++) {
    if (!words[i].startsWith('--')) continue;
    const next = words[i + 1];
    (options[words[i].slice(2)] ??= []).push(next !== undefined && !next.startsWith('--') ? next : '');
  }
  return { file, options };
}

/** Checks that the scenario and the swept options are valid for this flashsim. */
function expectValidSweep({ file, options }: ReturnType<typeof sweepOf>): void {
  const sweep = prepareSweep(join(ROOT, file), {
    params: options.param ?? [],
    ...(options.strategy ? { strategies: options.strategy } : {}),
    ...(options.replications ? { replications: Number(options.replications[0]) } : {}),
  });
  expect(sweep.plan.tasks.length).toBeGreaterThan(0);
}

interface K8sJob {
  kind: string;
  metadata: { name: string };
  spec: {
    completionMode?: string;
    completions?: number;
    parallelism?: number;
    template: {
      spec: {
        initContainers?: Array<{ args?: string[] }>;
        containers: Array<{ command?: string[]; args?: string[]; volumeMounts?: Array<{ name: string; mountPath: string }> }>;
        volumes: Array<{ name: string; persistentVolumeClaim?: { claimName: string } }>;
      };
    };
  };
}

describe('docs/recipes/kubernetes-indexed-job.yaml', () => {
  const docs = parseAllDocuments(recipe('kubernetes-indexed-job.yaml')).map((d) => d.toJS() as K8sJob);
  const shard = docs.find((d) => d.kind === 'Job' && d.metadata.name === 'flashsim-shards')!;
  const merge = docs.find((d) => d.kind === 'Job' && d.metadata.name === 'flashsim-merge')!;
  const claim = docs.find((d) => d.kind === 'PersistentVolumeClaim')!;

  it('is an Indexed Job of N completions whose command reads JOB_COMPLETION_INDEX with --shards N', () => {
    expect(shard.spec.completionMode).toBe('Indexed');
    const n = shard.spec.completions!;
    expect(n).toBeGreaterThan(1);
    expect(shard.spec.parallelism).toBeLessThanOrEqual(n);
    const command = shard.spec.template.spec.containers[0].args!.join(' ');
    expect(command).toContain(`--shards ${n} `);
    expect(command).toContain('--out /shards/$JOB_COMPLETION_INDEX');
    expect(INDEX_VARIABLES.find((v) => v.name === 'JOB_COMPLETION_INDEX')?.base).toBe(0);
    expectValidSweep(sweepOf(command));
  });

  it('shares one ReadWriteMany volume, and the merge waits for all N shard results, then merges all N', () => {
    const n = shard.spec.completions!;
    expect((claim as unknown as { spec: { accessModes: string[] } }).spec.accessModes).toEqual(['ReadWriteMany']);
    for (const job of [shard, merge]) {
      expect(job.spec.template.spec.volumes).toEqual([{ name: 'shards', persistentVolumeClaim: { claimName: claim.metadata.name } }]);
      expect(job.spec.template.spec.containers[0].volumeMounts).toEqual([{ name: 'shards', mountPath: '/shards' }]);
    }
    const wait = merge.spec.template.spec.initContainers![0].args!.join(' ');
    expect(wait).toContain(`shard-*-of-${n}.json`);
    expect(wait).toContain(`-ge ${n}`);
    const args = merge.spec.template.spec.containers[0].args!;
    expect(args[0]).toBe('merge');
    expect(args.slice(1, 1 + n)).toEqual(Array.from({ length: n }, (_, i) => `/shards/${i}`));
    expect(args.slice(1 + n)).toEqual(['--out', '/shards/merged']);
  });
});

describe('docs/recipes/github-actions-sharded-sweep.yml', () => {
  interface Step {
    run?: string;
    uses?: string;
    with?: Record<string, string | number>;
  }
  const workflow = parse(recipe('github-actions-sharded-sweep.yml')) as {
    jobs: Record<string, { needs?: string | string[]; strategy?: { matrix: { shard: number[] } }; steps: Step[] }>;
  };
  const shard = workflow.jobs.shard;
  const merge = workflow.jobs.merge;

  it('runs a matrix of N shards, 0 to N-1, each with --shard ${{ matrix.shard }}/N, and uploads each result', () => {
    const shards = shard.strategy!.matrix.shard;
    const n = shards.length;
    expect(shards).toEqual(Array.from({ length: n }, (_, i) => i));
    const command = shard.steps.find((s) => s.run?.includes(' sweep '))!.run!;
    expect(command).toContain(`--shard \${{ matrix.shard }}/${n} `);
    expect(command).toContain('--out shards/${{ matrix.shard }}');
    expectValidSweep(sweepOf(command));
    const upload = shard.steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))!;
    expect(upload.with).toMatchObject({ name: 'flashsim-shard-${{ matrix.shard }}', path: 'shards/${{ matrix.shard }}' });
  });

  it('merges in a job that needs every shard and downloads their artifacts', () => {
    expect([merge.needs].flat()).toContain('shard');
    const download = merge.steps.find((s) => s.uses?.startsWith('actions/download-artifact@'))!;
    expect(download.with).toMatchObject({ pattern: 'flashsim-shard-*', path: 'shards' });
    expect(merge.steps.some((s) => /main\.js merge shards\/\* --out merged$/.test(s.run ?? ''))).toBe(true);
  });
});

describe('docs/recipes/aws-batch-*', () => {
  const definition = parse(recipe('aws-batch-job-definition.json')) as {
    containerProperties: {
      command: string[];
      volumes: Array<{ name: string }>;
      mountPoints: Array<{ sourceVolume: string; containerPath: string }>;
    };
  };
  const script = recipe('aws-batch-array-job.sh');

  it('submits an array job of size N whose command reads AWS_BATCH_JOB_ARRAY_INDEX with --shards N', () => {
    const n = Number(/--array-properties size=(\d+)/.exec(script)![1]);
    expect(n).toBeGreaterThan(1);
    const command = definition.containerProperties.command.join(' ');
    expect(command).toContain(`--shards ${n} `);
    expect(command).toContain('--out /shards/$AWS_BATCH_JOB_ARRAY_INDEX');
    expect(definition.containerProperties.mountPoints).toEqual([{ sourceVolume: 'shards', containerPath: '/shards', readOnly: false }]);
    expectValidSweep(sweepOf(command));
  });

  it('submits the merge depending on the array job, merging all N', () => {
    const n = Number(/--array-properties size=(\d+)/.exec(script)![1]);
    expect(script).toMatch(/SHARDS=\$\(aws batch submit-job [^)]*--array-properties size=\d+[^)]*--query jobId --output text\)/);
    expect(script).toContain('--depends-on jobId="$SHARDS"');
    const overrides = JSON.parse(/--container-overrides '([^']*)'/.exec(script)![1]) as { command: string[] };
    const at = overrides.command.indexOf('merge');
    expect(overrides.command.slice(at + 1)).toEqual([...Array.from({ length: n }, (_, i) => `/shards/${i}`), '--out', '/shards/merged']);
  });
});
