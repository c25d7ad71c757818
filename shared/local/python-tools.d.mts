/** Types for python-tools.mjs: the project's Python tools, which interpreter runs them and what they need. */

/** One package the tools need, with its tested version range `[min, below)`. */
interface PythonRequirement {
  /** The distribution name, as `importlib.metadata` knows it. */
  readonly name: string;
  /** The pip requirement that brings it (Flask comes with `moto[server]`). */
  readonly spec: string;
  readonly min: readonly number[];
  /** The first version outside the range; `null` for no upper bound. */
  readonly below: readonly number[] | null;
}

/** Where to look for the interpreter. */
interface ResolvePythonOptions {
  /** @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** @default the project's root */
  readonly root?: string;
  /** @default fs.existsSync */
  readonly exists?: (path: string) => boolean;
  /** @default process.platform */
  readonly platform?: NodeJS.Platform;
}

/** The project's root folder (the one with package.json). */
declare const PROJECT_ROOT: string;
/** The packages the tools need, with the version ranges the project is tested with. */
declare const PYTHON_REQUIREMENTS: readonly PythonRequirement[];
/** Python code that prints, as JSON, the installed version of each requirement (null when absent). */
declare const PROBE_SCRIPT: string;

/** The interpreter of the project's virtual environment `<root>/.venv`, whether or not it exists yet. */
declare function venvPython(root?: string, platform?: NodeJS.Platform): string;
/** The Python that runs the tools: `$PYTHON` when set, else the project's `.venv` when it exists, else `python3`. */
declare function resolvePython(options?: ResolvePythonOptions): string;
/** The requirements that installed versions (`{ name: "5.2.1" | null }`) do not meet. */
declare function missingRequirements(
  installed: Readonly<Record<string, string | null | undefined>>,
): PythonRequirement[];

export type { PythonRequirement, ResolvePythonOptions };
export { missingRequirements, PROBE_SCRIPT, PROJECT_ROOT, PYTHON_REQUIREMENTS, resolvePython, venvPython };
