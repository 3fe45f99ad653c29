// Hash routes, so the server only ever serves one page and a reload keeps the place.
// A page is `render(root, params) -> cleanup?`; the cleanup runs before the next page renders
// (the live class uses it to leave the room and close its socket).

const routes = [];
let cleanup = null;
let renderToken = 0;

/** Register `pattern` like '/courses/:id'. */
export function route(pattern, page) {
  const names = [];
  const regex = new RegExp(
    `^${pattern.replace(/:(\w+)/g, (_, name) => {
      names.push(name);
      return '([^/]+)';
    })}$`,
  );
  routes.push({ regex, names, page });
}

export function navigate(path) {
  if (location.hash === `#${path}`) render();
  else location.hash = path;
}

export function currentPath() {
  return location.hash.replace(/^#/, '') || '/';
}

async function runCleanup() {
  const previous = cleanup;
  cleanup = null;
  if (typeof previous === 'function') {
    try {
      await previous();
    } catch (error) {
      console.error('page cleanup failed', error);
    }
  }
}

/** Render the page for the current hash into `root`; `fallback(path)` decides redirects. */
export function start(root, { guard, notFound }) {
  const render = async () => {
    const token = ++renderToken;
    await runCleanup();
    const path = currentPath();
    const redirect = guard(path);
    if (redirect && redirect !== path) {
      navigate(redirect);
      return;
    }
    for (const { regex, names, page } of routes) {
      const match = regex.exec(path);
      if (!match) continue;
      const params = Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1])]));
      root.replaceChildren();
      const result = await page(root, params);
      if (token !== renderToken) {
        // The user navigated away while this page was loading: drop it at once.
        if (typeof result === 'function') await result();
      } else {
        cleanup = result;
      }
      return;
    }
    root.replaceChildren();
    notFound(root);
  };
  window.addEventListener('hashchange', render);
  renderHook = render;
  render();
}

let renderHook = null;

function render() {
  if (renderHook) renderHook();
}
