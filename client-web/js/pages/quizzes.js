// A course's question bank: the questions its teachers prepare for quizzes in the live class.
// Choice questions list their options with a "correct" box each; true/false picks O or X; a
// short answer lists the accepted answers, one per line. No key = a poll question (no points).
import * as api from '../api.js';
import { field, h, notice, select } from '../dom.js';
import { addStrings, bind, t } from '../i18n.js';
import { clientId } from '../live/room.js';

addStrings({
  ko: {
    'bank.title': '문제은행',
    'bank.lead': '수업 중에 바로 낼 문제를 미리 만들어 둡니다. 수업에서 낸 문제는 나중에 고쳐도 이미 낸 퀴즈에는 영향이 없습니다.',
    'bank.empty': '아직 문제가 없습니다.',
    'bank.new': '새 문제',
    'bank.edit': '문제 고치기',
    'bank.kind': '유형',
    'bank.kind.single_choice': '객관식 (하나 고르기)',
    'bank.kind.multiple_choice': '객관식 (여러 개 고르기)',
    'bank.kind.true_false': 'O / X',
    'bank.kind.short_answer': '단답형',
    'bank.prompt': '문제',
    'bank.options': '보기 (정답에 체크)',
    'bank.option': '보기 {n}',
    'bank.addOption': '보기 추가',
    'bank.correctTrue': '정답: O (참)',
    'bank.correctFalse': '정답: X (거짓)',
    'bank.noKey': '정답 없음 (투표)',
    'bank.accepted': '인정할 답 (한 줄에 하나, 띄어쓰기·대소문자·끝 문장부호는 무시)',
    'bank.points': '배점 (0이면 채점하지 않음)',
    'bank.save': '저장',
    'bank.saved': '저장했습니다.',
    'bank.editBtn': '고치기',
    'bank.deleteBtn': '삭제',
    'bank.confirmDelete': '이 문제를 지울까요? 이미 낸 퀴즈의 결과는 남습니다.',
    'bank.answer': '정답: {answer}',
    'bank.points.short': '{n}점',
  },
  en: {
    'bank.title': 'Question bank',
    'bank.lead': 'Prepare questions to launch in the live class. Editing a question later never changes a quiz already given.',
    'bank.empty': 'No questions yet.',
    'bank.new': 'New question',
    'bank.edit': 'Edit question',
    'bank.kind': 'Type',
    'bank.kind.single_choice': 'Single choice',
    'bank.kind.multiple_choice': 'Multiple choice',
    'bank.kind.true_false': 'True / False',
    'bank.kind.short_answer': 'Short answer',
    'bank.prompt': 'Question',
    'bank.options': 'Options (tick the correct ones)',
    'bank.option': 'Option {n}',
    'bank.addOption': 'Add option',
    'bank.correctTrue': 'Answer: True',
    'bank.correctFalse': 'Answer: False',
    'bank.noKey': 'No answer (poll)',
    'bank.accepted': 'Accepted answers (one per line; spacing, case and final punctuation ignored)',
    'bank.points': 'Points (0 = not graded)',
    'bank.save': 'Save',
    'bank.saved': 'Saved.',
    'bank.editBtn': 'Edit',
    'bank.deleteBtn': 'Delete',
    'bank.confirmDelete': 'Delete this question? Quizzes already given keep their results.',
    'bank.answer': 'Answer: {answer}',
    'bank.points.short': '{n} pt',
  },
});

const KINDS = ['single_choice', 'multiple_choice', 'true_false', 'short_answer'];

function answerText(question) {
  if (!question.correct.length) return t('bank.noKey');
  if (question.kind === 'short_answer') return question.correct.join(', ');
  if (question.kind === 'true_false') return question.correct[0] === 0 ? 'O' : 'X';
  return question.correct.map((i) => question.options[i]).join(', ');
}

