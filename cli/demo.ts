/**
 * `gpu-reaper demo`: the whole story on a local AWS endpoint, no account needed. Exits 0 and leaves no process.
 *
 * @example npm run demo
 */
import { runDemo } from '../shared/local/demo-story';
import { consoleDemoPrinter } from '../shared/render/tables/demo-printer';

/** Runs the demo and returns the exit code. */
async function demoCommand(): Promise<number> {
  await runDemo(consoleDemoPrinter());
  return 0;
}

export { demoCommand };
