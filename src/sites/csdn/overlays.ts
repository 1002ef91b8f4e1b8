/**
 * Run in the page: hide every fixed or sticky element that does not hold the pager (the
 * "博客搬家" migration banner at the bottom, toolbars, login prompts), then bring the pager
 * into the middle of the viewport. Returns how many elements were hidden.
 */
export const DISMISS_OVERLAYS_SCRIPT = `(() => {
  const pager = document.querySelector('#pageBox') || document.querySelector('li.js-page-next');
  let hidden = 0;
  for (const el of Array.from(document.querySelectorAll('body *'))) {
    const style = getComputedStyle(el);
    if (style.position !== 'fixed' && style.position !== 'sticky') continue;
    if (style.display === 'none' || (pager && el.contains(pager))) continue;
    el.style.setProperty('display', 'none', 'important');
    hidden++;
  }
  const next = document.querySelector('li.js-page-next');
  if (next && next.scrollIntoView) next.scrollIntoView({ block: 'center' });
  return hidden;
})()`;
