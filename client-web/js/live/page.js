// The live-class page: stage and media toolbar on the left, participants and chat on the right
// (stacked on a narrow tablet). It owns the Room for as long as the page is open and leaves
// it when the user navigates away.
//
// Media boundary: if `./media.js` exists it is loaded and called as
//   mountMedia({ room, stage, controls, slotFor }) -> { destroy() } | undefined
// where `stage` is #stage, `controls` is the #media-controls toolbar and `slotFor(userId)`
// gives the element to put that participant's <video> in. Without it the class runs with
// chat, hands and presence only.
import * as api from '../api.js';
import { describeError } from '../api.js';
import { announce, h, notice } from '../dom.js';
import { bind, t } from '../i18n.js';
import { createChat } from './chat.js';
import { createHands } from './hands.js';
import { createParticipants } from './participants.js';
import { Room } from './room.js';
import { createStage } from './stage.js';
import { TOOLS } from './tools.js';

const STATE_KEYS = {
  connecting: 'live.connecting',
  joined: 'live.connected',
  waiting: 'live.waiting',
  reconnecting: 'live.reconnecting',
  removed: 'live.removed',
  ended: 'live.ended',
};

/** Why this login stopped working (the `revoked` event's reason), in words. */
const REVOKED_KEYS = {
  account_deactivated: 'live.revoked.account_deactivated',
  logged_out: 'live.revoked.logged_out',
};

async function loadMedia() {
  try {
    return await import('./media.js');
  } catch (error) {
    console.info('live media module not loaded:', error.message);
    return null;
  }
}

export async function renderLive(root, { id }) {
  const sessionId = Number(id);
  const message = notice();
  message.dataset.testid = 'live-error';
  let session;
  try {
    session = await api.get(`/api/sessions/${sessionId}`);
  } catch (error) {
    root.append(h('section', { class: 'page' }, h('h1', { i18n: 'live.title' }), message));
    message.show(describeError(error));
    return undefined;
  }
  const courseHref = `#/courses/${session.course_id}`;
  if (session.status !== 'live') {
    // Joining would only be refused; say why in words a student understands.
    root.append(h('section', { class: 'page' },
      h('h1', {}, session.title),
      h('p', { class: 'notice notice--ok', testid: 'live-banner', dataset: { state: session.status },
        i18n: session.status === 'ended' ? 'live.ended' : 'live.notStarted' }),
      h('p', {}, h('a', { href: courseHref, class: 'btn btn--primary', i18n: 'live.backToCourse' }))));
    return undefined;
  }

  const room = new Room(sessionId);
  const showError = (error) => message.show(describeError(error));
  const status = h('p', { class: 'live-status', testid: 'connection-status', role: 'status' });
  const banner = h('div', { class: 'live-banner', testid: 'live-banner', role: 'alert', hidden: true });
  const stageEl = h('div', { id: 'stage', class: 'stage', testid: 'stage', role: 'region', i18nAttr: { 'aria-label': 'live.stage' } });
  const controls = h('div', { id: 'media-controls', class: 'media-controls', role: 'toolbar', i18nAttr: { 'aria-label': 'live.mediaControls' } });
  const endButton = h('button', { type: 'button', class: 'btn btn--danger', testid: 'end-session', i18n: 'session.endBtn', hidden: true });
  const leave = h('a', { href: courseHref, class: 'btn', testid: 'leave-live', i18n: 'live.leave' });
  const toolMain = h('div', { class: 'live-tools live-tools--main', testid: 'live-tools-main' });
  const toolSide = h('div', { class: 'live-tools live-tools--side', testid: 'live-tools-side' });
  const toolActions = h('div', { class: 'live-tool-actions', testid: 'live-tool-actions' });

  const participants = createParticipants(room, { onError: showError });
  const chat = createChat(room);
  const hands = createHands(room, { onError: showError });
  const stage = createStage(room, stageEl);

  root.append(h('section', { class: 'live', testid: 'live-page' },
    h('header', { class: 'live-header' },
      h('div', { class: 'live-heading' },
        h('h1', { testid: 'live-title' }, session.title), status),
      h('div', { class: 'live-actions' }, toolActions, hands.element, endButton, leave)),
    banner,
    message,
    h('div', { class: 'live-grid' },
      h('div', { class: 'live-main' }, stageEl, controls, toolMain),
      h('aside', { class: 'live-side' }, toolSide, participants.element, chat.element))));

  function showState(state) {
    const key = state === 'revoked'
      ? REVOKED_KEYS[room.error?.reason] || REVOKED_KEYS.logged_out
      : STATE_KEYS[state];
    status.dataset.state = state;
    if (key) bind(status, key);
    if (state === 'joined') message.hide();
    endButton.hidden = !(state === 'joined' && room.you && ['teacher', 'co_teacher'].includes(room.you.role));
    if (state === 'removed' || state === 'ended' || state === 'revoked') {
      // A revoked login can no longer open the course: offer the login page instead.
      const next = state === 'revoked'
        ? h('a', { href: '#/login', class: 'btn btn--primary', i18n: 'live.revoked.login' })
        : h('a', { href: courseHref, class: 'btn btn--primary', i18n: 'live.backToCourse' });
      banner.replaceChildren(h('p', { i18n: key }), next);
      banner.hidden = false;
      banner.dataset.state = state;
      announce(t(key));
    }
    if (state === 'failed') {
      bind(status, 'error.not_connected');
      if (room.error?.code === 'conflict') {
        // Refused because the class is no longer live: most likely it ended while we were away.
        api.get(`/api/sessions/${sessionId}`).then((latest) => {
          if (latest.status === 'ended') showState('ended');
          else showError(room.error);
        }, () => showError(room.error));
      } else {
        showError(room.error || {});
      }
    }
  }

  endButton.addEventListener('click', async () => {
    endButton.disabled = true;
    try {
      await api.post(`/api/sessions/${sessionId}/end`);
    } catch (error) {
      showError(error);
      endButton.disabled = false;
    }
  });

  const panels = { main: toolMain, side: toolSide, actions: toolActions, controls };
  const tools = [];
  for (const tool of TOOLS) {
    try {
      const mounted = tool.mountTool({ room, panels, showError });
      if (mounted) tools.push(mounted);
    } catch (error) {
      console.error('live tool failed to mount', error);
    }
  }

  const offState = room.on('state', showState);
  showState('connecting');
  room.connect();

  let media = null;
  const mediaModule = await loadMedia();
  if (mediaModule?.mountMedia) {
    media = mediaModule.mountMedia({ room, stage: stageEl, controls, slotFor: stage.slotFor }) || null;
  }

  return async () => {
    offState();
    media?.destroy?.();
    for (const tool of tools) tool.destroy?.();
    for (const part of [participants, chat, hands, stage]) part.destroy();
    await room.close();
  };
}
