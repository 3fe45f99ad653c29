// Satisfaction surveys. Managers (admins, school admins, programme admins) build a
// questionnaire, send it, make guardian links and read results by group; students and
// instructors see the surveys open to them and answer (./survey-answer.js).
import * as api from '../api.js';
import { localInputToIso, localInputValue } from '../datetime-input.js';
import { field, h, notice, select } from '../dom.js';
import { addStrings, bind, timeElement } from '../i18n.js';
import { navigate } from '../router.js';
import { respondentView } from './survey-answer.js';

addStrings({
  ko: {
    'nav.surveys': '설문',
    'surveys.title': '만족도 설문',
    'surveys.new': '새 설문',
    'surveys.empty': '설문이 없습니다.',
    'surveys.mineEmpty': '지금 응답할 설문이 없습니다.',
    'surveys.toAnswer': '응답할 설문',
    'surveys.managed': '관리하는 설문',
    'surveys.answer': '응답하기',
    'surveys.answered': '응답 완료',
    'surveys.status.draft': '작성 중',
    'surveys.status.open': '진행 중',
    'surveys.status.closed': '마감',
    'surveys.audience.students': '학생',
    'surveys.audience.guardians': '보호자',
    'surveys.audience.instructors': '강사·교사',
    'surveys.owner': '대상 기관',
    'surveys.owner.school': '학교',
    'surveys.owner.programme': '병원학교',
    'surveys.surveyTitle': '설문 제목',
    'surveys.description': '안내 문구',
    'surveys.semester': '학기 (예: 2026-2)',
    'surveys.audiences': '응답 대상',
    'surveys.anonymous': '익명 설문 (응답과 응답자를 연결할 수 없음)',
    'surveys.opensAt': '시작 시각 (선택)',
    'surveys.closesAt': '마감 시각 (선택)',
    'surveys.questions': '문항',
    'surveys.addQuestion': '문항 추가',
    'surveys.removeQuestion': '문항 삭제',
    'surveys.moveUp': '위로',
    'surveys.kind': '문항 유형',
    'surveys.kind.likert': '5점 척도',
    'surveys.kind.single_choice': '하나 고르기',
    'surveys.kind.multi_choice': '여러 개 고르기',
    'surveys.kind.text': '서술형',
    'surveys.prompt': '질문',
    'surveys.options': '선택지 (한 줄에 하나)',
    'surveys.likertLabels': '척도 이름 (1~5, 한 줄에 하나)',
    'surveys.required': '필수 문항',
    'surveys.save': '저장',
    'surveys.saved': '저장했습니다.',
    'surveys.edit': '수정',
    'surveys.open': '설문 보내기',
    'surveys.close': '마감하기',
    'surveys.delete': '삭제',
    'surveys.results': '결과 보기',
    'surveys.back': '설문 목록으로',
    'surveys.links': '보호자 응답 링크',
    'surveys.linksHint': '보호자마다 한 번만 쓸 수 있는 링크를 만듭니다. 링크는 지금 한 번만 보이니 바로 복사해 전달하세요.',
    'surveys.linkLabels': '보호자 이름 또는 메모 (한 줄에 하나)',
    'surveys.makeLinks': '링크 만들기',
    'surveys.linksForStudents': '학생마다 보호자 링크 만들기',
    'surveys.noNewLinks': '새로 만들 링크가 없습니다. 모든 학생의 보호자 링크가 이미 있습니다.',
    'surveys.used': '응답함',
    'surveys.unused': '미응답',
    'surveys.revoked': '사용 중지',
    'surveys.revoke': '사용 중지',
    'surveys.copy': '복사',
    'surveys.copyNext': '이 설문을 복사해 새 학기 설문 만들기',
    'surveys.responseRate': '응답률',
    'surveys.rate': '{responded}/{invited}명',
    'surveys.waitClose': '익명 설문의 결과는 마감 후에 볼 수 있습니다. 지금은 응답률만 보입니다.',
    'surveys.suppressed': '응답이 {min}명 미만이라 이 집단의 결과는 표시하지 않습니다.',
    'surveys.responses': '응답 {count}건',
    'surveys.mean': '평균 {mean}',
    'surveys.noText': '서술 응답이 없습니다.',
    'surveys.download': '내려받기',
    'surveys.anonymousBadge': '익명',
    'surveys.namedBadge': '실명',
    'surveys.dates': '기간',
    'surveys.until': '마감',
    'surveys.opens': '시작',
  },
  en: {
    'nav.surveys': 'Surveys',
    'surveys.title': 'Satisfaction surveys',
    'surveys.new': 'New survey',
    'surveys.empty': 'No surveys.',
    'surveys.mineEmpty': 'No surveys to answer right now.',
    'surveys.toAnswer': 'Surveys to answer',
    'surveys.managed': 'Surveys you manage',
    'surveys.answer': 'Answer',
    'surveys.answered': 'Answered',
    'surveys.status.draft': 'Draft',
    'surveys.status.open': 'Open',
    'surveys.status.closed': 'Closed',
    'surveys.audience.students': 'Students',
    'surveys.audience.guardians': 'Guardians',
    'surveys.audience.instructors': 'Instructors',
    'surveys.owner': 'For',
    'surveys.owner.school': 'School',
    'surveys.owner.programme': 'Hospital classroom',
    'surveys.surveyTitle': 'Title',
    'surveys.description': 'Introduction',
    'surveys.semester': 'Semester (e.g. 2026-2)',
    'surveys.audiences': 'Audiences',
    'surveys.anonymous': 'Anonymous (answers cannot be linked to people)',
    'surveys.opensAt': 'Opens (optional)',
    'surveys.closesAt': 'Closes (optional)',
    'surveys.questions': 'Questions',
    'surveys.addQuestion': 'Add a question',
    'surveys.removeQuestion': 'Remove',
    'surveys.moveUp': 'Move up',
    'surveys.kind': 'Type',
    'surveys.kind.likert': 'Likert (1-5)',
    'surveys.kind.single_choice': 'Single choice',
    'surveys.kind.multi_choice': 'Multiple choice',
    'surveys.kind.text': 'Free text',
    'surveys.prompt': 'Question',
    'surveys.options': 'Options (one per line)',
    'surveys.likertLabels': 'Scale labels (1 to 5, one per line)',
    'surveys.required': 'Required',
    'surveys.save': 'Save',
    'surveys.saved': 'Saved.',
    'surveys.edit': 'Edit',
    'surveys.open': 'Send the survey',
    'surveys.close': 'Close',
    'surveys.delete': 'Delete',
    'surveys.results': 'Results',
    'surveys.back': 'Back to surveys',
    'surveys.links': 'Guardian links',
    'surveys.linksHint': 'Each guardian gets a link that works once. Links are shown only now: copy them and pass them on.',
    'surveys.linkLabels': 'Guardian names or notes (one per line)',
    'surveys.makeLinks': 'Make links',
    'surveys.linksForStudents': 'A link for each student\'s guardian',
    'surveys.noNewLinks': 'No new links: every student\'s guardian already has one.',
    'surveys.used': 'Answered',
    'surveys.unused': 'Not yet',
    'surveys.revoked': 'Revoked',
    'surveys.revoke': 'Revoke',
    'surveys.copy': 'Copy',
    'surveys.copyNext': 'Copy as a new survey for semester',
    'surveys.responseRate': 'Response rate',
    'surveys.rate': '{responded}/{invited}',
    'surveys.waitClose': 'An anonymous survey shows its results once it is closed; until then only the response rate.',
    'surveys.suppressed': 'Fewer than {min} responses: this group is not shown.',
    'surveys.responses': '{count} responses',
    'surveys.mean': 'Mean {mean}',
    'surveys.noText': 'No written answers.',
    'surveys.download': 'Download',
    'surveys.anonymousBadge': 'Anonymous',
    'surveys.namedBadge': 'Named',
    'surveys.dates': 'Dates',
    'surveys.until': 'Closes',
    'surveys.opens': 'Opens',
  },
});

