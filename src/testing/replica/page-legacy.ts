import { esc, scriptJson, wan } from './html.js';
import type { ReplicaArticle, UserRecord } from './population.js';
import type { SiteView } from './site-view.js';

export interface LegacyPageInput {
  pop: SiteView;
  user: UserRecord;
  origin: string;
  page: number;
  pageSize: number;
  overlay: boolean;
  /** Milliseconds the pager waits before it navigates (chosen by the server's seeded PRNG). */
  pagerDelayMs: number;
}

const TYPE_LABEL: Record<string, [string, string]> = {
  original: ['type-1', '原创'],
  reprint: ['type-2', '转载'],
  translation: ['type-3', '翻译'],
};

function item(a: ReplicaArticle): string {
  const [cls, label] = TYPE_LABEL[a.type] ?? TYPE_LABEL.original;
  return `  <div class="article-item-box csdn-tracking-statistics" data-articleid="${a.articleId}">
        <h4 class="">
        <a href="${esc(a.url)}" target="_blank">
        <span class="article-type ${cls} float-none">${label}</span>        ${esc(a.title)}      </a>
    </h4>
    <p class="content">
      <a href="${esc(a.url)}" target="_blank">
        ${esc(a.description)}      </a>
    </p>
    <div class="info-box d-flex align-content-center">
      <p>
        <span class="date">
        ${a.postTime}</span>
      </p>
      <p class="point"></p>
      <p>
        <span class="read-num">阅读数 <span class="num">${a.viewCount}</span> </span>
      </p>
      <p class="point"></p>
      <p>
        <span class="read-num">评论数 <span class="num">${a.commentCount}</span> </span>
      </p>
    </div>
      </div>
`;
}

/** The trap of 2019: a hidden first item that is another user's article. */
const DUMMY = `    <div class="article-item-box csdn-tracking-statistics" style="display: none;" data-articleid="82762601">
        <h4 class="">
            <a href="https://blog.csdn.net/yoyo_liyy/article/details/82762601" target="_blank">
            <span class="article-type type-1">原</span>隐藏的推广条目</a>
        </h4>
        <p class="content">
            <a href="https://blog.csdn.net/yoyo_liyy/article/details/82762601" target="_blank">不应被计入任何用户的文章。</a>
        </p>
        <div class="info-box d-flex align-content-center">
            <p><span class="date">2018-09-18 11:16:28</span></p>
            <p><span class="read-num">阅读数：13</span></p>
            <p><span class="read-num">评论数：2</span></p>
        </div>
    </div>
`;

function aside(pop: SiteView, user: UserRecord): string {
  const p = pop.profile(user);
  const home = esc(pop.blogUrl(user));
  const dl = (name: string, value: number, extra = '') =>
    `        <dl class="text-center"${extra} title="${value}">
            <dt>${name}</dt>
            <dd><span class="count"${name === '粉丝' ? ' id="fan"' : ''}>${wan(value)}</span></dd>
        </dl>`;
  return `	<div id="asideProfile" class="aside-box">
    <div class="profile-intro d-flex">
        <div class="user-info d-flex flex-column">
            <p class="name csdn-tracking-statistics tracking-click" username='${esc(user.username)}'>
                <a href="${home}" class="" id="uid" title='${esc(user.nickname)}'>${esc(user.nickname)}</a>
            </p>
        </div>
    </div>
    <div class="data-info d-flex item-tiling">
${dl('原创', p.originalCount ?? 0)}
${dl('粉丝', p.fansCount ?? 0, ' id="fanBox"')}
${dl('喜欢', p.likeCount ?? 0)}
${dl('评论', p.commentCount ?? 0)}
    </div>
    <div class="grade-box clearfix">
        <dl>
            <dt>等级：</dt>
            <dd>
                <a href="https://blog.csdn.net/home/help.html#level" title="${p.level}级,点击查看等级说明" target="_blank">
                    <svg class="icon icon-level" aria-hidden="true"><use xlink:href="#csdnc-bloglevel-${p.level}"></use></svg>
                </a>
            </dd>
        </dl>
        <dl>
            <dt>访问：</dt>
            <dd title="${p.viewCount}">
                ${wan(p.viewCount ?? 0)}            </dd>
        </dl>
        <dl>
            <dt>积分：</dt>
            <dd title="${p.points}">
                ${wan(p.points ?? 0)}            </dd>
        </dl>
        <dl title="${p.rank}">
            <dt>排名：</dt>
            <dd>${wan(p.rank ?? 0)}</dd>
        </dl>
    </div>
</div>`;
}

/**
 * The pager the 2019 site built in the browser: page items, 上一页 and 下一页. 下一页 navigates by
 * script after a delay (no link), is disabled on the last page, and there is no pager at all
 * for a single page. Clicks are delegated on #pageBox.
 */
