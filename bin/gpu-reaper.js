#!/usr/bin/env node
// The package bin: runs the TypeScript CLI through tsx, so `npx gpu-reaper` works right after `npm ci`.
import { register } from 'tsx/esm/api';

register();
await import('../cli/index.ts');
