// Presenting a document in the live class (docs/shared-content.md).
//
// Teachers: upload a PDF or picture to the course, open it, turn pages, point (the pointer is
// relayed, never stored) and write notes on a page (the whiteboard `doc:<id>:<page>`).
// Students: the viewer follows the teacher's page, with the pointer and notes over it; a student
// may page through on their own and return to the teacher's page with one button.
// The join state (`room.tools.presentation`) is the truth after every (re)join, so a late
// joiner or a reloaded page lands on the page the class is on.
import * as api from '../api.js';
import { announce, h } from '../dom.js';
import { addStrings, bind, t } from '../i18n.js';
import { createBoard } from './whiteboard.js';

addStrings({
  ko: {
    'doc.title': '수업 자료',
    'doc.pick': '자료 고르기',
    'doc.none': '아직 올린 자료가 없습니다.',
    'doc.upload': 'PDF·그림 올리기',
    'doc.uploading': '올리는 중…',
    'doc.uploaded': '"{title}"을(를) 올렸습니다.',
    'doc.open': '보여 주기',
    'doc.close': '그만 보여 주기',
    'doc.prev': '이전 쪽',
    'doc.next': '다음 쪽',
    'doc.page': '{page} / {count}쪽',
    'doc.pageLabel': '{title}, {page}쪽 ({count}쪽 중)',
    'doc.pointer': '포인터',
    'doc.annotate': '필기',
    'doc.following': '선생님이 보여 주는 쪽을 따라갑니다.',
    'doc.waiting': '선생님이 자료를 보여 주면 여기에 나타납니다.',
    'doc.announcePage': '{page}쪽으로 넘어갔습니다.',
    'doc.pages': '{n}쪽',
    'doc.loading': '쪽을 불러오는 중…',
    'doc.follow': '선생님 쪽으로 돌아가기',
    'doc.browsing': '혼자 넘겨 보는 중입니다. 선생님은 {page}쪽을 보여 주고 있습니다.',
    'doc.delete': '자료 지우기',
    'doc.confirmDelete': '"{title}"을(를) 지울까요? 되돌릴 수 없습니다.',
  },
  en: {
    'doc.title': 'Class documents',
    'doc.pick': 'Choose a document',
    'doc.none': 'No documents uploaded yet.',
    'doc.upload': 'Upload PDF or picture',
    'doc.uploading': 'Uploading…',
    'doc.uploaded': 'Uploaded "{title}".',
    'doc.open': 'Present',
    'doc.close': 'Stop presenting',
    'doc.prev': 'Previous page',
    'doc.next': 'Next page',
    'doc.page': 'Page {page} / {count}',
    'doc.pageLabel': '{title}, page {page} of {count}',
    'doc.pointer': 'Pointer',
    'doc.annotate': 'Annotate',
    'doc.following': 'Following the teacher\'s page.',
    'doc.waiting': 'When the teacher presents a document it appears here.',
    'doc.announcePage': 'Now on page {page}.',
    'doc.pages': '{n} pages',
    'doc.loading': 'Loading the page…',
    'doc.follow': 'Back to the teacher\'s page',
    'doc.browsing': 'You are browsing on your own; the teacher is on page {page}.',
    'doc.delete': 'Delete document',
    'doc.confirmDelete': 'Delete "{title}"? This cannot be undone.',
  },
});

const POINTER_EVERY_MS = 50;
const DOCUMENT_TYPES = 'application/pdf,image/png,image/jpeg,image/webp,image/gif';

