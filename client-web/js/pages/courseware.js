// Course content: the sections and lessons on the course page (teachers add, edit, reorder,
// hide and delete them), and the lesson page (a link, a video whose progress is saved while
// the student watches, a document, a live class).
import * as api from '../api.js';
import { field, h, notice, select } from '../dom.js';
import { addStrings, t, timeElement } from '../i18n.js';

addStrings({
  ko: {
    'cw.title': '강좌 내용',
    'cw.empty': '아직 단원이 없습니다.',
    'cw.noLessons': '이 단원에는 아직 차시가 없습니다.',
    'cw.addSection': '단원 추가',
    'cw.sectionTitle': '단원 이름',
    'cw.summary': '단원 소개',
    'cw.addLesson': '차시 추가',
    'cw.lessonTitle': '차시 제목',
    'cw.kind': '종류',
    'cw.kind.link': '링크',
    'cw.kind.video': '동영상',
    'cw.kind.document': '문서',
    'cw.kind.live': '실시간 수업',
    'cw.kind.assignment': '과제',
    'cw.kind.quiz': '평가',
    'cw.url': '주소 (https://…)',
    'cw.videoUrl': '동영상 주소 (https://…)',
    'cw.videoHint': '.mp4·.webm 같은 동영상 파일의 주소이거나 파일을 올려 주세요. 유튜브 같은 영상 사이트는 "링크"로 추가합니다(진도는 기록되지 않습니다).',
    'cw.minutes': '길이(분, 선택)',
    'cw.session': '실시간 수업',
    'cw.noSessions': '먼저 실시간 수업 일정을 만들어 주세요.',
    'cw.description': '설명',
    'cw.visibleNow': '바로 공개',
    'cw.hidden': '비공개',
    'cw.show': '공개',
    'cw.hide': '숨기기',
    'cw.up': '위로',
    'cw.down': '아래로',
    'cw.delete': '삭제',
    'cw.confirmDelete': '삭제할까요? 학생들의 진도 기록도 함께 지워집니다.',
    'cw.confirmSection': '이 단원을 삭제할까요?',
    'cw.done': '완료',
    'cw.percent': '{n}% 시청',
    'cw.open': '열기',
    'cw.openLink': '링크 열기',
    'cw.activity': '연결할 과제·평가',
    'cw.openActivity': '열기',
    'cw.noActivities': '먼저 과제·평가 화면에서 만들어 주세요.',
    'cw.enterLive': '수업 들어가기',
    'cw.download': '문서 내려받기',
    'cw.back': '강좌로',
    'cw.progress': '내 진도',
    'cw.watched': '{watched} / {total} 시청',
    'cw.completedAt': '완료:',
    'cw.rewatch': '처음부터 다시 보기',
    'cw.saving': '진도 저장 중…',
    'cw.saved': '진도를 저장했습니다.',
    'cw.saveFailed': '진도를 저장하지 못했습니다. 다시 시도합니다.',
    'cw.report': '학생별 진도',
    'cw.student': '학생',
    'cw.status': '상태',
    'cw.notStarted': '시작 안 함',
    'cw.inProgress': '진행 중',
    'cw.lastSeen': '마지막 기록',
    'cw.edit': '수정',
    'cw.file': '파일 (동영상은 주소 대신 올려도 됩니다)',
    'cw.docFile': '문서 파일 (PDF, 한글·오피스 문서, 그림)',
    'cw.uploading': '파일을 올리는 중…',
    'cw.needFile': '파일을 골라 주세요.',
    'cw.moveTo': '다른 단원으로',
  },
  en: {
    'cw.title': 'Course content',
    'cw.empty': 'No sections yet.',
    'cw.noLessons': 'No lessons in this section yet.',
    'cw.addSection': 'Add a section',
    'cw.sectionTitle': 'Section name',
    'cw.summary': 'Section summary',
    'cw.addLesson': 'Add a lesson',
    'cw.lessonTitle': 'Lesson title',
    'cw.kind': 'Kind',
    'cw.kind.link': 'Link',
    'cw.kind.video': 'Video',
    'cw.kind.document': 'Document',
    'cw.kind.live': 'Live class',
    'cw.kind.assignment': 'Assignment',
    'cw.kind.quiz': 'Quiz',
    'cw.url': 'Address (https://…)',
    'cw.videoUrl': 'Video address (https://…)',
    'cw.videoHint': 'The address of a video file (.mp4, .webm) or an upload. Add video sites such as YouTube as a "link" (no progress is kept).',
    'cw.minutes': 'Length (minutes, optional)',
    'cw.session': 'Live class',
    'cw.noSessions': 'Schedule a live class first.',
    'cw.description': 'Description',
    'cw.visibleNow': 'Visible now',
    'cw.hidden': 'Hidden',
    'cw.show': 'Show',
    'cw.hide': 'Hide',
    'cw.up': 'Up',
    'cw.down': 'Down',
    'cw.delete': 'Delete',
    'cw.confirmDelete': "Delete it? Students' progress on it goes too.",
    'cw.confirmSection': 'Delete this section?',
    'cw.done': 'Done',
    'cw.percent': '{n}% watched',
    'cw.open': 'Open',
    'cw.openLink': 'Open the link',
    'cw.activity': 'Assignment or quiz',
    'cw.openActivity': 'Open',
    'cw.noActivities': 'Create it first on the assignments & quizzes page.',
    'cw.enterLive': 'Enter the class',
    'cw.download': 'Download the document',
    'cw.back': 'Back to the course',
    'cw.progress': 'My progress',
    'cw.watched': '{watched} of {total} watched',
    'cw.completedAt': 'Completed:',
    'cw.rewatch': 'Watch again from the start',
    'cw.saving': 'Saving progress…',
    'cw.saved': 'Progress saved.',
    'cw.saveFailed': 'Could not save progress; trying again.',
    'cw.report': 'Progress by student',
    'cw.student': 'Student',
    'cw.status': 'Status',
    'cw.notStarted': 'Not started',
    'cw.inProgress': 'In progress',
    'cw.lastSeen': 'Last report',
    'cw.edit': 'Edit',
    'cw.file': 'File (a video may be uploaded instead of an address)',
    'cw.docFile': 'Document file (PDF, office documents, pictures)',
    'cw.uploading': 'Uploading the file…',
    'cw.needFile': 'Choose a file.',
    'cw.moveTo': 'Move to section',
  },
});

