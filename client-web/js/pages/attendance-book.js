// The attendance book (Moodle's attendance report): every taken session × every student, with
// per-student totals and a summary per month. Corrections are made on the session's attendance
// page (reason required, audited); each cell links there. A student sees only their own row.
import * as api from '../api.js';
import { h, notice } from '../dom.js';
import { addStrings, t } from '../i18n.js';

addStrings({
  ko: {
    'book.link': '출석부',
    'book.title': '출석부',
    'book.mine': '내 출석',
    'book.student': '학생',
    'book.month': '월',
    'book.allMonths': '전체 기간',
    'book.sessions': '수업 수',
    'book.rate': '출석률',
    'book.summary': '월별 요약',
    'book.noSessions': '끝난 수업이 아직 없습니다.',
    'book.noRecord': '기록 없음',
    'book.left': '수강 취소',
    'book.corrected': '교사가 정정함 (자동: {status})',
    'book.correct': '정정하기',
    'book.rule': '출석률은 무들 기본 점수(출석 2, 지각 1, 인정 결석 1, 결석 0)의 합을 만점(수업마다 2점)으로 나눈 값입니다.',
    'book.csv': 'CSV 내려받기',
    'book.xlsx': '엑셀(XLSX) 내려받기',
    'book.session': '수업',
    'book.status': '상태',
    'book.date': '날짜',
  },
  en: {
    'book.link': 'Attendance book',
    'book.title': 'Attendance book',
    'book.mine': 'My attendance',
    'book.student': 'Student',
    'book.month': 'Month',
    'book.allMonths': 'All months',
    'book.sessions': 'Sessions',
    'book.rate': 'Rate',
    'book.summary': 'By month',
    'book.noSessions': 'No session has ended yet.',
    'book.noRecord': 'no record',
    'book.left': 'left the course',
    'book.corrected': 'Corrected by a teacher (computed: {status})',
    'book.correct': 'Correct',
    'book.rule': 'The rate is Moodle\'s default points (present 2, late 1, excused 1, absent 0) over the maximum (2 a session).',
    'book.csv': 'Download CSV',
    'book.xlsx': 'Download Excel (XLSX)',
    'book.session': 'Session',
    'book.status': 'Status',
    'book.date': 'Date',
  },
});

const STATUSES = ['present', 'late', 'excused', 'absent'];

function present(...children) {
  return children.filter((child) => child !== null && child !== undefined);
}

function rate(value) {
  return value === null || value === undefined ? '–' : `${value}%`;
}

function statusBadge(cell) {
  if (!cell) return h('span', { class: 'muted', i18n: 'book.noRecord' });
  const badge = h('span', {
    class: `badge badge--${cell.status}`, testid: 'book-status', dataset: { status: cell.status },
    i18n: `attendance.${cell.status}`,
  });
  if (!cell.corrected) return badge;
  return h('span', { title: t('book.corrected', { status: t(`attendance.${cell.computed_status}`) }) },
    badge, h('span', { 'aria-hidden': 'true' }, ' ✎'),
    h('span', { class: 'sr-only', i18n: 'book.corrected', i18nArgs: { status: t(`attendance.${cell.computed_status}`) } }));
}

function totalsCells(totals) {
  return [...STATUSES.map((s) => h('td', { class: 'num' }, String(totals[s]))),
    h('td', { class: 'num', testid: 'book-rate' }, rate(totals.rate))];
}

function totalsHeads() {
  return [...STATUSES.map((s) => h('th', { scope: 'col', class: 'num', i18n: `attendance.${s}` })),
    h('th', { scope: 'col', class: 'num', i18n: 'book.rate' })];
}

function monthFilter(book, onPick) {
  const picker = h('select', { testid: 'book-month', 'aria-label': t('book.month') },
    h('option', { value: '', i18n: 'book.allMonths' }),
    book.months.map((m) => h('option', { value: m }, m)));
  picker.value = book.month || '';
  picker.addEventListener('change', () => onPick(picker.value || null));
  return h('label', { class: 'field' }, h('span', { i18n: 'book.month' }), ' ', picker);
}

function exportLinks(courseId, month) {
  const base = `/api/courses/${courseId}/attendance-book/export`;
  const query = month ? `&month=${month}` : '';
  return h('p', { class: 'row' },
    h('a', { class: 'btn btn--small', href: `${base}?format=csv${query}`, download: '', testid: 'book-export-csv', i18n: 'book.csv' }),
    h('a', { class: 'btn btn--small', href: `${base}?format=xlsx${query}`, download: '', testid: 'book-export-xlsx', i18n: 'book.xlsx' }));
}

