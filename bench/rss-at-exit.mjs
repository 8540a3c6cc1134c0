// Loaded with `node --import` by the benchmarks: prints the process's peak RSS to stderr at exit.
import { writeSync } from 'node:fs';
process.on('exit', () => {
  writeSync(2, `\nmaxrss_kb=${process.resourceUsage().maxRSS}\n`);
});
