// The whiteboard in the live class (docs/shared-content.md).
//
// A board is a list of strokes in board coordinates (0..1 of its width and height), so every
// screen shows the same picture. Drawing sends one finished stroke with a client id; it shows
// at once as "pending" and stays so until the server's ack says it is stored, and a stroke not
// acknowledged before a drop is sent again after the rejoin (the server keeps it only once).
// Others' strokes arrive as `whiteboard:op`; the join state (`room.tools.whiteboard.main`) is
// the board as it stands, so a late joiner or a reloaded page sees what everyone sees.
//
// `createBoard` is also used by the document viewer (notes on a page, board `doc:<id>:<page>`)
// and can serve a group's board (`group:<id>`).
import { h } from '../dom.js';
import { addStrings, bind, t } from '../i18n.js';
import { RoomError, clientId } from './room.js';

addStrings({
  ko: {
    'wb.title': '칠판',
    'wb.tools': '그리기 도구',
    'wb.tool.pen': '펜',
    'wb.tool.highlighter': '형광펜',
    'wb.tool.line': '직선',
    'wb.tool.arrow': '화살표',
    'wb.tool.rect': '사각형',
    'wb.tool.ellipse': '원',
    'wb.tool.text': '글자',
    'wb.tool.eraser': '지우개',
    'wb.color': '색',
    'wb.color.black': '검정',
    'wb.color.red': '빨강',
    'wb.color.blue': '파랑',
    'wb.color.green': '초록',
    'wb.color.orange': '주황',
    'wb.width': '굵기',
    'wb.width.thin': '가늘게',
    'wb.width.medium': '보통',
    'wb.width.thick': '굵게',
    'wb.undo': '되돌리기',
    'wb.clear': '모두 지우기',
    'wb.confirmClear': '칠판을 모두 지울까요? 모든 사람의 화면에서 지워집니다.',
    'wb.allowStudents': '학생도 칠판에 쓰기',
    'wb.viewOnly': '선생님이 칠판에 쓰고 있습니다. 보기만 할 수 있습니다.',
    'wb.studentsMayDraw': '이 칠판에 함께 쓸 수 있습니다.',
    'wb.pending': '보내는 중 {n}개',
    'wb.textPrompt': '쓸 글자를 입력하고 Enter',
    'wb.canvas': '칠판 그림',
    'wb.show': '칠판 보이기',
    'wb.hide': '칠판 숨기기',
    'wb.save': '그림으로 저장',
    'wb.fileName': '칠판',
  },
  en: {
    'wb.title': 'Whiteboard',
    'wb.tools': 'Drawing tools',
    'wb.tool.pen': 'Pen',
    'wb.tool.highlighter': 'Highlighter',
    'wb.tool.line': 'Line',
    'wb.tool.arrow': 'Arrow',
    'wb.tool.rect': 'Rectangle',
    'wb.tool.ellipse': 'Ellipse',
    'wb.tool.text': 'Text',
    'wb.tool.eraser': 'Eraser',
    'wb.color': 'Colour',
    'wb.color.black': 'Black',
    'wb.color.red': 'Red',
    'wb.color.blue': 'Blue',
    'wb.color.green': 'Green',
    'wb.color.orange': 'Orange',
    'wb.width': 'Width',
    'wb.width.thin': 'Thin',
    'wb.width.medium': 'Medium',
    'wb.width.thick': 'Thick',
    'wb.undo': 'Undo',
    'wb.clear': 'Clear all',
    'wb.confirmClear': 'Clear the whole board? It is cleared on everyone\'s screen.',
    'wb.allowStudents': 'Students may draw too',
    'wb.viewOnly': 'The teacher is writing on the board; you can watch.',
    'wb.studentsMayDraw': 'You may draw on this board.',
    'wb.pending': 'Sending {n}',
    'wb.textPrompt': 'Type the text and press Enter',
    'wb.canvas': 'Whiteboard drawing',
    'wb.show': 'Show the board',
    'wb.hide': 'Hide the board',
    'wb.save': 'Save as picture',
    'wb.fileName': 'whiteboard',
  },
});