const KINDS_TEACHERS_ADD = ['link', 'video', 'document', 'live', 'assignment', 'quiz'];
// Where an assignment or quiz lesson's activity lives, and the list its form picks from.
const ACTIVITIES = {
  assignment: { list: (id) => `/api/courses/${id}/assignments`, page: (ref) => `#/assignments/${ref}` },
  quiz: { list: (id) => `/api/courses/${id}/course-quizzes`, page: (ref) => `#/course-quizzes/${ref}` },
};

function clientId() {
  return (crypto.randomUUID && crypto.randomUUID()) || `${Date.now()}-${Math.random()}`;
}

function minutesText(seconds) {
  const s = Math.round(seconds || 0);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function progressBadge(lesson) {
  const p = lesson.progress;
  if (!p) return '';
  if (p.completed_at) return h('span', { class: 'badge badge--present', testid: 'lesson-done', i18n: 'cw.done' });
  if (lesson.kind === 'video' && p.duration_seconds) {
    const n = Math.min(100, Math.floor((100 * p.watched_seconds) / p.duration_seconds));
    return h('span', { class: 'badge badge--late', i18n: 'cw.percent', i18nArgs: { n } });
  }
  return '';
}

/** Swap two neighbours in a list of ids and send the new order. */
async function move(ids, index, delta, path, key) {
  const order = [...ids];
  const other = index + delta;
  if (other < 0 || other >= order.length) return;
  [order[index], order[other]] = [order[other], order[index]];
  await api.request('PUT', path, { [key]: order });
}

/** An inline form that PATCHes `path` with `collect()`; cancel or success re-renders the outline. */
function editForm(testid, fields, collect, path, ctx) {
  const message = notice();
  const form = h('form', { class: 'card form form--compact', testid },
    ...fields.map((f) => f.wrap), message,
    h('p', { class: 'row' },
      h('button', { type: 'submit', class: 'btn btn--primary', i18n: 'common.save', testid: 'edit-save' }),
      h('button', { type: 'button', class: 'btn', i18n: 'common.cancel', onclick: () => ctx.reload() })));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.hide();
    try {
      await api.request('PATCH', path, collect());
      await ctx.reload();
    } catch (error) {
      message.show(api.describeError(error));
    }
  });
  return form;
}

