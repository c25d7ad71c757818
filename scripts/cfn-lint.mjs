#!/usr/bin/env node
// Lints the synthesized CloudFormation templates with cfn-lint: `npx cdk synth -q && node scripts/cfn-lint.mjs`.
// Runs cfn-lint through the project's Python (`$PYTHON`, else `.venv`, as `npm run setup:python` set it up).
// Exit code: cfn-lint's own (0 clean; 2 errors, 4 warnings, 8 informational, combined as a bit mask).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { resolvePython } from '../shared/local/python-tools.mjs';

const dir = process.argv[2] ?? 'cdk.out';
const templates = (existsSync(dir) ? readdirSync(dir) : [])
  .filter((name) => name.endsWith('.template.json'))
  .map((name) => join(dir, name));
if (templates.length === 0) {
  console.error(`cfn-lint: no *.template.json in ${dir}; run \`npx cdk synth -q\` first`);
  process.exit(2);
}
const python = resolvePython();
const lint = spawnSync(python, ['-c', 'import sys; from cfnlint.runner import main; sys.exit(main())', ...templates], {
  stdio: 'inherit',
});
process.exit(lint.status ?? 1);
