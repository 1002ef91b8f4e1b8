import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../src/core/errors.js';
import { createCsdnAdapter } from '../src/sites/csdn/index.js';

const adapter = createCsdnAdapter({ baseUrl: 'http://127.0.0.1:4567' });

describe('csdn normalizeId', () => {
  it('accepts ids and profile URLs', () => {
    expect(adapter.normalizeId('weixin_38171180')).toBe('weixin_38171180');
    expect(adapter.normalizeId('  a-b_C9  ')).toBe('a-b_C9');
    expect(adapter.normalizeId('https://blog.csdn.net/weixin_38171180')).toBe('weixin_38171180');
    expect(adapter.normalizeId('https://blog.csdn.net/weixin_38171180/')).toBe('weixin_38171180');
    expect(adapter.normalizeId('http://blog.csdn.net/u1/article/details/101841082')).toBe('u1');
    expect(adapter.normalizeId('https://blog.csdn.net/u1/article/list/3?t=1')).toBe('u1');
    expect(adapter.normalizeId('blog.csdn.net/u2')).toBe('u2');
    expect(adapter.normalizeId('https://me.csdn.net/u3')).toBe('u3');
    expect(adapter.normalizeId('http://127.0.0.1:4567/replica_user/article/details/1')).toBe('replica_user');
  });

  it('rejects anything else with one line naming the input and what is allowed', () => {
    const bad = [
      '',
      '   ',
      'has space',
      'dot.name',
      '../etc/passwd',
      '<script>',
      'x'.repeat(65),
      '用户',
      'community',
      'rank',
      'Phoenix',
      'https://example.com/u1',
      'https://blog.csdn.net/',
      'https://blog.csdn.net/community/home-api/v1/get-business-list',
      'https://custom.blog.csdn.net/article/details/1',
      'ftp://blog.csdn.net/u1',
    ];
    for (const input of bad) {
      let caught: unknown;
      try {
        adapter.normalizeId(input);
      } catch (error) {
        caught = error;
      }
      expect(caught, input).toBeInstanceOf(InvalidInputError);
      const message = (caught as Error).message;
      expect(message).not.toContain('\n');
      if (input.trim() !== '' && input.length < 60) expect(message).toContain(input.trim().slice(0, 20));
    }
    expect(() => adapter.normalizeId('has space')).toThrow(/letters, digits, _ or -/);
    expect(() => adapter.normalizeId('x'.repeat(64))).not.toThrow();
  });
});