export function mountTool({ room, panels, showError }) {
  let teaching = false;
  let state = { document: null, page: 1, board: null, annotations: [] };
  let documents = [];
  let pointing = false;
  let annotating = false;
  // Students follow the teacher's page unless they browse on their own (then `ownPage`).
  let following = true;
  let ownPage = 1;

  // -- teacher controls --
  const picker = h('select', { class: 'doc-picker', testid: 'doc-picker', i18nAttr: { 'aria-label': 'doc.pick' } });
  const openButton = h('button', { type: 'button', class: 'btn btn--small btn--primary', testid: 'doc-open', i18n: 'doc.open' });
  const fileInput = h('input', { type: 'file', accept: DOCUMENT_TYPES, class: 'sr-only', testid: 'doc-upload-input', id: 'doc-upload-input' });
  const uploadLabel = h('label', { for: 'doc-upload-input', class: 'btn btn--small', testid: 'doc-upload', i18n: 'doc.upload' });
  const closeButton = h('button', { type: 'button', class: 'btn btn--small', testid: 'doc-close', i18n: 'doc.close' });
  const deleteButton = h('button', { type: 'button', class: 'btn btn--small btn--danger', testid: 'doc-delete', i18n: 'doc.delete' });
  const teacherBar = h('div', { class: 'doc-toolbar', role: 'toolbar', i18nAttr: { 'aria-label': 'doc.title' } },
    picker, openButton, uploadLabel, fileInput, closeButton, deleteButton);

  // -- viewer --
  const prevButton = h('button', { type: 'button', class: 'btn btn--small', testid: 'doc-prev', i18nAttr: { 'aria-label': 'doc.prev', title: 'doc.prev' } }, '◀');
  const nextButton = h('button', { type: 'button', class: 'btn btn--small', testid: 'doc-next', i18nAttr: { 'aria-label': 'doc.next', title: 'doc.next' } }, '▶');
  const pageLabel = h('span', { class: 'doc-page', testid: 'presentation-page', 'aria-live': 'polite' });
  const pointerToggle = h('button', { type: 'button', class: 'btn btn--small', testid: 'doc-pointer', i18n: 'doc.pointer', 'aria-pressed': 'false' });
  const annotateToggle = h('button', { type: 'button', class: 'btn btn--small', testid: 'doc-annotate', i18n: 'doc.annotate', 'aria-pressed': 'false' });
  const docTitle = h('strong', { class: 'doc-name', testid: 'presentation-title' });
  const followButton = h('button', { type: 'button', class: 'btn btn--small btn--primary', testid: 'doc-follow', i18n: 'doc.follow', hidden: true });
  const pageBar = h('div', { class: 'doc-pagebar' }, docTitle, prevButton, pageLabel, nextButton, pointerToggle, annotateToggle, followButton);
  const image = h('img', { class: 'doc-image', testid: 'presentation-image', alt: '' });
  const dot = h('div', { class: 'doc-pointer-dot', testid: 'presentation-pointer', hidden: true, 'aria-hidden': 'true' });
  const board = createBoard({ room, showError, board: 'doc:0:1', overlay: true });
  const stageBox = h('div', { class: 'doc-stage' }, image, board.element, dot);
  const hint = h('p', { class: 'small muted', testid: 'presentation-hint' });
  const viewer = h('div', { class: 'doc-viewer', testid: 'presentation-viewer', hidden: true }, pageBar, board.palette, stageBox);
  const panel = h('section', { class: 'panel presentation', testid: 'presentation-panel', hidden: true, 'aria-labelledby': 'doc-title' },
    h('h2', { id: 'doc-title', i18n: 'doc.title' }), teacherBar, hint, viewer);
  panels.main.prepend(panel);

  function courseId() {
    return room.session?.course_id;
  }

  async function loadDocuments(selectId = null) {
    if (!teaching || !courseId()) return;
    try {
      const data = await api.get(`/api/courses/${courseId()}/documents`);
      documents = data.items;
    } catch (error) {
      showError(error);
      return;
    }
    picker.replaceChildren();
    if (!documents.length) picker.append(h('option', { value: '', i18n: 'doc.none' }));
    for (const doc of documents) {
      picker.append(h('option', { value: String(doc.id) }, `${doc.title} (${t('doc.pages', { n: doc.page_count })})`));
    }
    if (selectId) picker.value = String(selectId);
    openButton.disabled = !documents.length;
    deleteButton.disabled = !documents.length;
  }

  /** The page this viewer shows: the teacher's, or the student's own while browsing. */
  function shownPage() {
    return teaching || following ? state.page : ownPage;
  }

  function pageUrl(doc, page) {
    const width = Math.min(1920, Math.max(480, Math.round(stageBox.clientWidth * (window.devicePixelRatio || 1)) || 1280));
    return `${doc.page_url.replace('{page}', String(page))}?width=${width}`;
  }

  function render() {
    panel.hidden = false;
    teacherBar.hidden = !teaching;
    const doc = state.document;
    viewer.hidden = !doc;
    closeButton.hidden = !doc;
    pointerToggle.hidden = annotateToggle.hidden = !teaching;
    followButton.hidden = teaching || following || !doc;
    if (!doc) {
      bind(hint, teaching ? 'doc.title' : 'doc.waiting');
      hint.hidden = teaching;
      dot.hidden = true;
      return;
    }
    const page = shownPage();
    hint.hidden = teaching;
    if (following) bind(hint, 'doc.following');
    else bind(hint, 'doc.browsing', { page: state.page });
    docTitle.textContent = doc.title;
    bind(pageLabel, 'doc.page', { page, count: doc.page_count });
    pageLabel.dataset.page = String(page);
    image.alt = t('doc.pageLabel', { title: doc.title, page, count: doc.page_count });
    if (image.dataset.key !== `${doc.id}:${page}`) {
      image.dataset.key = `${doc.id}:${page}`;
      image.dataset.page = String(page);
      image.src = pageUrl(doc, page);
    }
    prevButton.disabled = page <= 1;
    nextButton.disabled = page >= doc.page_count;
    board.setEditable(teaching && annotating);
    board.setCanClear(teaching);
    pointerToggle.setAttribute('aria-pressed', String(pointing));
    annotateToggle.setAttribute('aria-pressed', String(annotating));
    stageBox.classList.toggle('doc-stage--pointing', pointing && !annotating);
  }

  function adopt(next, { announcePage = false } = {}) {
    const sameDocument = state.document?.id === next.document?.id;
    const turned = sameDocument && state.page !== next.page;
    if (!sameDocument) following = true; // a new document: everyone starts with the teacher
    state = next;
    if (next.board && (teaching || following)) board.setBoard(next.board, next.annotations || []);
    render();
    if (announcePage && turned && following) announce(t('doc.announcePage', { page: next.page }));
  }

  /** A student browses to `page` on their own; the page's notes are fetched for it. */
  async function browse(page) {
    if (!state.document) return;
    following = page === state.page;
    ownPage = page;
    if (!following) dot.hidden = true;
    const key = `doc:${state.document.id}:${page}`;
    if (following) board.setBoard(state.board, state.annotations || []);
    else {
      board.setBoard(key, []);
      try {
        const ack = await room.request('whiteboard:board', { board: key });
        if (board.board === key) board.setBoard(key, ack.strokes);
      } catch (error) {
        showError(error);
      }
    }
    render();
  }

  image.addEventListener('load', () => {
    if (image.naturalWidth) {
      // The box keeps the page's shape (notes and pointer are in page coordinates), at most
      // 80% of the window high.
      const ratio = image.naturalWidth / image.naturalHeight;
      stageBox.style.aspectRatio = String(ratio);
      stageBox.style.width = `min(100%, calc(80vh * ${ratio.toFixed(4)}))`;
    }
    board.redraw();
  });

  async function call(event, payload) {
    try {
      const ack = await room.request(event, payload);
      if (ack.state) adopt(ack.state);
      return ack;
    } catch (error) {
      showError(error);
      return null;
    }
  }

  openButton.addEventListener('click', () => {
    if (picker.value) call('presentation:open', { document_id: Number(picker.value), page: 1 });
  });
  closeButton.addEventListener('click', () => call('presentation:close', {}));
  function turn(delta) {
    if (!state.document) return;
    const page = shownPage() + delta;
    if (page < 1 || page > state.document.page_count) return;
    if (teaching) call('presentation:page', { page });
    else browse(page);
  }
  prevButton.addEventListener('click', () => turn(-1));
  nextButton.addEventListener('click', () => turn(1));
  followButton.addEventListener('click', () => browse(state.page));
  deleteButton.addEventListener('click', async () => {
    const doc = documents.find((item) => String(item.id) === picker.value);
    if (!doc || !confirm(t('doc.confirmDelete', { title: doc.title }))) return;
    try {
      await api.request('DELETE', `/api/documents/${doc.id}`);
      if (state.document?.id === doc.id) await call('presentation:close', {});
      await loadDocuments();
    } catch (error) {
      showError(error);
    }
  });
  pointerToggle.addEventListener('click', () => {
    pointing = !pointing;
    if (pointing) annotating = false;
    if (!pointing) sendPointer(null);
    render();
  });
  annotateToggle.addEventListener('click', () => {
    annotating = !annotating;
    if (annotating && pointing) { pointing = false; sendPointer(null); }
    render();
  });
  fileInput.addEventListener('change', async () => {
    const file = fileInput.files?.[0];
    fileInput.value = '';
    if (!file || !courseId()) return;
    bind(uploadLabel, 'doc.uploading');
    try {
      const doc = await api.upload(`/api/courses/${courseId()}/documents`, file);
      announce(t('doc.uploaded', { title: doc.title }));
      await loadDocuments(doc.id);
    } catch (error) {
      showError(error);
    } finally {
      bind(uploadLabel, 'doc.upload');
    }
  });

  // Keyboard page turns for the teacher (arrow keys while the viewer has focus).
  stageBox.tabIndex = 0;
  stageBox.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowRight' || event.key === 'PageDown') turn(1);
    if (event.key === 'ArrowLeft' || event.key === 'PageUp') turn(-1);
  });

  // -- pointer --
  let lastPointer = 0;
  let queued = null;
  function sendPointer(position) {
    const payload = position ? { x: position[0], y: position[1], visible: true } : { visible: false };
    room.request('presentation:pointer', payload).catch(() => {});
  }
  stageBox.addEventListener('pointermove', (event) => {
    if (!teaching || !pointing || annotating) return;
    const rect = stageBox.getBoundingClientRect();
    const x = Math.min(1, Math.max(0, (event.clientX - rect.left) / rect.width));
    const y = Math.min(1, Math.max(0, (event.clientY - rect.top) / rect.height));
    showDot(x, y);
    const now = Date.now();
    if (now - lastPointer >= POINTER_EVERY_MS) {
      lastPointer = now;
      sendPointer([x, y]);
    } else if (!queued) {
      queued = setTimeout(() => { queued = null; lastPointer = Date.now(); sendPointer([x, y]); }, POINTER_EVERY_MS);
    }
  });
  stageBox.addEventListener('pointerleave', () => {
    if (teaching && pointing) { dot.hidden = true; sendPointer(null); }
  });

  function showDot(x, y) {
    dot.style.left = `${x * 100}%`;
    dot.style.top = `${y * 100}%`;
    dot.hidden = false;
  }

  const offs = [
    room.on('joined', () => {
      const joined = room.tools.presentation;
      if (!joined) return;
      const wasTeaching = teaching;
      teaching = Boolean(joined.teaching);
      adopt(joined);
      if (teaching && !wasTeaching) loadDocuments();
    }),
    room.onServer('presentation:state', (next) => adopt(next, { announcePage: true })),
    room.onServer('presentation:pointer', (data) => {
      // The teacher points at their page: not shown over another page a student browses.
      if (!data.visible || !(teaching || following)) dot.hidden = true;
      else showDot(data.x, data.y);
    }),
  ];

  return {
    destroy() {
      for (const off of offs) off();
      if (queued) clearTimeout(queued);
      board.destroy();
      panel.remove();
    },
  };
}
