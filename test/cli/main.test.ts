import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

/** The CLI in this process: exit code and what it wrote. */
async function sim(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await main(args, { stdout, stderr });
  return { code, stdout: out, stderr: err };
}

describe('flashsim: option values that start with a dash', () => {
  it('reach the option and get its own message, instead of being read as short flags', async () => {
    // yargs alone reads "-5%" as the flags -5 and -%: "Unknown arguments: 5, %".
    const r = await sim(['compare', 'a', 'b', '--max-regression', '-5%']);
    expect(r).toMatchObject({
      code: 2,
      stderr: 'flashsim: --max-regression: expected a percentage such as 10% or a fraction such as 0.1 (got "-5%")\n',
    });
    const users = await sim(['run', 'scenarios/smoke.yaml', '--users', '-5']);
    expect(users).toMatchObject({
      code: 2,
      stderr: 'flashsim: --users: expected a positive whole number such as 10000, 10k or 1M (got "-5")\n',
    });
  });
});
