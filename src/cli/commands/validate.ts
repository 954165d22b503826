import { ScenarioError } from '../../errors.js';
import { validateScenario } from '../../app/prepare.js';
import { EXIT } from '../exit-codes.js';
import { write, type CliIO } from '../io.js';
import { errorText } from '../messages.js';

/** `sim validate`'s arguments, as yargs parsed them. */
export interface ValidateArgs {
  /** Scenario files to check. */
  scenarios: string[];
  /** `--set path=value` assignments to check along. */
  set?: string[];
  /** Errors only. */
  quiet: boolean;
}

/**
 * `sim validate`: checks every file (all of them, even after a bad one) as
 * `sim run` would, strategies and thresholds included. Prints
 * `ok <file> (N strategies)` per good file on stdout and every problem of
 * the bad ones on stderr; exit 0 when all are valid, else 2.
 */
export async function validateCommand(args: ValidateArgs, io: CliIO): Promise<number> {
  let code: number = EXIT.ok;
  for (const file of args.scenarios) {
    try {
      const { strategies } = validateScenario(file, args.set ? { set: args.set } : {});
      if (!args.quiet) {
        await write(io.stdout, `ok ${file} (${strategies.length} ${strategies.length === 1 ? 'strategy' : 'strategies'})\n`);
      }
    } catch (error) {
      if (!(error instanceof ScenarioError)) throw error;
      await write(io.stderr, errorText(error.message));
      code = EXIT.usage;
    }
  }
  return code;
}