const AUDIENCES = ['students', 'guardians', 'instructors'];
const KINDS = ['likert', 'single_choice', 'multi_choice', 'text'];
const DEFAULT_LIKERT = ['전혀 그렇지 않다', '그렇지 않다', '보통이다', '그렇다', '매우 그렇다'];

function currentSemester() {
  const now = new Date();
  return `${now.getFullYear()}-${now.getMonth() + 1 >= 8 || now.getMonth() + 1 <= 1 ? 2 : 1}`;
}

function statusBadge(status) {
  return h('span', { class: `badge badge--${status}`, i18n: `surveys.status.${status}`, testid: 'survey-status' });
}

async function attempt(message, action, after) {
  try {
    const result = await action();
    if (after) await after(result);
  } catch (error) {
    message.show(api.describeError(error));
  }
}

// -- the list ---------------------------------------------------------------------------------

export async function renderSurveys(root) {
  const message = notice();
  const page = h('section', { class: 'page' }, h('h1', { i18n: 'surveys.title' }), message);
  root.append(page);
  let listed;
  let owners;
  try {
    [listed, owners] = await Promise.all([api.get('/api/surveys'), api.get('/api/owners/managed')]);
  } catch (error) {
    message.show(api.describeError(error));
    return;
  }
  const managed = listed.items.filter((s) => s.manager);
  const toAnswer = listed.items.filter((s) => !s.manager);
  if (owners.items.length) {
    page.append(h('p', {}, h('a', { href: '#/surveys/new', class: 'btn btn--primary', i18n: 'surveys.new', testid: 'survey-new' })));
    page.append(h('section', {}, h('h2', { i18n: 'surveys.managed' }), managed.length
      ? h('div', { class: 'table-wrap' }, h('table', { class: 'table', testid: 'survey-table' },
        h('thead', {}, h('tr', {}, ...['surveys.surveyTitle', 'surveys.owner', 'surveys.semester', 'surveys.audiences', 'surveys.dates', '']
          .map((key) => h('th', { i18n: key || undefined })))),
        h('tbody', {}, managed.map((survey) => h('tr', { testid: 'survey-row' },
          h('td', {}, h('a', { href: `#/surveys/${survey.id}` }, survey.title), ' ', statusBadge(survey.status)),
          h('td', {}, survey.owner.name),
          h('td', {}, survey.semester),
          h('td', {}, survey.audiences.map((a) => h('span', { class: 'badge', i18n: `surveys.audience.${a}` }))),
          h('td', { class: 'small' }, survey.opens_at ? timeElement(survey.opens_at) : '', ' ~ ', survey.closes_at ? timeElement(survey.closes_at) : ''),
          h('td', {}, survey.status === 'draft' ? '' : h('a', { href: `#/surveys/${survey.id}/results`, i18n: 'surveys.results' })))))))
      : h('p', { class: 'empty', i18n: 'surveys.empty' })));
  }
  if (toAnswer.length || !owners.items.length) {
    page.append(h('section', {}, h('h2', { i18n: 'surveys.toAnswer' }), toAnswer.length
      ? h('ul', { class: 'ticket-list', testid: 'survey-answer-list' }, toAnswer.map((survey) => h('li', { class: 'card ticket', testid: 'survey-answer-row' },
        h('a', { href: `#/surveys/${survey.id}` }, survey.title),
        h('span', { class: 'muted' }, survey.owner.name, ' · ', survey.semester),
        survey.responded
          ? h('span', { class: 'badge badge--answered', i18n: 'surveys.answered' })
          : survey.accepting
            ? h('a', { href: `#/surveys/${survey.id}`, class: 'btn btn--small btn--primary', i18n: 'surveys.answer' })
            : h('span', { class: 'muted small' }, h('span', { i18n: 'surveys.opens' }), ' ', survey.opens_at ? timeElement(survey.opens_at) : ''),
        survey.accepting && survey.closes_at && !survey.responded
          ? h('span', { class: 'muted small' }, h('span', { i18n: 'surveys.until' }), ' ', timeElement(survey.closes_at)) : '')))
      : h('p', { class: 'empty', i18n: 'surveys.mineEmpty' })));
  }
}

