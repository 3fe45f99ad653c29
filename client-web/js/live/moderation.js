// Moderation and safety in the live class: see docs/moderation.md.
//
// Teacher (teacher, co-teacher, admin over the course): a "수업 관리" panel with the room's
// rules (waiting room, lock, student chat, private messages, reactions), mute all / unmute
// all, and the waiting list with admit / deny for one person or everyone.
// Student: a waiting screen while held at the door; the browser joins by itself as soon as a
// teacher admits it (the server tells this socket). Everyone: reaction buttons with floating
// reactions on the stage, and private messages to one person.
import * as api from '../api.js';
import { announce, h } from '../dom.js';
import { addStrings, bind, t, timeElement } from '../i18n.js';
import { clientId } from './room.js';

addStrings({
  ko: {
    'moderation.title': '수업 관리',
    'moderation.waitingRoom': '대기실 사용 (학생은 선생님이 허락해야 입장)',
    'moderation.locked': '수업 잠그기 (새로 아무도 못 들어옴)',
    'moderation.studentChat': '학생 채팅 허용',
    'moderation.reactions': '반응(이모지) 허용',
    'moderation.privateChat': '학생 개인 메시지',
    'moderation.private.none': '허용 안 함',
    'moderation.private.teachers': '선생님에게만',
    'moderation.private.all': '누구에게나',
    'moderation.muteAll': '모두 음소거',
    'moderation.unmuteAll': '음소거 모두 해제',
    'moderation.waitingTitle': '대기 중인 학생 ({n}명)',
    'moderation.waitingEmpty': '기다리는 학생이 없습니다.',
    'moderation.admit': '입장 허락',
    'moderation.deny': '거절',
    'moderation.admitAll': '모두 허락',
    'moderation.denyAll': '모두 거절',
    'moderation.removedEarlier': '앞서 내보낸 학생',
    'moderation.someoneWaiting': '{name} 학생이 입장을 기다립니다.',
    'moderation.waitingBadge': '대기 {n}명',
    'moderation.waitingScreen.title': '대기실',
    'moderation.waitingScreen.body': '선생님이 입장을 허락하면 자동으로 수업에 들어갑니다. 이 창을 닫지 마세요.',
    'moderation.waitingScreen.removed': '이 수업에서 내보내졌습니다. 선생님이 허락하면 다시 들어갈 수 있습니다.',
    'moderation.waitingScreen.denied': '선생님이 입장을 허락하지 않았습니다.',
    'moderation.waitingScreen.locked': '선생님이 수업을 잠갔습니다. 잠시 뒤 다시 시도하세요.',
    'moderation.askAgain': '다시 요청하기',
    'moderation.admitted': '입장이 허락되었습니다. 수업에 들어갑니다.',
    'moderation.changed.waiting_room.true': '대기실이 켜졌습니다.',
    'moderation.changed.waiting_room.false': '대기실이 꺼졌습니다.',
    'moderation.changed.locked.true': '수업이 잠겼습니다.',
    'moderation.changed.locked.false': '수업 잠금이 풀렸습니다.',
    'moderation.changed.student_chat.true': '학생 채팅이 다시 허용되었습니다.',
    'moderation.changed.student_chat.false': '선생님이 학생 채팅을 껐습니다.',
    'moderation.changed.reactions.true': '반응 보내기가 허용되었습니다.',
    'moderation.changed.reactions.false': '선생님이 반응 보내기를 껐습니다.',
    'moderation.changed.private_chat.none': '개인 메시지가 꺼졌습니다.',
    'moderation.changed.private_chat.teachers': '개인 메시지는 선생님에게만 보낼 수 있습니다.',
    'moderation.changed.private_chat.all': '개인 메시지를 누구에게나 보낼 수 있습니다.',
    'moderation.chatOff': '선생님이 학생 채팅을 껐습니다.',
    'moderation.mutedAll': '{name} 선생님이 모두의 마이크를 껐습니다.',
    'moderation.unmutedAll': '마이크를 다시 켤 수 있습니다.',
    'moderation.mutedCount': '{n}명을 음소거했습니다.',
    'reactions.title': '반응 보내기',
    'reactions.send': '{emoji} 보내기',
    'private.title': '개인 메시지',
    'private.to': '받는 사람',
    'private.choose': '사람을 고르세요',
    'private.input': '개인 메시지 쓰기',
    'private.send': '보내기',
    'private.empty': '주고받은 개인 메시지가 없습니다.',
    'private.off': '지금은 개인 메시지를 보낼 수 없습니다.',
    'private.sending': '보내는 중…',
    'private.failed': '보내지 못했습니다',
    'private.retry': '다시 보내기',
    'private.new': '{name}님의 개인 메시지',
    'private.unread': '새 메시지 {n}',
    'private.teacherTag': '선생님',
    'live.waiting': '입장 대기 중',
    'moderation.log': '관리 기록',
    'moderation.logEmpty': '아직 기록이 없습니다.',
    'moderation.action.settings': '규칙 변경',
    'moderation.action.admit': '입장 허락',
    'moderation.action.deny': '입장 거절',
    'moderation.action.readmit': '다시 입장 허락',
    'moderation.action.remove': '내보내기',
    'moderation.action.mute': '음소거',
    'moderation.action.unmute': '음소거 해제',
    'moderation.action.mute_all': '모두 음소거',
    'moderation.action.unmute_all': '음소거 모두 해제',
    'moderation.action.cameras': '학생 카메라 규칙',
    'moderation.action.screens': '학생 화면 공유 규칙',
    'moderation.action.lower_hand': '손 내리기',
    'moderation.action.lower_all_hands': '모든 손 내리기',
    'error.waiting': '선생님의 입장 허락을 기다리고 있습니다.',
    'error.locked': '선생님이 수업을 잠가 지금은 들어갈 수 없습니다.',
    'error.denied': '선생님이 입장을 허락하지 않았습니다.',
  },
  en: {
    'moderation.title': 'Class controls',
    'moderation.waitingRoom': 'Waiting room (students enter when a teacher admits them)',
    'moderation.locked': 'Lock the class (nobody new can enter)',
    'moderation.studentChat': 'Students may chat',
    'moderation.reactions': 'Reactions (emoji) allowed',
    'moderation.privateChat': 'Student private messages',
    'moderation.private.none': 'Not allowed',
    'moderation.private.teachers': 'To teachers only',
    'moderation.private.all': 'To anyone',
    'moderation.muteAll': 'Mute all',
    'moderation.unmuteAll': 'Lift all mutes',
    'moderation.waitingTitle': 'Waiting ({n})',
    'moderation.waitingEmpty': 'Nobody is waiting.',
    'moderation.admit': 'Admit',
    'moderation.deny': 'Deny',
    'moderation.admitAll': 'Admit all',
    'moderation.denyAll': 'Deny all',
    'moderation.removedEarlier': 'Removed earlier',
    'moderation.someoneWaiting': '{name} is waiting to enter.',
    'moderation.waitingBadge': '{n} waiting',
    'moderation.waitingScreen.title': 'Waiting room',
    'moderation.waitingScreen.body': 'You will enter the class as soon as a teacher admits you. Keep this window open.',
    'moderation.waitingScreen.removed': 'You were removed from this class. A teacher may let you back in.',
    'moderation.waitingScreen.denied': 'The teacher did not admit you.',
    'moderation.waitingScreen.locked': 'The teacher has locked the class. Try again later.',
    'moderation.askAgain': 'Ask again',
    'moderation.admitted': 'You were admitted. Entering the class.',
    'moderation.changed.waiting_room.true': 'The waiting room is on.',
    'moderation.changed.waiting_room.false': 'The waiting room is off.',
    'moderation.changed.locked.true': 'The class is locked.',
    'moderation.changed.locked.false': 'The class is unlocked.',
    'moderation.changed.student_chat.true': 'Students may chat again.',
    'moderation.changed.student_chat.false': 'The teacher turned off chat for students.',
    'moderation.changed.reactions.true': 'Reactions are allowed.',
    'moderation.changed.reactions.false': 'The teacher turned off reactions.',
    'moderation.changed.private_chat.none': 'Private messages are off.',
    'moderation.changed.private_chat.teachers': 'Private messages may go to teachers only.',
    'moderation.changed.private_chat.all': 'Private messages may go to anyone.',
    'moderation.chatOff': 'The teacher turned off chat for students.',
    'moderation.mutedAll': "{name} muted everyone's microphone.",
    'moderation.unmutedAll': 'You may turn your microphone on again.',
    'moderation.mutedCount': 'Muted {n} people.',
    'reactions.title': 'Send a reaction',
    'reactions.send': 'Send {emoji}',
    'private.title': 'Private messages',
    'private.to': 'To',
    'private.choose': 'Choose someone',
    'private.input': 'Write a private message',
    'private.send': 'Send',
    'private.empty': 'No private messages yet.',
    'private.off': 'Private messages are not allowed now.',
    'private.sending': 'Sending…',
    'private.failed': 'Not sent',
    'private.retry': 'Retry',
    'private.new': 'Private message from {name}',
    'private.unread': '{n} new',
    'private.teacherTag': 'teacher',
    'live.waiting': 'Waiting to enter',
    'moderation.log': 'Moderation log',
    'moderation.logEmpty': 'Nothing recorded yet.',
    'moderation.action.settings': 'Rules changed',
    'moderation.action.admit': 'Admitted',
    'moderation.action.deny': 'Denied',
    'moderation.action.readmit': 'Readmitted',
    'moderation.action.remove': 'Removed',
    'moderation.action.mute': 'Muted',
    'moderation.action.unmute': 'Unmuted',
    'moderation.action.mute_all': 'Muted all',
    'moderation.action.unmute_all': 'Lifted all mutes',
    'moderation.action.cameras': 'Student cameras rule',
    'moderation.action.screens': 'Student screen sharing rule',
    'moderation.action.lower_hand': 'Lowered a hand',
    'moderation.action.lower_all_hands': 'Lowered all hands',
    'error.waiting': 'Waiting for a teacher to let you in.',
    'error.locked': 'The teacher has locked the class; you cannot enter now.',
    'error.denied': 'The teacher did not admit you.',
  },
});

