/**
 * The YAML dialect of scenario files: YAML 1.2 (core schema) plus two
 * conveniences — integers may group digits with underscores
 * (`count: 1_000_000`, as in YAML 1.1), and `<<: *anchor` merge keys work,
 * so strategies and blocks can share settings. Duplicate keys are errors.
 */
import type { DocumentOptions, ParseOptions, SchemaOptions, ScalarTag } from 'yaml';

const intWithUnderscores: ScalarTag = {
  tag: 'tag:yaml.org,2002:int',
  default: true,
  test: /^[-+]?[0-9][0-9_]*[0-9]$/,
  resolve: (text: string) => Number(text.replace(/_/g, '')),
};

/** Options for `parseDocument` / `parse` of scenario text and `--set` values. */
export function yamlOptions(): ParseOptions & DocumentOptions & SchemaOptions {
  return { customTags: [intWithUnderscores], merge: true, uniqueKeys: true, prettyErrors: false };
}
