// `yaml` is the heaviest module the CLI loads (about a third of its start-up time), so only the commands
// that read or write YAML load it: `flagstaff off` in an incident does not wait for a YAML parser.
import type * as Yaml from 'yaml';

export const loadYaml = (): Promise<typeof Yaml> => import('yaml');

/** YAML with lists of plain values on one line (`weights: [75000, 25000]`): shorter files, one-line diffs. */
export function compactYaml(yaml: typeof Yaml, value: unknown): string {
  const document = new yaml.Document(value, { aliasDuplicateObjects: false });
  yaml.visit(document, {
    Seq(_key, node) {
      if (node.items.every((item) => yaml.isScalar(item))) node.flow = true;
    },
  });
  return document.toString({ lineWidth: 0, flowCollectionPadding: false });
}
