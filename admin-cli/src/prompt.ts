// One line typed by the operator at a prompt on stderr. End of input (Ctrl-D, a closed stdin) answers
// "" rather than hanging or throwing, so every caller treats it as "no answer".
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import type { Io } from './io.js';

export function askLine(io: Io, question: string, options: { echo: boolean } = { echo: true }): Promise<string> {
  // A token must not appear on screen: readline echoes through its output, so it gets one that drops it.
  const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
  const output = options.echo ? (io.stderr as NodeJS.WritableStream) : silent;
  const reader = createInterface({ input: io.stdin, output, terminal: !options.echo && Boolean(io.stdin.isTTY) });
  if (!options.echo) io.stderr.write(question);
  return new Promise<string>((resolve) => {
    // The question callback runs synchronously on the line, before 'close' for the same input.
    reader.question(options.echo ? question : '', (answer) => {
      resolve(answer);
      reader.close();
    });
    reader.once('close', () => resolve(''));
  }).finally(() => {
    if (!options.echo) io.stderr.write('\n');
  });
}
