/**
 * Cleaning a tab between leases so that it can serve the next one instead of a new tab or
 * window: a new one costs a renderer process start, about a third of a second on a small machine.
 */

/**
 * Run in the page: nothing the old page started may reach the next lease, and the next lease
 * finds an empty document (the URL stays until its first goto).
 */
export const CLEAR_PAGE_SCRIPT = `(() => {
  try { localStorage.clear(); } catch {}
  try { sessionStorage.clear(); } catch {}
  window.stop();
  const last = setTimeout(() => {}, 0);
  for (let id = 0; id <= last; id++) { clearTimeout(id); clearInterval(id); }
  document.open();
  document.close();
})()`;

/**
 * Run in the page to leave it. Left by the page itself, about:blank stays in the same renderer
 * process; a navigation from outside would start another process for every lease.
 */
export const LEAVE_PAGE_SCRIPT = `location.replace('about:blank')`;

/** Cleaned tabs a browser keeps at most; a pool never has more pages open than its tabs. */
export const MAX_IDLE_TABS = 16;
export const RECYCLE_TIMEOUT_MS = 3000;
