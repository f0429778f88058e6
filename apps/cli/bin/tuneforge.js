#!/usr/bin/env node
// The `tuneforge` command: runs the TypeScript sources through SWC, like the other apps.
const path = require('node:path');
require(path.join(__dirname, '..', '..', '..', 'tools', 'register.js'));
require(path.join(__dirname, '..', 'src', 'main.ts'));
