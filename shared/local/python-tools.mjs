// The project's Python tools (moto's server for the demo and the integration tests, cfn-lint for the templates):
// which interpreter runs them and which versions they need. Plain JavaScript, so that the setup scripts run by
// `node` and the TypeScript code (through python-tools.d.mts) share one answer.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project's root folder (the one with package.json). */
const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The packages the tools need, with the version ranges the project is tested with: `[min, below)`. */
const MOTO_SERVER = 'moto[server]>=5.1.0,<6';
/**
 * The packages the tools need, with the version ranges the project is tested with (`[min, below)`) and the pip
 * requirement that brings each.
 */
const PYTHON_REQUIREMENTS = [
  { name: 'moto', spec: MOTO_SERVER, min: [5, 1], below: [6] },
  { name: 'cfn-lint', spec: 'cfn-lint>=1.20.0,<2', min: [1, 20], below: [2] },
  // moto's server extra: without Flask the server does not start even when moto itself is there.
  { name: 'flask', spec: MOTO_SERVER, min: [0], below: null },
  { name: 'flask-cors', spec: MOTO_SERVER, min: [0], below: null },
];

/** The interpreter of the project's virtual environment `<root>/.venv`, whether or not it exists yet. */
function venvPython(root = PROJECT_ROOT, platform = process.platform) {
  return platform === 'win32' ? join(root, '.venv', 'Scripts', 'python.exe') : join(root, '.venv', 'bin', 'python');
}

/**
 * The Python that runs the tools: `$PYTHON` when set (the user's choice wins), else the project's `.venv` when it
 * exists (`npm run setup:python` creates it), else `python3` from the PATH.
 */
function resolvePython({ env = process.env, root = PROJECT_ROOT, exists = existsSync, platform } = {}) {
  const chosen = env.PYTHON?.trim();
  if (chosen) return chosen;
  const venv = venvPython(root, platform);
  return exists(venv) ? venv : 'python3';
}

function compare(version, bound) {
  for (let i = 0; i < Math.max(version.length, bound.length); i++) {
    const difference = (version[i] ?? 0) - (bound[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/**
 * The requirements that installed versions do not meet, given `{ name: "5.2.1" | null }` as the probe prints it.
 * A version that does not parse as numbers counts as missing.
 */
function missingRequirements(installed) {
  return PYTHON_REQUIREMENTS.filter(({ name, min, below }) => {
    const text = installed[name];
    if (typeof text !== 'string') return true;
    const version = text.split('.').map((part) => Number.parseInt(part, 10));
    if (version.length === 0 || Number.isNaN(version[0])) return true;
    return compare(version, min) < 0 || (below !== null && compare(version, below) >= 0);
  });
}

/** Python code that prints, as JSON, the installed version of each requirement (null when absent). */
const PROBE_SCRIPT = `
import importlib.metadata as m, json
def v(name):
    try: return m.version(name)
    except Exception: return None
print(json.dumps({n: v(n) for n in ${JSON.stringify(PYTHON_REQUIREMENTS.map(({ name }) => name))}}))
`;

export { missingRequirements, PROBE_SCRIPT, PROJECT_ROOT, PYTHON_REQUIREMENTS, resolvePython, venvPython };