function questionForm(courseId, onSaved) {
  let editing = null;
  const heading = h('h2', { i18n: 'bank.new' });
  const kind = field('bank.kind', select(KINDS.map((k) => [k, `bank.kind.${k}`]), { testid: 'bank-kind' }));
  const prompt = field('bank.prompt', h('textarea', { rows: 2, maxLength: 2000, required: true, testid: 'bank-prompt' }));
  const options = h('ol', { class: 'bank-options', testid: 'bank-options' });
  const addOption = h('button', { type: 'button', class: 'btn btn--small', i18n: 'bank.addOption' });
  const optionsBox = h('fieldset', { class: 'bank-fieldset' }, h('legend', { i18n: 'bank.options' }), options, addOption);
  const tf = select([['0', 'bank.correctTrue'], ['1', 'bank.correctFalse'], ['', 'bank.noKey']], { testid: 'bank-true-false' });
  const tfBox = h('div', { class: 'field' }, tf);
  const accepted = field('bank.accepted', h('textarea', { rows: 3, testid: 'bank-accepted' }));
  const points = field('bank.points', h('input', { type: 'number', min: 0, max: 100, value: '1', testid: 'bank-points' }));
  const message = notice();
  const save = h('button', { type: 'submit', class: 'btn btn--primary', testid: 'bank-save', i18n: 'bank.save' });
  const cancel = h('button', { type: 'button', class: 'btn', i18n: 'common.cancel', hidden: true });
  const form = h('form', { class: 'card form', testid: 'bank-form' },
    heading, kind.wrap, prompt.wrap, optionsBox, tfBox, accepted.wrap, points.wrap, message,
    h('div', { class: 'quiz-row' }, save, cancel));

  function optionRow(label = '', correct = false) {
    const n = options.children.length + 1;
    const li = h('li', { class: 'bank-option' },
      h('input', { type: 'checkbox', checked: correct, testid: 'bank-option-correct', i18nAttr: { 'aria-label': 'bank.answer' } }),
      h('input', { type: 'text', maxLength: 200, value: label, testid: 'bank-option', i18nAttr: { placeholder: 'bank.option', 'aria-label': 'bank.option' }, i18nArgs: { n } }));
    options.append(li);
  }

  function showFor(value) {
    optionsBox.hidden = !['single_choice', 'multiple_choice'].includes(value);
    tfBox.hidden = value !== 'true_false';
    accepted.wrap.hidden = value !== 'short_answer';
  }

  function reset(question = null) {
    editing = question;
    bind(heading, question ? 'bank.edit' : 'bank.new');
    cancel.hidden = !question;
    kind.input.value = question?.kind || 'single_choice';
    prompt.input.value = question?.prompt || '';
    options.replaceChildren();
    const labels = question?.options?.length ? question.options : ['', '', '', ''];
    labels.forEach((label, i) => optionRow(label, Boolean(question && question.correct.includes(i))));
    tf.value = question?.kind === 'true_false' ? String(question.correct[0] ?? '') : '0';
    accepted.input.value = question?.kind === 'short_answer' ? question.correct.join('\n') : '';
    points.input.value = String(question ? question.points : 1);
    showFor(kind.input.value);
    message.hide();
  }

  function body() {
    const k = kind.input.value;
    const out = { kind: k, prompt: prompt.input.value.trim(), options: [], correct: [], points: Number(points.input.value) || 0 };
    if (k === 'single_choice' || k === 'multiple_choice') {
      const rows = [...options.children]
        .map((li) => ({ label: li.querySelector('[data-testid="bank-option"]').value.trim(), correct: li.querySelector('input[type=checkbox]').checked }))
        .filter((row) => row.label);
      out.options = rows.map((row) => row.label);
      out.correct = rows.flatMap((row, i) => (row.correct ? [i] : []));
    } else if (k === 'true_false') {
      out.correct = tf.value === '' ? [] : [Number(tf.value)];
    } else {
      out.correct = accepted.input.value.split('\n').map((s) => s.trim()).filter(Boolean);
    }
    if (!out.correct.length) out.points = 0;
    return out;
  }

  kind.input.addEventListener('change', () => showFor(kind.input.value));
  addOption.addEventListener('click', () => optionRow());
  cancel.addEventListener('click', () => reset());
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.hide();
    save.disabled = true;
    try {
      if (editing) await api.request('PUT', `/api/questions/${editing.id}`, body());
      else await api.post(`/api/courses/${courseId}/questions`, { ...body(), client_id: clientId() });
      reset();
      message.showKey('bank.saved');
      await onSaved();
    } catch (error) {
      message.show(api.describeError(error));
    } finally {
      save.disabled = false;
    }
  });
  reset();
  return { element: form, edit: reset };
}

export async function renderQuestionBank(root, { id }) {
  const courseId = Number(id);
  const message = notice();
  const list = h('ol', { class: 'bank-list', testid: 'bank-list' });
  const page = h('section', { class: 'page' });
  root.append(page);
  let course;
  try {
    course = await api.get(`/api/courses/${courseId}`);
  } catch (error) {
    page.append(h('h1', { i18n: 'bank.title' }), message);
    message.show(api.describeError(error));
    return;
  }
  const reload = async () => {
    try {
      const { items } = await api.get(`/api/courses/${courseId}/questions`);
      list.replaceChildren(...(items.length ? items.map((q) => questionItem(q)) : [h('li', { class: 'empty', i18n: 'bank.empty' })]));
    } catch (error) {
      message.show(api.describeError(error));
    }
  };
  const form = questionForm(courseId, reload);

  function questionItem(question) {
    const remove = async () => {
      if (!window.confirm(t('bank.confirmDelete'))) return;
      try {
        await api.request('DELETE', `/api/questions/${question.id}`);
        await reload();
      } catch (error) {
        message.show(api.describeError(error));
      }
    };
    return h('li', { class: 'card bank-item', testid: 'bank-item', dataset: { questionId: String(question.id) } },
      h('p', { class: 'bank-meta' },
        h('span', { class: 'badge', i18n: `bank.kind.${question.kind}` }), ' ',
        question.points ? h('span', { class: 'muted', i18n: 'bank.points.short', i18nArgs: { n: question.points } }) : ''),
      h('p', { class: 'bank-prompt' }, question.prompt),
      question.options.length ? h('ol', { class: 'bank-choices' }, question.options.map((o) => h('li', {}, o))) : '',
      h('p', { class: 'muted', i18n: 'bank.answer', i18nArgs: { answer: answerText(question) } }),
      h('div', { class: 'quiz-row' },
        h('button', { type: 'button', class: 'btn btn--small', testid: 'bank-edit', i18n: 'bank.editBtn', onclick: () => form.edit(question) }),
        h('button', { type: 'button', class: 'btn btn--small btn--danger', testid: 'bank-delete', i18n: 'bank.deleteBtn', onclick: remove })));
  }

  page.append(
    h('p', { class: 'crumbs' }, h('a', { href: `#/courses/${courseId}` }, course.title)),
    h('h1', { testid: 'bank-title', i18n: 'bank.title' }),
    h('p', { class: 'lead', i18n: 'bank.lead' }),
    message,
    h('div', { class: 'form-grid' }, form.element, h('section', {}, list)),
  );
  await reload();
}
