// Tiny DOM builder. User text (names, chat) only ever lands in text nodes, never innerHTML,
// so a chat message cannot inject markup into a classmate's page.
import { bind, t } from './i18n.js';

/**
 * h('button', {testid: 'send', i18n: 'chat.send', onclick}, child, ...)
 * Special attributes: `i18n` (text key), `i18nArgs`, `i18nAttr` ({attr: key}), `testid`,
 * `class`, `dataset`, `on<event>` handlers; everything else is set as an attribute/property.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'i18n' || name === 'i18nArgs' || name === 'i18nAttr') continue;
    if (name === 'testid') el.dataset.testid = value;
    else if (name === 'class') el.className = value;
    else if (name === 'dataset') Object.assign(el.dataset, value);
    else if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value);
    } else if (name in el && typeof value !== 'string') el[name] = value;
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  if (attrs && (attrs.i18n || attrs.i18nAttr)) bind(el, attrs.i18n, attrs.i18nArgs, attrs.i18nAttr);
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  el.replaceChildren();
  return el;
}

let fieldCounter = 0;

/** A labelled form field; returns {wrap, input}. Labels are real <label for>, for screen readers. */
export function field(labelKey, input) {
  fieldCounter += 1;
  input.id ||= `f${fieldCounter}`;
  const label = h('label', { for: input.id, i18n: labelKey });
  return { wrap: h('div', { class: 'field' }, label, input), input };
}

/** A <select> whose option labels are translation keys. */
export function select(options, attrs = {}) {
  const el = h('select', attrs);
  for (const [value, key] of options) el.append(h('option', { value, i18n: key }));
  return el;
}

/**
 * A message line for a form or page: role=alert for errors so screen readers announce them.
 * Call `.show(text, kind)`, `.showKey(key, args, kind)` or `.hide()`.
 */
export function notice() {
  const el = h('p', { class: 'notice', hidden: true });
  el.show = (text, kind = 'error') => {
    delete el.dataset.i18n;
    delete el.dataset.i18nArgs;
    el.className = `notice notice--${kind}`;
    el.setAttribute('role', kind === 'error' ? 'alert' : 'status');
    el.textContent = text;
    el.hidden = false;
  };
  el.showKey = (key, args, kind = 'ok') => {
    el.show('', kind);
    bind(el, key, args);
  };
  el.hide = () => {
    el.hidden = true;
    el.textContent = '';
  };
  return el;
}

/** Visually hidden text (still read by screen readers). */
export function srOnly(key, args) {
  return h('span', { class: 'sr-only', i18n: key, i18nArgs: args });
}

export { t };

/** Say `text` through the page's polite live region (joins, leaves, hands). */
export function announce(text) {
  const region = document.getElementById('announcer');
  if (!region) return;
  // Clearing first makes screen readers repeat an identical sentence.
  region.textContent = '';
  setTimeout(() => {
    region.textContent = text;
  }, 50);
}