// -- the builder ------------------------------------------------------------------------------

function questionEditor(question, list) {
  const kind = select(KINDS.map((k) => [k, `surveys.kind.${k}`]), { testid: 'question-kind' });
  kind.value = question.kind;
  const prompt = h('input', { required: true, maxLength: 500, value: question.prompt || '', testid: 'question-prompt' });
  const options = h('textarea', { rows: 5, testid: 'question-options' });
  options.value = (question.options || []).join('\n');
  const required = h('input', { type: 'checkbox', checked: question.required !== false });
  const optionsField = field('surveys.options', options);
  const sync = () => {
    const label = optionsField.wrap.querySelector('label');
    optionsField.wrap.hidden = kind.value === 'text';
    bind(label, kind.value === 'likert' ? 'surveys.likertLabels' : 'surveys.options');
    if (kind.value === 'likert' && !options.value.trim()) options.value = DEFAULT_LIKERT.join('\n');
  };
  kind.addEventListener('change', sync);
  const remove = h('button', { type: 'button', class: 'btn btn--small btn--ghost', i18n: 'surveys.removeQuestion' });
  const up = h('button', { type: 'button', class: 'btn btn--small btn--ghost', i18n: 'surveys.moveUp' });
  const el = h('fieldset', { class: 'card', testid: 'question-editor' },
    h('div', { class: 'form-grid' }, field('surveys.kind', kind).wrap, field('surveys.prompt', prompt).wrap),
    optionsField.wrap,
    h('label', { class: 'check' }, required, h('span', { i18n: 'surveys.required' })),
    h('p', { class: 'row' }, up, remove));
  remove.addEventListener('click', () => el.remove());
  up.addEventListener('click', () => {
    if (el.previousElementSibling) list.insertBefore(el, el.previousElementSibling);
  });
  el.read = () => ({
    kind: kind.value,
    prompt: prompt.value.trim(),
    required: required.checked,
    options: kind.value === 'text' ? [] : options.value.split('\n').map((s) => s.trim()).filter(Boolean),
  });
  sync();
  return el;
}