const FLOAT_MS = 3500;
const DEFAULT_SETTINGS = {
  waiting_room: false, locked: false, student_chat: true, private_chat: 'teachers', reactions: true,
};

export function mountTool({ room, panels, showError }) {
  let settings = { ...DEFAULT_SETTINGS };
  let teaching = false;
  let emojis = [];
  let waiting = [];
  let partner = null; // user id of the open private thread
  const privateMessages = new Map(); // message id -> message
  const pending = new Map(); // client id -> {recipient, body, state}
  const unread = new Map(); // user id -> count
  const offs = [];
  const me = () => room.you?.user_id;

  // -- teacher panel ---------------------------------------------------------------------
  const toggles = {};
  const toggle = (name, key) => {
    const input = h('input', { type: 'checkbox', testid: `moderation-${name.replace('_', '-')}` });
    input.addEventListener('change', () => change({ [name]: input.checked }, input));
    toggles[name] = input;
    return h('label', { class: 'check moderation-toggle' }, input, h('span', { i18n: key }));
  };
  const privateSelect = h('select', { id: 'moderation-private', testid: 'moderation-private-chat' },
    ...['none', 'teachers', 'all'].map((value) => h('option', { value, i18n: `moderation.private.${value}` })));
  privateSelect.addEventListener('change', () => change({ private_chat: privateSelect.value }, privateSelect));
  const muteAll = h('button', { type: 'button', class: 'btn btn--small', testid: 'mute-all', i18n: 'moderation.muteAll' });
  const unmuteAll = h('button', { type: 'button', class: 'btn btn--small', testid: 'unmute-all', i18n: 'moderation.unmuteAll' });
  muteAll.addEventListener('click', () => holdAll('moderation:mute_all', muteAll));
  unmuteAll.addEventListener('click', () => holdAll('moderation:unmute_all', unmuteAll));
  const waitingTitle = h('h3', { id: 'moderation-waiting-title', testid: 'waiting-title' });
  const waitingList = h('ul', { class: 'moderation-waiting', testid: 'waiting-list', 'aria-labelledby': 'moderation-waiting-title' });
  const waitingEmpty = h('p', { class: 'hint', i18n: 'moderation.waitingEmpty' });
  const admitAll = h('button', { type: 'button', class: 'btn btn--small btn--primary', testid: 'admit-all', i18n: 'moderation.admitAll' });
  const denyAll = h('button', { type: 'button', class: 'btn btn--small', testid: 'deny-all', i18n: 'moderation.denyAll' });
  admitAll.addEventListener('click', () => decide('moderation:admit', { all: true }, admitAll));
  denyAll.addEventListener('click', () => decide('moderation:deny', { all: true }, denyAll));
  // The moderation log (GET /api/sessions/{id}/moderation-log), read when opened.
  const logList = h('ol', { class: 'moderation-log', testid: 'moderation-log' });
  const logBox = h('details', { class: 'moderation-log-box' },
    h('summary', { i18n: 'moderation.log', testid: 'moderation-log-toggle' }), logList);
  logBox.addEventListener('toggle', () => {
    if (logBox.open) loadLog();
  });
  const teacherPanel = h('section', { class: 'panel moderation', testid: 'moderation-panel', 'aria-labelledby': 'moderation-title', hidden: true },
    h('h2', { id: 'moderation-title', i18n: 'moderation.title' }),
    h('div', { class: 'moderation-toggles' },
      toggle('waiting_room', 'moderation.waitingRoom'),
      toggle('locked', 'moderation.locked'),
      toggle('student_chat', 'moderation.studentChat'),
      toggle('reactions', 'moderation.reactions'),
      h('label', { class: 'moderation-select', for: 'moderation-private' },
        h('span', { i18n: 'moderation.privateChat' }), privateSelect)),
    h('div', { class: 'row moderation-buttons' }, muteAll, unmuteAll),
    waitingTitle, waitingEmpty, waitingList,
    h('div', { class: 'row moderation-buttons' }, admitAll, denyAll),
    logBox);

  // In the header, so a teacher sees someone waiting wherever the side column is scrolled.
  const waitingBadge = h('button', { type: 'button', class: 'btn btn--primary', testid: 'waiting-badge', hidden: true });
  waitingBadge.addEventListener('click', () => {
    teacherPanel.scrollIntoView({ behavior: 'smooth', block: 'start' });
    waitingList.querySelector('[data-testid="admit"]')?.focus();
  });

  // -- waiting screen (students held at the door) --------------------------------------------
  const waitingText = h('p', { testid: 'waiting-message' });
  const askAgain = h('button', { type: 'button', class: 'btn btn--primary', testid: 'ask-again', i18n: 'moderation.askAgain', hidden: true });
  askAgain.addEventListener('click', () => {
    askAgain.hidden = true;
    room.setState('connecting');
    room.socket?.connect();
  });
  const waitingScreen = h('section', { class: 'panel moderation-wait', testid: 'waiting-screen', role: 'status', 'aria-live': 'polite', hidden: true },
    h('h2', { i18n: 'moderation.waitingScreen.title' }),
    h('div', { class: 'moderation-wait-spinner', 'aria-hidden': 'true' }),
    waitingText, askAgain);

  // -- reactions -----------------------------------------------------------------------------
  const reactionBar = h('div', { class: 'reaction-bar', testid: 'reaction-bar', role: 'group', i18nAttr: { 'aria-label': 'reactions.title' }, hidden: true });
  const floatLayer = h('div', { class: 'reaction-float', testid: 'reaction-float', 'aria-hidden': 'true' });

  // -- private messages ----------------------------------------------------------------------
  const partnerSelect = h('select', { id: 'private-to', testid: 'private-to' });
  partnerSelect.addEventListener('change', () => {
    partner = partnerSelect.value ? Number(partnerSelect.value) : null;
    if (partner != null) unread.delete(partner);
    renderPrivate();
  });
  const threadList = h('ol', { class: 'chat-log private-log', testid: 'private-messages', role: 'log', 'aria-live': 'polite' });
  const threadEmpty = h('p', { class: 'empty chat-empty', i18n: 'private.empty' });
  const privateInput = h('textarea', { id: 'private-input', testid: 'private-input', rows: 2, maxLength: 2000, i18nAttr: { placeholder: 'private.input' } });
  const privateSend = h('button', { type: 'submit', class: 'btn btn--primary', testid: 'private-send', i18n: 'private.send' });
  const privateOff = h('p', { class: 'hint', testid: 'private-off', i18n: 'private.off', hidden: true });
  const privateForm = h('form', { class: 'chat-form' },
    h('label', { for: 'private-input', class: 'sr-only', i18n: 'private.input' }),
    privateInput, h('div', { class: 'chat-form-row' }, h('span'), privateSend));
  const privateBadge = h('span', { class: 'badge badge--live', testid: 'private-unread', hidden: true });
  // Folded until used, so the participants and the class chat keep their room.
  const privatePanel = h('details', { class: 'panel private-chat', testid: 'private-panel', hidden: true },
    h('summary', { testid: 'private-toggle' },
      h('h2', { id: 'private-title', class: 'private-title' }, h('span', { i18n: 'private.title' }), ' ', privateBadge)),
    h('div', { class: 'private-body' },
      h('label', { for: 'private-to', class: 'moderation-select' }, h('span', { i18n: 'private.to' }), partnerSelect),
      privateOff, threadEmpty, threadList, privateForm));
  privateForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const body = privateInput.value.trim();
    if (!body || partner == null) return;
    const id = clientId();
    pending.set(id, { recipient: partner, body, state: 'pending' });
    privateInput.value = '';
    sendPrivate(id);
  });

  panels.main.prepend(waitingScreen);
  panels.side.prepend(teacherPanel);
  panels.actions.append(waitingBadge);
  panels.side.append(privatePanel);
  panels.controls.append(reactionBar);
  document.body.append(floatLayer);

  // -- teacher actions -----------------------------------------------------------------------
  async function change(patch, control) {
    control.disabled = true;
    try {
      const ack = await room.request('moderation:settings', patch);
      applySettings(ack.settings);
      refreshLog();
    } catch (error) {
      showError(error);
      renderTeacher();
    } finally {
      control.disabled = false;
    }
  }

  async function holdAll(type, button) {
    button.disabled = true;
    try {
      const ack = await room.request(type, {});
      refreshLog();
      if (type === 'moderation:mute_all') announce(t('moderation.mutedCount', { n: (ack.user_ids || []).length }));
    } catch (error) {
      showError(error);
    } finally {
      button.disabled = false;
    }
  }

  async function decide(type, payload, button) {
    button.disabled = true;
    try {
      const ack = await room.request(type, payload);
      waiting = ack.waiting || [];
      renderWaiting();
      refreshLog();
    } catch (error) {
      showError(error);
    } finally {
      button.disabled = false;
    }
  }

  function logDetail(entry) {
    const d = entry.details || {};
    if (entry.action === 'settings') {
      return Object.entries(d).map(([name, value]) => `${name}=${value}`).join(', ');
    }
    if ('source' in d) return d.source;
    if ('allowed' in d) return String(d.allowed);
    return '';
  }

  function refreshLog() {
    if (logBox.open) loadLog();
  }

  async function loadLog() {
    try {
      const { items } = await api.get(`/api/sessions/${room.sessionId}/moderation-log`);
      logList.replaceChildren(...items.map((entry) => h('li', { testid: 'moderation-log-entry', dataset: { action: entry.action } },
        timeElement(entry.created_at, 'time'), ' ',
        h('strong', {}, entry.actor.display_name), ' · ',
        h('span', { i18n: `moderation.action.${entry.action}` }),
        entry.target ? ` · ${entry.target.display_name}` : '',
        logDetail(entry) ? h('span', { class: 'muted small' }, ` (${logDetail(entry)})`) : null)));
      if (!items.length) logList.replaceChildren(h('li', { class: 'hint', i18n: 'moderation.logEmpty' }));
    } catch (error) {
      showError(error);
    }
  }

  function renderTeacher() {
    teacherPanel.hidden = !teaching || !room.joined;
    for (const [name, input] of Object.entries(toggles)) input.checked = Boolean(settings[name]);
    privateSelect.value = settings.private_chat;
    renderWaiting();
  }

  function renderWaiting() {
    bind(waitingTitle, 'moderation.waitingTitle', { n: waiting.length });
    waitingTitle.dataset.count = String(waiting.length);
    waitingBadge.hidden = !teaching || !room.joined || waiting.length === 0;
    bind(waitingBadge, 'moderation.waitingBadge', { n: waiting.length });
    waitingEmpty.hidden = waiting.length > 0;
    admitAll.hidden = denyAll.hidden = waiting.length < 2;
    waitingList.replaceChildren(...waiting.map((person) => {
      const admit = h('button', { type: 'button', class: 'btn btn--small btn--primary', testid: 'admit', i18n: 'moderation.admit' });
      const deny = h('button', { type: 'button', class: 'btn btn--small', testid: 'deny', i18n: 'moderation.deny' });
      admit.addEventListener('click', () => decide('moderation:admit', { user_id: person.user_id }, admit));
      deny.addEventListener('click', () => decide('moderation:deny', { user_id: person.user_id }, deny));
      return h('li', { class: 'participant', testid: 'waiting-person', dataset: { userId: String(person.user_id) } },
        h('span', { class: 'participant-name' }, person.display_name),
        person.removed_earlier ? h('span', { class: 'badge badge--absent', testid: 'removed-earlier', i18n: 'moderation.removedEarlier' }) : null,
        person.requested_at ? h('span', { class: 'muted small' }, timeElement(person.requested_at, 'time')) : null,
        h('span', { class: 'participant-controls' }, admit, deny));
    }));
  }

  function applySettings(next, changed = null) {
    settings = { ...DEFAULT_SETTINGS, ...next };
    if (changed && !teaching) {
      for (const [name, value] of Object.entries(changed)) {
        announce(t(`moderation.changed.${name}.${value}`));
      }
    }
    renderTeacher();
    renderReactions();
    renderChatRule();
    renderPrivate();
  }

  // -- the door ------------------------------------------------------------------------------
  function showWaiting(kind) {
    const removed = Boolean(room.error?.details?.removed_earlier);
    const key = kind === 'waiting'
      ? (removed ? 'moderation.waitingScreen.removed' : 'moderation.waitingScreen.body')
      : `moderation.waitingScreen.${kind}`;
    bind(waitingText, key);
    waitingScreen.dataset.state = kind;
    waitingScreen.hidden = false;
    askAgain.hidden = kind === 'waiting';
  }

  function onState(state) {
    if (state === 'waiting') showWaiting('waiting');
    else if (state === 'failed' && room.error?.code === 'locked') showWaiting('locked');
    else if (state === 'failed' && room.error?.code === 'denied') showWaiting('denied');
    else if (state === 'joined' || room.finished) waitingScreen.hidden = true;
    renderTeacher();
    reactionBar.hidden = !room.joined || !emojis.length;
    privatePanel.hidden = !room.joined;
  }

  function onAdmitted() {
    if (room.state !== 'waiting') return;
    bind(waitingText, 'moderation.admitted');
    announce(t('moderation.admitted'));
    room.join();
  }

  function onDenied() {
    if (room.state !== 'waiting') return;
    room.setState('failed', { code: 'denied' });
    room.socket?.disconnect();
  }

  // -- chat rule -----------------------------------------------------------------------------
  function renderChatRule() {
    const input = document.querySelector('[data-testid="chat-input"]');
    const send = document.querySelector('[data-testid="chat-send"]');
    const off = !teaching && !settings.student_chat;
    if (input) {
      input.disabled = off;
      input.title = off ? t('moderation.chatOff') : '';
    }
    if (send) send.disabled = off;
  }

  // -- reactions -----------------------------------------------------------------------------
  function renderReactions() {
    const allowed = teaching || settings.reactions;
    reactionBar.replaceChildren(...emojis.map((emoji) => {
      const button = h('button', {
        type: 'button', class: 'btn btn--small reaction-button', testid: 'reaction-button',
        dataset: { emoji, i18nArgs: JSON.stringify({ emoji }) }, disabled: !allowed,
        i18nAttr: { 'aria-label': 'reactions.send', title: 'reactions.send' },
      }, emoji);
      button.addEventListener('click', async () => {
        try {
          await room.request('reaction:send', { emoji });
        } catch (error) {
          if (error.code !== 'rate_limited') showError(error);
        }
      });
      return button;
    }));
    reactionBar.hidden = !room.joined || !emojis.length;
  }

  function onReaction(reaction) {
    const bubble = h('span', { class: 'reaction-bubble', testid: 'reaction-bubble', dataset: { emoji: reaction.emoji, userId: String(reaction.user_id) } },
      h('span', { class: 'reaction-emoji' }, reaction.emoji),
      h('span', { class: 'reaction-name' }, reaction.display_name));
    bubble.style.left = `${10 + Math.random() * 70}%`;
    floatLayer.append(bubble);
    setTimeout(() => bubble.remove(), FLOAT_MS);
  }

  // -- private messages ----------------------------------------------------------------------
  function mayWriteTo(participant) {
    if (participant.user_id === me()) return false;
    if (teaching) return true;
    const toTeacher = participant.role !== 'student';
    if (settings.private_chat === 'all') return true;
    return settings.private_chat === 'teachers' && toTeacher;
  }

  function renderPartners() {
    const seen = new Set();
    const options = [h('option', { value: '', i18n: 'private.choose' })];
    const people = room.participants.filter((p) => {
      if (seen.has(p.user_id) || !mayWriteTo(p)) return false;
      seen.add(p.user_id);
      return true;
    });
    for (const p of people) {
      const count = unread.get(p.user_id) || 0;
      const label = `${p.display_name}${p.role !== 'student' ? ` (${t('private.teacherTag')})` : ''}${count ? ` · ${t('private.unread', { n: count })}` : ''}`;
      options.push(h('option', { value: String(p.user_id) }, label));
    }
    partnerSelect.replaceChildren(...options);
    if (partner != null && seen.has(partner)) partnerSelect.value = String(partner);
    else if (partner != null && !seen.has(partner)) {
      // Keep an open thread readable even if that person left or the rule changed.
      partnerSelect.append(h('option', { value: String(partner) }, room.nameOf(partner)));
      partnerSelect.value = String(partner);
    }
  }

  function messageItem(message, state = 'sent', id = null) {
    const mine = message.sender.id === me();
    const li = h('li', {
      class: `chat-message${mine ? ' chat-message--mine' : ''}`, testid: 'private-message',
      dataset: { state, clientId: message.client_id || id || '' },
    },
    h('span', { class: 'chat-meta' },
      h('strong', { class: 'chat-author' }, message.sender.display_name), ' ',
      message.created_at ? timeElement(message.created_at, 'time') : ''),
    h('span', { class: 'chat-body' }, message.body));
    if (state === 'pending') li.append(h('span', { class: 'chat-state', i18n: 'private.sending' }));
    if (state === 'failed') {
      li.append(h('span', { class: 'chat-state' },
        h('span', { class: 'chat-failed', i18n: 'private.failed' }), ' ',
        h('button', { type: 'button', class: 'btn btn--small', i18n: 'private.retry', onclick: () => sendPrivate(id) })));
    }
    return li;
  }

  function renderPrivate() {
    renderPartners();
    const total = [...unread.values()].reduce((a, b) => a + b, 0);
    privateBadge.hidden = total === 0;
    bind(privateBadge, 'private.unread', { n: total });
    const blocked = !teaching && settings.private_chat === 'none';
    privateOff.hidden = !blocked;
    privateInput.disabled = privateSend.disabled = blocked || partner == null;
    const thread = [...privateMessages.values()]
      .filter((m) => partner != null && (m.sender.id === partner || m.recipient.id === partner))
      .sort((a, b) => a.id - b.id);
    const waitingItems = [...pending.entries()]
      .filter(([, entry]) => entry.recipient === partner)
      .map(([id, entry]) => messageItem({ sender: { id: me(), display_name: room.you?.display_name || '' }, body: entry.body }, entry.state, id));
    threadList.replaceChildren(...thread.map((m) => messageItem(m)), ...waitingItems);
    threadEmpty.hidden = threadList.children.length > 0;
    threadList.scrollTop = threadList.scrollHeight;
  }

  function receivePrivate(message, { live = false } = {}) {
    const known = privateMessages.has(message.id);
    privateMessages.set(message.id, message);
    for (const [id] of pending) if (id === message.client_id && message.sender.id === me()) pending.delete(id);
    if (live && !known && message.sender.id !== me()) {
      if (!privatePanel.open && partner == null) {
        // Nothing open yet: open the sender's thread, where the reply will go.
        privatePanel.open = true;
        partner = message.sender.id;
      } else if (partner !== message.sender.id) {
        unread.set(message.sender.id, (unread.get(message.sender.id) || 0) + 1);
      }
      announce(t('private.new', { name: message.sender.display_name }));
    }
    renderPrivate();
  }

  async function sendPrivate(id) {
    const entry = pending.get(id);
    if (!entry) return;
    entry.state = 'pending';
    renderPrivate();
    try {
      const ack = await room.request('private:send', { client_id: id, recipient_id: entry.recipient, body: entry.body });
      pending.delete(id);
      receivePrivate(ack.message);
    } catch (error) {
      entry.state = 'failed';
      renderPrivate();
      if (!['timeout', 'not_connected'].includes(error.code)) showError(error);
    }
  }

  // -- joining and server events ------------------------------------------------------------
  function onJoined() {
    const state = room.tools.moderation || {};
    teaching = Boolean(state.teaching);
    emojis = state.reactions || [];
    waiting = state.waiting || [];
    for (const message of state.private || []) receivePrivate(message);
    // Resend what never got an ack (the server keeps one copy per client id).
    for (const [id, entry] of pending) if (entry.state === 'pending') sendPrivate(id);
    waitingScreen.hidden = true;
    applySettings(state.settings || DEFAULT_SETTINGS);
    onState(room.state);
  }

  function onWaitingList({ waiting: next }) {
    const before = new Set(waiting.map((w) => w.user_id));
    waiting = next || [];
    for (const person of waiting) {
      if (!before.has(person.user_id)) announce(t('moderation.someoneWaiting', { name: person.display_name }));
    }
    renderWaiting();
  }

  offs.push(
    room.on('state', onState),
    room.on('joined', onJoined),
    room.on('presence', () => renderPrivate()),
    room.onServer('moderation:settings', ({ settings: next, changed }) => applySettings(next, changed)),
    room.onServer('moderation:waiting', onWaitingList),
    room.onServer('moderation:admitted', onAdmitted),
    room.onServer('moderation:denied', onDenied),
    room.onServer('moderation:muted_all', ({ by }) => {
      if (!teaching) announce(t('moderation.mutedAll', { name: by }));
    }),
    room.onServer('moderation:unmuted_all', () => {
      if (!teaching) announce(t('moderation.unmutedAll'));
    }),
    room.onServer('private:message', (message) => receivePrivate(message, { live: true })),
    room.onServer('reaction', onReaction),
  );

  return {
    destroy() {
      for (const off of offs) off();
      for (const el of [teacherPanel, waitingBadge, waitingScreen, reactionBar, privatePanel, floatLayer]) el.remove();
    },
  };
}
