import { readFileSync } from 'node:fs';
import { treeMembers } from '../src/drivers/chromium-process.js';

// Peak memory of a bench run: PSS of a Node process plus every process of the browser trees.

function pssKb(pid: number): number {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Samples Node + browser trees until stopped; returns the peak in MB. */
export function memorySampler(
  browserPids: () => number[],
  nodePid = process.pid,
): { stop: () => { total: number; node: number } } {
  let peak = 0;
  let nodePeak = 0;
  const sample = () => {
    const nodeKb = pssKb(nodePid);
    nodePeak = Math.max(nodePeak, nodeKb);
    let kb = nodeKb;
    const seen = new Set<number>([nodePid]);
    for (const root of browserPids()) {
      for (const pid of treeMembers(root)) {
        if (seen.has(pid)) continue;
        seen.add(pid);
        kb += pssKb(pid);
      }
    }
    peak = Math.max(peak, kb);
  };
  sample();
  const timer = setInterval(sample, 250);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return { total: peak / 1024, node: nodePeak / 1024 };
    },
  };
}