async function renderBuilder(root, existing) {
  const message = notice();
  const page = h('section', { class: 'page' },
    h('p', {}, h('a', { href: existing ? `#/surveys/${existing.id}` : '#/surveys', i18n: 'surveys.back' })),
    h('h1', { i18n: existing ? 'surveys.edit' : 'surveys.new' }), message);
  root.append(page);
  let owners;
  try {
    owners = await api.get('/api/owners/managed');
  } catch (error) {
    message.show(api.describeError(error));
    return;
  }
  const owner = h('select', { testid: 'survey-owner', disabled: Boolean(existing) });
  for (const o of owners.items) owner.append(h('option', { value: `${o.kind}:${o.id}` }, o.name));
  if (existing) owner.value = `${existing.owner.kind}:${existing.owner.id}`;
  const title = h('input', { required: true, maxLength: 200, value: existing?.title || '', testid: 'survey-title' });
  const description = h('textarea', { rows: 2, maxLength: 5000 });
  description.value = existing?.description || '';
  const semester = h('input', { required: true, maxLength: 16, pattern: '\\d{4}-(1|2|summer|winter)', value: existing?.semester || currentSemester(), testid: 'survey-semester' });
  const audienceBoxes = AUDIENCES.map((a) => {
    const box = h('input', { type: 'checkbox', value: a, checked: existing ? existing.audiences.includes(a) : a === 'students', testid: `survey-audience-${a}` });
    return { a, box, el: h('label', { class: 'check' }, box, h('span', { i18n: `surveys.audience.${a}` })) };
  });
  const anonymous = h('input', { type: 'checkbox', checked: existing ? existing.anonymous : true, testid: 'survey-anonymous' });
  const opensAt = h('input', { type: 'datetime-local', value: localInputValue(existing?.opens_at) });
  const closesAt = h('input', { type: 'datetime-local', value: localInputValue(existing?.closes_at) });
  const list = h('div', { testid: 'question-list' });
  const start = existing?.questions?.length ? existing.questions : [{ kind: 'likert', prompt: '', options: DEFAULT_LIKERT, required: true }];
  for (const q of start) list.append(questionEditor(q, list));
  const add = h('button', { type: 'button', class: 'btn', i18n: 'surveys.addQuestion', testid: 'question-add' });
  add.addEventListener('click', () => {
    const editor = questionEditor({ kind: 'single_choice', prompt: '', options: [], required: true }, list);
    list.append(editor);
    editor.querySelector('input')?.focus();
  });
  const save = h('button', { type: 'submit', class: 'btn btn--primary', i18n: 'surveys.save', testid: 'survey-save' });
  const form = h('form', { class: 'form', testid: 'survey-builder' },
    h('div', { class: 'card' },
      field('surveys.owner', owner).wrap, field('surveys.surveyTitle', title).wrap,
      field('surveys.description', description).wrap, field('surveys.semester', semester).wrap,
      h('fieldset', {}, h('legend', { i18n: 'surveys.audiences' }), audienceBoxes.map((x) => x.el)),
      h('label', { class: 'check' }, anonymous, h('span', { i18n: 'surveys.anonymous' })),
      h('div', { class: 'form-grid' }, field('surveys.opensAt', opensAt).wrap, field('surveys.closesAt', closesAt).wrap)),
    h('h2', { i18n: 'surveys.questions' }), list, h('p', {}, add), save);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = {
      title: title.value.trim(),
      description: description.value.trim(),
      semester: semester.value.trim(),
      audiences: audienceBoxes.filter((x) => x.box.checked).map((x) => x.a),
      anonymous: anonymous.checked,
      opens_at: localInputToIso(opensAt.value),
      closes_at: localInputToIso(closesAt.value),
      questions: [...list.children].map((el) => el.read()),
    };
    save.disabled = true;
    try {
      let saved;
      if (existing) saved = await api.request('PATCH', `/api/surveys/${existing.id}`, body);
      else {
        const [kind, id] = owner.value.split(':');
        saved = await api.post('/api/surveys', { owner_kind: kind, owner_id: Number(id), ...body });
      }
      navigate(`/surveys/${saved.id}`);
    } catch (error) {
      message.show(api.describeError(error));
      save.disabled = false;
    }
  });
  page.append(form);
}

