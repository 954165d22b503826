/**
 * How the command line names itself and words its errors, in one place.
 *
 * Every error, warning and note on stderr is one or more lines of the form
 * `flashsim: <subject>: <message>`, where the subject says what is wrong:
 * `file:line:col key.path` for a scenario value, `--option` or
 * `--set key.path` for the command line, a path for a file or directory.
 * A scenario with several problems gives one such line per problem, so
 * each can be grepped and an editor's problem matcher can find the
 * location after the prefix.
 */
import { closest } from '../scenario/paths.js';

/** The command's name: the package's main bin (`sim` is kept as an alias bin). */
export const PROGRAM = 'flashsim';

/** Prefixes every line of `message` with `flashsim: `. */
export function errorText(message: string): string {
  return `${message
    .split('\n')
    .map((line) => `${PROGRAM}: ${line}`)
    .join('\n')}\n`;
}

/** " (see flashsim run --help)". */
export function seeHelp(command: string): string {
  return ` (see ${PROGRAM} ${command ? `${command} ` : ''}--help)`;
}

/** "; did you mean --strategy?" when `typed` is close to one of `known` (names without dashes), else "". */
export function didYouMean(typed: string, known: readonly string[], dashes = '--'): string {
  const near = closest(typed, known);
  return near !== undefined ? `; did you mean ${dashes}${near}?` : '';
}
