import { describe, expect, it } from 'vitest';
import { parseBusinessList, parseUserList } from '../src/sites/csdn/parse-api.js';
import { profileFromInitialState } from '../src/sites/csdn/parse-initial-state.js';

// Hand-written samples in each reading public captures disagree on.

const envelope = (data: unknown) => JSON.stringify({ code: 200, message: 'success', traceId: 't', data });

const item = (id: number, extra: Record<string, unknown> = {}) => ({
  articleId: id,
  title: `t${id}`,
  url: `https://blog.csdn.net/u/article/details/${id}`,
  type: 1,
  postTime: '2023-01-02 03:04:05',
  viewCount: 10,
  commentCount: '2',
  diggCount: 3,
  ...extra,
});

describe('get-business-list with and without collectCount / total', () => {
  it('an item without collectCount keeps it undefined (not 0); with it, the number', () => {
    const page = parseBusinessList(
      envelope({ list: [item(7), item(6, { collectCount: '1,204' })], total: 2 }),
    );
    expect('collectCount' in page.articles[0]).toBe(false);
    expect(page.articles[0].collectCount).toBeUndefined();
    expect(page.articles[1].collectCount).toBe(1204);
    expect(page.total).toBe(2);
  });

  it('a page without total has total undefined; a user without list and total is empty', () => {
    const page = parseBusinessList(envelope({ list: [item(9)] }));
    expect(page.total).toBeUndefined();
    expect(page.hasList).toBe(true);
    expect(page.articles.map((a) => a.articleId)).toEqual(['9']);
    expect(parseBusinessList(envelope({}))).toEqual({ articles: [], total: undefined, hasList: false });
  });
});

describe('fans / follows lists, v1 and v2', () => {
  const v1 = envelope({
    list: [
      { username: 'fan_a', nickname: 'A', id: 41 },
      { userName: 'fan-b', nickname: 'B', id: 40 },
    ],
    total: 2,
  });
  // v2 as a real page's capture shows it: same items, cursor ids as strings, no total
  const v2 = envelope({
    list: [
      { username: 'fan_c', id: '900000000' },
      { username: 'bad name!', id: '899999993' },
    ],
    noMore: false,
  });

  it('reads names and the last item id as the cursor (number or digits)', () => {
    expect(parseUserList(v1, 'fans')).toEqual({
      usernames: ['fan_a', 'fan-b'],
      listed: 2,
      total: 2,
      lastId: '40',
    });
    expect(parseUserList(v2, 'fans')).toEqual({
      usernames: ['fan_c'],
      listed: 2,
      total: undefined,
      lastId: '899999993',
    });
  });

  it('no cursor when the last item has no usable id; an empty list has none either', () => {
    expect(parseUserList(envelope({ list: [{ username: 'x', id: -3 }] }), 'fans').lastId).toBeUndefined();
    expect(parseUserList(envelope({ list: [{ username: 'x', id: 'abc' }] }), 'fans').lastId).toBeUndefined();
    expect(parseUserList(envelope({ list: [{ username: 'x' }] }), 'fans').lastId).toBeUndefined();
    expect(parseUserList(envelope({ list: [] }), 'fans')).toMatchObject({ listed: 0, lastId: undefined });
  });
});

describe('achievements in both readings', () => {
  const state = (achievementList: unknown[]) => ({
    pageData: {
      data: {
        baseInfo: {
          userModule: { username: 'u', nickname: 'n' },
          achievementModule: { originalCount: 1, achievementList },
        },
      },
    },
  });
  const counts = (list: unknown[]) => {
    const p = profileFromInitialState(state(list), 'u');
    return { like: p?.likeCount, comment: p?.commentCount, favourite: p?.favouriteCount };
  };

  it('title + variable', () => {
    expect(
      counts([
        { title: '获得{0}次点赞', variable: '14,221' },
        { title: '内容获得{0}次评论', variable: 120 },
        { title: '获得{0}次收藏', variable: '3' },
        { title: '代码片获得{0}次分享', variable: '99' },
      ]),
    ).toEqual({ like: 14221, comment: 120, favourite: 3 });
  });

  it('template + variable (what two public crawlers read)', () => {
    expect(
      counts([
        { icon: 'like', template: '获得{0}次点赞', variable: '14,221' },
        { icon: 'comment', template: '内容获得{0}次评论', variable: '120' },
        { icon: 'favorite', template: '获得{0}次收藏', variable: 3 },
        { icon: 'share', template: '代码片获得{0}次分享', variable: '99' },
      ]),
    ).toEqual({ like: 14221, comment: 120, favourite: 3 });
  });

  it('the text that names a kind wins, whichever field carries it; a plain text gives its number', () => {
    expect(
      counts([
        { title: '成就', template: '获得{0}次点赞', variable: '5' },
        { template: '', text: '获得1,002次评论' },
        { template: '代码片获得{0}次分享', title: '获得{0}次收藏', variable: '7' },
      ]),
    ).toEqual({ like: 5, comment: 1002, favourite: undefined });
  });
});
