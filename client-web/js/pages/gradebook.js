// The gradebook (Moodle's grader report): students × grade items with the course total.
// Teachers grade inline (checked against the item's maximum before it is sent), add manual
// items and set weights; school admins read; a student sees "my grades" on the same address.
import * as api from '../api.js';
import { field, h, notice } from '../dom.js';
import { addStrings, t, timeElement } from '../i18n.js';

addStrings({
  ko: {
    'grades.link': '성적',
    'grades.title': '성적부',
    'grades.mine': '내 성적',
    'grades.student': '학생',
    'grades.total': '과정 합계',
    'grades.weight': '가중치',
    'grades.max': '만점 {n}',
    'grades.item': '평가 항목',
    'grades.points': '점수',
    'grades.percent': '백분율',
    'grades.feedback': '피드백',
    'grades.gradedAt': '채점 시각',
    'grades.category': '분류',
    'grades.hidden': '학생에게 숨김',
    'grades.hiddenBadge': '숨김',
    'grades.overridden': '재정의됨',
    'grades.release': '원래 점수로',
    'grades.addItem': '평가 항목 추가',
    'grades.itemTitle': '항목 이름',
    'grades.maxPoints': '만점',
    'grades.add': '추가',
    'grades.added': '평가 항목을 추가했습니다.',
    'grades.saved': '{name}: {points}점 저장',
    'grades.cleared': '{name}: 점수를 지웠습니다',
    'grades.outOfRange': '점수는 0에서 {max} 사이여야 합니다.',
    'grades.export': '내보내기',
    'grades.csv': 'CSV 내려받기',
    'grades.xlsx': '엑셀(XLSX) 내려받기',
    'grades.noItems': '아직 평가 항목이 없습니다.',
    'grades.noStudents': '수강 학생이 없습니다.',
    'grades.totalRule': '합계는 가중 평균이며, 점수가 없는 항목은 빠집니다.',
    'grades.readOnly': '읽기 전용: 점수는 강좌 교사만 바꿀 수 있습니다.',
    'grades.source.manual': '직접 입력',
    'grades.source.assignment': '과제',
    'grades.source.quiz': '퀴즈',
    'grades.source.live_quiz': '수업 중 퀴즈',
    'grades.scoreFor': '{name}의 {item} 점수',
    'grades.weightFor': '{item} 가중치',
    'grades.report': '{name} 학생의 성적',
    'grades.openReport': '{name} 학생 성적 보기',
    'grades.saveFeedback': '피드백 저장',
    'grades.feedbackSaved': '피드백을 저장했습니다.',
    'grades.history': '변경 기록',
    'grades.historyEmpty': '변경 기록이 없습니다.',
    'grades.byActivity': '활동',
    'grades.gradeFirst': '먼저 점수를 입력하세요.',
  },
  en: {
    'grades.link': 'Grades',
    'grades.title': 'Gradebook',
    'grades.mine': 'My grades',
    'grades.student': 'Student',
    'grades.total': 'Course total',
    'grades.weight': 'Weight',
    'grades.max': 'out of {n}',
    'grades.item': 'Grade item',
    'grades.points': 'Points',
    'grades.percent': 'Percent',
    'grades.feedback': 'Feedback',
    'grades.gradedAt': 'Graded at',
    'grades.category': 'Category',
    'grades.hidden': 'Hidden from students',
    'grades.hiddenBadge': 'hidden',
    'grades.overridden': 'overridden',
    'grades.release': 'Back to the activity grade',
    'grades.addItem': 'Add a grade item',
    'grades.itemTitle': 'Item name',
    'grades.maxPoints': 'Maximum points',
    'grades.add': 'Add',
    'grades.added': 'Grade item added.',
    'grades.saved': '{name}: {points} points saved',
    'grades.cleared': '{name}: grade cleared',
    'grades.outOfRange': 'Points must be between 0 and {max}.',
    'grades.export': 'Export',
    'grades.csv': 'Download CSV',
    'grades.xlsx': 'Download Excel (XLSX)',
    'grades.noItems': 'No grade items yet.',
    'grades.noStudents': 'No students are enrolled.',
    'grades.totalRule': 'The total is a weighted mean; items without a grade are left out.',
    'grades.readOnly': 'Read only: only the course\'s teachers change grades.',
    'grades.source.manual': 'Manual',
    'grades.source.assignment': 'Assignment',
    'grades.source.quiz': 'Quiz',
    'grades.source.live_quiz': 'Live-class quiz',
    'grades.scoreFor': '{item} points of {name}',
    'grades.weightFor': 'Weight of {item}',
    'grades.report': 'Grades of {name}',
    'grades.openReport': 'Open the grades of {name}',
    'grades.saveFeedback': 'Save feedback',
    'grades.feedbackSaved': 'Feedback saved.',
    'grades.history': 'History',
    'grades.historyEmpty': 'No changes yet.',
    'grades.byActivity': 'the activity',
    'grades.gradeFirst': 'Enter a grade first.',
  },
});

