// Who is in the class. Teachers first; a raised hand is shown as an icon *and* in words;
// teachers get per-student controls (lower a hand, remove after a confirm step).
import { announce, h } from '../dom.js';
import { t } from '../i18n.js';
import { icon } from '../icons.js';
import { clientId } from './room.js';
import { byStageOrder, isTeaching } from './roles.js';

export function createParticipants(room, { onError }) {
  const title = h('h2', { id: 'participants-title', i18n: 'participants.title', i18nArgs: { n: 0 } });
  const list = h('ul', { class: 'participant-list', testid: 'participant-list', 'aria-labelledby': 'participants-title' });
  const element = h('section', { class: 'panel participants', 'aria-labelledby': 'participants-title' }, title, list);
  let known = null; // user ids present in the previous list, to announce joins and leaves
  let confirming = null; // user id whose removal awaits confirmation

  async function act(type, payload) {
    try {
      await room.request(type, { client_id: clientId(), ...payload });
    } catch (error) {
      onError(error);
    }
  }

  function controls(p) {
    const you = room.you;
    if (!isTeaching(you) || p.user_id === you.user_id || isTeaching(p)) return null;
    const box = h('span', { class: 'participant-controls' });
    if (p.hand_raised) {
      box.append(h('button', {
        type: 'button', class: 'btn btn--small', testid: 'lower-hand',
        i18n: 'participants.lowerHand', onclick: () => act('hand:lower', { user_id: p.user_id }),
      }));
    }
    if (confirming === p.user_id) {
      box.append(
        h('button', {
          type: 'button', class: 'btn btn--small btn--danger', testid: 'confirm-remove',
          i18n: 'participants.confirm', 'aria-describedby': `remove-q-${p.user_id}`,
          onclick: () => {
            confirming = null;
            act('moderation:remove', { user_id: p.user_id });
          },
        }),
        h('button', { type: 'button', class: 'btn btn--small', testid: 'cancel-remove', i18n: 'common.cancel', onclick: () => {
          confirming = null;
          render();
        } }),
      );
    } else {
      box.append(h('button', {
        type: 'button', class: 'btn btn--small btn--ghost', testid: 'remove-participant',
        i18n: 'participants.remove', i18nAttr: { title: 'participants.remove' },
        onclick: () => {
          confirming = p.user_id;
          render();
          list.querySelector('[data-testid="confirm-remove"]')?.focus();
        },
      }));
    }
    return box;
  }

  function item(p) {
    const you = room.you && p.user_id === room.you.user_id;
    return h('li', {
      class: `participant${p.connected === false ? ' participant--offline' : ''}${p.hand_raised ? ' participant--hand' : ''}`,
      testid: 'participant', dataset: { userId: String(p.user_id), role: p.role, hand: String(Boolean(p.hand_raised)) },
    },
    h('span', { class: 'avatar', 'aria-hidden': 'true' }, p.display_name.slice(0, 1)),
    h('span', { class: 'participant-name' }, p.display_name,
      you ? h('span', { class: 'muted' }, ' (', h('span', { i18n: 'live.you' }), ')') : null),
    h('span', { class: `badge badge--${p.role}`, i18n: `role.${p.role}` }),
    p.hand_raised ? h('span', { class: 'hand', testid: 'hand-indicator', role: 'img', i18nAttr: { 'aria-label': 'participants.hand', title: 'participants.hand' } }, icon('hand')) : null,
    p.connected === false ? h('span', { class: 'muted small', i18n: 'participants.offline' }) : null,
    controls(p));
  }

  function announceChanges(participants) {
    const ids = new Set(participants.map((p) => p.user_id));
    if (known && !room.finished) {
      for (const p of participants) if (!known.has(p.user_id)) announce(t('participants.joined', { name: p.display_name }));
      for (const id of known) if (!ids.has(id)) announce(t('participants.left', { name: room.nameOf(id) }));
    }
    known = ids;
  }

  function render() {
    const participants = [...room.participants].sort(byStageOrder);
    title.dataset.i18nArgs = JSON.stringify({ n: participants.length });
    title.textContent = t('participants.title', { n: participants.length });
    const focusedId = document.activeElement?.closest?.('[data-testid="participant"]')?.dataset.userId;
    list.replaceChildren(...participants.map(item));
    if (focusedId) list.querySelector(`[data-user-id="${focusedId}"] button`)?.focus();
  }

  const off = room.on('presence', (participants) => {
    announceChanges(participants);
    render();
  });
  render();
  return { element, destroy: off };
}
