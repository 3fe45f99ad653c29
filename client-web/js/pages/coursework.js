// A course's work outside the live class: assignments and quizzes. Teachers set them here;
// students see what is open, what they handed in, and their grades.
import * as api from '../api.js';
import { localInputInDays, localInputToIso } from '../datetime-input.js';
import { field, h, notice, select } from '../dom.js';
import { addStrings, timeElement } from '../i18n.js';

addStrings({
  ko: {
    'work.title': '과제·평가',
    'work.back': '강좌로',
    'work.assignments': '과제',
    'work.quizzes': '평가(퀴즈)',
    'work.none': '아직 없습니다.',
    'work.due': '마감',
    'work.opens': '시작',
    'work.closes': '종료',
    'work.newAssignment': '과제 내기',
    'work.newQuiz': '평가 만들기',
    'work.instructions': '안내',
    'work.maxPoints': '만점',
    'work.latePolicy': '늦은 제출',
    'work.late.refuse': '받지 않음',
    'work.late.accept': '받되 지각 표시',
    'work.late.penalty': '하루마다 감점',
    'work.penalty': '하루 감점(%)',
    'work.cutoff': '최종 마감(선택)',
    'work.acceptsText': '글로 제출',
    'work.acceptsFiles': '파일로 제출',
    'work.timeLimit': '제한 시간(분, 선택)',
    'work.attempts': '응시 가능 횟수',
    'work.questions': '문제 은행에서 고르기',
    'work.noBank': '문제 은행에 문제가 없습니다. 먼저 문제를 만드세요.',
    'work.minutes': '{n}분',
    'work.title.field': '제목',
  },
  en: {
    'work.title': 'Assignments & quizzes',
    'work.back': 'Back to the course',
    'work.assignments': 'Assignments',
    'work.quizzes': 'Quizzes',
    'work.none': 'Nothing yet.',
    'work.due': 'Due',
    'work.opens': 'Opens',
    'work.closes': 'Closes',
    'work.newAssignment': 'Set an assignment',
    'work.newQuiz': 'Set a quiz',
    'work.instructions': 'Instructions',
    'work.maxPoints': 'Maximum points',
    'work.latePolicy': 'Late submissions',
    'work.late.refuse': 'Refused',
    'work.late.accept': 'Accepted, marked late',
    'work.late.penalty': 'Penalty per day late',
    'work.penalty': 'Penalty per day (%)',
    'work.cutoff': 'Cut-off (optional)',
    'work.acceptsText': 'Text submission',
    'work.acceptsFiles': 'File submission',
    'work.timeLimit': 'Time limit (minutes, optional)',
    'work.attempts': 'Attempts allowed',
    'work.questions': 'Choose from the question bank',
    'work.noBank': 'The question bank is empty. Add questions first.',
    'work.minutes': '{n} min',
    'work.title.field': 'Title',
  },
});

function checkbox(key, checked, testid) {
  const input = h('input', { type: 'checkbox', checked, testid });
  return { input, wrap: h('label', { class: 'check' }, input, h('span', { i18n: key })) };
}

function assignmentForm(courseId, reload) {
  const title = field('work.title.field', h('input', { required: true, maxLength: 200, testid: 'assignment-title' }));
  const instructions = field('work.instructions', h('textarea', { rows: 3, maxLength: 20000, testid: 'assignment-instructions' }));
  const due = field('work.due', h('input', { type: 'datetime-local', required: true, value: localInputInDays(7), testid: 'assignment-due' }));
  const cutoff = field('work.cutoff', h('input', { type: 'datetime-local' }));
  const points = field('work.maxPoints', h('input', { type: 'number', min: 1, max: 1000, value: 100, required: true }));
  const policy = field('work.latePolicy', select(['accept', 'refuse', 'penalty'].map((p) => [p, `work.late.${p}`])));
  const penalty = field('work.penalty', h('input', { type: 'number', min: 0, max: 100, value: 0 }));
  const text = checkbox('work.acceptsText', true, 'assignment-text');
  const files = checkbox('work.acceptsFiles', false, 'assignment-files');
  const message = notice();
  const form = h('form', { class: 'card form', testid: 'assignment-form' }, h('h3', { i18n: 'work.newAssignment' }),
    title.wrap, instructions.wrap, due.wrap, cutoff.wrap, points.wrap, policy.wrap, penalty.wrap, text.wrap, files.wrap,
    message, h('button', { type: 'submit', class: 'btn btn--primary', i18n: 'common.create', testid: 'assignment-create' }));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await api.post(`/api/courses/${courseId}/assignments`, {
        title: title.input.value.trim(), instructions: instructions.input.value.trim(),
        due_at: localInputToIso(due.input.value), cutoff_at: localInputToIso(cutoff.input.value),
        max_points: Number(points.input.value), late_policy: policy.input.value,
        late_penalty_percent: Number(penalty.input.value || 0),
        accepts_text: text.input.checked, accepts_files: files.input.checked,
      });
      await reload();
    } catch (error) {
      message.show(api.describeError(error));
    }
  });
  return form;
}

