// The stage: one tile per participant, the teacher's large, students' small.
//
// Boundary with the media module (`media.js`, written separately): each tile holds an empty
// `[data-media-slot]` element; media code puts the participant's <video> there. While a slot
// is empty, CSS shows the participant's initial instead. Tiles are created once per user and
// never moved in the DOM (order comes from CSS), so a playing <video> is not interrupted by
// presence updates.
import { h } from '../dom.js';
import { icon } from '../icons.js';
import { byStageOrder, isTeaching } from './roles.js';

export function createStage(room, stage) {
  const tiles = new Map(); // user id -> tile element

  function tileFor(p) {
    let tile = tiles.get(p.user_id);
    if (!tile) {
      const slot = h('div', { class: 'tile-media', dataset: { mediaSlot: '', userId: String(p.user_id) } });
      tile = h('figure', { class: 'tile', testid: 'stage-tile', dataset: { userId: String(p.user_id) } },
        slot, h('figcaption', { class: 'tile-caption' }, h('span', { class: 'tile-name' }), h('span', { class: 'tile-hand' }, icon('hand'))));
      tiles.set(p.user_id, tile);
      stage.append(tile);
    }
    return tile;
  }

  function render(participants) {
    const sorted = [...participants].sort(byStageOrder);
    const present = new Set();
    sorted.forEach((p, index) => {
      present.add(p.user_id);
      const tile = tileFor(p);
      tile.style.order = String(index);
      tile.classList.toggle('tile--main', isTeaching(p) && index === 0);
      tile.classList.toggle('tile--hand', Boolean(p.hand_raised));
      tile.classList.toggle('tile--offline', p.connected === false);
      tile.querySelector('.tile-name').textContent = p.display_name;
      tile.querySelector('[data-media-slot]').dataset.initial = p.display_name.slice(0, 1);
    });
    for (const [userId, tile] of tiles) {
      if (!present.has(userId)) {
        tile.remove();
        tiles.delete(userId);
      }
    }
    stage.classList.toggle('stage--has-main', sorted.length > 0 && isTeaching(sorted[0]));
  }

  const off = room.on('presence', render);
  render(room.participants);
  return {
    /** The element media code fills for `userId`, or null if they are not in the room. */
    slotFor: (userId) => tiles.get(userId)?.querySelector('[data-media-slot]') || null,
    destroy: off,
  };
}