function lessonEditForm(lesson, ctx) {
  const title = field('cw.lessonTitle', h('input', { required: true, maxLength: 200, value: lesson.title, testid: 'edit-title' }));
  const description = field('cw.description', h('textarea', { rows: 3, maxLength: 20000, testid: 'edit-description' }));
  description.input.value = lesson.description;
  const fields = [title, description];
  const hasUrl = (lesson.kind === 'link' || lesson.kind === 'video') && !lesson.file_id;
  const url = field(lesson.kind === 'video' ? 'cw.videoUrl' : 'cw.url', h('input', { type: 'url', required: true, maxLength: 2000, value: lesson.url, testid: 'edit-url' }));
  if (hasUrl) fields.push(url);
  return editForm('lesson-edit-form', fields, () => {
    const body = { title: title.input.value.trim(), description: description.input.value.trim() };
    if (hasUrl) body.content = { url: url.input.value.trim(), duration_seconds: lesson.duration_seconds };
    return body;
  }, `/api/lessons/${lesson.id}`, ctx);
}

function sectionEditForm(view, ctx) {
  const title = field('cw.sectionTitle', h('input', { required: true, maxLength: 200, value: view.title, testid: 'edit-title' }));
  const summary = field('cw.summary', h('textarea', { rows: 3, maxLength: 5000, testid: 'edit-summary' }));
  summary.input.value = view.summary;
  return editForm('section-edit-form', [title, summary],
    () => ({ title: title.input.value.trim(), summary: summary.input.value.trim() }), `/api/sections/${view.id}`, ctx);
}

function lessonItem(lesson, ctx, index, section) {
  const { teach, reload, message, sections } = ctx;
  const guard = (fn) => async () => {
    message.hide();
    try {
      await fn();
      await reload();
    } catch (error) {
      message.show(api.describeError(error));
    }
  };
  const item = h('li', { class: 'lesson', testid: 'lesson-item', dataset: { lessonId: String(lesson.id), kind: lesson.kind } },
    h('span', { class: `badge badge--${lesson.kind === 'live' ? 'live' : 'scheduled'}`, i18n: `cw.kind.${lesson.kind}` }), ' ',
    h('a', { href: `#/lessons/${lesson.id}`, testid: 'lesson-link' }, lesson.title), ' ',
    lesson.visible ? '' : h('span', { class: 'badge badge--closed', i18n: 'cw.hidden' }), ' ',
    progressBadge(lesson));
  if (!teach) return item;
  const ids = section.lessons.map((l) => l.id);
  const orderPath = `/api/sections/${section.id}/lessons/order`;
  const others = sections.filter((s) => s.id !== section.id);
  const controls = h('span', { class: 'row lesson-controls' },
    h('button', { type: 'button', class: 'btn btn--small btn--ghost', i18n: 'cw.up', testid: 'lesson-up', disabled: index === 0, onclick: guard(() => move(ids, index, -1, orderPath, 'lesson_ids')) }),
    h('button', { type: 'button', class: 'btn btn--small btn--ghost', i18n: 'cw.down', testid: 'lesson-down', disabled: index === ids.length - 1, onclick: guard(() => move(ids, index, 1, orderPath, 'lesson_ids')) }),
    h('button', { type: 'button', class: 'btn btn--small btn--ghost', testid: 'lesson-visibility', i18n: lesson.visible ? 'cw.hide' : 'cw.show',
      onclick: guard(() => api.request('PATCH', `/api/lessons/${lesson.id}`, { visible: !lesson.visible })) }),
    h('button', { type: 'button', class: 'btn btn--small btn--ghost', testid: 'lesson-edit', i18n: 'cw.edit',
      onclick: () => item.replaceWith(lessonEditForm(lesson, ctx)) }),
    others.length ? select([['', 'cw.moveTo'], ...others.map((s) => [String(s.id), ''])], {
      'aria-label': t('cw.moveTo'), class: 'small',
      onchange: (event) => event.target.value && guard(() => api.request('PATCH', `/api/lessons/${lesson.id}`, { section_id: Number(event.target.value) }))(),
    }) : '',
    h('button', { type: 'button', class: 'btn btn--small btn--danger', testid: 'lesson-delete', i18n: 'cw.delete',
      onclick: guard(async () => {
        if (window.confirm(t('cw.confirmDelete'))) await api.request('DELETE', `/api/lessons/${lesson.id}`);
      }) }));
  // Section names in the "move to" list are user text, set after the keyed placeholder.
  const moveSelect = controls.querySelector('select');
  if (moveSelect) others.forEach((s, i) => { moveSelect.options[i + 1].textContent = s.title; });
  item.append(' ', controls);
  return item;
}

