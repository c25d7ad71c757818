#!/usr/bin/env node
// Installs the Python tools the tests and the demo use (moto's server, cfn-lint) when they are missing.
// The version ranges are the ones the project is tested with; an installed copy inside them is left alone.
import { spawnSync } from 'node:child_process';

const requirements = ['moto[server]>=5.1.0,<6', 'cfn-lint>=1.20.0,<2'];
const probe = `
import importlib.metadata as m, sys
def v(name):
    try: return tuple(int(x) for x in m.version(name).split('.')[:2])
    except Exception: return None
moto, lint, flask = v('moto'), v('cfn-lint'), v('flask')
ok = moto is not None and (5, 1) <= moto < (6, 0) and lint is not None and (1, 20) <= lint < (2, 0) and flask is not None
sys.exit(0 if ok else 1)
`;

const python = process.env.PYTHON ?? 'python3';
if (spawnSync(python, ['-c', probe], { stdio: 'ignore' }).status === 0) process.exit(0);
console.error(`gpu-reaper: installing ${requirements.join(' ')} with ${python} -m pip`);
const install = spawnSync(python, ['-m', 'pip', 'install', '--quiet', ...requirements], { stdio: 'inherit' });
process.exit(install.status ?? 1);
