import type { Rng } from './prng.js';

/**
 * The 521 "请进行安全验证" challenge, modelled on the historical acw_sc__v2 scheme: the page
 * gives a 40-hex-digit `arg1`; its script permutes the digits, XORs them with a key and sets
 * the result as a cookie, then reloads. The server recomputes the same value to check it.
 */
export const CHALLENGE_COOKIE = 'acw_sc__v2';

const POS = [
  15, 35, 29, 24, 33, 16, 1, 38, 10, 9, 19, 31, 40, 27, 22, 23, 25, 13, 6, 11, 39, 18, 20, 8, 14, 21, 32, 26,
  2, 30, 7, 4, 17, 5, 3, 28, 34, 37, 12, 36,
];
const KEY = '3000176000856006061501533003690027800375';

/** What the page's script computes from arg1 (same algorithm, server side). */
export function solveChallenge(arg1: string): string {
  const out: string[] = [];
  for (let i = 0; i < arg1.length; i++) {
    for (let j = 0; j < POS.length; j++) if (POS[j] === i + 1) out[j] = arg1[i];
  }
  const unboxed = out.join('');
  let result = '';
  for (let i = 0; i < unboxed.length && i < KEY.length; i += 2) {
    let x = (
      Number.parseInt(unboxed.slice(i, i + 2), 16) ^ Number.parseInt(KEY.slice(i, i + 2), 16)
    ).toString(16);
    if (x.length === 1) x = `0${x}`;
    result += x;
  }
  return result;
}

export function newArg1(rng: Rng): string {
  let out = '';
  for (let i = 0; i < 40; i++) out += '0123456789ABCDEF'[rng.int(0, 15)];
  return out;
}

export function challengePage(arg1: string): string {
  return `<html><head><meta charset="utf-8"><title>请进行安全验证</title></head><body>
<p>请进行安全验证 (security verification)…</p>
<script>
var arg1='${arg1}';
(function(){
  var pos=[${POS.join(',')}];
  var key='${KEY}';
  var out=[];
  for (var i=0;i<arg1.length;i++){ for (var j=0;j<pos.length;j++){ if (pos[j]==i+1){ out[j]=arg1[i]; } } }
  var unboxed=out.join('');
  var res='';
  for (var k=0;k<unboxed.length&&k<key.length;k+=2){
    var x=(parseInt(unboxed.slice(k,k+2),16)^parseInt(key.slice(k,k+2),16)).toString(16);
    if (x.length==1){ x='0'+x; }
    res+=x;
  }
  document.cookie='${CHALLENGE_COOKIE}='+res+'; path=/; max-age=3600';
  setTimeout(function(){ location.reload(); }, 20);
})();
</script></body></html>`;
}

/** Issued and passed challenge answers, with the uses left on each. */
export class ChallengeBook {
  private readonly pending = new Map<string, true>();
  private readonly passed = new Map<string, number>();

  issue(rng: Rng): string {
    const arg1 = newArg1(rng);
    this.pending.set(solveChallenge(arg1), true);
    trim(this.pending);
    return arg1;
  }

  /** True when the cookie is a valid answer with uses left; consumes one use. */
  admit(cookie: string | undefined, uses: number): boolean {
    if (!cookie) return false;
    if (this.pending.delete(cookie)) {
      this.passed.set(cookie, uses > 0 ? uses : Number.POSITIVE_INFINITY);
      trim(this.passed);
    }
    const left = this.passed.get(cookie);
    if (left === undefined) return false;
    if (left <= 1) this.passed.delete(cookie);
    else this.passed.set(cookie, left - 1);
    return true;
  }
}

function trim(map: Map<string, unknown>): void {
  while (map.size > 20_000) {
    const first = map.keys().next().value;
    if (first === undefined) break;
    map.delete(first);
  }
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
