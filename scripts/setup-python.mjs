#!/usr/bin/env node
// Makes sure a Python with the tools the tests and the demo use (moto's server, cfn-lint) is there:
// - `PYTHON=/path/to/python` names one: it is used as it is; nothing is installed into it (it may be the system's).
// - Otherwise the project's own virtual environment `.venv` (git-ignored), created with
//   `python3 -m venv --system-site-packages`, so it reuses what the system Python already has. Installed versions
//   inside the tested ranges are left alone; only what is missing is installed, into `.venv`, never into the system
//   Python (which Debian and Ubuntu mark externally managed, so pip refuses it anyway).
// When something is missing and cannot be installed, one line says what and how to install it, and the exit is 1.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { missingRequirements, PROBE_SCRIPT, PROJECT_ROOT, venvPython } from '../shared/local/python-tools.mjs';

const say = (line) => console.error(`gpu-reaper: ${line}`);
const fail = (line) => {
  say(line);
  process.exit(1);
};
/** The pip requirements that bring what is missing, each once, quoted for a shell. */
const specs = (missing) => [...new Set(missing.map(({ spec }) => spec))];
const quoted = (list) => list.map((spec) => `'${spec}'`).join(' ');

/** What the interpreter lacks, or null when it does not run. */
function probe(python) {
  const result = spawnSync(python, ['-c', PROBE_SCRIPT], { encoding: 'utf8' });
  if (result.error || result.status !== 0) return null;
  try {
    return missingRequirements(JSON.parse(result.stdout));
  } catch {
    return null;
  }
}

const chosen = process.env.PYTHON?.trim();
if (chosen) {
  const missing = probe(chosen);
  if (missing === null)
    fail(`PYTHON=${chosen} does not run; name a Python 3 interpreter, or unset PYTHON to use .venv`);
  if (missing.length > 0) {
    const wanted = specs(missing);
    fail(
      `PYTHON=${chosen} lacks ${wanted.join(' and ')}; install them with \`${chosen} -m pip install ${quoted(wanted)}\`` +
        ', or unset PYTHON to use the project’s .venv',
    );
  }
  process.exit(0);
}

const python = venvPython();
const shown = relative(process.cwd(), python) || python;
if (!existsSync(python)) {
  const venv = join(PROJECT_ROOT, '.venv');
  say('creating .venv with python3 -m venv --system-site-packages (reusing the system Python’s packages)');
  const create = (extra) =>
    spawnSync('python3', ['-m', 'venv', '--system-site-packages', ...extra, venv], { encoding: 'utf8' });
  // Debian without python3-venv has no ensurepip: a venv without its own pip still uses the system's pip module.
  const made = create([]).status === 0 || create(['--without-pip', '--clear']).status === 0;
  if (!made || !existsSync(python)) {
    fail(
      'python3 -m venv could not create .venv; install Python 3 with its venv module (Debian/Ubuntu: ' +
        'sudo apt-get install python3-venv), or set PYTHON to a Python that has moto[server] and cfn-lint',
    );
  }
}

const missing = probe(python);
if (missing === null) fail(`${shown} does not run; delete .venv and run \`npm run setup:python\` again`);
if (missing.length === 0) process.exit(0);

const wanted = specs(missing);
say(`installing ${wanted.join(' ')} into .venv`);
const install = spawnSync(python, ['-m', 'pip', 'install', '--quiet', ...wanted], { encoding: 'utf8' });
const log = join(PROJECT_ROOT, '.venv', 'pip-install.log');
writeFileSync(log, `${install.stdout ?? ''}${install.stderr ?? ''}${install.error?.message ?? ''}`);
const still = install.status === 0 ? probe(python) : missing;
if (still === null || still.length > 0) {
  fail(
    `.venv lacks ${specs(still ?? missing).join(' and ')} and pip could not install them (no package index reachable?` +
      ` see ${relative(process.cwd(), log) || log}); install them with \`${shown} -m pip install ${quoted(wanted)}\`` +
      ' where an index is reachable, or set PYTHON to a Python that has them',
  );
}
