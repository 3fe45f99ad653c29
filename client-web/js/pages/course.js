// One course: its sessions (teachers start and end them), scheduling, and enrolments.
import * as api from '../api.js';
import { field, h, notice } from '../dom.js';
import { courseLinks } from '../course-links.js';
import { localInputToIso, localInputValue } from '../datetime-input.js';
import { outlineCard } from './courseware.js';
import { enrolPicker } from './course-people.js';
import { timeElement } from '../i18n.js';

const TEACHING = new Set(['teacher', 'co_teacher']);

/** Course teachers, school admins of its school and admins may run it (as the server decides). */
function canTeach(course, me) {
  return TEACHING.has(course.my_role) || me.role === 'admin'
    || (me.role === 'school_admin' && me.school_id === course.school_id);
}

function sessionRow(session, teach, onChanged, message) {
  const actions = h('td', { class: 'actions' });
  const act = (verb) => async (event) => {
    event.target.disabled = true;
    message.hide();
    try {
      await api.post(`/api/sessions/${session.id}/${verb}`);
      await onChanged();
    } catch (error) {
      message.show(api.describeError(error));
      event.target.disabled = false;
    }
  };
  if (teach && session.status === 'scheduled') {
    actions.append(h('button', { type: 'button', class: 'btn btn--primary', testid: 'start-session', i18n: 'session.startBtn', onclick: act('start') }));
  }
  if (session.status === 'live') {
    actions.append(h('a', { href: `#/live/${session.id}`, class: 'btn btn--primary', testid: 'enter-live', i18n: 'session.enter' }));
    if (teach) {
      actions.append(h('button', { type: 'button', class: 'btn btn--danger', testid: 'end-session', i18n: 'session.endBtn', onclick: act('end') }));
    }
  }
  if (session.status === 'ended') {
    actions.append(h('a', { href: `#/sessions/${session.id}/attendance`, class: 'btn', testid: 'attendance-link', i18n: 'session.attendance' }));
  }
  if (session.status !== 'scheduled') {
    actions.append(h('a', { href: `#/sessions/${session.id}/quizzes`, class: 'btn', testid: 'quiz-results-link', i18n: 'quizResults.link' }));
  }
  return h('tr', { testid: 'session-row', dataset: { sessionId: String(session.id), status: session.status } },
    h('th', { scope: 'row' }, session.title),
    h('td', {}, timeElement(session.started_at || session.scheduled_start)),
    h('td', {}, h('span', { class: `badge badge--${session.status}`, i18n: `session.status.${session.status}` })),
    actions,
  );
}

function sessionsTable(sessions, teach, reload, message) {
  if (!sessions.length) return h('p', { class: 'empty', i18n: 'course.noSessions' });
  return h('div', { class: 'table-wrap' }, h('table', { class: 'table' },
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col', i18n: 'course.sessionTitle' }),
      h('th', { scope: 'col', i18n: 'session.when' }),
      h('th', { scope: 'col', i18n: 'session.status' }),
      h('th', { scope: 'col', i18n: 'session.actions' }))),
    h('tbody', {}, sessions.map((s) => sessionRow(s, teach, reload, message))),
  ));
}

function scheduleForm(courseId, onCreated) {
  const now = new Date();
  now.setMinutes(now.getMinutes() + 5, 0, 0);
  const later = new Date(now.getTime() + 45 * 60 * 1000);
  const title = field('course.sessionTitle', h('input', { required: true, maxLength: 200, testid: 'schedule-title' }));
  const start = field('course.start', h('input', { type: 'datetime-local', required: true, value: localInputValue(now) }));
  const end = field('course.end', h('input', { type: 'datetime-local', required: true, value: localInputValue(later) }));
  const message = notice();
  const form = h('form', { class: 'card form', testid: 'schedule-form' },
    h('h3', { i18n: 'course.schedule' }), title.wrap, start.wrap, end.wrap, message,
    h('button', { type: 'submit', class: 'btn btn--primary', i18n: 'common.create' }));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.hide();
    try {
      await api.post(`/api/courses/${courseId}/sessions`, {
        title: title.input.value.trim(),
        scheduled_start: localInputToIso(start.input.value),
        scheduled_end: localInputToIso(end.input.value),
      });
      title.input.value = '';
      await onCreated();
    } catch (error) {
      message.show(api.describeError(error));
    }
  });
  return form;
}

function enrolmentSection(courseId, enrolments, teach, reload) {
  const list = h('ul', { class: 'people', testid: 'enrolment-list' },
    enrolments.map((e) => h('li', { dataset: { userId: String(e.user.id) } },
      h('span', { class: 'person-name' }, e.user.display_name),
      ' ', h('span', { class: 'muted' }, `(${e.user.login}, #${e.user.id})`),
      ' ', h('span', { class: `badge badge--${e.role}`, i18n: `role.${e.role}` }))));
  const section = h('section', { class: 'card', 'aria-labelledby': 'enrol-title' },
    h('h2', { id: 'enrol-title', i18n: 'course.enrolments' }), list);
  if (teach) section.append(enrolPicker(courseId, reload));
  return section;
}

export async function renderCourse(root, { id }) {
  const courseId = Number(id);
  const me = api.user();
  const message = notice();
  const page = h('section', { class: 'page' });
  root.append(page);
  const reload = async () => {
    try {
      const [course, sessions, enrolments] = await Promise.all([
        api.get(`/api/courses/${courseId}`),
        api.get(`/api/courses/${courseId}/sessions`),
        api.get(`/api/courses/${courseId}/enrolments`),
      ]);
      const teach = canTeach(course, me);
      const meta = [course.subject, course.grade_band].filter(Boolean).join(' · ');
      page.replaceChildren(
        h('p', { class: 'crumbs' }, h('a', { href: '#/courses', i18n: 'nav.courses' })),
        h('h1', { testid: 'course-title' }, course.title),
        meta ? h('p', { class: 'lead' }, meta) : '',
        courseLinks(courseId, teach),
        message,
        h('section', { class: 'card', 'aria-labelledby': 'sessions-title' },
          h('h2', { id: 'sessions-title', i18n: 'course.sessions' }),
          sessionsTable(sessions.items, teach, reload, message)),
        outlineCard(courseId, sessions.items),
        h('div', { class: 'form-grid' },
          teach ? scheduleForm(courseId, reload) : '',
          enrolmentSection(courseId, enrolments.items, teach, reload)),
      );
    } catch (error) {
      page.replaceChildren(h('h1', { i18n: 'nav.courses' }), message);
      message.show(api.describeError(error));
    }
  };
  await reload();
}