function summaryTable(book) {
  return h('section', { class: 'card' }, h('h2', { i18n: 'book.summary' }),
    h('div', { class: 'table-wrap' }, h('table', { class: 'table', testid: 'book-summary' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col', i18n: 'book.month' }),
        h('th', { scope: 'col', class: 'num', i18n: 'book.sessions' }), totalsHeads())),
      h('tbody', {}, book.summaries.map((s) => h('tr', { dataset: { month: s.month } },
        h('th', { scope: 'row' }, s.month), h('td', { class: 'num' }, String(s.sessions)),
        totalsCells(s.totals)))))));
}

function sessionHead(session) {
  return h('th', { scope: 'col', dataset: { sessionId: String(session.id) } },
    h('a', { href: `#/sessions/${session.id}/attendance`, title: t('book.correct') }, session.day),
    h('div', { class: 'small muted' }, session.title));
}

function matrix(book) {
  if (!book.sessions.length) return h('p', { class: 'empty', i18n: 'book.noSessions' });
  return h('div', { class: 'table-wrap' }, h('table', { class: 'table', testid: 'book-table' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col', i18n: 'book.student' }),
      book.sessions.map(sessionHead), totalsHeads())),
    h('tbody', {}, book.rows.map((row) => h('tr', { dataset: { userId: String(row.user_id) } },
      h('th', { scope: 'row' }, row.display_name,
        row.enrolled ? null : h('div', { class: 'small muted', i18n: 'book.left' })),
      book.sessions.map((session) => {
        const cell = row.cells[String(session.id)];
        const content = statusBadge(cell);
        return h('td', { testid: 'book-cell' }, book.can_correct && cell
          ? h('a', { href: `#/sessions/${session.id}/attendance`, title: t('book.correct') }, content)
          : content);
      }),
      totalsCells(row.totals))))));
}

function ownList(book) {
  const row = book.rows[0];
  if (!book.sessions.length) return h('p', { class: 'empty', i18n: 'book.noSessions' });
  return h('div', { class: 'table-wrap' }, h('table', { class: 'table', testid: 'my-attendance-table' },
    h('thead', {}, h('tr', {}, ['book.date', 'book.session', 'book.status'].map((key) => h('th', { scope: 'col', i18n: key })))),
    h('tbody', {}, book.sessions.map((session) => h('tr', { dataset: { sessionId: String(session.id) } },
      h('td', {}, session.day), h('th', { scope: 'row' }, session.title),
      h('td', {}, statusBadge(row.cells[String(session.id)])))))));
}

/** `/courses/:id/attendance-book`: the whole book, or a student's own attendance. */
export async function renderAttendanceBook(root, { id }) {
  const courseId = Number(id);
  const message = notice();
  const page = h('section', { class: 'page' });
  root.append(page);
  let month = null;
  const load = async () => {
    try {
      const course = await api.get(`/api/courses/${courseId}`);
      const own = course.my_role === 'student';
      const query = month ? `?month=${month}` : '';
      const path = own
        ? `/api/courses/${courseId}/attendance-book/students/${api.user().id}${query}`
        : `/api/courses/${courseId}/attendance-book${query}`;
      const book = await api.get(path);
      const pick = (next) => { month = next; load(); };
      const totals = own && book.rows[0]
        ? h('div', { class: 'table-wrap' }, h('table', { class: 'table', testid: 'my-attendance-totals' },
          h('thead', {}, h('tr', {}, totalsHeads())), h('tbody', {}, h('tr', {}, totalsCells(book.rows[0].totals)))))
        : null;
      page.replaceChildren(...present(
        h('p', { class: 'crumbs' }, h('a', { href: `#/courses/${courseId}` }, course.title)),
        h('h1', { i18n: own ? 'book.mine' : 'book.title' }),
        message,
        h('div', { class: 'row' }, monthFilter(book, pick), own ? null : exportLinks(courseId, month)),
        h('p', { class: 'hint', i18n: 'book.rule' }),
        totals,
        h('section', { class: 'card' }, own ? ownList(book) : matrix(book)),
        book.summaries.length ? summaryTable(book) : null));
    } catch (error) {
      page.replaceChildren(h('h1', { i18n: 'book.title' }), message);
      message.show(api.describeError(error));
    }
  };
  await load();
}
