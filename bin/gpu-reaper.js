#!/usr/bin/env node
// The package bin: runs the TypeScript CLI through tsx, so `npx gpu-reaper` works right after `npm ci`.
import { register } from 'tsx/esm/api';

// The SDK's notice about its future Node.js floor is not about this command: keep stderr to one clear line.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
await import('../cli/index.ts');
