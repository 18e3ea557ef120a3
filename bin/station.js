#!/usr/bin/env node
// Runs the command line straight from the TypeScript sources, so `npx station` works in a
// checkout without a separate build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