export async function renderSurveyNew(root) {
  await renderBuilder(root, null);
}

export async function renderSurveyEdit(root, { id }) {
  const survey = await api.get(`/api/surveys/${Number(id)}`).catch(() => null);
  if (!survey) {
    navigate('/surveys');
    return;
  }
  await renderBuilder(root, survey);
}

// -- one survey: the manager's page, or the respondent's form ------------------------------------

function linksSection(survey, message) {
  const list = h('ul', { class: 'ticket-list', testid: 'link-list' });
  const fresh = h('div', { testid: 'new-links' });
  async function load() {
    const found = await api.get(`/api/surveys/${survey.id}/guardian-links`);
    list.replaceChildren(...found.items.map((link) => {
      const state = link.revoked ? 'revoked' : link.used_on ? 'used' : 'unused';
      const revoke = h('button', { type: 'button', class: 'btn btn--small btn--ghost', i18n: 'surveys.revoke' });
      revoke.addEventListener('click', () => attempt(message, () => api.request('DELETE', `/api/surveys/${survey.id}/guardian-links/${link.id}`), load));
      return h('li', { class: 'row', testid: 'link-row' }, link.label || `#${link.id}`,
        h('span', { class: `badge badge--${state === 'used' ? 'answered' : state === 'revoked' ? 'closed' : 'open'}`, i18n: `surveys.${state}` }),
        state === 'unused' && survey.status !== 'closed' ? revoke : '');
    }));
  }
  const labels = h('textarea', { rows: 3, testid: 'link-labels' });
  const forStudents = h('button', { type: 'button', class: 'btn', i18n: 'surveys.linksForStudents', testid: 'link-make-students' });
  const form = h('form', { class: 'form' }, h('p', { class: 'hint', i18n: 'surveys.linksHint' }),
    field('surveys.linkLabels', labels).wrap,
    h('p', { class: 'row' }, h('button', { type: 'submit', class: 'btn', i18n: 'surveys.makeLinks', testid: 'link-make' }), forStudents));
  const make = (body) => attempt(message, () => api.post(`/api/surveys/${survey.id}/guardian-links`, body), showMade);
  forStudents.addEventListener('click', () => make({ for_students: true }));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const wanted = labels.value.split('\n').map((s) => s.trim()).filter(Boolean);
    make({ labels: wanted.length ? wanted : [''] });
  });
  async function showMade(made) {
    labels.value = '';
    const base = `${location.origin}${location.pathname}`;
    fresh.replaceChildren(made.items.length ? h('ul', { class: 'card' }, made.items.map((link) => {
      const url = `${base}${link.path}`;
      const copy = h('button', { type: 'button', class: 'btn btn--small', i18n: 'surveys.copy' });
      copy.addEventListener('click', () => navigator.clipboard?.writeText(url));
      return h('li', { class: 'row' }, h('strong', {}, link.label || `#${link.id}`),
        h('input', { readOnly: true, value: url, size: 60, style: 'width:auto; flex:1', 'aria-label': link.label || `#${link.id}`, testid: 'new-link-url' }), copy);
    })) : h('p', { class: 'empty', i18n: 'surveys.noNewLinks' }));
    await load();
  }
  load().catch((error) => message.show(api.describeError(error)));
  return h('section', { class: 'card' }, h('h2', { i18n: 'surveys.links' }),
    survey.status === 'closed' ? '' : form, fresh, list);
}

