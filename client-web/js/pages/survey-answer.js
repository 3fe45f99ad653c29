// Answering a survey: the form a student or instructor fills in with their account, and the
// guardian's page behind a single-use link (no login). One client id per form: a retry after a
// lost response is acknowledged again instead of being counted twice.
import * as api from '../api.js';
import { h, notice } from '../dom.js';
import { addStrings } from '../i18n.js';
import { clientId } from '../live/room.js';

addStrings({
  ko: {
    'answer.required': '필수',
    'answer.submit': '제출',
    'answer.sending': '보내는 중…',
    'answer.thanks': '응답해 주셔서 감사합니다.',
    'answer.already': '이미 응답한 설문입니다.',
    'answer.linkUsed': '이 링크로는 이미 응답했습니다. 링크는 한 번만 쓸 수 있습니다.',
    'answer.notAccepting': '지금은 응답을 받지 않는 설문입니다.',
    'answer.anonymous': '익명 설문입니다. 누가 어떻게 답했는지는 관리자도 알 수 없습니다.',
    'answer.named': '이름이 기록되는 설문입니다.',
    'answer.missing': '필수 문항에 답해 주세요.',
    'answer.linkTitle': '보호자 설문',
    'answer.badLink': '링크가 올바르지 않거나 더 이상 쓸 수 없습니다.',
    'answer.chooseAll': '해당하는 것을 모두 고르세요.',
    'answer.back': '설문 목록으로',
  },
  en: {
    'answer.required': 'Required',
    'answer.submit': 'Submit',
    'answer.sending': 'Sending…',
    'answer.thanks': 'Thank you for your answers.',
    'answer.already': 'You have already answered this survey.',
    'answer.linkUsed': 'This link has already been used. Each link works once.',
    'answer.notAccepting': 'This survey is not taking answers now.',
    'answer.anonymous': 'This survey is anonymous: not even the administrators can tell who answered what.',
    'answer.named': 'Your name is recorded with your answers.',
    'answer.missing': 'Please answer the required questions.',
    'answer.linkTitle': 'Survey for guardians',
    'answer.badLink': 'This link is wrong or no longer works.',
    'answer.chooseAll': 'Choose all that apply.',
    'answer.back': 'Back to surveys',
  },
});

/** One question as a fieldset; returns {el, value()} where value() is what the API takes. */
function questionField(question, index) {
  const name = `q${question.id}`;
  const legend = h('legend', {}, `${index + 1}. ${question.prompt}`,
    question.required ? h('span', { class: 'badge', i18n: 'answer.required' }) : '');
  const fieldset = h('fieldset', { class: 'card quiz-question', testid: 'survey-question', dataset: { kind: question.kind } }, legend);
  if (question.kind === 'text') {
    const area = h('textarea', { rows: 3, maxLength: 2000, 'aria-label': question.prompt, testid: `answer-text-${index}` });
    fieldset.append(area);
    return { el: fieldset, value: () => area.value.trim() || null, question };
  }
  const multi = question.kind === 'multi_choice';
  if (multi) fieldset.append(h('p', { class: 'hint', i18n: 'answer.chooseAll' }));
  const choices = h('div', { class: 'row' });
  fieldset.append(choices);
  const inputs = question.options.map((label, i) => {
    const value = question.kind === 'likert' ? i + 1 : i;
    const input = h('input', { type: multi ? 'checkbox' : 'radio', name, value: String(value), testid: `answer-${index}-${i}` });
    choices.append(h('label', { class: 'check' }, input,
      h('span', {}, question.kind === 'likert' ? `${value}. ${label}` : label)));
    return { input, value };
  });
  return {
    el: fieldset,
    question,
    value() {
      const chosen = inputs.filter(({ input }) => input.checked).map(({ value }) => value);
      if (multi) return chosen.length ? chosen : null;
      return chosen.length ? chosen[0] : null;
    },
  };
}

