import { type Rng, rngFor } from './prng.js';

const PLAIN_FIRST = [
  'zhangsan',
  'lisi',
  'wangwu',
  'coder',
  'dev',
  'xiaoming',
  'chenjie',
  'liuyang',
  'java',
  'python',
  'golang',
  'linux',
  'huawei',
  'ali',
  'tencent',
  'sunny',
  'leo',
  'echo',
  'panda',
  'tiger',
  'qingfeng',
  'mingyue',
  'xingchen',
  'yunduan',
  'shanhe',
  'kite',
  'byte',
  'stack',
  'heap',
  'node',
];
const PLAIN_SECOND = ['dev', 'coder', 'blog', 'code', 'ai', 'java', 'cpp', 'web', 'ops', 'data', 'ml', 'io'];

function digits(rng: Rng, count: number): string {
  let out = '';
  for (let i = 0; i < count; i++) out += String(rng.int(0, 9));
  return out;
}

/** One username in one of the real styles: weixin_4…, qq_…, m0_…, or a plain handle. */
export function styledName(rng: Rng): string {
  const style = rng.next();
  if (style < 0.35) return `weixin_4${digits(rng, 7)}`;
  if (style < 0.55) return `qq_${rng.int(3, 4)}${digits(rng, 7)}`;
  if (style < 0.7) return `m0_${rng.int(5, 7)}${digits(rng, 7)}`;
  const first = rng.pick(PLAIN_FIRST);
  const form = rng.next();
  if (form < 0.4) return `${first}_${rng.pick(PLAIN_SECOND)}`;
  if (form < 0.75) return `${first}${rng.int(1970, 2005)}`;
  return `${first}_${rng.pick(PLAIN_SECOND)}${rng.int(1, 999)}`;
}

/** `count` distinct names starting at generator slot `from`; `taken` guards against repeats. */
export function generateNames(seed: number, tag: string, count: number, taken: Set<string>): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < count; i++) {
    const name = styledName(rngFor(seed, tag, i));
    const key = name.toLowerCase();
    if (taken.has(key)) continue;
    taken.add(key);
    out.push(name);
  }
  return out;
}

const NICK_A = ['小', '老', '阿', '大', '程序员', '码农', '前端', '后端', '算法', '运维'];
const NICK_B = ['张', '李', '王', '刘', '陈', '杨', '赵', '黄', '周', '吴', '风', '云', '星', '月'];
const NICK_C = ['同学', '笔记', '的博客', '技术驿站', '学习日记', '小栈', '君', '哥', '', '的CSDN'];

/** A display name: mostly Chinese, sometimes with characters that must be escaped. */
export function nicknameFor(rng: Rng, username: string): string {
  const roll = rng.next();
  if (roll < 0.08) return username;
  const base = `${rng.pick(NICK_A)}${rng.pick(NICK_B)}${rng.pick(NICK_C)}`;
  if (roll < 0.12) return `${base} & <dev>`;
  if (roll < 0.15) return `${base}🚀`;
  if (roll < 0.17) return `"${base}"`;
  return base;
}
