import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultConfig } from './faults.js';
import type { Rng } from './prng.js';

// How the replica sends an answer: whole, dripped slowly, or cut off mid-body; after a delay
// whose timers close() can cancel.

/** One answer of the replica, before the transport faults decide how it is sent. */
export interface Reply {
  status: number;
  type: 'html' | 'json';
  body: string;
  headers?: Record<string, string>;
}

export type RandomFault = 'hang' | 'serverError' | 'throttle' | 'reset' | 'drip' | 'blank' | 'wrongPage';
const LADDER: RandomFault[] = ['hang', 'serverError', 'throttle', 'reset', 'drip', 'blank', 'wrongPage'];

/** The fault one draw lands on (at most one); the rates add up along the ladder. */
export function pickFault(roll: number, f: FaultConfig): RandomFault | undefined {
  let edge = 0;
  for (const name of LADDER) {
    edge += f[name];
    if (roll < edge) return name;
  }
  return undefined;
}

function headersOf(reply: Reply, length: number): Record<string, string | number> {
  return {
    'Content-Type': reply.type === 'json' ? 'application/json;charset=UTF-8' : 'text/html; charset=utf-8',
    'Content-Length': length,
    ...reply.headers,
  };
}

/**
 * Sends replies, now or later; its pending timers are cancelled by `cancelTimers` (close,
 * going down). The drip draws its pace from the fault stream it is given.
 */
export class ReplySender {
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly faultRng: Rng) {}

  later(ms: number, fn: () => void): void {
    if (ms <= 0) {
      fn();
      return;
    }
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  cancelTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  send(res: ServerResponse, reply: Reply): void {
    if (res.destroyed) return;
    const body = Buffer.from(reply.body);
    res.writeHead(reply.status, headersOf(reply, body.length));
    res.end(body);
  }

  /** The whole body, in 8-16 chunks over 1-3 s. */
  drip(res: ServerResponse, reply: Reply): void {
    if (res.destroyed) return;
    const body = Buffer.from(reply.body);
    res.writeHead(reply.status, headersOf(reply, body.length));
    const chunks = this.faultRng.int(8, 16);
    const step = Math.ceil(this.faultRng.int(1000, 3000) / chunks);
    const size = Math.ceil(body.length / chunks);
    let at = 0;
    const tick = () => {
      if (res.destroyed) return;
      const next = Math.min(body.length, at + size);
      if (next >= body.length) {
        res.end(body.subarray(at));
        return;
      }
      res.write(body.subarray(at, next));
      at = next;
      this.later(step, tick);
    };
    this.later(step, tick);
  }

  /** A third of the body, then the connection is destroyed. */
  reset(req: IncomingMessage, res: ServerResponse, reply: Reply): void {
    if (res.destroyed) return;
    const body = Buffer.from(reply.body);
    res.writeHead(reply.status, headersOf(reply, body.length));
    res.write(body.subarray(0, Math.floor(body.length / 3)));
    setImmediate(() => req.socket.destroy());
  }
}
