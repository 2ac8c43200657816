// Package entries bundled as an application would ship them: minified ESM for browsers, resolved through the
// packages' `exports` (so the published dist/, which `tsc -b` builds), with nothing kept external. The size
// test measures exactly what the browser tests load. No browser needed: it runs in node.
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

export interface Bundle {
  code: Uint8Array;
  text: string;
  /** The source files bundled, relative to the repository (e.g. `core/dist/evaluate.js`). */
  inputs: string[];
}

export async function bundleAsApplication(...specifiers: string[]): Promise<Bundle> {
  const result = await build({
    stdin: { contents: specifiers.map((specifier) => `export * from '${specifier}';`).join('\n'), resolveDir: REPO, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    metafile: true,
  });
  const output = result.outputFiles[0]!;
  const inputs = Object.keys((result.metafile as Metafile).inputs).map((path) => path.replace(/^(\.\.\/)+/, ''));
  return { code: output.contents, text: output.text, inputs };
}