function lessonForm(courseId, section, sessions, reload) {
  const kind = field('cw.kind', select(KINDS_TEACHERS_ADD.map((k) => [k, `cw.kind.${k}`]), { testid: 'lesson-kind' }));
  const title = field('cw.lessonTitle', h('input', { required: true, maxLength: 200, testid: 'lesson-title' }));
  const url = field('cw.url', h('input', { type: 'url', maxLength: 2000, testid: 'lesson-url', placeholder: 'https://' }));
  const file = field('cw.file', h('input', { type: 'file', testid: 'lesson-file' }));
  const videoHint = h('p', { class: 'hint', i18n: 'cw.videoHint' });
  const minutes = field('cw.minutes', h('input', { type: 'number', min: 1, max: 720, testid: 'lesson-minutes' }));
  const session = field('cw.session', select(sessions.map((s) => [String(s.id), '']), { testid: 'lesson-session' }));
  sessions.forEach((s, i) => { session.input.options[i].textContent = s.title; });
  const activity = field('cw.activity', h('select', { testid: 'lesson-activity' }));
  const description = field('cw.description', h('textarea', { rows: 2, maxLength: 20000, testid: 'lesson-description' }));
  const visible = h('input', { type: 'checkbox', checked: true, testid: 'lesson-visible' });
  const message = notice();
  const form = h('form', { class: 'form form--compact', testid: 'lesson-form', dataset: { sectionId: String(section.id) } },
    kind.wrap, title.wrap, url.wrap, file.wrap, videoHint, minutes.wrap, session.wrap, activity.wrap, description.wrap,
    h('label', { class: 'check' }, visible, ' ', h('span', { i18n: 'cw.visibleNow' })), message,
    h('button', { type: 'submit', class: 'btn btn--primary', i18n: 'cw.addLesson', testid: 'lesson-submit' }));
  const sync = () => {
    const k = kind.input.value;
    url.wrap.hidden = k === 'live' || k === 'document';
    url.input.required = k === 'link';
    file.wrap.hidden = k !== 'video' && k !== 'document';
    const fileLabel = file.wrap.querySelector('label');
    fileLabel.dataset.i18n = k === 'document' ? 'cw.docFile' : 'cw.file';
    fileLabel.textContent = t(fileLabel.dataset.i18n);
    file.input.accept = k === 'document' ? '.pdf,.hwpx,.docx,.pptx,.xlsx,.odt,.odp,.ods,image/*' : 'video/*';
    url.wrap.querySelector('label').dataset.i18n = k === 'video' ? 'cw.videoUrl' : 'cw.url';
    url.wrap.querySelector('label').textContent = t(k === 'video' ? 'cw.videoUrl' : 'cw.url');
    minutes.wrap.hidden = k !== 'video';
    videoHint.hidden = k !== 'video';
    session.wrap.hidden = k !== 'live';
    activity.wrap.hidden = !ACTIVITIES[k];
    if (ACTIVITIES[k]) {
      api.get(ACTIVITIES[k].list(courseId)).then((found) => {
        activity.input.replaceChildren(...found.items.map((item) => h('option', { value: String(item.id) }, item.title)));
        if (!title.input.value && found.items[0]) title.input.value = found.items[0].title;
      }).catch((error) => message.show(api.describeError(error)));
    }
  };
  kind.input.addEventListener('change', sync);
  sync();
  let pendingId = clientId();  // the same id on a retry, so a lost reply never adds it twice
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.hide();
    const k = kind.input.value;
    if (k === 'live' && !sessions.length) {
      message.show(t('cw.noSessions'));
      return;
    }
    const body = {
      client_id: pendingId, section_id: section.id, kind: k, title: title.input.value.trim(),
      description: description.input.value.trim(), visible: visible.checked,
    };
    if (k === 'link' || k === 'video') body.url = url.input.value.trim();
    if (k === 'video' && minutes.input.value) body.duration_seconds = Math.round(Number(minutes.input.value) * 60);
    if (k === 'live') body.live_session_id = Number(session.input.value);
    if (ACTIVITIES[k]) {
      if (!activity.input.value) {
        message.show(t('cw.noActivities'));
        return;
      }
      body.ref_id = Number(activity.input.value);
    }
    const chosen = (k === 'video' || k === 'document') ? file.input.files[0] : null;
    if (k === 'document' && !chosen) {
      message.show(t('cw.needFile'));
      return;
    }
    try {
      if (chosen) {
        message.showKey('cw.uploading', {}, 'ok');
        body.file_id = (await api.upload(`/api/courses/${courseId}/files`, chosen)).id;
        delete body.url;
        message.hide();
      }
      await api.post(`/api/courses/${courseId}/lessons`, body);
      pendingId = clientId();
      await reload();
    } catch (error) {
      message.show(api.describeError(error));
    }
  });
  // Folded by default: the outline is what a teacher reads; adding is one click away.
  return h('details', { class: 'lesson-add', testid: 'lesson-add' },
    h('summary', { i18n: 'cw.addLesson', testid: 'lesson-add-toggle' }), form);
}

