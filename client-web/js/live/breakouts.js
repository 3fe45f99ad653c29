// Breakout groups (모둠 활동) in the live class: see docs/breakouts.md.
//
// Teacher: choose the number of groups, how to fill them (random, by hand - drag students
// between columns or pick a group from each student's menu - or the course's groups) and how
// long; start; while the groups run: a countdown, each group's members (move someone by
// dragging or with the menu), visit a group (its chat and media), a message to every group,
// and "bring everyone back".
// Student: while in a group, the group's name, a countdown with a warning before the end, the
// group's chat; the stage shows only the group's people, and the media follows the group's
// router (we ask media.js to renegotiate with the 'media-restart' room event).
import { announce, h } from '../dom.js';
import { addStrings, bind, t, timeElement } from '../i18n.js';
import { clientId } from './room.js';
import { isTeaching } from './roles.js';

addStrings({
  ko: {
    'breakouts.title': '모둠 활동',
    'breakouts.groupCount': '모둠 수',
    'breakouts.mode': '모둠 나누기',
    'breakouts.mode.random': '무작위 (인원 고르게)',
    'breakouts.mode.manual': '직접 배치 (끌어서 옮기기)',
    'breakouts.mode.course_groups': '강좌 모둠 그대로',
    'breakouts.minutes': '활동 시간(분)',
    'breakouts.start': '모둠 활동 시작',
    'breakouts.unassigned': '주 교실에 남기',
    'breakouts.groupName': '모둠 {n}',
    'breakouts.chooseGroup': '{name} 학생의 모둠',
    'breakouts.dragHint': '학생 이름을 끌어 다른 모둠으로 옮기거나, 이름 옆 메뉴에서 모둠을 고르세요.',
    'breakouts.noStudents': '아직 교실에 학생이 없습니다.',
    'breakouts.running': '모둠 활동 중',
    'breakouts.endsIn': '남은 시간 {time}',
    'breakouts.warning': '{seconds}초 뒤 모두 주 교실로 돌아갑니다.',
    'breakouts.visit': '방문',
    'breakouts.visiting': '방문 중',
    'breakouts.leaveVisit': '주 교실로',
    'breakouts.broadcast': '모든 모둠에 알림',
    'breakouts.broadcastSend': '보내기',
    'breakouts.recall': '모두 돌아오기',
    'breakouts.recallConfirm': '모든 학생을 주 교실로 부를까요?',
    'breakouts.members': '{n}명',
    'breakouts.empty': '아무도 없음',
    'breakouts.yourGroup': '우리 모둠: {name}',
    'breakouts.visitingGroup': '{name} 방문 중',
    'breakouts.chat': '모둠 대화',
    'breakouts.board': '모둠 칠판',
    'breakouts.chatInput': '모둠에 메시지 쓰기',
    'breakouts.chatEmpty': '아직 대화가 없습니다.',
    'breakouts.send': '보내기',
    'breakouts.sending': '보내는 중…',
    'breakouts.failed': '보내지 못했습니다',
    'breakouts.retry': '다시 보내기',
    'breakouts.fromTeacher': '선생님 알림: {body}',
    'breakouts.returned': '모둠 활동이 끝나 주 교실로 돌아왔습니다.',
    'breakouts.started': '모둠 활동이 시작되었습니다.',
    'breakouts.movedTo': '{name}(으)로 옮겨졌습니다.',
    'breakouts.inMainRoom': '주 교실에 있습니다.',
    'event.breakout_started': '{name}님이 모둠 활동을 시작했습니다.',
    'event.breakout_broadcast': '{name}님이 모든 모둠에 알림을 보냈습니다.',
    'event.breakout_closed': '모둠 활동이 끝났습니다.',
  },
  en: {
    'breakouts.title': 'Breakout groups',
    'breakouts.groupCount': 'Groups',
    'breakouts.mode': 'How to split',
    'breakouts.mode.random': 'Random (even sizes)',
    'breakouts.mode.manual': 'By hand (drag to move)',
    'breakouts.mode.course_groups': "The course's groups",
    'breakouts.minutes': 'Minutes',
    'breakouts.start': 'Start groups',
    'breakouts.unassigned': 'Stay in the main room',
    'breakouts.groupName': 'Group {n}',
    'breakouts.chooseGroup': "{name}'s group",
    'breakouts.dragHint': "Drag a student's name to another group, or pick a group from the menu next to it.",
    'breakouts.noStudents': 'No students in the class yet.',
    'breakouts.running': 'Groups running',
    'breakouts.endsIn': '{time} left',
    'breakouts.warning': 'Everyone returns to the main room in {seconds} s.',
    'breakouts.visit': 'Visit',
    'breakouts.visiting': 'Visiting',
    'breakouts.leaveVisit': 'Main room',
    'breakouts.broadcast': 'Message to all groups',
    'breakouts.broadcastSend': 'Send',
    'breakouts.recall': 'Bring everyone back',
    'breakouts.recallConfirm': 'Call every student back to the main room?',
    'breakouts.members': '{n} people',
    'breakouts.empty': 'Nobody',
    'breakouts.yourGroup': 'Your group: {name}',
    'breakouts.visitingGroup': 'Visiting {name}',
    'breakouts.chat': 'Group chat',
    'breakouts.board': 'Group board',
    'breakouts.chatInput': 'Write to your group',
    'breakouts.chatEmpty': 'No messages yet.',
    'breakouts.send': 'Send',
    'breakouts.sending': 'Sending…',
    'breakouts.failed': 'Not sent',
    'breakouts.retry': 'Retry',
    'breakouts.fromTeacher': 'From the teacher: {body}',
    'breakouts.returned': 'The groups have ended; you are back in the main room.',
    'breakouts.started': 'The groups have started.',
    'breakouts.movedTo': 'You were moved to {name}.',
    'breakouts.inMainRoom': 'You are in the main room.',
    'event.breakout_started': '{name} started breakout groups.',
    'event.breakout_broadcast': '{name} sent a message to every group.',
    'event.breakout_closed': 'The breakout groups have ended.',
  },
});