const put = (path, body) => api.request('PUT', path, body);
const patch = (path, body) => api.request('PATCH', path, body);
const del = (path) => api.request('DELETE', path);

/** The children worth showing: `null` marks a part this viewer does not get. */
function present(...children) {
  return children.filter((child) => child !== null && child !== undefined);
}

function pct(value) {
  return value === null || value === undefined ? '–' : `${value}%`;
}

function exportLinks(base, testPrefix, query = '') {
  return h('p', { class: 'row' },
    h('a', { class: 'btn btn--small', href: `${base}?format=csv${query}`, download: '', testid: `${testPrefix}-csv`, i18n: 'grades.csv' }),
    h('a', { class: 'btn btn--small', href: `${base}?format=xlsx${query}`, download: '', testid: `${testPrefix}-xlsx`, i18n: 'grades.xlsx' }));
}

/** Parse a typed grade: '' clears, otherwise a number within 0..max (else null + message). */
export function parsePoints(raw, max) {
  const text = String(raw).trim();
  if (text === '') return { ok: true, points: null };
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || value > max) return { ok: false };
  return { ok: true, points: value };
}

function gradeInput(item, row, grade, message, reload) {
  const input = h('input', {
    type: 'number', min: '0', max: String(item.max_points), step: 'any', class: 'grade-input',
    value: grade && grade.points !== null ? String(grade.points) : '',
    testid: 'grade-input', dataset: { itemId: String(item.id), userId: String(row.user_id) },
    'aria-label': t('grades.scoreFor', { name: row.display_name, item: item.title }),
  });
  input.addEventListener('change', async () => {
    const parsed = parsePoints(input.value, item.max_points);
    if (!parsed.ok) {
      input.setAttribute('aria-invalid', 'true');
      message.show(t('grades.outOfRange', { max: item.max_points }));
      input.focus();
      return;
    }
    input.removeAttribute('aria-invalid');
    try {
      await put(`/api/grade-items/${item.id}/grades/${row.user_id}`, { points: parsed.points });
      if (parsed.points === null) message.showKey('grades.cleared', { name: row.display_name }, 'ok');
      else message.showKey('grades.saved', { name: row.display_name, points: parsed.points }, 'ok');
      await reload({ keepMessage: true });
    } catch (error) {
      input.setAttribute('aria-invalid', 'true');
      message.show(api.describeError(error));
    }
  });
  return input;
}

function gradeCell(item, row, book, message, reload) {
  const grade = row.grades[String(item.id)];
  if (!book.can_edit) {
    return h('td', { class: 'num', testid: 'grade-cell' }, grade && grade.points !== null ? String(grade.points) : '–');
  }
  const parts = [gradeInput(item, row, grade, message, reload)];
  if (grade && grade.overridden) {
    parts.push(' ', h('span', { class: 'badge', i18n: 'grades.overridden' }), ' ',
      h('button', {
        type: 'button', class: 'btn btn--ghost btn--small', i18n: 'grades.release',
        onclick: async () => {
          try {
            await del(`/api/grade-items/${item.id}/grades/${row.user_id}/override`);
            await reload();
          } catch (error) {
            message.show(api.describeError(error));
          }
        },
      }));
  }
  return h('td', { testid: 'grade-cell' }, parts);
}