function sectionBlock(view, index, ctx) {
  const { courseId, teach, reload, message, sections, sessions } = ctx;
  const block = h('section', { class: 'card course-section', testid: 'course-section', dataset: { sectionId: String(view.id) } },
    h('h3', { testid: 'section-title' }, view.title),
    view.summary ? h('p', { class: 'muted pre-wrap' }, view.summary) : '',
    view.lessons.length
      ? h('ul', { class: 'lessons', testid: 'lesson-list' }, view.lessons.map((l, i) => lessonItem(l, ctx, i, view)))
      : h('p', { class: 'empty', i18n: 'cw.noLessons' }));
  if (!teach) return block;
  const ids = sections.map((s) => s.id);
  const guard = (fn) => async () => {
    message.hide();
    try {
      await fn();
      await reload();
    } catch (error) {
      message.show(api.describeError(error));
    }
  };
  const orderPath = `/api/courses/${courseId}/sections/order`;
  block.querySelector('h3').after(h('p', { class: 'row' },
    h('button', { type: 'button', class: 'btn btn--small btn--ghost', i18n: 'cw.up', testid: 'section-up', disabled: index === 0, onclick: guard(() => move(ids, index, -1, orderPath, 'section_ids')) }),
    h('button', { type: 'button', class: 'btn btn--small btn--ghost', i18n: 'cw.down', testid: 'section-down', disabled: index === ids.length - 1, onclick: guard(() => move(ids, index, 1, orderPath, 'section_ids')) }),
    h('button', { type: 'button', class: 'btn btn--small btn--ghost', i18n: 'cw.edit', testid: 'section-edit',
      onclick: () => block.replaceWith(sectionEditForm(view, ctx)) }),
    h('button', { type: 'button', class: 'btn btn--small btn--danger', i18n: 'cw.delete', testid: 'section-delete',
      onclick: guard(async () => {
        if (window.confirm(t('cw.confirmSection'))) await api.request('DELETE', `/api/sections/${view.id}`);
      }) })));
  block.append(lessonForm(courseId, view, sessions, reload));
  return block;
}

function sectionForm(courseId, reload) {
  const title = field('cw.sectionTitle', h('input', { required: true, maxLength: 200, testid: 'section-title-input' }));
  const summary = field('cw.summary', h('textarea', { rows: 2, maxLength: 5000 }));
  const message = notice();
  const form = h('form', { class: 'card form', testid: 'section-form' },
    h('h3', { i18n: 'cw.addSection' }), title.wrap, summary.wrap, message,
    h('button', { type: 'submit', class: 'btn btn--primary', i18n: 'cw.addSection', testid: 'section-submit' }));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.hide();
    try {
      await api.post(`/api/courses/${courseId}/sections`, { title: title.input.value.trim(), summary: summary.input.value.trim() });
      title.input.value = '';
      summary.input.value = '';
      await reload();
    } catch (error) {
      message.show(api.describeError(error));
    }
  });
  return form;
}

/** The course page's content block; `sessions` feed the live-lesson picker. */
export function outlineCard(courseId, sessions) {
  const card = h('section', { class: 'courseware', 'aria-labelledby': 'cw-title', testid: 'course-outline' },
    h('h2', { id: 'cw-title', i18n: 'cw.title' }));
  const message = notice();
  const reload = async () => {
    try {
      const outline = await api.get(`/api/courses/${courseId}/outline`);
      const ctx = { courseId, teach: outline.teaching, reload, message, sections: outline.sections, sessions };
      card.replaceChildren(card.firstChild, message,
        outline.sections.length ? '' : h('p', { class: 'empty', i18n: 'cw.empty' }),
        ...outline.sections.map((view, i) => sectionBlock(view, i, ctx)),
        outline.teaching ? sectionForm(courseId, reload) : '');
    } catch (error) {
      message.show(api.describeError(error));
    }
  };
  card.reload = reload;
  reload();
  return card;
}