const TOOLS = ['pen', 'highlighter', 'line', 'arrow', 'rect', 'ellipse', 'text', 'eraser'];
const COLORS = [
  ['#202020', 'black'], ['#d03030', 'red'], ['#1f6fd0', 'blue'], ['#1a9a4a', 'green'],
  ['#f08c00', 'orange'],
];
const WIDTHS = [[2, 'thin'], [4, 'medium'], [8, 'thick']];
const MAX_POINTS = 2000;
// A stroke being drawn is shown to the others as it grows (not stored; the finished one is).
const DRAFT_EVERY_MS = 80;
const DRAFT_FORGET_MS = 5000;
// Widths are given for a board 1000 pixels wide and scale with the board.
const BASE_WIDTH = 1000;

// -- drawing ----------------------------------------------------------------------------------

function scaled(shape, w) {
  return Math.max(1, (shape.width * w) / BASE_WIDTH);
}

function fontSize(shape, w) {
  return Math.max(10, (shape.width * 7 * w) / BASE_WIDTH + 10 * (w / BASE_WIDTH));
}

/** Draw one shape on a 2D context of a board `w` x `h` pixels. */
export function drawShape(ctx, shape, w, h, { pending = false } = {}) {
  const pts = shape.points.map(([x, y]) => [x * w, y * h]);
  ctx.save();
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  ctx.strokeStyle = shape.color;
  ctx.fillStyle = shape.color;
  ctx.lineWidth = scaled(shape, w);
  ctx.globalAlpha = pending ? 0.6 : 1;
  if (shape.tool === 'highlighter') {
    ctx.globalAlpha *= 0.35;
    ctx.lineWidth *= 3;
  }
  const [a, b] = [pts[0], pts[pts.length - 1]];
  ctx.beginPath();
  switch (shape.tool) {
    case 'pen':
    case 'highlighter':
      if (pts.length === 1) {
        ctx.arc(a[0], a[1], ctx.lineWidth / 2, 0, Math.PI * 2);
        ctx.fill();
        break;
      }
      ctx.moveTo(a[0], a[1]);
      for (const [x, y] of pts.slice(1)) ctx.lineTo(x, y);
      ctx.stroke();
      break;
    case 'line':
    case 'arrow':
      ctx.moveTo(a[0], a[1]);
      ctx.lineTo(b[0], b[1]);
      ctx.stroke();
      if (shape.tool === 'arrow') {
        const angle = Math.atan2(b[1] - a[1], b[0] - a[0]);
        const head = Math.max(10, ctx.lineWidth * 4);
        ctx.beginPath();
        ctx.moveTo(b[0], b[1]);
        ctx.lineTo(b[0] - head * Math.cos(angle - 0.45), b[1] - head * Math.sin(angle - 0.45));
        ctx.lineTo(b[0] - head * Math.cos(angle + 0.45), b[1] - head * Math.sin(angle + 0.45));
        ctx.closePath();
        ctx.fill();
      }
      break;
    case 'rect':
      ctx.rect(Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.abs(b[0] - a[0]), Math.abs(b[1] - a[1]));
      if (shape.fill) ctx.fill();
      else ctx.stroke();
      break;
    case 'ellipse':
      ctx.ellipse((a[0] + b[0]) / 2, (a[1] + b[1]) / 2, Math.abs(b[0] - a[0]) / 2,
        Math.abs(b[1] - a[1]) / 2, 0, 0, Math.PI * 2);
      if (shape.fill) ctx.fill();
      else ctx.stroke();
      break;
    case 'text':
      ctx.font = `${fontSize(shape, w)}px "Noto Sans KR", "Noto Sans CJK KR", sans-serif`;
      ctx.textBaseline = 'top';
      ctx.fillText(shape.text || '', a[0], a[1]);
      break;
    default:
      break;
  }
  ctx.restore();
}

function segmentDistance(p, a, b) {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const length = dx * dx + dy * dy;
  const k = length ? Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length)) : 0;
  return Math.hypot(p[0] - (a[0] + k * dx), p[1] - (a[1] + k * dy));
}