function quizForm(courseId, bank, reload) {
  if (!bank.length) return h('p', { class: 'notice', i18n: 'work.noBank' });
  const title = field('work.title.field', h('input', { required: true, maxLength: 200, testid: 'quiz-title' }));
  const limit = field('work.timeLimit', h('input', { type: 'number', min: 1, max: 360 }));
  const attempts = field('work.attempts', h('input', { type: 'number', min: 1, max: 10, value: 1 }));
  const closes = field('work.closes', h('input', { type: 'datetime-local' }));
  const picks = bank.map((question) => ({ question, input: h('input', { type: 'checkbox', checked: true }) }));
  const message = notice();
  const form = h('form', { class: 'card form', testid: 'quiz-form' }, h('h3', { i18n: 'work.newQuiz' }),
    title.wrap, limit.wrap, attempts.wrap, closes.wrap,
    h('fieldset', {}, h('legend', { i18n: 'work.questions' }),
      picks.map(({ question, input }) => h('label', { class: 'check' }, input, h('span', {}, question.prompt)))),
    message, h('button', { type: 'submit', class: 'btn btn--primary', i18n: 'common.create', testid: 'quiz-create' }));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const minutes = Number(limit.input.value || 0);
      await api.post(`/api/courses/${courseId}/course-quizzes`, {
        title: title.input.value.trim(),
        question_ids: picks.filter((p) => p.input.checked).map((p) => p.question.id),
        time_limit_seconds: minutes ? minutes * 60 : null,
        attempts_allowed: Number(attempts.input.value || 1),
        closes_at: localInputToIso(closes.input.value),
      });
      await reload();
    } catch (error) {
      message.show(api.describeError(error));
    }
  });
  return form;
}

export async function renderCoursework(root, { id }) {
  const courseId = Number(id);
  const me = api.user();
  const message = notice();
  const page = h('section', { class: 'page' });
  root.append(page);
  const reload = async () => {
    try {
      const [course, assignments, quizzes] = await Promise.all([
        api.get(`/api/courses/${courseId}`),
        api.get(`/api/courses/${courseId}/assignments`),
        api.get(`/api/courses/${courseId}/course-quizzes`),
      ]);
      const teach = ['teacher', 'co_teacher'].includes(course.my_role) || me.role === 'admin'
        || (me.role === 'school_admin' && me.school_id === course.school_id);
      const bank = teach ? (await api.get(`/api/courses/${courseId}/questions`)).items : [];
      page.replaceChildren(
        h('p', { class: 'crumbs' }, h('a', { href: `#/courses/${courseId}`, i18n: 'work.back' })),
        h('h1', {}, course.title, ' · ', h('span', { i18n: 'work.title' })),
        message,
        h('section', { class: 'card' }, h('h2', { i18n: 'work.assignments' }),
          assignments.items.length ? h('ul', { class: 'ticket-list', testid: 'assignment-list' }, assignments.items.map((a) =>
            h('li', { class: 'row', testid: 'assignment-row' },
              h('a', { href: `#/assignments/${a.id}` }, a.title),
              h('span', { class: 'muted' }, h('span', { i18n: 'work.due' }), ' ', timeElement(a.due_at)))))
            : h('p', { class: 'empty', i18n: 'work.none' })),
        h('section', { class: 'card' }, h('h2', { i18n: 'work.quizzes' }),
          quizzes.items.length ? h('ul', { class: 'ticket-list', testid: 'quiz-list' }, quizzes.items.map((q) =>
            h('li', { class: 'row', testid: 'quiz-row' },
              h('a', { href: `#/course-quizzes/${q.id}` }, q.title),
              q.time_limit_seconds ? h('span', { class: 'muted', i18n: 'work.minutes', i18nArgs: { n: Math.round(q.time_limit_seconds / 60) } }) : '',
              q.closes_at ? h('span', { class: 'muted' }, h('span', { i18n: 'work.closes' }), ' ', timeElement(q.closes_at)) : '')))
            : h('p', { class: 'empty', i18n: 'work.none' })),
        teach ? h('div', { class: 'form-grid' }, assignmentForm(courseId, reload), quizForm(courseId, bank, reload)) : '',
      );
    } catch (error) {
      page.replaceChildren(h('h1', { i18n: 'work.title' }), message);
      message.show(api.describeError(error));
    }
  };
  await reload();
}
