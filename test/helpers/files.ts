/** Files of the test tree, found the same way by every test that walks a folder. */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every file under `dir` (recursively) whose name ends with `ending`, in a stable sorted order. */
export function filesUnder(dir: string, ending: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p, ending));
    else if (name.endsWith(ending)) out.push(p);
  }
  return out;
}