/**
 * The answering form. `send(body)` posts it (with the account, or through a link); `onDone`
 * runs after the server acknowledged it.
 */
export function answerForm(survey, send, onDone) {
  const fields = survey.questions.map(questionField);
  const message = notice();
  const submit = h('button', { type: 'submit', class: 'btn btn--primary', i18n: 'answer.submit', testid: 'survey-submit' });
  const form = h('form', { class: 'form', testid: 'survey-form' },
    h('p', { class: 'hint', i18n: survey.anonymous ? 'answer.anonymous' : 'answer.named' }),
    fields.map((f) => f.el), message, submit);
  const pendingId = clientId();
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const answers = [];
    for (const f of fields) {
      const value = f.value();
      if (value === null) {
        if (f.question.required) {
          message.showKey('answer.missing', {}, 'error');
          f.el.querySelector('input, textarea')?.focus();
          return;
        }
        continue;
      }
      answers.push({ question_id: f.question.id, value });
    }
    submit.disabled = true;
    try {
      await send({ client_id: pendingId, answers });
      onDone();
    } catch (error) {
      if (error instanceof api.ApiError && error.code === 'conflict') message.showKey('answer.already', {}, 'error');
      else message.show(api.describeError(error));
      submit.disabled = false;
    }
  });
  return form;
}

function thanks() {
  return h('p', { class: 'notice notice--ok', role: 'status', i18n: 'answer.thanks', testid: 'survey-thanks' });
}

/** A student's or instructor's view of an open survey. */
export function respondentView(page, survey, reload) {
  const parts = [
    h('p', {}, h('a', { href: '#/surveys', i18n: 'answer.back' })),
    h('h1', { testid: 'survey-heading' }, survey.title),
    h('p', { class: 'muted' }, survey.owner.name, ' · ', survey.semester),
    survey.description ? h('p', { class: 'pre-wrap' }, survey.description) : '',
  ];
  if (survey.responded) parts.push(h('p', { class: 'notice notice--ok', role: 'status', i18n: 'answer.already', testid: 'survey-answered' }));
  else if (!survey.accepting) parts.push(h('p', { class: 'notice', i18n: 'answer.notAccepting' }));
  else {
    parts.push(answerForm(
      survey,
      (body) => api.post(`/api/surveys/${survey.id}/responses`, body),
      () => page.replaceChildren(...parts.slice(0, 4), thanks()),
    ));
  }
  page.replaceChildren(...parts);
  return reload;
}

/** The guardian's page: `#/survey-link/<token>`, no login. The token never leaves the hash. */
export async function renderSurveyLink(root, { token }) {
  const page = h('section', { class: 'page' }, h('h1', { i18n: 'answer.linkTitle' }));
  root.append(page);
  let found;
  try {
    found = await api.get(`/api/survey-links/${encodeURIComponent(token)}`);
  } catch {
    page.append(h('p', { class: 'notice notice--error', role: 'alert', i18n: 'answer.badLink', testid: 'survey-link-error' }));
    return;
  }
  const { survey, used } = found;
  const head = [
    h('h1', { testid: 'survey-heading' }, survey.title),
    h('p', { class: 'muted' }, survey.owner.name, ' · ', survey.semester),
    survey.description ? h('p', { class: 'pre-wrap' }, survey.description) : '',
  ];
  if (used) {
    page.replaceChildren(...head, h('p', { class: 'notice', i18n: 'answer.linkUsed', testid: 'survey-link-used' }));
    return;
  }
  if (!survey.accepting) {
    page.replaceChildren(...head, h('p', { class: 'notice', i18n: 'answer.notAccepting' }));
    return;
  }
  page.replaceChildren(...head, answerForm(
    survey,
    (body) => api.post(`/api/survey-links/${encodeURIComponent(token)}/responses`, body),
    () => page.replaceChildren(...head, thanks()),
  ));
}
