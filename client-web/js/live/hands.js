// The raise-hand toggle for students; the "lower all hands" button for teachers.
import { h } from '../dom.js';
import { bind } from '../i18n.js';
import { icon } from '../icons.js';
import { clientId } from './room.js';
import { isTeaching } from './roles.js';

export function createHands(room, { onError }) {
  const element = h('div', { class: 'hands' });
  const handButton = h('button', { type: 'button', class: 'btn btn--hand', testid: 'hand-button', 'aria-pressed': 'false' },
    icon('hand'), h('span', { class: 'label' }));
  const lowerAll = h('button', { type: 'button', class: 'btn', testid: 'lower-all-hands', i18n: 'hands.lowerAll' });
  let busy = false;

  async function send(type, payload) {
    if (busy) return;
    busy = true;
    handButton.disabled = lowerAll.disabled = true;
    try {
      await room.request(type, { client_id: clientId(), ...payload });
    } catch (error) {
      onError(error);
    } finally {
      busy = false;
      update();
    }
  }

  function update() {
    const you = room.you;
    const teaching = isTeaching(you);
    const raised = Boolean(you?.hand_raised);
    handButton.hidden = teaching;
    lowerAll.hidden = !teaching;
    handButton.setAttribute('aria-pressed', String(raised));
    handButton.classList.toggle('is-on', raised);
    bind(handButton.querySelector('.label'), raised ? 'hands.lower' : 'hands.raise');
    lowerAll.disabled = !room.joined || !room.participants.some((p) => p.hand_raised);
    handButton.disabled = !room.joined || busy;
  }

  handButton.addEventListener('click', () => {
    if (room.you?.hand_raised) send('hand:lower', { user_id: null });
    else send('hand:raise', {});
  });
  lowerAll.addEventListener('click', () => send('moderation:lower_all_hands', {}));
  element.append(handButton, lowerAll);
  const offs = [room.on('presence', update), room.on('state', update)];
  update();
  return { element, destroy: () => offs.forEach((off) => off()) };
}
