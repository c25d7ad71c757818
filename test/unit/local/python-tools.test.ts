/**
 * Which Python runs the project's tools, and when installed versions meet the tested ranges.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  missingRequirements,
  PROJECT_ROOT,
  PYTHON_REQUIREMENTS,
  resolvePython,
  venvPython,
} from '../../../shared/local/python-tools.mjs';

const ROOT = '/repo';
const VENV = join(ROOT, '.venv', 'bin', 'python');
const everything = { moto: '5.2.1', 'cfn-lint': '1.51.0', flask: '3.1.0', 'flask-cors': '6.0.1' };

describe('resolvePython', () => {
  const withVenv = (path: string) => path === VENV;
  const noVenv = () => false;

  it.each([
    ['PYTHON over an existing .venv', { PYTHON: '/opt/py/bin/python' }, withVenv, '/opt/py/bin/python'],
    ['PYTHON when there is no .venv', { PYTHON: 'python3.12' }, noVenv, 'python3.12'],
    ['the .venv when PYTHON is unset', {}, withVenv, VENV],
    ['the .venv when PYTHON is blank', { PYTHON: '  ' }, withVenv, VENV],
    ['python3 when neither is there', {}, noVenv, 'python3'],
  ])('uses %s', (_, env, exists, expected) => {
    expect(resolvePython({ env, root: ROOT, exists, platform: 'linux' })).toBe(expected);
  });

  it('looks for the .venv in the project root, not the working directory', () => {
    expect(venvPython()).toBe(join(PROJECT_ROOT, '.venv', 'bin', 'python'));
    expect(PROJECT_ROOT).toBe(join(__dirname, '..', '..', '..', '/'));
  });

  it("finds a Windows venv's interpreter under Scripts", () => {
    expect(venvPython(ROOT, 'win32')).toBe(join(ROOT, '.venv', 'Scripts', 'python.exe'));
  });
});

describe('missingRequirements', () => {
  const missing = (installed: Record<string, string | null>) =>
    missingRequirements({ ...everything, ...installed }).map(({ name }) => name);

  it('finds nothing missing in the versions this project is tested with', () => {
    expect(missing({})).toEqual([]);
  });

  it.each([
    ['moto absent', { moto: null }, ['moto']],
    ['moto too old', { moto: '5.0.28' }, ['moto']],
    ['moto too new', { moto: '6.0.0' }, ['moto']],
    ['cfn-lint too old', { 'cfn-lint': '1.19.9' }, ['cfn-lint']],
    ['cfn-lint 2', { 'cfn-lint': '2.0.0a1' }, ['cfn-lint']],
    ['a version that is not numbers', { moto: 'dev' }, ['moto']],
    ["moto's server extra absent", { flask: null, 'flask-cors': null }, ['flask', 'flask-cors']],
  ])('reports %s', (_, installed, expected) => {
    expect(missing(installed)).toEqual(expected);
  });

  it('accepts the lowest versions of the ranges', () => {
    expect(missing({ moto: '5.1.0', 'cfn-lint': '1.20.0' })).toEqual([]);
  });

  it("asks pip for moto's server extra when only Flask is missing", () => {
    const specs = missingRequirements({ ...everything, flask: null }).map(({ spec }) => spec);
    expect(specs).toEqual([PYTHON_REQUIREMENTS[0]?.spec]);
    expect(specs[0]).toMatch(/^moto\[server\]/);
  });
});
