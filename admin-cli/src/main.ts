#!/usr/bin/env node
// The `flagstaff` binary.
import { run } from './cli.js';
import { processIo } from './io.js';

// `flagstaff export | head` closes the pipe early: that is the reader's choice, not a crash to report.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

process.exitCode = await run(process.argv.slice(2), processIo());
