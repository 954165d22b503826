/**
 * `npm run bench`: runs the benchmark sections in one process and prints
 * their figures, or with `--json` one JSON document:
 * `{ <each section's keys>, node, machine, options }` — for the kernel
 * section `kernel`, `queue`, `reference`, `ratios` and `target`; for the
 * seed section `seed`; `peer`, `orders`, `storm` and `largeStock` for the others.
 *
 *   npm run bench -- [--json] [--only kernel[,peer][,seed][,orders][,storm][,large-stock]] [--rounds 5] [--scale 1] [--list]
 *
 * To add a benchmark: write bench/<name>.ts exporting a {@link BenchSection}
 * and list it in SECTIONS below (and in OPT_IN if it takes minutes).
 */
import os from 'node:os';
import { kernelSection } from './kernel.js';
import { largeStockSection } from './large-stock.js';
import { ordersSection } from './orders.js';
import { peerSection } from './peer.js';
import type { BenchOptions, BenchSection } from './section.js';
import { seedSection } from './seed.js';
import { stormSection } from './storm.js';

const SECTIONS: BenchSection[] = [kernelSection, peerSection, seedSection, ordersSection, stormSection, largeStockSection];
/** Sections that take minutes: run only when named with --only. */
const OPT_IN = new Set(['storm', 'large-stock']);

const USAGE = `usage: npm run bench -- [options]
  --json            print one JSON document instead of text
  --only <names>    run only these sections (comma-separated; repeatable)
  --rounds <n>      timed rounds per measurement, median reported (default 5)
  --scale <x>       work per round relative to the default (default 1)
  --list            list the sections and exit
sections: ${SECTIONS.map((s) => s.name + (OPT_IN.has(s.name) ? ' (opt-in: only with --only)' : '')).join(', ')}`;

interface Arguments {
  json: boolean;
  only: string[];
  rounds: number;
  scale: number;
  list: boolean;
}

function parseArguments(argv: string[]): Arguments {
  const parsed: Arguments = { json: false, only: [], rounds: 5, scale: 1, list: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--json':
        parsed.json = true;
        break;
      case '--only':
        parsed.only.push(...value().split(',').filter(Boolean));
        break;
      case '--rounds': {
        const v = Number(value());
        if (!Number.isInteger(v) || v < 1) throw new Error(`--rounds expects a positive integer, got ${v}`);
        parsed.rounds = v;
        break;
      }
      case '--scale': {
        const v = Number(value());
        if (!(v > 0)) throw new Error(`--scale expects a positive number, got ${v}`);
        parsed.scale = v;
        break;
      }
      case '--list':
        parsed.list = true;
        break;
      case '--help':
      case '-h':
        process.stdout.write(USAGE + '\n');
        return process.exit(0);
      default:
        throw new Error(`unknown option ${argv[i]}`);
    }
  }
  return parsed;
}

/** The host, for reading figures from different machines side by side. */
interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  platform: string;
  arch: string;
  loadAverage: number[];
}

function machine(): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: `${os.platform()} ${os.release()}`,
    arch: os.arch(),
    loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

async function main(): Promise<number> {
  let args: Arguments;
  try {
    args = parseArguments(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args.list) {
    for (const s of SECTIONS) process.stdout.write(`${s.name.padEnd(10)} ${s.description}\n`);
    return 0;
  }
  const unknown = args.only.filter((name) => !SECTIONS.some((s) => s.name === name));
  if (unknown.length > 0) {
    process.stderr.write(`unknown section(s): ${unknown.join(', ')}\n${USAGE}\n`);
    return 2;
  }
  const selected = args.only.length > 0 ? SECTIONS.filter((s) => args.only.includes(s.name)) : SECTIONS.filter((s) => !OPT_IN.has(s.name));
  const options: BenchOptions = {
    rounds: args.rounds,
    scale: args.scale,
    log: (message) => process.stderr.write(`${message}\n`),
  };
  const document: Record<string, unknown> = {};
  const text: string[] = [];
  for (const section of selected) {
    const result = await section.run(options);
    Object.assign(document, result.json);
    text.push(...result.lines, '');
  }
  const node = process.version;
  if (args.json) {
    Object.assign(document, { node, machine: machine(), options: { rounds: args.rounds, scale: args.scale } });
    process.stdout.write(JSON.stringify(document, null, 2) + '\n');
  } else {
    const m = machine();
    text.push(`node ${node} on ${m.cpu} (${m.cores} cores, ${m.memoryGiB} GiB), load ${String(m.loadAverage)}`);
    process.stdout.write(text.join('\n') + '\n');
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 70;
  },
);