/** Whether a point (pixels) touches a shape drawn on a `w` x `h` board. */
function hits(shape, p, w, h, ctx) {
  const pts = shape.points.map(([x, y]) => [x * w, y * h]);
  const slack = Math.max(8, scaled(shape, w) * (shape.tool === 'highlighter' ? 3 : 1));
  const [a, b] = [pts[0], pts[pts.length - 1]];
  if (shape.tool === 'text') {
    ctx.font = `${fontSize(shape, w)}px sans-serif`;
    const width = ctx.measureText(shape.text || '').width;
    const height = fontSize(shape, w);
    return p[0] >= a[0] - 4 && p[0] <= a[0] + width + 4 && p[1] >= a[1] - 4 && p[1] <= a[1] + height + 4;
  }
  if (shape.tool === 'rect') {
    const corners = [[a[0], a[1]], [b[0], a[1]], [b[0], b[1]], [a[0], b[1]]];
    return corners.some((c, i) => segmentDistance(p, c, corners[(i + 1) % 4]) <= slack);
  }
  if (shape.tool === 'ellipse') {
    const rx = Math.abs(b[0] - a[0]) / 2 || 1;
    const ry = Math.abs(b[1] - a[1]) / 2 || 1;
    const nx = (p[0] - (a[0] + b[0]) / 2) / rx;
    const ny = (p[1] - (a[1] + b[1]) / 2) / ry;
    return Math.abs(Math.hypot(nx, ny) - 1) * Math.min(rx, ry) <= slack;
  }
  if (pts.length === 1) return Math.hypot(p[0] - a[0], p[1] - a[1]) <= slack;
  for (let i = 1; i < pts.length; i += 1) {
    if (segmentDistance(p, pts[i - 1], pts[i]) <= slack) return true;
  }
  return false;
}

// -- one board --------------------------------------------------------------------------------

/**
 * A board view bound to the room: canvas, optional palette, sending and receiving strokes.
 * `createBoard({room, showError, board, strokes, aspect, overlay})` ->
 * `{element, palette, setBoard(key, strokes), setEditable(bool), setCanClear(bool), setAspect(n),
 *   destroy()}`. With `overlay` the canvas lies over something else (a document page).
 */
