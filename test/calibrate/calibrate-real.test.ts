import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Calibration } from '../../src/calibrate/calibrate.js';
import { ensureBuilt, runCli } from '../cli/build.js';
import { freePort, MISSING_STORES, startPostgres, startRedis, storesAvailable, type RealStore } from '../helpers/real-stores.js';

/**
 * `sim calibrate stock` against a real redis-server and a real PostgreSQL,
 * started for these tests on free loopback ports (test/helpers/real-stores.ts)
 * and stopped afterwards. Small levels (1 and 8 clients), one round, a few
 * hundred takes: the checks are that racy primitives oversell for real and
 * are caught, that correct ones do not, that the files are written and that
 * nothing is left in the store, not the figures themselves.
 */

const available = storesAvailable();
if (!available) console.log(MISSING_STORES);

const LEVELS = ['--concurrency', '1,8', '--takes', '600', '--rounds', '1', '--duration', '20s'];

describe.skipIf(!available)('sim calibrate stock against real stores', () => {
  let redis: RealStore | undefined;
  let postgres: RealStore | undefined;
  let work: string;

  beforeAll(async () => {
    ensureBuilt();
    work = mkdtempSync(join(tmpdir(), 'flashsim-calibrate-'));
    [redis, postgres] = await Promise.all([startRedis(), startPostgres()]);
  });
  afterAll(async () => {
    await Promise.all([redis?.stop(), postgres?.stop()]);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  async function redisKeys(): Promise<string[]> {
    const client = new Redis(redis!.url, { lazyConnect: true });
    await client.connect();
    try {
      return await client.keys('flashsim:calibrate:*');
    } finally {
      client.disconnect();
    }
  }

  async function postgresTables(): Promise<string[]> {
    const client = new pg.Client({ connectionString: postgres!.url });
    await client.connect();
    try {
      const r = await client.query<{ tablename: string }>(`SELECT tablename FROM pg_tables WHERE tablename LIKE 'flashsim_calibrate_%'`);
      return r.rows.map((x) => x.tablename);
    } finally {
      await client.end();
    }
  }

  function checkCalibration(c: Calibration, racy: string, correct: string[]): void {
    for (const id of correct) {
      const rows = c.levels.filter((l) => l.primitive === id);
      expect(rows.map((r) => r.concurrency)).toEqual([1, 8]);
      for (const r of rows) {
        expect(r.audit.oversell, `${id} ×${r.concurrency}`).toBe(0);
        expect(r.audit.passed, `${id} ×${r.concurrency}: ${JSON.stringify(r.audit.invariants)}`).toBe(true);
        expect(r.measured.sold).toBe(r.audit.initial);
        expect(r.measured.throughput).toBeGreaterThan(0);
        expect(r.predicted.throughput).toBeGreaterThan(0);
      }
      const p = c.primitives.find((x) => x.id === id)!;
      expect(p.auditPassed).toBe(true);
      expect(c.maxThroughputError[id]).toBe(p.maxThroughputError);
      expect(p.scenario.service).toMatch(/^\d+(\.\d+)?(us|ms)$/);
    }
    const caught = c.levels.find((l) => l.primitive === racy && l.concurrency === 8)!;
    expect(caught.audit.oversell, 'the racy primitive oversold for real at 8 clients').toBeGreaterThan(0);
    expect(caught.audit.passed).toBe(false);
    expect(caught.measured.sold - caught.audit.initial).toBe(caught.audit.oversell);
    expect(caught.audit.invariants.find((i) => i.name === 'no-oversell')!.passed).toBe(false);
    expect(c.primitives.find((p) => p.id === racy)!.correct).toBe(false);
  }

  function checkFiles(dir: string): Calibration {
    for (const f of ['calibration.json', 'calibration.md', 'calibration.png', 'scenario-fragment.yaml'])
      expect(existsSync(join(dir, f)), f).toBe(true);
    expect(readFileSync(join(dir, 'scenario-fragment.yaml'), 'utf8')).toMatch(
      /system:\n {2}stock:\n {4}primitive: [a-z-]+\n {4}service: \S+\n {4}soldOutService: \S+\n {4}perWaiter: \S+/,
    );
    return JSON.parse(readFileSync(join(dir, 'calibration.json'), 'utf8')) as Calibration;
  }

  it('Redis: GET-then-SET oversells and is caught; Lua and WATCH/MULTI sell exactly the stock; the key is removed', async () => {
    const out = join(work, 'redis');
    const r = await runCli(['calibrate', 'stock', '--target', redis!.url, ...LEVELS, '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const printed = JSON.parse(r.stdout) as Calibration;
    const written = checkFiles(out);
    expect(printed).toEqual(written);
    checkCalibration(written, 'get-set', ['lua', 'watch-multi']);
    expect(written.target.objectName).toMatch(/^flashsim:calibrate:/);
    expect(await redisKeys()).toEqual([]);
  });

  it('PostgreSQL: SELECT-then-UPDATE oversells and is caught; the row-lock primitives do not; the table is dropped', async () => {
    const out = join(work, 'postgres');
    const r = await runCli(['calibrate', 'stock', '--target', postgres!.url, ...LEVELS, '--out', out, '--hold-out']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('select-update');
    const written = checkFiles(out);
    checkCalibration(written, 'select-update', ['update', 'select-for-update']);
    // --hold-out: fitted on the lowest level only, judged at the other.
    for (const p of written.primitives) {
      expect(p.holdOut?.fittedOn).toEqual([1]);
      expect(Object.keys(p.holdOut?.throughputError ?? {})).toEqual(['8']);
      expect(p.holdOut?.maxThroughputError).toBeGreaterThanOrEqual(0);
    }
    expect(await postgresTables()).toEqual([]);
  });

  it('drops its table when a level fails (more clients than the server accepts)', async () => {
    const r = await runCli(['calibrate', 'stock', '--target', postgres!.url, '--concurrency', '1,400', '--out', join(work, 'refused')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--concurrency: the store accepts about \d+ more connections/);
    expect(existsSync(join(work, 'refused', 'calibration.json'))).toBe(false);
    expect(await postgresTables()).toEqual([]);
  });

  it('on SIGTERM stops, writes nothing, removes its key and exits 143', async () => {
    const out = join(work, 'terminated');
    let sent = false;
    const r = await runCli(
      ['calibrate', 'stock', '--target', redis!.url, '--concurrency', '2,4', '--takes', '200000', '--rounds', '4', '--out', out],
      {
        onStderr: (text, child) => {
          if (!sent && text.includes('round 1/4')) {
            sent = true;
            child.kill('SIGTERM');
          }
        },
      },
    );
    expect(sent).toBe(true);
    expect(r.code).toBe(143);
    expect(r.stderr).toContain('terminated; nothing was written');
    expect(existsSync(out)).toBe(false);
    expect(await redisKeys()).toEqual([]);
  });
});

describe('sim calibrate stock refuses targets beyond loopback', () => {
  beforeAll(() => ensureBuilt());
  it.each(['redis://10.0.0.1:6379', 'postgresql://app@db.example.com:5432/shop', 'redis://0.0.0.0:6379'])(
    '%s: exit 2, nothing connects',
    async (url) => {
      const r = await runCli(['calibrate', 'stock', '--target', url, '--out', join(tmpdir(), 'flashsim-never-written')]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/is not a loopback address/);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    },
  );

  it('a loopback port where nothing listens: exit 2 naming the target and why', async () => {
    const port = await freePort();
    const r = await runCli([
      'calibrate',
      'stock',
      '--target',
      `redis://127.0.0.1:${port}`,
      '--out',
      join(tmpdir(), 'flashsim-never-written'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--target redis://127.0.0.1:${port}: cannot connect: connect ECONNREFUSED`);
  });
});
