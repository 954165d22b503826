import { scenarioJsonSchema } from '../../scenario/schema.js';
import { EXIT } from '../exit-codes.js';
import { write, type CliIO } from '../io.js';

/** `sim schema`: the JSON Schema of scenario files on stdout (for editors: yaml-language-server, VS Code). */
export async function schemaCommand(io: CliIO): Promise<number> {
  await write(io.stdout, `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
  return EXIT.ok;
}
