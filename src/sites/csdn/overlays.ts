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

export type NextButtonState = 'absent' | 'disabled' | 'enabled';

/**
 * Run in the page before each click on 下一页: reads the pager's state the way
 * `parseLegacyPager` reads saved HTML (same selector, same disabled markers), and, when the
 * button can be clicked, hides the overlays as DISMISS_OVERLAYS_SCRIPT does. One round trip
 * instead of serialising the whole document to learn one class name.
 */
export const PREPARE_NEXT_CLICK_SCRIPT = `(() => {
  const next = document.querySelector('li.js-page-next');
  if (!next) return 'absent';
  if (next.classList.contains('ui-pager-disabled') || next.hasAttribute('disabled')) return 'disabled';
  ${DISMISS_OVERLAYS_SCRIPT};
  return 'enabled';
})()`;
