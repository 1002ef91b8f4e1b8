#!/usr/bin/env node
import { handleError, main } from '../dist/cli.js';

main(process.argv).then(
  (code) => {
    process.exitCode = code ?? 0;
  },
  (error) => {
    process.exitCode = handleError(error);
  },
);