const MODES = ['random', 'manual', 'course_groups'];
const UNASSIGNED = 0;

function clock(seconds) {
  const s = Math.max(0, Math.ceil(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export function mountTool({ room, panels, showError }) {
  let round = null; // the open round as the server gave it
  let groupId = null; // the group this tab is in (a student's, or the one a teacher visits)
  let warningSeconds = 30;
  let warned = false;
  let lastBroadcast = null;
  const messages = new Map(); // seq -> message, for the group this tab is in
  const pending = new Map(); // client id -> {body, state}
  const draft = new Map(); // user id -> group index (0: main room), the teacher's plan
  const offs = [];

  const teaching = () => isTeaching(room.you);
  const me = () => room.you?.user_id;
  const groupById = (id) => round?.groups.find((g) => g.id === id) || null;
  const groupOf = (userId) => round?.groups.find((g) => g.members.some((m) => m.user_id === userId)) || null;
  const fail = (error) => showError(error);

  // -- elements ------------------------------------------------------------------------------
  const teacherPanel = h('section', { class: 'panel breakouts', testid: 'breakouts-panel', 'aria-labelledby': 'breakouts-title', hidden: true });
  const groupPanel = h('section', { class: 'panel breakouts-group', testid: 'breakout-group', 'aria-labelledby': 'breakout-group-title', hidden: true });
  const countdown = h('p', { class: 'breakouts-countdown', testid: 'breakout-countdown', role: 'timer', 'aria-live': 'off' });
  const warning = h('p', { class: 'notice breakouts-warning', testid: 'breakout-warning', role: 'alert', hidden: true });
  const notice = h('p', { class: 'notice notice--ok', testid: 'breakout-notice', role: 'status', hidden: true });
  const broadcastBanner = h('p', { class: 'notice breakouts-broadcast', testid: 'breakout-broadcast', role: 'alert', hidden: true });
  panels.side.prepend(teacherPanel);
  panels.main.prepend(notice, groupPanel);

  // Group chat (in the group panel).
  const chatList = h('ol', { class: 'chat-log breakouts-chat-log', testid: 'breakout-chat-messages', role: 'log', 'aria-live': 'polite' });
  const chatEmpty = h('p', { class: 'empty chat-empty', i18n: 'breakouts.chatEmpty' });
  const chatInput = h('textarea', { id: 'breakout-chat-input', testid: 'breakout-chat-input', rows: 2, maxLength: 2000, i18nAttr: { placeholder: 'breakouts.chatInput' } });
  const chatForm = h('form', { class: 'chat-form' },
    h('label', { for: 'breakout-chat-input', class: 'sr-only', i18n: 'breakouts.chatInput' }),
    chatInput,
    h('div', { class: 'chat-form-row' }, h('span'),
      h('button', { type: 'submit', class: 'btn btn--primary', testid: 'breakout-chat-send', i18n: 'breakouts.send' })));
  const groupTitle = h('h2', { id: 'breakout-group-title', testid: 'breakout-group-name' });
  const leaveVisit = h('button', { type: 'button', class: 'btn btn--small', testid: 'breakout-leave-visit', i18n: 'breakouts.leaveVisit', hidden: true });
  const boardBox = h('div', { class: 'breakouts-board-box', testid: 'breakout-board', hidden: true },
    h('h3', { i18n: 'breakouts.board' }));
  groupPanel.append(
    h('div', { class: 'breakouts-head' }, groupTitle, leaveVisit),
    countdown, warning, broadcastBanner, boardBox,
    h('h3', { i18n: 'breakouts.chat' }), chatEmpty, chatList, chatForm);

  // -- the group's whiteboard ----------------------------------------------------------------
  // Board `group:<id>` (docs/breakouts.md); drawn with the whiteboard module's board view,
  // loaded on demand like the media module, so the groups work on a node without it.
  let groupBoard = null;
  let boardFor = null;
  async function showBoard() {
    const target = groupId;
    if (target === boardFor) return;
    boardFor = target;
    if (target == null) {
      boardBox.hidden = true;
      return;
    }
    try {
      const [{ createBoard }, ack] = await Promise.all([
        import('./whiteboard.js'),
        room.request('whiteboard:board', { board: `group:${target}` }),
      ]);
      if (boardFor !== target) return; // moved on while loading
      if (!groupBoard) {
        groupBoard = createBoard({ room, showError, board: ack.board, strokes: ack.strokes });
        boardBox.append(groupBoard.palette, groupBoard.element);
      } else {
        groupBoard.setBoard(ack.board, ack.strokes);
      }
      groupBoard.setEditable(true); // the group's members and the class's teachers draw here
      groupBoard.setCanClear(true);
      boardBox.hidden = false;
      groupBoard.redraw();
    } catch (error) {
      boardFor = null;
      boardBox.hidden = true;
      console.info('group board not available:', error.message || error.code);
    }
  }

  // -- media and stage -----------------------------------------------------------------------
  /** Our media room changed: media.js closes its connections and negotiates in the new one. */
  function moveMedia() {
    room.emit('media-restart');
  }

  /** While in a group, the stage shows only the group's people (and a visiting teacher). */
  function renderStage() {
    const group = groupById(groupId);
    const inGroup = new Set(group ? group.members.map((m) => m.user_id) : []);
    for (const tile of document.querySelectorAll('[data-testid="stage-tile"]')) {
      const userId = Number(tile.dataset.userId);
      const participant = room.participants.find((p) => p.user_id === userId);
      const visible = !group || inGroup.has(userId) || userId === me()
        || (isTeaching(participant) && visitorHere(userId));
      tile.hidden = !visible;
      // Everyone sees which group a person is in, on their tile's caption.
      const caption = tile.querySelector('.tile-caption');
      let tag = tile.querySelector('.breakouts-tag');
      const theirs = groupOf(userId);
      if (!theirs) {
        tag?.remove();
      } else if (caption) {
        tag ||= h('span', { class: 'breakouts-tag', testid: 'breakouts-tag' });
        tag.textContent = theirs.name;
        tag.dataset.groupId = String(theirs.id);
        if (tag.parentElement !== caption) caption.append(tag);
      }
    }
  }

  // Students are not told which teacher visits their group; a teacher's tile shows once that
  // teacher's media arrives through the group's router (checked on every tick).
  function visitorHere(userId) {
    return Boolean(document.querySelector(`[data-testid="tile"][data-user-id="${userId}"]`));
  }

  // -- countdown -----------------------------------------------------------------------------
  function tick() {
    if (!round) return;
    const left = (Date.parse(round.ends_at) - Date.now()) / 1000;
    bind(countdown, 'breakouts.endsIn', { time: clock(left) });
    countdown.dataset.seconds = String(Math.max(0, Math.ceil(left)));
    const soon = left <= warningSeconds;
    warning.hidden = !soon;
    if (soon) {
      bind(warning, 'breakouts.warning', { seconds: Math.max(0, Math.ceil(left)) });
      if (!warned) {
        warned = true;
        announce(t('breakouts.warning', { seconds: Math.max(0, Math.ceil(left)) }));
      }
    }
    teacherCountdown.textContent = countdown.textContent;
    if (groupId != null) renderStage();
  }
  const timer = setInterval(tick, 1000);

  // -- group chat ----------------------------------------------------------------------------
  function messageItem(message, state = 'sent') {
    const mine = message.sender?.id === me();
    const li = h('li', {
      class: `chat-message${mine ? ' chat-message--mine' : ''}`, testid: 'breakout-chat-message',
      dataset: { seq: String(message.seq ?? ''), state, clientId: message.client_id },
    },
    h('span', { class: 'chat-meta' },
      h('strong', { class: 'chat-author' }, message.sender?.display_name || room.you?.display_name || ''), ' ',
      message.created_at ? timeElement(message.created_at, 'time') : ''),
    h('span', { class: 'chat-body' }, message.body));
    if (state === 'pending') li.append(h('span', { class: 'chat-state', i18n: 'breakouts.sending' }));
    if (state === 'failed') {
      li.append(h('span', { class: 'chat-state' },
        h('span', { class: 'chat-failed', i18n: 'breakouts.failed' }), ' ',
        h('button', { type: 'button', class: 'btn btn--small', i18n: 'breakouts.retry', onclick: () => send(message.client_id) })));
    }
    return li;
  }

  function renderChat() {
    const sent = [...messages.values()].sort((a, b) => a.seq - b.seq);
    const waiting = [...pending.entries()]
      .filter(([id]) => !sent.some((m) => m.client_id === id))
      .map(([id, entry]) => messageItem({ client_id: id, body: entry.body, sender: { id: me() } }, entry.state));
    const stick = chatList.scrollHeight - chatList.scrollTop - chatList.clientHeight < 80;
    chatList.replaceChildren(...sent.map((m) => messageItem(m)), ...waiting);
    chatEmpty.hidden = chatList.children.length > 0;
    if (stick) chatList.scrollTop = chatList.scrollHeight;
  }

  function receive(message) {
    if (message.group_id !== groupId) return;
    messages.set(message.seq, message);
    pending.delete(message.client_id);
    renderChat();
  }

  async function send(id) {
    const entry = pending.get(id);
    if (!entry || groupId == null) return;
    entry.state = 'pending';
    renderChat();
    try {
      const ack = await room.request('breakouts:chat', { client_id: id, group_id: groupId, body: entry.body });
      receive(ack.message);
    } catch (error) {
      if (error.code === 'timeout' || error.code === 'not_connected') return; // resent on join
      entry.state = 'failed';
      renderChat();
      fail(error);
    }
  }

  chatForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const body = chatInput.value.trim();
    if (!body) return;
    const id = clientId();
    pending.set(id, { body, state: 'pending' });
    chatInput.value = '';
    send(id);
  });
  chatInput.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      chatForm.requestSubmit();
    }
  });

  /** Enter a group's view (or leave it with null); `history` replaces what we showed. */
  function enterGroup(next, history = []) {
    const changed = next !== groupId;
    groupId = next;
    if (changed) {
      messages.clear();
      for (const [id, entry] of pending) if (entry.state !== 'pending') pending.delete(id);
    }
    for (const message of history) messages.set(message.seq, message);
    renderChat();
    return changed;
  }

  // -- teacher: planning ---------------------------------------------------------------------
  const countInput = h('input', { id: 'breakouts-count', type: 'number', min: 2, max: 50, value: 2, testid: 'breakouts-count' });
  const modeSelect = h('select', { id: 'breakouts-mode', testid: 'breakouts-mode' },
    ...MODES.map((mode) => h('option', { value: mode, i18n: `breakouts.mode.${mode}` })));
  // Half minutes allowed: a quick "turn to your partner" can be 30 seconds.
  const minutesInput = h('input', { id: 'breakouts-minutes', type: 'number', min: 0.5, max: 180, step: 0.5, value: 10, testid: 'breakouts-minutes' });
  const board = h('div', { class: 'breakouts-board', testid: 'breakouts-board' });
  const boardHint = h('p', { class: 'small muted', i18n: 'breakouts.dragHint' });
  const startButton = h('button', { type: 'submit', class: 'btn btn--primary', testid: 'breakouts-start', i18n: 'breakouts.start' });
  const planForm = h('form', { class: 'breakouts-plan' },
    h('div', { class: 'breakouts-fields' },
      h('label', { for: 'breakouts-count' }, h('span', { i18n: 'breakouts.groupCount' }), countInput),
      h('label', { for: 'breakouts-mode' }, h('span', { i18n: 'breakouts.mode' }), modeSelect),
      h('label', { for: 'breakouts-minutes' }, h('span', { i18n: 'breakouts.minutes' }), minutesInput)),
    boardHint, board, startButton);

  const students = () => room.participants.filter((p) => !isTeaching(p) && p.role);
  const groupCount = () => Math.min(50, Math.max(2, Number(countInput.value) || 2));

  /** A student chip: draggable, with a menu for keyboards and touch screens. */
  function chip(student, current, onMove) {
    const menu = h('select', {
      class: 'breakouts-chip-menu', testid: 'breakouts-assign', dataset: { userId: String(student.user_id) },
    });
    menu.setAttribute('aria-label', t('breakouts.chooseGroup', { name: student.display_name }));
    return h('li', {
      class: 'breakouts-chip', testid: 'breakouts-student', draggable: 'true',
      dataset: { userId: String(student.user_id) },
      ondragstart: (event) => {
        event.dataTransfer.setData('text/plain', String(student.user_id));
        event.dataTransfer.effectAllowed = 'move';
      },
    }, h('span', {}, student.display_name), fillMenu(menu, current, onMove, student.user_id));
  }

  function fillMenu(menu, current, onMove, userId) {
    const options = [h('option', { value: '0', i18n: 'breakouts.unassigned' })];
    const groups = round ? round.groups.map((g) => [g.id, g.name]) : Array.from({ length: groupCount() }, (_, i) => [i + 1, t('breakouts.groupName', { n: i + 1 })]);
    for (const [value, label] of groups) options.push(h('option', { value: String(value) }, label));
    menu.replaceChildren(...options);
    menu.value = String(current || 0);
    menu.addEventListener('change', () => onMove(userId, Number(menu.value)));
    return menu;
  }

  function column(key, title, members, onMove, extra = []) {
    const list = h('ul', { class: 'breakouts-members' }, ...members);
    const box = h('div', {
      class: 'breakouts-column', testid: 'breakouts-column', dataset: { group: String(key) },
      ondragover: (event) => { event.preventDefault(); box.classList.add('is-over'); },
      ondragleave: () => box.classList.remove('is-over'),
      ondrop: (event) => {
        event.preventDefault();
        box.classList.remove('is-over');
        const userId = Number(event.dataTransfer.getData('text/plain'));
        if (userId) onMove(userId, key);
      },
    }, h('h3', {}, title, ' ', h('span', { class: 'small muted', i18n: 'breakouts.members', i18nArgs: { n: members.length } })), ...extra, list);
    if (!members.length) list.append(h('li', { class: 'empty small', i18n: 'breakouts.empty' }));
    return box;
  }

  function planMove(userId, index) {
    draft.set(userId, index);
    renderTeacher();
  }

  function renderPlan() {
    const manual = modeSelect.value === 'manual';
    countInput.closest('label').hidden = modeSelect.value === 'course_groups';
    board.hidden = !manual;
    boardHint.hidden = !manual;
    if (!manual) return;
    const present = students();
    const count = groupCount();
    for (const [userId, index] of draft) if (index > count) draft.set(userId, UNASSIGNED);
    const columns = [];
    for (let index = 0; index <= count; index += 1) {
      const members = present.filter((s) => (draft.get(s.user_id) || UNASSIGNED) === index)
        .map((s) => chip(s, index, planMove));
      const title = index === UNASSIGNED ? t('breakouts.unassigned') : t('breakouts.groupName', { n: index });
      columns.push(column(index, title, members, planMove));
    }
    board.replaceChildren(...columns);
    if (!present.length) board.append(h('p', { class: 'empty', i18n: 'breakouts.noStudents' }));
  }

  planForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    startButton.disabled = true;
    const payload = {
      client_id: clientId(), mode: modeSelect.value,
      duration_seconds: Math.round(Math.min(180, Math.max(0.5, Number(minutesInput.value) || 10)) * 60),
    };
    // The course's own groups decide how many groups there are.
    if (payload.mode !== 'course_groups') payload.group_count = groupCount();
    if (payload.mode === 'manual') {
      payload.assignments = students()
        .filter((s) => (draft.get(s.user_id) || UNASSIGNED) !== UNASSIGNED)
        .map((s) => ({ user_id: s.user_id, group_index: draft.get(s.user_id) }));
    }
    try {
      const ack = await room.request('breakouts:start', payload);
      onStarted({ round: ack.round });
    } catch (error) {
      fail(error);
    } finally {
      startButton.disabled = false;
    }
  });
  for (const input of [countInput, modeSelect]) input.addEventListener('change', () => renderTeacher());

  // -- teacher: running ----------------------------------------------------------------------
  const teacherCountdown = h('p', { class: 'breakouts-countdown', testid: 'breakouts-teacher-countdown' });
  const groupsBox = h('div', { class: 'breakouts-board', testid: 'breakouts-groups' });
  const broadcastInput = h('input', { id: 'breakouts-broadcast', type: 'text', maxLength: 2000, testid: 'breakouts-broadcast-input' });
  const broadcastForm = h('form', { class: 'breakouts-broadcast-form' },
    h('label', { for: 'breakouts-broadcast', i18n: 'breakouts.broadcast' }),
    h('div', { class: 'chat-form-row' }, broadcastInput,
      h('button', { type: 'submit', class: 'btn btn--small', testid: 'breakouts-broadcast-send', i18n: 'breakouts.broadcastSend' })));
  const recallButton = h('button', { type: 'button', class: 'btn btn--danger', testid: 'breakouts-recall', i18n: 'breakouts.recall' });
  const runningBox = h('div', { class: 'breakouts-running' },
    h('p', {}, h('span', { class: 'badge badge--live', i18n: 'breakouts.running' })), teacherCountdown, groupsBox, broadcastForm, recallButton);
  teacherPanel.append(h('h2', { id: 'breakouts-title', i18n: 'breakouts.title' }), planForm, runningBox);

  async function liveMove(userId, target) {
    try {
      const ack = await room.request('breakouts:move', { user_id: userId, group_id: target || null });
      round = ack.round;
      render();
    } catch (error) {
      fail(error);
    }
  }

  async function visit(target) {
    try {
      const ack = await room.request('breakouts:visit', { group_id: target });
      if (enterGroup(ack.group_id, ack.messages)) moveMedia();
      render();
    } catch (error) {
      fail(error);
    }
  }

  function renderRunning() {
    const columns = round.groups.map((group) => {
      const members = group.members.map((m) => chip(m, group.id, liveMove));
      const here = groupId === group.id;
      const button = h('button', {
        type: 'button', class: `btn btn--small${here ? ' btn--primary' : ''}`, testid: 'breakouts-visit',
        dataset: { groupId: String(group.id) }, 'aria-pressed': String(here),
        i18n: here ? 'breakouts.visiting' : 'breakouts.visit', onclick: () => visit(here ? null : group.id),
      });
      return column(group.id, group.name, members, liveMove, [button]);
    });
    const placed = new Set(round.groups.flatMap((g) => g.members.map((m) => m.user_id)));
    const main = students().filter((s) => !placed.has(s.user_id)).map((s) => chip(s, 0, liveMove));
    groupsBox.replaceChildren(column(0, t('breakouts.unassigned'), main, liveMove), ...columns);
  }

  broadcastForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = broadcastInput.value.trim();
    if (!body) return;
    try {
      await room.request('breakouts:broadcast', { client_id: clientId(), body });
      broadcastInput.value = '';
    } catch (error) {
      fail(error);
    }
  });
  recallButton.addEventListener('click', async () => {
    if (!window.confirm(t('breakouts.recallConfirm'))) return;
    recallButton.disabled = true;
    try {
      await room.request('breakouts:recall', { client_id: clientId() });
    } catch (error) {
      fail(error);
    } finally {
      recallButton.disabled = false;
    }
  });
  leaveVisit.addEventListener('click', () => visit(null));

  // -- rendering -----------------------------------------------------------------------------
  function renderTeacher() {
    teacherPanel.hidden = !teaching() || room.finished;
    if (teacherPanel.hidden) return;
    planForm.hidden = Boolean(round);
    runningBox.hidden = !round;
    if (round) renderRunning();
    else renderPlan();
  }

  function renderGroup() {
    const group = groupById(groupId);
    groupPanel.hidden = !group;
    groupPanel.dataset.groupId = group ? String(group.id) : '';
    if (!group) return;
    bind(groupTitle, teaching() ? 'breakouts.visitingGroup' : 'breakouts.yourGroup', { name: group.name });
    leaveVisit.hidden = !teaching();
    if (lastBroadcast) {
      bind(broadcastBanner, 'breakouts.fromTeacher', { body: lastBroadcast });
      broadcastBanner.hidden = false;
    } else {
      broadcastBanner.hidden = true;
    }
  }

  function render() {
    renderTeacher();
    renderGroup();
    showBoard();
    renderStage();
    tick();
  }

  function say(key, args) {
    bind(notice, key, args);
    notice.hidden = false;
    announce(t(key, args));
  }

  // -- server events -------------------------------------------------------------------------
  function onStarted({ round: started, warning_seconds: warn }) {
    if (!started || started.status !== 'open') return;
    round = started;
    if (warn) warningSeconds = warn;
    warned = false;
    lastBroadcast = null;
    notice.hidden = true;
    const mine = teaching() ? groupId : groupOf(me())?.id ?? null;
    if (enterGroup(mine)) moveMedia();
    if (!teaching() && mine != null) announce(t('breakouts.started'));
    render();
  }

  function onMoved({ round: next, user_id: userId, group_id: target }) {
    round = next;
    if (userId === me() && !teaching()) {
      if (enterGroup(target)) moveMedia();
      if (target != null) announce(t('breakouts.movedTo', { name: groupById(target)?.name || '' }));
      else say('breakouts.inMainRoom');
    }
    render();
  }

  function onClosed({ round_id: roundId }) {
    if (!round || round.id !== roundId) return;
    round = null;
    lastBroadcast = null;
    warning.hidden = true;
    const wasInGroup = groupId != null;
    enterGroup(null);
    pending.clear();
    if (wasInGroup) moveMedia();
    say('breakouts.returned');
    render();
  }

  function onJoined() {
    const state = room.tools.breakouts;
    round = state?.round && state.round.status === 'open' ? state.round : null;
    if (state?.warning_seconds) warningSeconds = state.warning_seconds;
    enterGroup(round ? state.group_id ?? null : null, state?.messages || []);
    boardFor = undefined; // fetch the group's board again: strokes may have come meanwhile
    // Resend what never got an ack (the server keeps one copy per client id).
    for (const [id, entry] of pending) if (entry.state === 'pending') send(id);
    render();
  }

  function onRoomEvent(event) {
    if (event.kind !== 'breakout_broadcast' || !round || event.payload?.round_id !== round.id) return;
    lastBroadcast = event.payload.body;
    // In a group it shows in the group panel; in the main room, above the stage.
    if (groupId == null) say('breakouts.fromTeacher', { body: lastBroadcast });
    else announce(t('breakouts.fromTeacher', { body: lastBroadcast }));
    renderGroup();
  }

  offs.push(
    room.onServer('breakouts:started', onStarted),
    room.onServer('breakouts:moved', onMoved),
    room.onServer('breakouts:closed', onClosed),
    room.onServer('breakouts:message', receive),
    room.on('joined', onJoined),
    room.on('event', onRoomEvent),
    room.on('presence', () => render()),
    room.on('state', () => renderTeacher()),
  );
  if (room.joined) onJoined();
  render();

  return {
    destroy() {
      clearInterval(timer);
      for (const off of offs) off();
      groupBoard?.destroy();
      teacherPanel.remove();
      groupPanel.remove();
      notice.remove();
      for (const tile of document.querySelectorAll('[data-testid="stage-tile"]')) tile.hidden = false;
      for (const tag of document.querySelectorAll('.breakouts-tag')) tag.remove();
    },
  };
}
