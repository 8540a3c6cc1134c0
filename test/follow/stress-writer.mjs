// Writer for follower.stress.test.ts, run as a child process so it writes truly concurrently
// with the follower. Appends TOTAL numbered lines with O_APPEND, BATCH lines per write(), as
// fast as it can, and rotates the file 9 times: rename+create, copytruncate, delete+recreate,
// three times each.
//
// Before each rotation it asks the parent (IPC) for a go, which the parent gives once the
// follower has handed out a line of the current file. That rules out a file being created
// and removed before any reader could have opened it, which no follower can survive; the
// follower may still be far behind inside the current file.
//
// rename: like syslog before its HUP, 3 more batches go to the renamed file through the old fd,
// 5 ms apart (logrotate's postrotate takes a moment), then the writer reopens the path.
// delete: the same with 2 batches to the deleted file.
// copytruncate: like logrotate, copy then truncate in place; the writer keeps its O_APPEND fd.
// Writes pause between copy and truncate (here the writer does both itself): lines written in
// that window are in neither the copy nor the truncated file, so any follower would lose them.
import { closeSync, copyFileSync, openSync, renameSync, truncateSync, unlinkSync, writeSync } from 'node:fs';

const [path, totalArg, batchArg] = process.argv.slice(2);
const total = Number(totalArg);
const batch = Number(batchArg);
const pad = 'x'.repeat(40);
const plan = ['rename', 'copytruncate', 'delete', 'rename', 'copytruncate', 'delete', 'rename', 'copytruncate', 'delete'];
const rotateAt = plan.map((_, k) => Math.floor((total * (k + 1)) / (plan.length + 1)));

let fd = openSync(path, 'a');
let i = 0;
function writeBatch() {
  const end = Math.min(total, i + batch);
  let s = '';
  for (; i < end; i++) s += `seq=${String(i).padStart(8, '0')} ${pad}\n`;
  if (s) writeSync(fd, s);
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
function go(kind) {
  return new Promise((resolve) => {
    process.once('message', resolve);
    process.send({ ready: kind });
  });
}

let next = 0;
while (i < total) {
  if (next < plan.length && i >= rotateAt[next]) {
    const kind = plan[next];
    next += 1;
    await go(kind);
    if (kind === 'rename') {
      renameSync(path, `${path}-r${next}`);
      for (let k = 0; k < 3; k++) {
        await sleep(5);
        writeBatch();
      }
      closeSync(fd);
      fd = openSync(path, 'a');
    } else if (kind === 'copytruncate') {
      copyFileSync(path, `${path}-c${next}`);
      truncateSync(path, 0);
    } else {
      unlinkSync(path);
      for (let k = 0; k < 2; k++) {
        await sleep(5);
        writeBatch();
      }
      closeSync(fd);
      fd = openSync(path, 'a');
    }
  }
  writeBatch();
}
closeSync(fd);
process.send({ done: i }, () => process.disconnect());