function weightControl(item, book, message, reload) {
  if (!book.can_edit) return h('span', { class: 'muted' }, `${t('grades.weight')} ${item.weight}`);
  const input = h('input', {
    type: 'number', min: '0', max: '100', step: 'any', value: String(item.weight), class: 'grade-input',
    testid: 'weight-input', dataset: { itemId: String(item.id) },
    'aria-label': t('grades.weightFor', { item: item.title }),
  });
  input.addEventListener('change', async () => {
    const value = Number(input.value);
    if (input.value.trim() === '' || !Number.isFinite(value) || value < 0 || value > 100) {
      input.setAttribute('aria-invalid', 'true');
      message.show(t('error.invalid_input'));
      return;
    }
    try {
      await patch(`/api/grade-items/${item.id}`, { weight: value });
      await reload();
    } catch (error) {
      message.show(api.describeError(error));
    }
  });
  return h('label', { class: 'small' }, h('span', { i18n: 'grades.weight' }), ' ', input);
}

function matrix(book, message, reload, openReport) {
  if (!book.students.length) return h('p', { class: 'empty', i18n: 'grades.noStudents' });
  return h('div', { class: 'table-wrap' }, h('table', { class: 'table gradebook', testid: 'gradebook-table' },
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col', i18n: 'grades.student' }),
      book.items.map((item) => h('th', { scope: 'col', dataset: { itemId: String(item.id) } },
        h('div', {}, item.title, item.hidden ? [' ', h('span', { class: 'badge', i18n: 'grades.hiddenBadge' })] : null),
        h('div', { class: 'small muted' },
          h('span', { i18n: `grades.source.${item.source_kind}` }), ' · ',
          h('span', { i18n: 'grades.max', i18nArgs: { n: item.max_points } })),
        h('div', {}, weightControl(item, book, message, reload)))),
      h('th', { scope: 'col', i18n: 'grades.total' }))),
    h('tbody', {}, book.students.map((row) => h('tr', { dataset: { userId: String(row.user_id) } },
      h('th', { scope: 'row' },
        h('button', {
          type: 'button', class: 'btn btn--ghost btn--small', testid: 'open-report',
          'aria-label': t('grades.openReport', { name: row.display_name }),
          onclick: () => openReport(row.user_id),
        }, row.display_name),
        h('div', { class: 'small muted' }, row.login)),
      book.items.map((item) => gradeCell(item, row, book, message, reload)),
      h('td', { class: 'num', testid: 'grade-total' }, pct(row.total_percent)))))));
}

function historyList(entries) {
  if (!entries.length) return h('p', { class: 'muted', i18n: 'grades.historyEmpty' });
  return h('ol', { class: 'history', testid: 'grade-history' }, entries.map((e) => h('li', {},
    timeElement(e.changed_at), ' ',
    `${e.old_points ?? '–'} → ${e.new_points ?? '–'}`,
    e.overridden ? [' ', h('span', { class: 'badge', i18n: 'grades.overridden' })] : null,
    e.changed_by === null ? [' (', h('span', { i18n: 'grades.byActivity' }), ')'] : null)));
}

