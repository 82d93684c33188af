#!/usr/bin/env node
// The `fc41d` command. The sources are TypeScript, run through tsx without a build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
