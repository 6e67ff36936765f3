// CPU time per thread of this process's descendants (a headless Chromium the bench launched),
// from Linux /proc: on a loaded machine wall-clock rates measure the neighbours, CPU time per
// step does not. null / [] elsewhere. Used by bench/ui-frames.mjs and bench/mnist-page.mjs.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux
function descendants(pid) {
  let kids = [];
  try {
    kids = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
  } catch {}
  return kids.flatMap((k) => [k, ...descendants(k)]);
}
/** Map "pid/tid" -> {process (chromium --type), thread (name), ms (user + system CPU)}. */
export function threadCpu() {
  if (process.platform !== 'linux') return null;
  const out = new Map();
  for (const pid of descendants(process.pid)) {
    let type, tasks;
    try {
      type = (readFileSync(`/proc/${pid}/cmdline`, 'utf8').match(/--type=([a-z-]+)/) ?? [, 'browser'])[1];
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tasks) {
      try {
        const st = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
        out.set(`${pid}/${tid}`, { process: type, thread: st.slice(st.indexOf('(') + 1, st.lastIndexOf(')')), ms: (Number(f[11]) + Number(f[12])) * TICK_MS });
      } catch {}
    }
  }
  return out;
}
/** CPU ms per thread between two threadCpu() readings, busiest first. */
export function cpuBetween(a, b) {
  if (!a || !b) return [];
  return [...b.entries()].map(([k, v]) => ({ ...v, key: k, ms: v.ms - (a.get(k)?.ms ?? 0) })).filter((t) => t.ms > 0).sort((x, y) => y.ms - x.ms);
}
export const busiestWorker = (threads) => threads.find((t) => t.thread.startsWith('DedicatedWorker'));
