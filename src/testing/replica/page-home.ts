import { type ApiVariant, achievementEntry, DEFAULT_API_VARIANT } from './api-variant.js';
import { fuzzyTime } from './fuzzy-time.js';
import { esc, scriptJson, thousands } from './html.js';
import type { ReplicaArticle, UserRecord } from './population.js';
import type { SiteView } from './site-view.js';

const TYPE_TEXT: Record<string, string> = { original: '原创', reprint: '转载', translation: '翻译' };

/** Counters in the embedded JSON vary in shape per user, as on the real site. */
function shaped(value: number, style: 0 | 1 | 2): number | string {
  if (style === 0) return value;
  if (style === 1) return String(value);
  return thousands(value);
}

function listItem(a: ReplicaArticle, nowMs: number): string {
  return `<article class="blog-list-box" data-articleid="${a.articleId}">
  <a href="${esc(a.url)}" target="_blank" data-report-click='{"spm":"3001.5502"}'>
    <div class="blog-list-box-top"><h4>${esc(a.title)}</h4></div>
    <div class="blog-list-content">${esc(a.description)}</div>
    <div class="blog-list-footer">
      <div class="blog-list-footer-left">
        <div class="article-type">${TYPE_TEXT[a.type] ?? '原创'}</div>
        <div class="view-time-box">发布博客&nbsp;${esc(fuzzyTime(a.postTime, nowMs))}&nbsp;·&nbsp;</div>
        <div class="view-num-box"><span class="view-num">${thousands(a.viewCount)}<span class="two-num">阅读</span></span></div>
        <div class="comment-num-box"><span class="comment-num">${a.commentCount}<span class="two-num">评论</span></span></div>
      </div>
    </div>
  </a>
</article>`;
}

/** Today's `/<id>`: server-rendered head counters, the first articles and __INITIAL_STATE__. */
export function homePage(
  pop: SiteView,
  user: UserRecord,
  firstPage: number,
  variant: ApiVariant = DEFAULT_API_VARIANT,
): string {
  const p = pop.profile(user);
  const style = user.counterStyle;
  const counters: [string, number][] = [
    ['总访问量', p.viewCount ?? 0],
    ['原创', p.originalCount ?? 0],
    ['排名', p.rank ?? 0],
    ['粉丝', p.fansCount ?? 0],
    ['关注', p.followCount ?? 0],
  ];
  const state = {
    pageData: {
      pid: 'blog',
      data: {
        baseInfo: {
          userModule: {
            username: user.username,
            nickname: user.nickname,
            avatar: `https://profile-avatar.csdnimg.cn/default.jpg`,
            level: shaped(p.level ?? 1, style),
            registrationTime: p.registrationTime,
            codeAge: `码龄${Math.max(1, 2025 - Number(p.registrationTime?.slice(0, 4)))}年`,
            region: '北京市',
            blogUrl: p.blogUrl,
            isOwner: false,
          },
          achievementModule: {
            originalCount: shaped(p.originalCount ?? 0, style),
            rank: shaped(p.rank ?? 0, style),
            fansCount: shaped(p.fansCount ?? 0, style),
            followCount: shaped(p.followCount ?? 0, style),
            loyalFansCount: shaped(Math.floor((p.fansCount ?? 0) / 3), style),
            wholeSiteViewCount: { total: shaped(p.viewCount ?? 0, style) },
            achievementList: [
              achievementEntry(variant, 'like', '获得{0}次点赞', thousands(p.likeCount ?? 0)),
              achievementEntry(variant, 'comment', '内容获得{0}次评论', thousands(p.commentCount ?? 0)),
              achievementEntry(variant, 'favorite', '获得{0}次收藏', thousands(p.favouriteCount ?? 0)),
              achievementEntry(variant, 'share', '代码片获得{0}次分享', '0'),
            ],
          },
        },
      },
    },
  };
  const articles = pop
    .slice(user, 0, firstPage)
    .map((a) => listItem(a, pop.nowMs))
    .join('\n');
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>${esc(user.nickname)}的博客_CSDN博客</title></head>
<body>
<div class="user-profile-head">
  <div class="user-profile-head-name"><div>${esc(user.nickname)}</div></div>
  <div class="user-profile-head-info-r">
    <ul class="user-profile-head-info-r-c">
${counters
  .map(
    ([name, value]) =>
      `      <li><a href="javascript:;"><div class="user-profile-statistics-num">${thousands(value)}</div><div class="user-profile-statistics-name">${name}</div></a></li>`,
  )
  .join('\n')}
    </ul>
  </div>
</div>
<div class="navList-box"><div class="mainContent">
${articles}
</div></div>
<script>window.__INITIAL_STATE__=${scriptJson(state)};</script>
</body>
</html>
`;
}