function managerView(page, survey, reload) {
  const message = notice();
  const actions = h('p', { class: 'row' });
  const act = (key, testid, run, kind = 'btn') => {
    const button = h('button', { type: 'button', class: kind, i18n: key, testid });
    button.addEventListener('click', () => attempt(message, run, reload));
    actions.append(button);
  };
  if (survey.status === 'draft') {
    actions.append(h('a', { href: `#/surveys/${survey.id}/edit`, class: 'btn', i18n: 'surveys.edit', testid: 'survey-edit' }));
    act('surveys.open', 'survey-open', () => api.post(`/api/surveys/${survey.id}/open`), 'btn btn--primary');
    act('surveys.delete', 'survey-delete', async () => {
      await api.request('DELETE', `/api/surveys/${survey.id}`);
      navigate('/surveys');
    }, 'btn btn--danger');
  } else {
    actions.append(h('a', { href: `#/surveys/${survey.id}/results`, class: 'btn btn--primary', i18n: 'surveys.results', testid: 'survey-results-link' }));
    if (survey.status === 'open') act('surveys.close', 'survey-close', () => api.post(`/api/surveys/${survey.id}/close`));
  }
  const nextSemester = h('input', { required: true, pattern: '\\d{4}-(1|2|summer|winter)', size: 10, style: 'width:auto',
    i18nAttr: { 'aria-label': 'surveys.semester', placeholder: 'surveys.semester' }, testid: 'survey-copy-semester' });
  const copyForm = h('form', { class: 'row' }, nextSemester,
    h('button', { type: 'submit', class: 'btn', i18n: 'surveys.copyNext', testid: 'survey-copy' }));
  copyForm.addEventListener('submit', (event) => {
    event.preventDefault();
    attempt(message, () => api.post(`/api/surveys/${survey.id}/copy`, { semester: nextSemester.value.trim() }),
      (copy) => navigate(`/surveys/${copy.id}/edit`));
  });
  page.replaceChildren(
    h('p', {}, h('a', { href: '#/surveys', i18n: 'surveys.back' })),
    h('h1', { testid: 'survey-heading' }, survey.title),
    h('p', {}, statusBadge(survey.status), ' ', h('span', { class: 'muted' }, survey.owner.name, ' · ', survey.semester),
      ' ', h('span', { class: 'badge', i18n: survey.anonymous ? 'surveys.anonymousBadge' : 'surveys.namedBadge' })),
    survey.description ? h('p', { class: 'pre-wrap' }, survey.description) : '',
    h('dl', { class: 'meta' },
      h('dt', { i18n: 'surveys.audiences' }), h('dd', {}, survey.audiences.map((a) => h('span', { class: 'badge', i18n: `surveys.audience.${a}` }))),
      h('dt', { i18n: 'surveys.dates' }), h('dd', {}, survey.opens_at ? timeElement(survey.opens_at) : '—', ' ~ ', survey.closes_at ? timeElement(survey.closes_at) : '—')),
    message, actions, copyForm,
    h('h2', { i18n: 'surveys.questions' }),
    h('ol', { testid: 'survey-question-list' }, survey.questions.map((q) => h('li', {},
      q.prompt, ' ', h('span', { class: 'badge', i18n: `surveys.kind.${q.kind}` }),
      q.required ? h('span', { class: 'badge', i18n: 'surveys.required' }) : '',
      q.options.length ? h('span', { class: 'muted small' }, ` (${q.options.join(' / ')})`) : ''))),
    survey.audiences.includes('guardians') && survey.status !== 'draft' ? linksSection(survey, message) : '',
  );
}

