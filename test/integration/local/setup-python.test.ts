/**
 * `npm run setup:python` in a copy of the project: it makes `.venv` from `python3` with the system's packages,
 * installs nothing that is already there, leaves a `PYTHON` the user named alone, and says in one line what is
 * missing when pip cannot install it. The missing cases use the machine's Debian Python (externally managed,
 * without moto) where there is one, with pip cut off from every index.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { missingRequirements, PROBE_SCRIPT, PROJECT_ROOT } from '../../../shared/local/python-tools.mjs';

const DEBIAN_PYTHON = '/usr/bin/python3';

/** Whether the interpreter runs and has every tool in range. */
function hasTools(python: string): boolean | null {
  const probe = spawnSync(python, ['-c', PROBE_SCRIPT], { encoding: 'utf8' });
  return probe.status === 0 ? missingRequirements(JSON.parse(probe.stdout)).length === 0 : null;
}

const python3HasTools = hasTools('python3') === true;
const debianPythonLacksTools = existsSync(DEBIAN_PYTHON) && hasTools(DEBIAN_PYTHON) === false;
if (!python3HasTools) console.warn('setup-python: skipping the reuse cases: python3 lacks moto[server] or cfn-lint');
if (!debianPythonLacksTools) console.warn(`setup-python: skipping the missing cases: no ${DEBIAN_PYTHON} without moto`);

let project: string;

beforeEach(() => {
  project = mkdtempSync(join(tmpdir(), 'gpu-reaper-setup-python-'));
  for (const file of ['scripts/setup-python.mjs', 'shared/local/python-tools.mjs']) {
    mkdirSync(join(project, file, '..'), { recursive: true });
    copyFileSync(join(PROJECT_ROOT, file), join(project, file));
  }
});

afterEach(() => rmSync(project, { recursive: true, force: true }));

/** Runs the copied setup script with PYTHON unset unless given, and `python3` from `bin` first when given. */
function setup(env: Record<string, string> = {}, bin?: string) {
  const { PYTHON: _, ...rest } = process.env;
  const path = bin ? `${bin}:${process.env.PATH}` : process.env.PATH;
  return spawnSync(process.execPath, [join(project, 'scripts', 'setup-python.mjs')], {
    cwd: project,
    encoding: 'utf8',
    env: { ...rest, PATH: path ?? '', ...env },
  });
}

/** pip with no index and no local wheels: what a machine without PyPI sees, at once instead of after retries. */
const NO_INDEX = { PIP_CONFIG_FILE: '/dev/null', PIP_NO_INDEX: '1', PIP_FIND_LINKS: '' };

describe.skipIf(!python3HasTools)('setup-python with the tools in the system Python', () => {
  it('creates .venv with the system site packages and installs nothing', () => {
    const first = setup();
    expect(first.stderr).toMatch(/creating \.venv/);
    expect(first.stderr).not.toMatch(/installing/);
    expect(first.status).toBe(0);
    expect(readFileSync(join(project, '.venv', 'pyvenv.cfg'), 'utf8')).toMatch(/include-system-site-packages = true/);
    expect(hasTools(join(project, '.venv', 'bin', 'python'))).toBe(true);

    const again = setup();
    expect(again.stderr).toBe('');
    expect(again.status).toBe(0);
  });

  it('uses a PYTHON that has the tools as it is, without a .venv', () => {
    const run = setup({ PYTHON: 'python3' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(existsSync(join(project, '.venv'))).toBe(false);
  });
});

describe.skipIf(!debianPythonLacksTools)('setup-python with an externally managed system Python', () => {
  it('says in one line what is missing and how to install it when pip reaches no index', () => {
    const bin = join(project, 'bin');
    mkdirSync(bin);
    symlinkSync(DEBIAN_PYTHON, join(bin, 'python3'));
    const run = setup(NO_INDEX, bin);
    expect(run.status).toBe(1);
    const last = run.stderr.trim().split('\n').at(-1);
    expect(last).toMatch(/^gpu-reaper: \.venv lacks moto\[server\]>=5\.1\.0,<6 and cfn-lint>=1\.20\.0,<2 /);
    expect(last).toMatch(/install them with `\.venv\/bin\/python -m pip install 'moto\[server\]/);
    expect(run.stderr).not.toMatch(/externally-managed-environment|Traceback/);
    expect(existsSync(join(project, '.venv', 'pip-install.log'))).toBe(true);
  });

  it('installs nothing into a PYTHON that lacks the tools and says how to', () => {
    const run = setup({ ...NO_INDEX, PYTHON: DEBIAN_PYTHON });
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^gpu-reaper: PYTHON=\/usr\/bin\/python3 lacks moto\[server\].* -m pip install /),
    ]);
    expect(existsSync(join(project, '.venv'))).toBe(false);
  });

  it('says so in one line when PYTHON does not run', () => {
    const run = setup({ PYTHON: join(project, 'no-such-python') });
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/does not run; name a Python 3 interpreter/)]);
  });
});