/** One student's grades with feedback and each grade's history (Moodle's user report). */
function studentReport(book, userId, message, reload) {
  const row = book.students.find((r) => r.user_id === userId);
  if (!row) return null;
  const lines = book.items.map((item) => {
    const grade = row.grades[String(item.id)];
    const feedback = h('textarea', {
      rows: 2, maxLength: 10000, testid: 'feedback-input',
      'aria-label': `${t('grades.feedback')}: ${item.title}`,
    });
    feedback.value = grade ? grade.feedback : '';
    const historyBox = h('div', {});
    const save = h('button', {
      type: 'button', class: 'btn btn--small', testid: 'feedback-save', i18n: 'grades.saveFeedback',
      onclick: async () => {
        if (!grade || grade.points === null) {
          message.show(t('grades.gradeFirst'));
          return;
        }
        try {
          await put(`/api/grade-items/${item.id}/grades/${userId}`, { points: grade.points, feedback: feedback.value });
          message.showKey('grades.feedbackSaved', {}, 'ok');
          await reload({ keepMessage: true, reportUser: userId });
        } catch (error) {
          message.show(api.describeError(error));
        }
      },
    });
    const history = grade ? h('button', {
      type: 'button', class: 'btn btn--ghost btn--small', testid: 'history-open', i18n: 'grades.history',
      onclick: async () => {
        try {
          historyBox.replaceChildren(historyList((await api.get(`/api/grades/${grade.id}/history`)).items));
        } catch (error) {
          message.show(api.describeError(error));
        }
      },
    }) : null;
    return h('tr', { dataset: { itemId: String(item.id) } },
      h('th', { scope: 'row' }, item.title),
      h('td', { class: 'num' }, grade && grade.points !== null ? `${grade.points} / ${item.max_points}` : `– / ${item.max_points}`),
      h('td', {}, book.can_edit ? [feedback, ' ', save] : (grade ? grade.feedback : '')),
      h('td', {}, history, historyBox));
  });
  return h('section', { class: 'card', testid: 'student-report' },
    h('h2', { i18n: 'grades.report', i18nArgs: { name: row.display_name } }),
    h('p', {}, h('span', { i18n: 'grades.total' }), ': ', pct(row.total_percent)),
    h('div', { class: 'table-wrap' }, h('table', { class: 'table' },
      h('thead', {}, h('tr', {}, ['grades.item', 'grades.points', 'grades.feedback', 'grades.history']
        .map((key) => h('th', { scope: 'col', i18n: key })))),
      h('tbody', {}, lines))));
}

function addItemForm(courseId, message, reload) {
  const title = field('grades.itemTitle', h('input', { required: true, maxLength: 200, testid: 'item-title' }));
  const max = field('grades.maxPoints', h('input', { type: 'number', min: '0.01', max: '10000', step: 'any', value: '100', required: true, testid: 'item-max' }));
  const weight = field('grades.weight', h('input', { type: 'number', min: '0', max: '100', step: 'any', value: '1', testid: 'item-weight' }));
  const category = field('grades.category', h('input', { maxLength: 100, testid: 'item-category' }));
  const hidden = h('input', { type: 'checkbox', testid: 'item-hidden' });
  const formMessage = notice();
  let clientId = crypto.randomUUID();
  const form = h('form', { class: 'form form--compact', testid: 'add-item-form' },
    title.wrap, max.wrap, weight.wrap, category.wrap,
    h('label', { class: 'check' }, hidden, ' ', h('span', { i18n: 'grades.hidden' })),
    formMessage,
    h('button', { type: 'submit', class: 'btn btn--primary', testid: 'item-add', i18n: 'grades.add' }));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    formMessage.hide();
    const maxPoints = Number(max.input.value);
    const weightValue = Number(weight.input.value || '1');
    if (!title.input.value.trim() || !(maxPoints > 0 && maxPoints <= 10000)
      || !(weightValue >= 0 && weightValue <= 100)) {
      formMessage.show(t('error.invalid_input'));
      return;
    }
    try {
      await api.post(`/api/courses/${courseId}/grade-items`, {
        title: title.input.value.trim(), max_points: maxPoints, weight: weightValue,
        category: category.input.value.trim(), hidden: hidden.checked, client_id: clientId,
      });
      clientId = crypto.randomUUID();
      message.showKey('grades.added', {}, 'ok');
      await reload({ keepMessage: true });
    } catch (error) {
      formMessage.show(api.describeError(error));
    }
  });
  return h('details', { class: 'card' }, h('summary', { i18n: 'grades.addItem', testid: 'add-item-toggle' }), form);
}