export async function renderSurvey(root, { id }) {
  const page = h('section', { class: 'page' });
  root.append(page);
  async function reload() {
    try {
      const survey = await api.get(`/api/surveys/${Number(id)}`);
      if (survey.manager) managerView(page, survey, reload);
      else respondentView(page, survey, reload);
    } catch (error) {
      const message = notice();
      page.replaceChildren(h('p', {}, h('a', { href: '#/surveys', i18n: 'surveys.back' })), message);
      message.show(api.describeError(error));
    }
  }
  await reload();
}

// -- results ----------------------------------------------------------------------------------

function bars(result, total) {
  const max = Math.max(1, ...result.options.map((o) => o.count));
  return h('ul', { class: 'quiz-bars', testid: 'result-bars' }, result.options.map((option) => {
    const share = total ? Math.round((option.count / total) * 100) : 0;
    return h('li', { class: 'quiz-bar' },
      h('span', {}, option.label),
      h('span', { class: 'quiz-bar-track', role: 'img', 'aria-label': `${option.label}: ${option.count} (${share}%)` },
        h('span', { class: 'quiz-bar-fill', style: `width: ${(option.count / max) * 100}%` })),
      h('span', { class: 'quiz-bar-count', testid: 'result-count' }, `${option.count} (${share}%)`));
  }));
}

function groupCard(group, min) {
  const heading = h('h3', { i18n: `surveys.audience.${group.audience}` });
  if (group.suppressed) {
    return h('section', { class: 'card', testid: 'result-group', dataset: { audience: group.audience } }, heading,
      h('p', { class: 'notice', i18n: 'surveys.suppressed', i18nArgs: { min }, testid: 'result-suppressed' }));
  }
  return h('section', { class: 'card', testid: 'result-group', dataset: { audience: group.audience } }, heading,
    h('p', { class: 'muted', i18n: 'surveys.responses', i18nArgs: { count: group.responses } }),
    group.questions.map((q, i) => h('div', { class: 'quiz-question', testid: 'result-question' },
      h('h4', {}, `${i + 1}. ${q.prompt}`),
      q.kind === 'likert' && q.mean !== null ? h('p', { class: 'lead', i18n: 'surveys.mean', i18nArgs: { mean: q.mean }, testid: 'result-mean' }) : '',
      q.kind === 'text'
        ? (q.texts.length ? h('ul', { class: 'quiz-texts' }, q.texts.map((text) => h('li', { class: 'pre-wrap' }, text)))
          : h('p', { class: 'empty', i18n: 'surveys.noText' }))
        : bars(q, q.answered))));
}

export async function renderSurveyResults(root, { id }) {
  const message = notice();
  const page = h('section', { class: 'page' }, message);
  root.append(page);
  let found;
  try {
    found = await api.get(`/api/surveys/${Number(id)}/results`);
  } catch (error) {
    message.show(api.describeError(error));
    return;
  }
  const { survey } = found;
  const rate = h('table', { class: 'table', testid: 'result-rate' },
    h('tbody', {}, found.participation.map((p) => h('tr', {},
      h('th', { i18n: `surveys.audience.${p.audience}` }),
      h('td', { i18n: 'surveys.rate', i18nArgs: p }),
      h('td', { class: 'num' }, p.invited ? `${Math.round((p.responded / p.invited) * 100)}%` : '')))));
  const parts = [
    h('p', {}, h('a', { href: `#/surveys/${survey.id}`, i18n: 'surveys.back' })),
    h('h1', { testid: 'survey-heading' }, survey.title),
    h('p', {}, statusBadge(survey.status), ' ', h('span', { class: 'muted' }, survey.owner.name, ' · ', survey.semester)),
    message,
    h('h2', { i18n: 'surveys.responseRate' }), rate,
  ];
  if (!found.available) parts.push(h('p', { class: 'notice', i18n: 'surveys.waitClose', testid: 'result-wait' }));
  else {
    parts.push(h('p', { class: 'row' }, h('span', { i18n: 'surveys.download' }),
      h('a', { class: 'btn btn--small', href: `/api/surveys/${survey.id}/results.csv`, download: '' }, 'CSV'),
      h('a', { class: 'btn btn--small', href: `/api/surveys/${survey.id}/results.xlsx`, download: '' }, 'XLSX')));
    parts.push(h('div', { class: 'form-grid' }, found.groups.map((g) => groupCard(g, found.min_group_size))));
  }
  page.replaceChildren(...parts);
}
