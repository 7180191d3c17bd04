#!/usr/bin/env node
'use strict';
// Runs the compiled CLI: type-checking at start-up would cost seconds per Ansible task (npm run build compiles it).
const path = require('node:path');
const entry = path.join(__dirname, '..', 'dist', 'scripts', 'cli.js');
try {
  require.resolve(entry);
} catch {
  process.stderr.write('poolgate: not built yet; run `npm run build` in ' + path.join(__dirname, '..') + '\n');
  process.exit(2);
}
require(entry).main(process.argv.slice(2));