const PAGER_SCRIPT = `<script>
(function(){
  function build(){
    var box = document.getElementById('pageBox');
    var pages = Math.ceil(listTotal / pageSize);
    if (!box || pages <= 1 || currentPage > pages) return;
    var html = '<ul class="ui-paging-container">';
    html += '<li class="js-page-first js-page-action ui-pager' + (currentPage <= 1 ? ' ui-pager-disabled' : '') + '">首页</li>';
    html += '<li class="js-page-prev js-page-action ui-pager' + (currentPage <= 1 ? ' ui-pager-disabled' : '') + '">上一页</li>';
    var from = Math.max(1, currentPage - 2), to = Math.min(pages, currentPage + 2);
    for (var p = from; p <= to; p++) {
      html += '<li data-page="' + p + '" class="ui-pager' + (p === currentPage ? ' ui-pager-focus' : '') + '">' + p + '</li>';
    }
    html += '<li class="js-page-next js-page-action ui-pager' + (currentPage >= pages ? ' ui-pager-disabled' : '') + '">下一页</li>';
    html += '<li class="js-page-last js-page-action ui-pager' + (currentPage >= pages ? ' ui-pager-disabled' : '') + '">尾页</li>';
    html += '</ul>';
    box.innerHTML = html;
    box.addEventListener('click', function(ev){
      var li = ev.target && ev.target.closest ? ev.target.closest('li.ui-pager') : null;
      if (!li || li.className.indexOf('ui-pager-disabled') >= 0) return;
      var target = currentPage;
      if (li.className.indexOf('js-page-next') >= 0) target = currentPage + 1;
      else if (li.className.indexOf('js-page-prev') >= 0) target = currentPage - 1;
      else if (li.className.indexOf('js-page-first') >= 0) target = 1;
      else if (li.className.indexOf('js-page-last') >= 0) target = pages;
      else target = parseInt(li.getAttribute('data-page'), 10);
      if (!target || target === currentPage) return;
      setTimeout(function(){ location.href = getAllUrl(target); }, pagerDelayMs);
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', build);
  else build();
})();
</script>`;

const BANNER = `<div class="csdn-migrate-banner" style="position:fixed;left:0;right:0;bottom:0;height:12vh;min-height:64px;z-index:99999;background:#fff7e6;border-top:1px solid #f0c36d;display:flex;align-items:center;justify-content:center;font-size:16px;">
  <span>博客搬家：一键将其他平台的博客迁移到 CSDN</span>
  <a class="close" href="javascript:void(0);" title="关闭" style="margin-left:24px;font-size:22px;cursor:pointer;" onclick="this.parentNode.style.display='none'">×</a>
</div>`;

const STYLE = `<style>
html,body{margin:0;padding:0}
body{display:flex;flex-direction:column;min-height:100vh;font-family:sans-serif}
header{padding:8px 16px;background:#f5f6f7}
#mainBox{flex:1;display:flex;flex-direction:row}
main{flex:1;display:flex;flex-direction:column}
.article-list{flex:1;display:flex;flex-direction:column}
.article-item-box{padding:8px 16px;border-bottom:1px solid #eee}
.article-item-box h4{margin:4px 0}
.article-item-box .content{margin:2px 0;color:#555;font-size:13px}
.info-box p{display:inline-block;margin:0 6px 0 0;font-size:12px}
aside{width:280px;padding:8px}
#pageBox{margin-top:auto;height:40px}
.ui-paging-container{list-style:none;margin:0;padding:4px 16px;display:flex;gap:6px}
li.ui-pager{padding:4px 10px;border:1px solid #ddd;cursor:pointer}
li.ui-pager-disabled{color:#bbb;cursor:default}
li.ui-pager-focus{background:#ca0c16;color:#fff}
.no-data{padding:40px;text-align:center;color:#999}
</style>`;

/** `/<id>/article/list/<n>` (and `/<id>` in legacy mode) in the 2019 markup. */
export function legacyPage(input: LegacyPageInput): string {
  const { pop, user, origin, page, pageSize } = input;
  const total = pop.articleCount(user);
  const items = pop.slice(user, (page - 1) * pageSize, pageSize);
  const list = items.length
    ? items.map(item).join('')
    : '  <div class="no-data d-flex flex-column justify-content-center align-items-center"><p>空空如也</p></div>\n';
  const nick = esc(user.nickname);
  const blogAddress = `${origin}/${user.username}`;
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
    <meta charset="utf-8">
    <title>${nick}的博客 - CSDN博客</title>
    <script>
        var username = ${scriptJson(user.username)};
        var blog_address = ${scriptJson(blogAddress)};
        var currentUserName = "";
        var isShowAds = false;
        var isOwner = false;
        var blogUrl = ${scriptJson(`${origin}/`)};
        var nickName = ${scriptJson(user.nickname)};
        var isCorporate = false;
    </script>
    ${STYLE}
</head>
<body class="nodata " >
<header>
	<div class="container d-flex clearfix">
		<div class="title-box">
			<h1 class="title-blog"><a href="${esc(blogAddress)}">${nick}</a></h1>
		</div>
	</div>
</header>
<div class="container clearfix pt0" id="mainBox">
    <main>
      <div class="filter-box d-flex align-items-center">
        <label class="chk-box" for="chkOriginal"><input type="checkbox" name="t" value="1" id="chkOriginal">只看原创</label>
      </div>
<div class="article-list">
${DUMMY}${list}  <div class="pagination-box" id="pageBox"></div>
</div>
    </main>
    <aside>
${aside(pop, user)}
    </aside>
</div>
<script>
    var currentPage = ${page};
    var baseUrl = '${blogAddress.replace(/[^\w:/.-]/g, '')}/article/list' ;
    var pageSize = ${pageSize} ;
    var listTotal = ${total} ;
    var pageQueryStr = '?';
    var pagerDelayMs = ${input.pagerDelayMs};
    function getAllUrl(page) {
        return baseUrl + "/" + page + pageQueryStr;
    }
</script>
${PAGER_SCRIPT}
${input.overlay ? BANNER : ''}
</body>
</html>
`;
}