async function renderTeacherView(page, course, message) {
  let reportUser = null;
  const reload = async ({ keepMessage = false, reportUser: pick } = {}) => {
    if (!keepMessage) message.hide();
    if (pick !== undefined) reportUser = pick;
    try {
      const book = await api.get(`/api/courses/${course.id}/gradebook`);
      const reportBox = h('div', {}, reportUser === null ? null : studentReport(book, reportUser, message, reload));
      const openReport = (userId) => {
        reportUser = userId;
        reportBox.replaceChildren(studentReport(book, userId, message, reload));
        reportBox.scrollIntoView({ block: 'nearest' });
      };
      page.replaceChildren(...present(
        h('p', { class: 'crumbs' }, h('a', { href: `#/courses/${course.id}` }, course.title)),
        h('h1', { i18n: 'grades.title' }),
        message,
        h('p', { class: 'hint', i18n: 'grades.totalRule' }),
        book.can_edit ? null : h('p', { class: 'hint', i18n: 'grades.readOnly' }),
        exportLinks(`/api/courses/${course.id}/gradebook/export`, 'gradebook-export'),
        book.can_edit ? addItemForm(course.id, message, reload) : null,
        book.items.length ? null : h('p', { class: 'empty', i18n: 'grades.noItems' }),
        h('section', { class: 'card' }, matrix(book, message, reload, openReport)),
        reportBox));
    } catch (error) {
      page.replaceChildren(h('h1', { i18n: 'grades.title' }), message);
      message.show(api.describeError(error));
    }
  };
  await reload();
}

async function renderStudentView(page, course, message) {
  const me = api.user();
  try {
    const mine = await api.get(`/api/courses/${course.id}/grades/${me.id}`);
    const rows = mine.lines.map((line) => h('tr', { dataset: { itemId: String(line.item.id) } },
      h('th', { scope: 'row' }, line.item.title, h('div', { class: 'small muted', i18n: `grades.source.${line.item.source_kind}` })),
      h('td', {}, line.item.category || ''),
      h('td', { class: 'num', testid: 'my-grade-points' },
        line.grade && line.grade.points !== null ? `${line.grade.points} / ${line.item.max_points}` : `– / ${line.item.max_points}`),
      h('td', { class: 'num' }, pct(line.percent)),
      h('td', {}, line.grade && line.grade.feedback ? h('span', { class: 'pre-wrap' }, line.grade.feedback) : ''),
      h('td', {}, line.grade && line.grade.graded_at ? timeElement(line.grade.graded_at) : '')));
    page.replaceChildren(...present(
      h('p', { class: 'crumbs' }, h('a', { href: `#/courses/${course.id}` }, course.title)),
      h('h1', { i18n: 'grades.mine' }),
      message,
      h('p', { class: 'lead', testid: 'my-grade-total' }, h('span', { i18n: 'grades.total' }), ': ', pct(mine.total_percent)),
      h('p', { class: 'hint', i18n: 'grades.totalRule' }),
      mine.lines.length
        ? h('div', { class: 'table-wrap' }, h('table', { class: 'table', testid: 'my-grades-table' },
          h('thead', {}, h('tr', {}, ['grades.item', 'grades.category', 'grades.points', 'grades.percent', 'grades.feedback', 'grades.gradedAt']
            .map((key) => h('th', { scope: 'col', i18n: key })))),
          h('tbody', {}, rows)))
        : h('p', { class: 'empty', i18n: 'grades.noItems' })));
  } catch (error) {
    page.replaceChildren(h('h1', { i18n: 'grades.mine' }), message);
    message.show(api.describeError(error));
  }
}

/** `/courses/:id/grades`: the gradebook for those who read it, "my grades" for a student. */
export async function renderGrades(root, { id }) {
  const message = notice();
  const page = h('section', { class: 'page' });
  root.append(page);
  try {
    const course = await api.get(`/api/courses/${Number(id)}`);
    if (course.my_role === 'student') await renderStudentView(page, course, message);
    else await renderTeacherView(page, course, message);
  } catch (error) {
    page.replaceChildren(h('h1', { i18n: 'grades.title' }), message);
    message.show(api.describeError(error));
  }
}
