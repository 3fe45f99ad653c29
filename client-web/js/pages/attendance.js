// Attendance after a session: the computed status, the teacher's corrections (a reason is
// required and every change stays visible in the history, as school records need).
import * as api from '../api.js';
import { field, h, notice, select } from '../dom.js';
import { t, timeElement } from '../i18n.js';

const STATUSES = ['present', 'late', 'excused', 'absent'];

function correctionHistory(corrections) {
  if (!corrections.length) return h('span', { class: 'muted', i18n: 'common.none' });
  return h('ol', { class: 'history', testid: 'correction-history' },
    corrections.map((c) => h('li', {},
      timeElement(c.changed_at), ' ',
      h('span', {}, c.changed_by.display_name), ': ',
      h('span', { i18n: `attendance.${c.old_status}` }), ' → ',
      h('span', { i18n: `attendance.${c.new_status}` }), ' ',
      h('q', {}, c.reason))));
}

function correctionForm(record, onSaved) {
  const status = field('attendance.status', select(STATUSES.map((s) => [s, `attendance.${s}`]), { testid: 'correction-status' }));
  status.input.value = record.status;
  const reason = field('attendance.reason', h('textarea', { required: true, maxLength: 500, rows: 2, testid: 'correction-reason' }));
  const message = notice();
  const form = h('form', { class: 'form form--compact', testid: 'correction-form' },
    status.wrap, reason.wrap, message,
    h('button', { type: 'submit', class: 'btn', testid: 'correction-submit', i18n: 'attendance.submit' }));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.hide();
    if (!reason.input.value.trim()) {
      message.show(t('error.invalid_input'));
      reason.input.focus();
      return;
    }
    try {
      await api.post(`/api/attendance/${record.id}/corrections`, {
        status: status.input.value, reason: reason.input.value.trim(),
      });
      await onSaved(record.id);
    } catch (error) {
      message.show(api.describeError(error));
    }
  });
  return h('details', {}, h('summary', { i18n: 'attendance.correct' }), form);
}

function attendanceTable(records, teach, reload) {
  if (!records.length) return h('p', { class: 'empty', i18n: 'attendance.empty' });
  return h('div', { class: 'table-wrap' }, h('table', { class: 'table', testid: 'attendance-table' },
    h('thead', {}, h('tr', {},
      ['attendance.student', 'attendance.status', 'attendance.computed', 'attendance.firstJoin',
        'attendance.minutes', 'attendance.history'].map((key) => h('th', { scope: 'col', i18n: key })),
      teach ? h('th', { scope: 'col', i18n: 'attendance.correct' }) : null)),
    h('tbody', {}, records.map((r) => h('tr', { dataset: { userId: String(r.user.id), recordId: String(r.id) } },
      h('th', { scope: 'row' }, r.user.display_name),
      h('td', {}, h('span', { class: `badge badge--${r.status}`, testid: 'attendance-status', dataset: { status: r.status }, i18n: `attendance.${r.status}` })),
      h('td', {}, h('span', { i18n: `attendance.${r.computed_status}` })),
      h('td', {}, timeElement(r.first_join_at)),
      h('td', { class: 'num' }, String(Math.round((r.seconds_present || 0) / 60))),
      h('td', {}, correctionHistory(r.corrections || [])),
      teach ? h('td', {}, correctionForm(r, reload)) : null))),
  ));
}

export async function renderAttendance(root, { id }) {
  const sessionId = Number(id);
  const message = notice();
  const page = h('section', { class: 'page' });
  root.append(page);
  const reload = async (focusRecordId) => {
    try {
      const session = await api.get(`/api/sessions/${sessionId}`);
      const course = await api.get(`/api/courses/${session.course_id}`);
      const me = api.user();
      const teach = ['teacher', 'co_teacher'].includes(course.my_role) || me.role === 'admin'
        || (me.role === 'school_admin' && me.school_id === course.school_id);
      const body = session.status === 'ended'
        ? attendanceTable((await api.get(`/api/sessions/${sessionId}/attendance`)).items, teach, reload)
        : h('p', { class: 'empty', i18n: 'attendance.notYet' });
      page.replaceChildren(
        h('p', { class: 'crumbs' }, h('a', { href: `#/courses/${course.id}` }, course.title)),
        h('h1', { i18n: 'attendance.title', i18nArgs: { title: session.title } }),
        message, h('section', { class: 'card' }, body));
      if (focusRecordId) {
        message.showKey('attendance.saved', {}, 'ok');
      }
    } catch (error) {
      page.replaceChildren(h('h1', { i18n: 'session.attendance' }), message);
      message.show(api.describeError(error));
    }
  };
  await reload();
}