export function createBoard({ room, showError, board = 'main', strokes = [], aspect = 16 / 9, overlay = false }) {
  let key = board;
  let editable = false;
  let canClear = false;
  let tool = 'pen';
  let color = COLORS[0][0];
  let width = WIDTHS[1][0];
  /** id -> op (stored strokes), in drawing order */
  let stored = new Map();
  /** client_id -> {shape, board, kind: 'stroke'} not yet acknowledged */
  const pending = new Map();
  let draft = null;
  /** Others' strokes being drawn: draft_id -> {shape, seen} */
  const drafts = new Map();
  const finished = new Set();
  let draftId = null;
  let draftSentPoints = 0;
  let draftTimer = null;

  const canvas = h('canvas', { class: 'wb-canvas', testid: overlay ? 'annotation-canvas' : 'whiteboard-canvas', role: 'img', i18nAttr: { 'aria-label': 'wb.canvas' } });
  const surface = h('div', { class: overlay ? 'wb-surface wb-surface--overlay' : 'wb-surface' }, canvas);
  if (!overlay) surface.style.aspectRatio = String(aspect);
  const status = h('span', { class: 'wb-status small muted', role: 'status' });

  // -- palette --
  const toolButtons = TOOLS.map((name) => h('button', {
    type: 'button', class: 'btn btn--small wb-tool', testid: `wb-tool-${name}`,
    i18n: `wb.tool.${name}`, 'aria-pressed': String(name === tool),
    onclick: () => { tool = name; syncPalette(); },
  }));
  const colorButtons = COLORS.map(([value, name]) => h('button', {
    type: 'button', class: 'wb-color', style: `background:${value}`, testid: `wb-color-${name}`,
    i18nAttr: { 'aria-label': `wb.color.${name}`, title: `wb.color.${name}` },
    'aria-pressed': String(value === color), onclick: () => { color = value; syncPalette(); },
  }));
  const widthSelect = h('select', { class: 'wb-width', testid: 'wb-width', i18nAttr: { 'aria-label': 'wb.width' },
    onchange: () => { width = Number(widthSelect.value); } });
  for (const [value, name] of WIDTHS) widthSelect.append(h('option', { value: String(value), i18n: `wb.width.${name}` }));
  widthSelect.value = String(width);
  const undoButton = h('button', { type: 'button', class: 'btn btn--small', testid: 'wb-undo', i18n: 'wb.undo', onclick: () => send('whiteboard:undo') });
  const clearButton = h('button', { type: 'button', class: 'btn btn--small btn--danger', testid: 'wb-clear', i18n: 'wb.clear',
    onclick: () => { if (confirm(t('wb.confirmClear'))) send('whiteboard:clear'); } });
  const palette = h('div', { class: 'wb-palette', role: 'toolbar', i18nAttr: { 'aria-label': 'wb.tools' } },
    h('div', { class: 'wb-group' }, ...toolButtons),
    h('div', { class: 'wb-group' }, ...colorButtons, widthSelect),
    h('div', { class: 'wb-group' }, undoButton, clearButton, status));

  function syncPalette() {
    toolButtons.forEach((button, i) => button.setAttribute('aria-pressed', String(TOOLS[i] === tool)));
    colorButtons.forEach((button, i) => button.setAttribute('aria-pressed', String(COLORS[i][0] === color)));
    palette.hidden = !editable;
    clearButton.hidden = !canClear;
    surface.classList.toggle('wb-surface--editable', editable);
    surface.dataset.tool = tool;
    const waiting = [...pending.values()].filter((item) => item.board === key).length;
    if (waiting) bind(status, 'wb.pending', { n: waiting });
    else status.textContent = '';
  }

  // -- rendering --
  function size() {
    const rect = surface.getBoundingClientRect();
    return [Math.max(1, rect.width), Math.max(1, rect.height)];
  }

  function redraw() {
    const [w, hgt] = size();
    const ratio = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(w * ratio) || canvas.height !== Math.round(hgt * ratio)) {
      canvas.width = Math.round(w * ratio);
      canvas.height = Math.round(hgt * ratio);
    }
    const ctx = canvas.getContext('2d');
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, w, hgt);
    for (const op of stored.values()) drawShape(ctx, op.shape, w, hgt);
    for (const item of pending.values()) {
      if (item.board === key) drawShape(ctx, item.shape, w, hgt, { pending: true });
    }
    const now = Date.now();
    for (const [id, other] of drafts) {
      if (now - other.seen > DRAFT_FORGET_MS) drafts.delete(id);
      else drawShape(ctx, other.shape, w, hgt, { pending: true });
    }
    if (draft) drawShape(ctx, draft, w, hgt, { pending: true });
    canvas.dataset.strokes = String(stored.size);
  }

  const resize = new ResizeObserver(() => redraw());
  resize.observe(surface);

  function apply(op) {
    if (op.board !== key) return;
    if (op.client_id) {
      drafts.delete(op.client_id);
      finished.add(op.client_id);
      if (finished.size > 500) finished.clear();
    }
    if (op.kind === 'stroke') stored.set(op.id, op);
    else if (op.kind === 'erase') stored.delete(op.target);
    else if (op.kind === 'clear') stored = new Map();
    redraw();
  }

  function receiveDraft(data) {
    if (data.board !== key || finished.has(data.draft_id)) return;
    const known = drafts.get(data.draft_id);
    const points = data.reset || !known ? data.points : [...known.shape.points, ...data.points];
    drafts.set(data.draft_id, {
      shape: { tool: data.tool, color: data.color, width: data.width, points }, seen: Date.now(),
    });
    redraw();
  }

  /** Send the points drawn since the last draft (two-point shapes: both, replacing). */
  function sendDraft() {
    draftTimer = null;
    if (!draft || !draftId || !room.joined) return;
    const twoPoint = ['line', 'arrow', 'rect', 'ellipse'].includes(draft.tool);
    const fresh = twoPoint ? draft.points : draft.points.slice(draftSentPoints, draftSentPoints + 200);
    if (!fresh.length) return;
    const payload = {
      board: key, draft_id: draftId, tool: draft.tool, color: draft.color, width: draft.width,
      points: fresh, reset: twoPoint || draftSentPoints === 0,
    };
    draftSentPoints = twoPoint ? 0 : draftSentPoints + fresh.length;
    room.request('whiteboard:draft', payload).catch(() => {});
  }

  function queueDraft() {
    if (!draftTimer) draftTimer = setTimeout(sendDraft, DRAFT_EVERY_MS);
  }

  function setBoard(next, list = []) {
    key = next;
    drafts.clear();
    stored = new Map(list.map((op) => [op.id, op]));
    draft = null;
    syncPalette();
    redraw();
  }

  // -- sending --
  async function request(event, payload, { quiet = false } = {}) {
    try {
      const ack = await room.request(event, payload);
      if (ack.op) apply(ack.op);
      return ack;
    } catch (error) {
      if (!quiet) showError(error);
      throw error;
    }
  }

  async function sendStroke(id, item) {
    try {
      await request('whiteboard:stroke', { board: item.board, client_id: id, shape: item.shape }, { quiet: true });
      pending.delete(id);
    } catch (error) {
      // Not connected: keep it and send it again after the rejoin. Drawing too fast: again in a
      // moment. Refused: drop it.
      const code = error instanceof RoomError ? error.code : null;
      if (code === 'rate_limited') {
        setTimeout(() => { if (pending.has(id)) sendStroke(id, item); }, 1000);
      } else if (!['not_connected', 'timeout'].includes(code)) {
        pending.delete(id);
        showError(error);
      }
    }
    syncPalette();
    redraw();
  }

  function stroke(shape, id = clientId()) {
    const item = { board: key, shape };
    pending.set(id, item);
    syncPalette();
    redraw();
    sendStroke(id, item);
  }

  function send(event, extra = {}) {
    request(event, { board: key, client_id: clientId(), ...extra }).catch(() => {});
  }

  function resendPending() {
    for (const [id, item] of pending) sendStroke(id, item);
  }

  // -- pointer input --
  function at(event) {
    const rect = canvas.getBoundingClientRect();
    const x = (event.clientX - rect.left) / Math.max(1, rect.width);
    const y = (event.clientY - rect.top) / Math.max(1, rect.height);
    return [Math.min(1, Math.max(0, Number(x.toFixed(4)))), Math.min(1, Math.max(0, Number(y.toFixed(4))))];
  }

  function eraseAt(event) {
    const [w, hgt] = size();
    const [x, y] = at(event);
    const ctx = canvas.getContext('2d');
    const target = [...stored.values()].reverse().find((op) => hits(op.shape, [x * w, y * hgt], w, hgt, ctx));
    if (target) send('whiteboard:erase', { target_id: target.id });
  }

  function placeText(event) {
    const [x, y] = at(event);
    const input = h('input', { type: 'text', class: 'wb-text-input', maxlength: 500, testid: 'wb-text-input', i18nAttr: { placeholder: 'wb.textPrompt', 'aria-label': 'wb.textPrompt' } });
    input.style.left = `${x * 100}%`;
    input.style.top = `${y * 100}%`;
    surface.append(input);
    input.focus();
    let done = false;
    const finish = (commit) => {
      if (done) return;
      done = true;
      const text = input.value.trim();
      input.remove();
      if (commit && text) stroke({ tool: 'text', color, width, points: [[x, y]], text });
    };
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') finish(true);
      if (e.key === 'Escape') finish(false);
    });
    input.addEventListener('blur', () => finish(true));
  }

  canvas.addEventListener('pointerdown', (event) => {
    if (!editable || event.button !== 0) return;
    event.preventDefault();
    if (tool === 'eraser') {
      eraseAt(event);
      return;
    }
    if (tool === 'text') {
      placeText(event);
      return;
    }
    canvas.setPointerCapture(event.pointerId);
    const start = at(event);
    draft = { tool, color, width, points: [start] };
    draftId = clientId();
    draftSentPoints = 0;
    if (['line', 'arrow', 'rect', 'ellipse'].includes(tool)) draft.points = [start, start];
    redraw();
  });
  canvas.addEventListener('pointermove', (event) => {
    if (!draft) return;
    const point = at(event);
    if (draft.points.length === 2 && ['line', 'arrow', 'rect', 'ellipse'].includes(draft.tool)) {
      draft.points = [draft.points[0], point];
    } else {
      const last = draft.points[draft.points.length - 1];
      if (Math.hypot(point[0] - last[0], point[1] - last[1]) < 0.002) return;
      draft.points.push(point);
      if (draft.points.length >= MAX_POINTS) {
        finishDraft();
        return;
      }
    }
    queueDraft();
    redraw();
  });
  function finishDraft() {
    if (!draft) return;
    const shape = draft;
    draft = null;
    if (draftTimer) clearTimeout(draftTimer);
    draftTimer = null;
    stroke(shape, draftId || clientId());
    draftId = null;
  }
  canvas.addEventListener('pointerup', finishDraft);
  canvas.addEventListener('pointercancel', () => { draft = null; redraw(); });

  const offs = [
    room.onServer('whiteboard:op', apply),
    room.onServer('whiteboard:draft', receiveDraft),
    room.on('joined', () => resendPending()),
  ];
  setBoard(key, strokes);

  return {
    element: surface,
    palette,
    setBoard,
    setEditable(value) { editable = Boolean(value); syncPalette(); },
    setCanClear(value) { canClear = Boolean(value); syncPalette(); },
    setAspect(value) { if (!overlay) surface.style.aspectRatio = String(value); redraw(); },
    redraw,
    /** The board as a PNG on white (what a student keeps after class). */
    async toBlob() {
      const copy = document.createElement('canvas');
      copy.width = canvas.width;
      copy.height = canvas.height;
      const ctx = copy.getContext('2d');
      ctx.fillStyle = '#ffffff';
      ctx.fillRect(0, 0, copy.width, copy.height);
      ctx.drawImage(canvas, 0, 0);
      return new Promise((resolve) => copy.toBlob(resolve, 'image/png'));
    },
    get board() { return key; },
    destroy() {
      if (draftTimer) clearTimeout(draftTimer);
      resize.disconnect();
      for (const off of offs) off();
    },
  };
}

