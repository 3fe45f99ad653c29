// Class chat. A message is written with a client id (so a retry after a reconnect never doubles
// it), shown as "sending" until the server acknowledges the commit, and placed by its seq.
import { h } from '../dom.js';
import { bind, t, timeElement } from '../i18n.js';
import { clientId } from './room.js';

export const CHAT_MAX_CHARS = 2000;
// Codes after which resending the same message cannot help; the user decides to retry.
const RETRY_LATER = new Set(['timeout', 'not_connected']);

function systemText(room, event) {
  const key = `event.${event.kind}`;
  const actor = event.actor ? event.actor.display_name : '';
  const target = event.target_id ? room.nameOf(event.target_id) : actor;
  if (event.kind === 'hand_lowered') return [key, { name: target }];
  if (event.kind === 'participant_removed') return ['event.participant_removed_named', { name: actor, target }];
  return [key, { name: actor }];
}

export function createChat(room) {
  const list = h('ol', {
    class: 'chat-log', testid: 'chat-messages', role: 'log', 'aria-live': 'polite',
    'aria-labelledby': 'chat-title',
  });
  const empty = h('p', { class: 'empty chat-empty', i18n: 'chat.empty' });
  const input = h('textarea', {
    id: 'chat-input', testid: 'chat-input', rows: 2, maxLength: CHAT_MAX_CHARS,
    i18nAttr: { placeholder: 'chat.input' }, 'aria-describedby': 'chat-count',
  });
  const count = h('span', { id: 'chat-count', class: 'chat-count', testid: 'chat-count' });
  const sendButton = h('button', { type: 'submit', class: 'btn btn--primary', testid: 'chat-send', i18n: 'chat.send' });
  const formError = h('p', { class: 'notice notice--error', role: 'alert', hidden: true, testid: 'chat-error' });
  const form = h('form', { class: 'chat-form' },
    h('label', { for: 'chat-input', class: 'sr-only', i18n: 'chat.input' }),
    input, h('div', { class: 'chat-form-row' }, count, sendButton), formError);
  const element = h('section', { class: 'panel chat', 'aria-labelledby': 'chat-title' },
    h('h2', { id: 'chat-title', i18n: 'chat.title' }), empty, list, form);

  /** seq -> <li>, and client id -> {li, body} for messages not yet acknowledged. */
  const bySeq = new Map();
  const pending = new Map();
  let flushing = false;

  const showCount = () => bind(count, 'chat.count', { n: input.value.length, max: CHAT_MAX_CHARS });
  showCount();

  function nearBottom() {
    return list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  }

  /** Insert `li` so the log stays in seq order; pending messages stay last. */
  function place(li, seq) {
    const stick = nearBottom();
    let before = null;
    if (typeof seq === 'number') {
      for (const child of list.children) {
        const childSeq = Number(child.dataset.seq);
        if (child.dataset.state === 'pending' || child.dataset.state === 'failed' || childSeq > seq) {
          before = child;
          break;
        }
      }
    }
    list.insertBefore(li, before);
    empty.hidden = true;
    if (stick) list.scrollTop = list.scrollHeight;
  }

  function messageItem(author, body, createdAt, mine) {
    return h('li', { class: `chat-message${mine ? ' chat-message--mine' : ''}`, testid: 'chat-message' },
      h('span', { class: 'chat-meta' },
        h('strong', { class: 'chat-author' }, author), ' ',
        createdAt ? timeElement(createdAt, 'time') : ''),
      h('span', { class: 'chat-body' }, body),
      h('span', { class: 'chat-state' }));
  }

  function markSent(li, event) {
    li.dataset.seq = String(event.seq);
    li.dataset.state = 'sent';
    li.querySelector('.chat-state').replaceChildren();
    const meta = li.querySelector('.chat-meta');
    if (!meta.querySelector('time')) meta.append(timeElement(event.created_at, 'time'));
    bySeq.set(event.seq, li);
    li.remove();
    place(li, event.seq);
  }

  function onEvent(event) {
    if (bySeq.has(event.seq)) return;
    if (event.kind === 'chat') {
      const mine = room.you && event.actor && event.actor.id === room.you.user_id;
      const waiting = mine && pending.get(event.payload.client_id);
      if (waiting) {
        // Our own message came back (broadcast or replay) before or instead of the ack.
        pending.delete(event.payload.client_id);
        markSent(waiting.li, event);
        return;
      }
      const li = messageItem(event.actor.display_name, event.payload.body, event.created_at, mine);
      li.dataset.seq = String(event.seq);
      li.dataset.state = 'sent';
      li.dataset.clientId = event.payload.client_id || '';
      bySeq.set(event.seq, li);
      place(li, event.seq);
      return;
    }
    const [key, args] = systemText(room, event);
    const li = h('li', { class: 'chat-system', testid: 'chat-system', dataset: { seq: String(event.seq), kind: event.kind } },
      h('span', { i18n: key, i18nArgs: args }));
    bySeq.set(event.seq, li);
    place(li, event.seq);
  }

  function setEntryState(entry, state, message) {
    entry.li.dataset.state = state;
    const slot = entry.li.querySelector('.chat-state');
    if (state === 'pending') {
      slot.replaceChildren(h('span', { class: 'chat-pending', i18n: 'chat.pending' }));
    } else if (state === 'failed') {
      slot.replaceChildren(
        h('span', { class: 'chat-failed' }, `${t('chat.failed')}: ${message}`), ' ',
        h('button', { type: 'button', class: 'btn btn--small', testid: 'chat-retry', i18n: 'chat.retry', onclick: () => trySend(entry) }));
    }
  }

  async function trySend(entry) {
    setEntryState(entry, 'pending');
    try {
      const ack = await room.request('chat:send', { client_id: entry.clientId, body: entry.body });
      if (pending.has(entry.clientId)) {
        pending.delete(entry.clientId);
        markSent(entry.li, ack.message);
        room.receive(ack.message); // records the seq so the broadcast or a replay is ignored
      }
    } catch (error) {
      if (RETRY_LATER.has(error.code)) return; // stays pending; resent after the next join
      const key = `error.${error.code}`;
      setEntryState(entry, 'failed', t(key) === key ? error.message : t(key));
    }
  }

  /** After (re)joining, resend what never got an ack, in the order it was written. */
  async function flushPending() {
    if (flushing) return;
    flushing = true;
    try {
      for (const entry of [...pending.values()]) {
        if (!room.joined) break;
        if (entry.li.dataset.state === 'pending') await trySend(entry);
      }
    } finally {
      flushing = false;
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    formError.hidden = true;
    const body = input.value.trim();
    if (!body) return;
    if (body.length > CHAT_MAX_CHARS) {
      formError.textContent = t('chat.tooLong', { max: CHAT_MAX_CHARS });
      formError.hidden = false;
      return;
    }
    const entry = { clientId: clientId(), body };
    entry.li = messageItem(room.you?.display_name || t('live.you'), body, null, true);
    entry.li.dataset.clientId = entry.clientId;
    pending.set(entry.clientId, entry);
    setEntryState(entry, 'pending');
    place(entry.li, null);
    input.value = '';
    showCount();
    trySend(entry);
    input.focus();
  });
  input.addEventListener('input', showCount);
  input.addEventListener('keydown', (event) => {
    // Enter sends, Shift+Enter is a new line; IME composition (Korean!) must not send early.
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  const unsubscribe = [
    room.on('event', onEvent),
    room.on('joined', () => flushPending()),
    room.on('state', () => {
      sendButton.disabled = room.finished;
      input.disabled = room.finished;
    }),
  ];
  return { element, destroy: () => unsubscribe.forEach((off) => off()) };
}
