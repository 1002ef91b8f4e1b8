import { describe, expect, it } from 'vitest';
import { escapeHtml, jsonForScript, safeHttpUrl } from '../src/report/html-escape.js';
import { safeUserFileName } from '../src/report/index.js';
import { Reservoir, TopK } from '../src/report/top-k.js';

describe('safeUserFileName', () => {
  it('keeps only safe characters and adds a hash of the exact name', () => {
    for (const name of ['../../etc/passwd', 'a/b\\c', '<script>', 'CON', '.', '..', '', '用户', 'a\0b']) {
      const file = safeUserFileName(name);
      expect(file).toMatch(/^[A-Za-z0-9_-]+-[0-9a-f]{10}\.html$/);
      expect(file).not.toContain('..');
    }
    expect(safeUserFileName('alice')).toMatch(/^alice-[0-9a-f]{10}\.html$/);
  });

  it('gives different files to names that sanitise alike or differ only in case', () => {
    const names = ['a/b', 'a_b', 'a b', 'A_b', 'a__b', 'a<b'];
    expect(new Set(names.map(safeUserFileName)).size).toBe(names.length);
  });

  it('is stable, so links between pages agree', () => {
    expect(safeUserFileName('weixin_4321')).toBe(safeUserFileName('weixin_4321'));
  });
});

describe('escaping', () => {
  it('escapes every HTML-special character', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });

  it('writes JSON that cannot close its script block and parses back to the same value', () => {
    const value = { t: '</script><script>alert(1)</script><!-- & \u2028\u2029 >' };
    const text = jsonForScript(value);
    expect(text).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(text)).toEqual(value);
  });

  it('accepts only absolute http(s) links', () => {
    expect(safeHttpUrl('https://blog.csdn.net/a/article/details/1')).toBe(
      'https://blog.csdn.net/a/article/details/1',
    );
    expect(safeHttpUrl('javascript:alert(1)')).toBeUndefined();
    expect(safeHttpUrl(' JAVASCRIPT:alert(1)')).toBeUndefined();
    expect(safeHttpUrl('data:text/html,<script>')).toBeUndefined();
    expect(safeHttpUrl('/relative')).toBeUndefined();
    expect(safeHttpUrl(undefined)).toBeUndefined();
  });
});

describe('bounded aggregates', () => {
  it('TopK keeps the k largest, largest first', () => {
    const top = new TopK<number>(3);
    for (const n of [5, 1, 9, 3, 7, 9, 2]) top.push(n, n);
    expect(top.sorted()).toEqual([9, 9, 7]);
  });

  it('Reservoir never holds more than its size and counts everything seen', () => {
    const sample = new Reservoir<number>(10, 7);
    for (let i = 0; i < 1000; i++) sample.add(i);
    expect(sample.items).toHaveLength(10);
    expect(sample.seen).toBe(1000);
    expect(new Set(sample.items).size).toBe(10);
    expect(sample.items.some((n) => n >= 10)).toBe(true);
  });
});