// -- the class board ----------------------------------------------------------------------------

export function mountTool({ room, panels, showError }) {
  const board = createBoard({ room, showError, board: 'main' });
  const note = h('p', { class: 'small muted', testid: 'wb-note' });
  const allow = h('input', { type: 'checkbox', testid: 'wb-allow-students' });
  const allowLabel = h('label', { class: 'check', hidden: true }, allow, ' ', h('span', { i18n: 'wb.allowStudents' }));
  const toggle = h('button', { type: 'button', class: 'btn btn--small btn--ghost', testid: 'wb-toggle', 'aria-expanded': 'true' });
  const save = h('button', { type: 'button', class: 'btn btn--small btn--ghost', testid: 'wb-save', i18n: 'wb.save' });
  const body = h('div', { class: 'wb-body' }, board.palette, board.element, note);
  const panel = h('section', { class: 'panel whiteboard', testid: 'whiteboard-panel', hidden: true, 'aria-labelledby': 'wb-title' },
    h('div', { class: 'wb-head' }, h('h2', { id: 'wb-title', i18n: 'wb.title' }), allowLabel, save, toggle), body);
  panels.main.append(panel);

  let teaching = false;
  let studentsMayDraw = false;
  let open = true;

  function render() {
    panel.hidden = false;
    allowLabel.hidden = !teaching;
    allow.checked = studentsMayDraw;
    board.setEditable(teaching || studentsMayDraw);
    board.setCanClear(teaching);
    bind(note, teaching ? 'wb.title' : (studentsMayDraw ? 'wb.studentsMayDraw' : 'wb.viewOnly'));
    note.hidden = teaching;
    body.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
    bind(toggle, open ? 'wb.hide' : 'wb.show');
    if (open) board.redraw();
  }

  toggle.addEventListener('click', () => { open = !open; render(); });
  save.addEventListener('click', async () => {
    const blob = await board.toBlob();
    if (!blob) return;
    const link = h('a', { href: URL.createObjectURL(blob), download: `${t('wb.fileName')}-${new Date().toISOString().slice(0, 10)}.png` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  });
  allow.addEventListener('change', async () => {
    try {
      const ack = await room.request('whiteboard:allow_students', { allowed: allow.checked });
      studentsMayDraw = ack.students_may_draw;
    } catch (error) {
      showError(error);
    }
    render();
  });

  const offs = [
    room.on('joined', () => {
      const state = room.tools.whiteboard;
      if (!state) return;
      teaching = Boolean(state.teaching);
      studentsMayDraw = Boolean(state.students_may_draw);
      board.setBoard('main', state.main || []);
      render();
    }),
    room.onServer('whiteboard:policy', (policy) => {
      studentsMayDraw = Boolean(policy.students_may_draw);
      render();
    }),
  ];

  return {
    destroy() {
      for (const off of offs) off();
      board.destroy();
      panel.remove();
    },
  };
}