// -- the lesson page -------------------------------------------------------------------------

const SAVE_EVERY_MS = 10000;

/** Watches a <video> and reports progress: seconds actually played (seeking adds nothing). */
function trackVideo(video, lesson, status) {
  let watched = lesson.progress ? lesson.progress.watched_seconds : 0;
  let lastTime = null;
  let rewatch = false;
  let dirty = false;
  let sending = false;
  const save = async () => {
    if (!dirty || sending || !Number.isFinite(video.duration) || video.duration <= 0) return;
    sending = true;
    dirty = false;
    const body = {
      position_seconds: Math.min(video.currentTime, video.duration),
      watched_seconds: Math.min(watched, video.duration),
      duration_seconds: video.duration,
      rewatch,
    };
    try {
      const saved = await api.request('PUT', `/api/lessons/${lesson.id}/progress`, body);
      rewatch = false;
      watched = Math.max(watched, saved.watched_seconds);
      status.update(saved);
    } catch (error) {
      dirty = true;  // the next tick retries; the server merges, so a repeat is harmless
      status.failed(error);
    } finally {
      sending = false;
    }
  };
  // Credit the time played since the last look; a jump (a seek) credits nothing.
  const credit = () => {
    const now = video.currentTime;
    if (lastTime !== null && !video.seeking) {
      const step = now - lastTime;
      // Normal playback advances in small steps (at most 2x speed); a jump is a seek.
      if (step > 0 && step < 1.5) {
        watched += step;
        dirty = true;
      }
    }
    lastTime = video.paused ? null : now;
  };
  video.addEventListener('play', () => { lastTime = video.currentTime; });
  video.addEventListener('timeupdate', () => { if (!video.paused) credit(); });
  video.addEventListener('seeking', () => { lastTime = null; });
  video.addEventListener('pause', () => { credit(); save(); });
  video.addEventListener('ended', () => { credit(); save(); });
  video.addEventListener('loadedmetadata', () => {
    const p = lesson.progress;
    if (p && !p.completed_at && p.position_seconds < video.duration - 1) video.currentTime = p.position_seconds;
  });
  const timer = setInterval(save, SAVE_EVERY_MS);
  const onHide = () => { if (document.visibilityState === 'hidden') save(); };
  document.addEventListener('visibilitychange', onHide);
  return {
    restart() {
      rewatch = true;
      watched = 0;
      dirty = true;
      video.currentTime = 0;
      video.play().catch(() => {});
    },
    stop() {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onHide);
      save();
    },
  };
}

function progressLine(progress) {
  const line = h('p', { class: 'muted', testid: 'lesson-progress', role: 'status' });
  line.update = (p) => {
    line.replaceChildren();
    if (!p) return;
    if (p.duration_seconds) {
      line.append(h('span', { i18n: 'cw.watched', i18nArgs: { watched: minutesText(p.watched_seconds), total: minutesText(p.duration_seconds) } }));
    }
    if (p.completed_at) line.append(' · ', h('span', { i18n: 'cw.completedAt' }), ' ', timeElement(p.completed_at));
  };
  line.failed = () => line.replaceChildren(h('span', { i18n: 'cw.saveFailed' }));
  line.update(progress);
  return line;
}

async function reportTable(lessonId) {
  const report = await api.get(`/api/lessons/${lessonId}/report`);
  return h('section', { class: 'card', 'aria-labelledby': 'report-title', testid: 'lesson-report' },
    h('h2', { id: 'report-title', i18n: 'cw.report' }),
    h('div', { class: 'table-wrap' }, h('table', { class: 'table' },
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col', i18n: 'cw.student' }), h('th', { scope: 'col', i18n: 'cw.status' }),
        h('th', { scope: 'col', i18n: 'cw.lastSeen' }))),
      h('tbody', {}, report.items.map(({ user, progress }) => h('tr', {},
        h('th', { scope: 'row' }, user.display_name),
        h('td', {}, progress
          ? (progress.completed_at ? h('span', { class: 'badge badge--present', i18n: 'cw.done' })
            : progress.duration_seconds
              ? h('span', { i18n: 'cw.percent', i18nArgs: { n: Math.floor((100 * progress.watched_seconds) / progress.duration_seconds) } })
              : h('span', { i18n: 'cw.inProgress' }))
          : h('span', { class: 'muted', i18n: 'cw.notStarted' })),
        h('td', {}, progress ? timeElement(progress.updated_at) : '')))))));
}

