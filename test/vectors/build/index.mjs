// Writes the shared vector files (../*.json) from the theme modules beside this file:
//   node test/vectors/build/index.mjs           write them
//   node test/vectors/build/index.mjs --check   exit 1 if a committed file differs from what would be written
// Each theme states its expectations by hand; only buckets are computed (dsl.mjs, with murmurhash).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import attributes from './attributes.mjs';
import evaluationOrder from './evaluation-order.mjs';
import negation from './negation.mjs';
import operatorsDates from './operators-dates.mjs';
import operatorsNumbers from './operators-numbers.mjs';
import operatorsSemver from './operators-semver.mjs';
import operatorsText from './operators-text.mjs';
import rollouts from './rollouts.mjs';
import segments from './segments.mjs';
import targets from './targets.mjs';
import typesAndErrors from './types-and-errors.mjs';
import unicode from './unicode.mjs';

const files = [
  attributes,
  evaluationOrder,
  negation,
  operatorsDates,
  operatorsNumbers,
  operatorsSemver,
  operatorsText,
  rollouts,
  segments,
  targets,
  typesAndErrors,
  unicode,
];

const check = process.argv.includes('--check');
let total = 0;
let stale = 0;
for (const { name, content } of files) {
  const url = new URL(`../${name}.json`, import.meta.url);
  const text = `${JSON.stringify(content, null, 2)}\n`;
  total += content.cases.length;
  const fresh = existsSync(url) && readFileSync(url, 'utf8') === text;
  if (!check) writeFileSync(url, text);
  else if (!fresh) stale++;
  console.log(`${name}.json: ${content.cases.length} cases${check && !fresh ? ' — STALE' : ''}`);
}
console.log(`${total} cases in ${files.length} files`);
if (stale > 0) {
  console.error(`${stale} file(s) differ from their theme: run node test/vectors/build/index.mjs`);
  process.exitCode = 1;
}