export async function renderLesson(root, { id }) {
  const lessonId = Number(id);
  const page = h('section', { class: 'page' });
  const message = notice();
  root.append(page);
  let tracker = null;
  try {
    const lesson = await api.get(`/api/lessons/${lessonId}`);
    const me = api.user();
    const status = progressLine(lesson.progress);
    const isStudent = !!me && me.role === 'student';
    const body = h('div', { class: 'card lesson-body', testid: 'lesson-body', dataset: { kind: lesson.kind } });
    if (lesson.kind === 'link') {
      body.append(h('a', { href: lesson.url, target: '_blank', rel: 'noopener noreferrer', class: 'btn btn--primary', testid: 'lesson-open', i18n: 'cw.openLink',
        onclick: () => {
          if (!isStudent) return;
          api.post(`/api/lessons/${lessonId}/view`).then((p) => status.update(p)).catch((e) => message.show(api.describeError(e)));
        } }), ' ', h('span', { class: 'muted small' }, lesson.url));
    } else if (lesson.kind === 'video') {
      const src = lesson.url || (lesson.file_id ? `/api/files/${lesson.file_id}` : '');
      const video = h('video', { controls: true, preload: 'metadata', src, testid: 'lesson-video', style: 'max-width: 100%', 'aria-label': lesson.title });
      body.append(video);
      if (isStudent) {
        tracker = trackVideo(video, lesson, status);
        body.append(h('p', {}, h('button', { type: 'button', class: 'btn', testid: 'lesson-rewatch', i18n: 'cw.rewatch', onclick: () => tracker.restart() })));
      }
    } else if (lesson.kind === 'document' && lesson.file_id) {
      body.append(h('a', { href: `/api/files/${lesson.file_id}`, class: 'btn btn--primary', testid: 'lesson-open', i18n: 'cw.download',
        onclick: () => { if (isStudent) api.post(`/api/lessons/${lessonId}/view`).then((p) => status.update(p)).catch(() => {}); } }));
    } else if (ACTIVITIES[lesson.kind] && lesson.ref_id) {
      body.append(h('a', { href: ACTIVITIES[lesson.kind].page(lesson.ref_id), class: 'btn btn--primary', testid: 'lesson-open', i18n: 'cw.openActivity',
        onclick: () => { if (isStudent) api.post(`/api/lessons/${lessonId}/view`).then((p) => status.update(p)).catch(() => {}); } }));
    } else if (lesson.kind === 'live' && lesson.live_session_id) {
      const session = await api.get(`/api/sessions/${lesson.live_session_id}`);
      body.append(h('p', {}, session.title, ' · ', timeElement(session.scheduled_start), ' ',
        h('span', { class: `badge badge--${session.status}`, i18n: `session.status.${session.status}` })),
      session.status === 'live' ? h('a', { href: `#/live/${session.id}`, class: 'btn btn--primary', testid: 'lesson-open', i18n: 'cw.enterLive' }) : '');
    }
    page.append(
      h('p', { class: 'crumbs' }, h('a', { href: `#/courses/${lesson.course_id}`, i18n: 'cw.back' })),
      h('h1', { testid: 'lesson-title' }, lesson.title),
      h('p', {}, h('span', { class: 'badge badge--scheduled', i18n: `cw.kind.${lesson.kind}` })),
      lesson.description ? h('p', { class: 'pre-wrap', testid: 'lesson-description' }, lesson.description) : '',
      message, body, isStudent ? h('div', { class: 'card' }, h('h2', { i18n: 'cw.progress' }), status) : '');
    if (!isStudent) {
      try {
        page.append(await reportTable(lessonId));
      } catch {
        // Only the course's teachers get the report; others simply do not see it.
      }
    }
  } catch (error) {
    page.append(h('h1', { i18n: 'cw.title' }), message);
    message.show(api.describeError(error));
  }
  return () => { if (tracker) tracker.stop(); };
}
