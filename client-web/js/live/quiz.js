// Quizzes and quick polls in the live class (docs/quizzes.md).
//
// Teachers: quick poll buttons (yes/no, A–D, 1–5), launching questions from the course's bank,
// a live bar chart of the answers, who has not answered, close and reveal.
// Students: an answer card per question. An answer is written with a client id and kept in
// sessionStorage until the server acknowledges it (the ack means "stored"), so a dropped
// connection or a reloaded page resends the same id and the server never stores it twice.
// The server's join state (`room.tools.quiz`) is the truth after every (re)join: the open run,
// the student's own stored answers, and for teachers the live progress.
import * as api from '../api.js';
import { announce, h } from '../dom.js';
import { addStrings, bind, onChange, t } from '../i18n.js';
import { clientId } from './room.js';

addStrings({
  ko: {
    'quiz.title': '퀴즈 · 투표',
    'quiz.quickPoll': '바로 투표',
    'quiz.poll.yes_no': '예 / 아니요',
    'quiz.poll.abcd': 'A–D',
    'quiz.poll.scale_5': '1–5',
    'quiz.pollTitle.yes_no': '예/아니요 투표',
    'quiz.pollTitle.abcd': 'A–D 투표',
    'quiz.pollTitle.scale_5': '1–5 투표',
    'quiz.option.yes_no.0': '예',
    'quiz.option.yes_no.1': '아니요',
    'quiz.option.true': '참 (O)',
    'quiz.option.false': '거짓 (X)',
    'quiz.prompt': '질문 (선택)',
    'quiz.anonymous': '익명으로 받기 (누가 무엇을 골랐는지 아무도 알 수 없음)',
    'quiz.timeLimit': '제한 시간',
    'quiz.noLimit': '제한 없음',
    'quiz.seconds': '{n}초',
    'quiz.minutes': '{n}분',
    'quiz.bank': '문제은행에서 내기',
    'quiz.bankEmpty': '문제은행이 비어 있습니다.',
    'quiz.bankManage': '문제은행 관리',
    'quiz.bankReload': '목록 새로 고침',
    'quiz.launch': '선택한 문제 내기',
    'quiz.launching': '시작하는 중…',
    'quiz.respondents': '응답 {n} / {total}명',
    'quiz.notAnswered': '아직 답하지 않은 학생',
    'quiz.everyoneAnswered': '모두 답했습니다.',
    'quiz.away': '(자리에 없음)',
    'quiz.close': '마감하기',
    'quiz.reveal': '결과 공개',
    'quiz.revealed': '결과를 공개했습니다.',
    'quiz.closedBy.teacher': '선생님이 마감했습니다.',
    'quiz.closedBy.time_up': '시간이 다 되어 마감되었습니다.',
    'quiz.closedBy.session_ended': '수업이 끝나 마감되었습니다.',
    'quiz.remaining': '남은 시간 {time}',
    'quiz.submit': '제출',
    'quiz.change': '답 바꾸기',
    'quiz.answerPlaceholder': '답을 쓰세요',
    'quiz.state.pending': '보내는 중… (연결되면 자동으로 다시 보냅니다)',
    'quiz.state.sent': '제출했습니다.',
    'quiz.state.failed': '보내지 못했습니다: {reason}',
    'quiz.anonymousNote': '익명 투표입니다. 제출한 답은 바꿀 수 없습니다.',
    'quiz.countsHidden': '익명 투표라서 선택별 응답 수는 마감한 뒤에 보입니다. (누가 답하는지와 함께 보면 누가 무엇을 골랐는지 알 수 있기 때문입니다.)',
    'quiz.points': '{n}점',
    'quiz.myScore': '내 점수: {points} / {max}점',
    'quiz.correct': '정답',
    'quiz.wrong': '오답',
    'quiz.yourChoice': '내 답',
    'quiz.waitingResults': '마감되었습니다. 선생님이 결과를 공개하면 여기에 보입니다.',
    'quiz.results': '결과',
    'quiz.count': '{n}명',
    'quiz.graded': '채점 ({n}점 만점)',
    'quiz.pick': '문제를 하나 이상 고르세요.',
    'quiz.announceLaunched': '퀴즈가 시작되었습니다: {title}',
    'quiz.announceClosed': '퀴즈가 마감되었습니다.',
    'quiz.announceResults': '퀴즈 결과가 공개되었습니다.',
    'event.quiz_launched': '{name}님이 퀴즈를 시작했습니다.',
    'event.quiz_closed': '퀴즈가 마감되었습니다.',
    'event.quiz_revealed': '{name}님이 퀴즈 결과를 공개했습니다.',
    'error.quiz_closed': '이미 마감된 퀴즈입니다.',
  },
  en: {
    'quiz.title': 'Quiz · Poll',
    'quiz.quickPoll': 'Quick poll',
    'quiz.poll.yes_no': 'Yes / No',
    'quiz.poll.abcd': 'A–D',
    'quiz.poll.scale_5': '1–5',
    'quiz.pollTitle.yes_no': 'Yes/No poll',
    'quiz.pollTitle.abcd': 'A–D poll',
    'quiz.pollTitle.scale_5': '1–5 poll',
    'quiz.option.yes_no.0': 'Yes',
    'quiz.option.yes_no.1': 'No',
    'quiz.option.true': 'True',
    'quiz.option.false': 'False',
    'quiz.prompt': 'Question (optional)',
    'quiz.anonymous': 'Anonymous (nobody can tell who chose what)',
    'quiz.timeLimit': 'Time limit',
    'quiz.noLimit': 'No limit',
    'quiz.seconds': '{n} s',
    'quiz.minutes': '{n} min',
    'quiz.bank': 'From the question bank',
    'quiz.bankEmpty': 'The question bank is empty.',
    'quiz.bankManage': 'Manage the question bank',
    'quiz.bankReload': 'Reload list',
    'quiz.launch': 'Launch selected',
    'quiz.launching': 'Launching…',
    'quiz.respondents': '{n} of {total} answered',
    'quiz.notAnswered': 'Not answered yet',
    'quiz.everyoneAnswered': 'Everyone has answered.',
    'quiz.away': '(not in class)',
    'quiz.close': 'Close',
    'quiz.reveal': 'Reveal results',
    'quiz.revealed': 'Results revealed.',
    'quiz.closedBy.teacher': 'Closed by the teacher.',
    'quiz.closedBy.time_up': 'Closed: time is up.',
    'quiz.closedBy.session_ended': 'Closed: the class ended.',
    'quiz.remaining': '{time} left',
    'quiz.submit': 'Submit',
    'quiz.change': 'Change answer',
    'quiz.answerPlaceholder': 'Your answer',
    'quiz.state.pending': 'Sending… (resent automatically when connected)',
    'quiz.state.sent': 'Submitted.',
    'quiz.state.failed': 'Not sent: {reason}',
    'quiz.anonymousNote': 'Anonymous poll. Answers cannot be changed.',
    'quiz.countsHidden': 'Anonymous poll: the counts per option appear once it is closed (seen next to who is answering, they would tell who chose what).',
    'quiz.points': '{n} pt',
    'quiz.myScore': 'My score: {points} / {max}',
    'quiz.correct': 'Correct',
    'quiz.wrong': 'Wrong',
    'quiz.yourChoice': 'your answer',
    'quiz.waitingResults': 'Closed. Results appear here when the teacher reveals them.',
    'quiz.results': 'Results',
    'quiz.count': '{n}',
    'quiz.graded': 'Graded (out of {n})',
    'quiz.pick': 'Pick at least one question.',
    'quiz.announceLaunched': 'A quiz started: {title}',
    'quiz.announceClosed': 'The quiz is closed.',
    'quiz.announceResults': 'The quiz results are revealed.',
    'event.quiz_launched': '{name} started a quiz.',
    'event.quiz_closed': 'The quiz was closed.',
    'event.quiz_revealed': '{name} revealed the quiz results.',
    'error.quiz_closed': 'This quiz is already closed.',
  },
});

const TIME_LIMITS = [0, 30, 60, 120, 300];
// Codes after which the same answer is resent after the next join, not given up on.
const RETRY_LATER = new Set(['timeout', 'not_connected']);

/** Label of option `index` of a question, in the reader's language where it is a fixed one. */
function optionLabel(run, question, index) {
  if (question.kind === 'true_false') return t(index === 0 ? 'quiz.option.true' : 'quiz.option.false');
  if (run.poll_preset === 'yes_no') return t(`quiz.option.yes_no.${index}`);
  return question.options[index];
}

// The server's default titles of quick polls (lms/services/quizzes.py POLL_TITLES), shown in
// the reader's language; a prompt the teacher typed is shown as written.
const POLL_TITLES = { yes_no: '예/아니요 투표', abcd: 'A–D 투표', scale_5: '1–5 투표' };

export function localText(run, text) {
  const preset = run.poll_preset;
  return preset && text === POLL_TITLES[preset] ? t(`quiz.pollTitle.${preset}`) : text;
}

function optionCount(question) {
  return question.kind === 'true_false' ? 2 : question.options.length;
}

function formatRemaining(ms) {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** Answers not yet acknowledged, per run, kept across a page reload in this tab. */
const store = {
  key: (runId) => `newssem.quiz.${runId}`,
  read(runId) {
    try {
      return JSON.parse(sessionStorage.getItem(this.key(runId)) || '{}');
    } catch {
      return {};
    }
  },
  write(runId, entries) {
    try {
      sessionStorage.setItem(this.key(runId), JSON.stringify(entries));
    } catch {
      // Storage refused (private mode): the answer still lives in memory until the ack.
    }
  },
};

/** A horizontal bar chart of counts, plain DOM (a screen reader reads each row as text). */
export function barChart(run, question, counts, { correct = [], mine = null } = {}) {
  const total = Math.max(1, counts.reduce((a, b) => a + b, 0));
  const max = Math.max(1, ...counts);
  return h('ol', { class: 'quiz-bars', testid: 'quiz-bars', dataset: { questionId: String(question.id) } },
    counts.map((n, i) => {
      const right = correct.includes(i);
      const chosen = mine !== null && (mine.choice === i || (mine.choices || []).includes(i));
      return h('li', { class: `quiz-bar${right ? ' is-correct' : ''}${chosen ? ' is-mine' : ''}`,
        testid: 'quiz-bar', dataset: { option: String(i), count: String(n) } },
      h('span', { class: 'quiz-bar-label' }, optionLabel(run, question, i),
        right ? h('span', { class: 'quiz-mark', i18n: 'quiz.correct' }) : '',
        chosen ? h('span', { class: 'quiz-mark quiz-mark--mine', i18n: 'quiz.yourChoice' }) : ''),
      h('span', { class: 'quiz-bar-track', 'aria-hidden': 'true' },
        h('span', { class: 'quiz-bar-fill', style: `width: ${(100 * n) / max}%` })),
      h('span', { class: 'quiz-bar-count' }, `${n} (${Math.round((100 * n) / total)}%)`));
    }));
}

export function shortAnswerList(texts) {
  return h('ul', { class: 'quiz-texts', testid: 'quiz-texts' },
    texts.map((item) => h('li', { class: item.correct ? 'is-correct' : '' },
      h('span', {}, item.text), ' ', h('span', { class: 'muted', i18n: 'quiz.count', i18nArgs: { n: item.count } }))));
}

export function mountTool({ room, panels, showError }) {
  const body = h('div', { class: 'quiz-body' });
  const message = h('p', { class: 'notice', role: 'status', hidden: true, testid: 'quiz-message' });
  const panel = h('section', { class: 'panel quiz', testid: 'quiz-panel', 'aria-labelledby': 'quiz-title' },
    h('h2', { id: 'quiz-title', i18n: 'quiz.title' }), message, body);
  panels.side.prepend(panel);

  let run = null;
  let teaching = false;
  let progress = null;
  let results = null;
  /** Student: question id -> {client_id, response, state: pending|sent|failed, error} */
  let mine = {};
  let myResult = null;
  let bank = null;
  let timer = null;
  let hasState = false;

  function say(key, args, kind = 'ok') {
    message.className = `notice notice--${kind}`;
    bind(message, key, args);
    message.hidden = false;
  }

  // -- state from the server ---------------------------------------------------------------

  function adoptJoinState() {
    const state = room.tools.quiz;
    hasState = Boolean(state);
    if (!state) return;
    teaching = Boolean(state.teaching);
    setRun(state.run || null, { keepAnswers: run && state.run && run.id === state.run.id });
    progress = state.progress || null;
    results = state.results || null;
    if (!teaching && run) mergeServerAnswers(state.mine || { answers: {}, answered: [] });
    render();
    if (!teaching) resendPending();
    if (teaching && bank === null) loadBank();
  }

  function setRun(next, { keepAnswers = false } = {}) {
    if (!keepAnswers) {
      mine = {};
      myResult = null;
      if (next) {
        for (const [qid, entry] of Object.entries(store.read(next.id))) mine[qid] = { ...entry };
      }
    }
    run = next;
  }

  /** The server's stored answers win; ours that it has not got yet stay pending (resent). */
  function mergeServerAnswers(server) {
    myResult = 'points' in server ? { points: server.points, max_points: server.max_points } : myResult;
    for (const [qid, stored] of Object.entries(server.answers || {})) {
      const local = mine[qid];
      if (!local || local.client_id === stored.client_id || local.state !== 'pending') {
        mine[qid] = { ...stored, state: 'sent' };
      }
    }
    for (const qid of server.answered || []) {
      if (mine[qid] && mine[qid].state === 'pending' && run.anonymous) mine[qid].state = 'sent';
      if (!mine[qid]) mine[qid] = { state: 'sent', response: null };
    }
    persist();
  }

  function persist() {
    if (!run) return;
    const keep = {};
    for (const [qid, entry] of Object.entries(mine)) {
      if (entry.client_id) keep[qid] = { client_id: entry.client_id, response: entry.response, state: entry.state };
    }
    store.write(run.id, keep);
  }

  // -- student: answering --------------------------------------------------------------------

  async function send(question, entry) {
    entry.state = 'pending';
    entry.error = null;
    mine[question.id] = entry;
    persist();
    render();
    try {
      await room.request('quiz:answer', {
        client_id: entry.client_id, run_id: run.id, question_id: question.id, response: entry.response,
      });
      if (mine[question.id] === entry) entry.state = 'sent';
    } catch (error) {
      if (RETRY_LATER.has(error.code)) return; // stays pending; resent after the next join
      entry.state = 'failed';
      const key = `error.${error.code}`;
      entry.error = t(key) === key ? error.message : t(key);
    } finally {
      persist();
      render();
    }
  }

  function resendPending() {
    if (!run || run.status !== 'open') return;
    for (const question of run.questions) {
      const entry = mine[question.id];
      if (entry && entry.state === 'pending' && entry.client_id) send(question, entry);
    }
  }

  function answerCard(question) {
    const entry = mine[question.id];
    const open = run.status === 'open';
    const locked = !open || (run.anonymous && entry && entry.state !== 'failed');
    const name = `quiz-q-${question.id}`;
    const card = h('form', { class: 'quiz-question', testid: 'quiz-question', dataset: { questionId: String(question.id) } });
    const legend = h('legend', {}, localText(run, question.prompt),
      question.points && run.graded ? h('span', { class: 'muted', i18n: 'quiz.points', i18nArgs: { n: question.points } }) : '');
    const fieldset = h('fieldset', { disabled: locked }, legend);
    const current = entry?.response || null;
    if (question.kind === 'short_answer') {
      fieldset.append(h('input', { type: 'text', name, maxLength: 200, testid: 'quiz-text', value: current?.text || '',
        i18nAttr: { placeholder: 'quiz.answerPlaceholder', 'aria-label': 'quiz.answerPlaceholder' } }));
    } else {
      const multi = question.kind === 'multiple_choice';
      for (let i = 0; i < optionCount(question); i += 1) {
        const checked = current ? (multi ? (current.choices || []).includes(i) : current.choice === i) : false;
        fieldset.append(h('label', { class: 'quiz-option' },
          h('input', { type: multi ? 'checkbox' : 'radio', name, value: String(i), checked, testid: 'quiz-option', dataset: { option: String(i) } }),
          h('span', {}, optionLabel(run, question, i))));
      }
    }
    const submit = h('button', { type: 'submit', class: 'btn btn--primary btn--small', testid: 'quiz-submit',
      i18n: entry && entry.state === 'sent' && !run.anonymous ? 'quiz.change' : 'quiz.submit' });
    if (open && !locked) fieldset.append(submit);
    card.append(fieldset);
    if (entry) {
      const args = entry.state === 'failed' ? { reason: entry.error || '' } : undefined;
      card.append(h('p', { class: `quiz-state quiz-state--${entry.state}`, testid: 'quiz-answer-state', role: 'status',
        dataset: { state: entry.state }, i18n: `quiz.state.${entry.state}`, i18nArgs: args }));
    }
    card.addEventListener('submit', (event) => {
      event.preventDefault();
      let response;
      if (question.kind === 'short_answer') {
        const text = card.querySelector('input[type=text]').value.trim();
        if (!text) return;
        response = { text };
      } else if (question.kind === 'multiple_choice') {
        const choices = [...card.querySelectorAll('input:checked')].map((el) => Number(el.value));
        if (!choices.length) return;
        response = { choices };
      } else {
        const picked = card.querySelector('input:checked');
        if (!picked) return;
        response = { choice: Number(picked.value) };
      }
      send(question, { client_id: clientId(), response, state: 'pending' });
    });
    return card;
  }

  // -- teacher: launching, closing, revealing -------------------------------------------------

  async function loadBank() {
    bank = [];
    try {
      bank = (await api.get(`/api/courses/${room.session.course_id}/questions`)).items;
    } catch (error) {
      bank = [];
      if (error.code !== 'forbidden') showError(error);
    }
    render();
  }

  async function teacherRequest(type, payload, button) {
    if (button) button.disabled = true;
    try {
      const ack = await room.request(type, { client_id: clientId(), ...payload });
      if (ack.run) setRun(ack.run, { keepAnswers: run && run.id === ack.run.id });
      if (ack.progress) progress = ack.progress;
      if (ack.results) results = ack.results;
      if (type === 'quiz:launch') results = null;
      render();
    } catch (error) {
      showError(error);
      if (button) button.disabled = false;
    }
  }

  function launchControls() {
    const prompt = h('input', { type: 'text', maxLength: 500, testid: 'quiz-poll-prompt', id: 'quiz-poll-prompt' });
    const anonymous = h('input', { type: 'checkbox', testid: 'quiz-anonymous', id: 'quiz-anonymous' });
    const limit = h('select', { testid: 'quiz-time-limit', id: 'quiz-time-limit' },
      TIME_LIMITS.map((s) => h('option', { value: String(s),
        i18n: s === 0 ? 'quiz.noLimit' : s < 60 ? 'quiz.seconds' : 'quiz.minutes',
        i18nArgs: s === 0 ? undefined : { n: s < 60 ? s : s / 60 } })));
    const common = () => ({
      anonymous: anonymous.checked,
      time_limit_seconds: Number(limit.value) || null,
    });
    const pollButtons = ['yes_no', 'abcd', 'scale_5'].map((poll) => h('button', {
      type: 'button', class: 'btn btn--small', testid: `quiz-poll-${poll}`, i18n: `quiz.poll.${poll}`,
      onclick: (event) => teacherRequest('quiz:launch', {
        poll, prompt: prompt.value.trim() || null, ...common(),
      }, event.currentTarget),
    }));
    const bankList = h('ul', { class: 'quiz-bank', testid: 'quiz-bank' });
    if (bank === null) bankList.append(h('li', { class: 'muted', i18n: 'common.loading' }));
    else if (!bank.length) bankList.append(h('li', { class: 'empty', i18n: 'quiz.bankEmpty' }));
    for (const question of bank || []) {
      const id = `quiz-bank-${question.id}`;
      bankList.append(h('li', {},
        h('input', { type: 'checkbox', id, value: String(question.id), testid: 'quiz-bank-item', dataset: { questionId: String(question.id) } }),
        h('label', { for: id }, question.prompt)));
    }
    const launchBank = h('button', { type: 'button', class: 'btn btn--primary btn--small', testid: 'quiz-launch-bank', i18n: 'quiz.launch',
      disabled: !bank || !bank.length });
    launchBank.addEventListener('click', () => {
      const ids = [...bankList.querySelectorAll('input:checked')].map((el) => Number(el.value));
      if (!ids.length) {
        say('quiz.pick', undefined, 'error');
        return;
      }
      teacherRequest('quiz:launch', { question_ids: ids, ...common() }, launchBank);
    });
    return h('div', { class: 'quiz-launch', testid: 'quiz-launch' },
      h('h3', { i18n: 'quiz.quickPoll' }),
      h('div', { class: 'field' }, h('label', { for: 'quiz-poll-prompt', i18n: 'quiz.prompt' }), prompt),
      h('div', { class: 'quiz-row' }, pollButtons),
      h('h3', { i18n: 'quiz.bank' }), bankList,
      h('div', { class: 'quiz-row' }, launchBank,
        h('button', { type: 'button', class: 'btn btn--ghost btn--small', testid: 'quiz-bank-reload', i18n: 'quiz.bankReload', onclick: () => loadBank() }),
        h('a', { href: `#/courses/${room.session.course_id}/questions`, class: 'btn btn--ghost btn--small', target: '_blank', i18n: 'quiz.bankManage' })),
      h('div', { class: 'quiz-row' },
        h('label', { class: 'quiz-check' }, anonymous, h('span', { i18n: 'quiz.anonymous' }))),
      h('div', { class: 'quiz-row' }, h('label', { for: 'quiz-time-limit', i18n: 'quiz.timeLimit' }), limit));
  }

  function teacherRunView() {
    const out = h('div', { class: 'quiz-run', testid: 'quiz-run', dataset: { runId: String(run.id), status: run.status } });
    out.append(runHeading());
    const p = progress && progress.run_id === run.id ? progress : null;
    if (p) {
      out.append(h('p', { class: 'quiz-respondents', testid: 'quiz-respondents', dataset: { count: String(p.respondents) },
        i18n: 'quiz.respondents', i18nArgs: { n: p.respondents, total: p.students } }));
      if (p.counts_hidden) out.append(h('p', { class: 'muted', testid: 'quiz-counts-hidden', i18n: 'quiz.countsHidden' }));
      for (const question of run.questions) {
        const q = p.questions.find((item) => item.id === question.id);
        out.append(h('h4', { class: 'quiz-prompt' }, localText(run, question.prompt)));
        if (q && q.counts) out.append(barChart(run, question, q.counts, { correct: q.correct }));
        if (q && q.texts) out.append(shortAnswerList(q.texts));
      }
      const waiting = h('ul', { class: 'quiz-waiting', testid: 'quiz-not-answered' },
        p.not_answered.map((person) => h('li', { dataset: { userId: String(person.user_id) } }, person.display_name,
          person.present === false ? h('span', { class: 'muted', i18n: 'quiz.away' }) : '')));
      out.append(h('h4', { i18n: 'quiz.notAnswered' }),
        p.not_answered.length ? waiting : h('p', { class: 'muted', testid: 'quiz-not-answered', i18n: 'quiz.everyoneAnswered' }));
    }
    if (run.status === 'open') {
      out.append(h('button', { type: 'button', class: 'btn btn--danger', testid: 'quiz-close', i18n: 'quiz.close',
        onclick: (event) => teacherRequest('quiz:close', { run_id: run.id }, event.currentTarget) }));
    } else if (!run.revealed) {
      out.append(h('button', { type: 'button', class: 'btn btn--primary', testid: 'quiz-reveal', i18n: 'quiz.reveal',
        onclick: (event) => teacherRequest('quiz:reveal', { run_id: run.id }, event.currentTarget) }));
    } else {
      out.append(h('p', { class: 'notice notice--ok', i18n: 'quiz.revealed' }));
    }
    return out;
  }

  // -- shared pieces ----------------------------------------------------------------------------

  function runHeading() {
    const heading = h('div', { class: 'quiz-heading' }, h('h3', { testid: 'quiz-run-title' }, localText(run, run.title)));
    if (run.graded) heading.append(h('span', { class: 'badge', i18n: 'quiz.graded', i18nArgs: { n: run.max_points } }));
    if (run.status === 'open' && run.deadline) {
      heading.append(h('span', { class: 'quiz-timer', testid: 'quiz-timer', role: 'timer' }));
    }
    if (run.status === 'closed' && run.close_reason) {
      heading.append(h('p', { class: 'muted', testid: 'quiz-closed', dataset: { reason: run.close_reason },
        i18n: `quiz.closedBy.${run.close_reason}` }));
    }
    return heading;
  }

  function studentRunView() {
    const out = h('div', { class: 'quiz-run', testid: 'quiz-run', dataset: { runId: String(run.id), status: run.status } });
    out.append(runHeading());
    if (run.anonymous && run.status === 'open') out.append(h('p', { class: 'muted', i18n: 'quiz.anonymousNote' }));
    if (run.status === 'open') {
      for (const question of run.questions) out.append(answerCard(question));
      return out;
    }
    const shown = results && results.run_id === run.id ? results : null;
    if (!shown) {
      for (const question of run.questions) out.append(answerCard(question));
      out.append(h('p', { class: 'muted', testid: 'quiz-waiting-results', i18n: 'quiz.waitingResults' }));
      return out;
    }
    const view = h('div', { class: 'quiz-results', testid: 'quiz-results' });
    if (myResult && run.graded) {
      view.append(h('p', { class: 'quiz-score', testid: 'quiz-score', i18n: 'quiz.myScore',
        i18nArgs: { points: myResult.points, max: myResult.max_points } }));
    }
    for (const question of run.questions) {
      const q = shown.questions.find((item) => item.id === question.id);
      const entry = mine[question.id];
      view.append(h('h4', { class: 'quiz-prompt' }, localText(run, question.prompt)));
      if (entry && typeof entry.correct === 'boolean') {
        view.append(h('p', { class: `quiz-verdict ${entry.correct ? 'is-correct' : 'is-wrong'}`, testid: 'quiz-verdict',
          dataset: { correct: String(entry.correct) }, i18n: entry.correct ? 'quiz.correct' : 'quiz.wrong' }));
      }
      if (q && q.counts) view.append(barChart(run, question, q.counts, { correct: q.correct, mine: entry?.response || null }));
      if (q && q.texts) view.append(shortAnswerList(q.texts));
    }
    out.append(view);
    return out;
  }

  function tick() {
    const el = panel.querySelector('[data-testid="quiz-timer"]');
    if (!el || !run || !run.deadline) return;
    const left = new Date(run.deadline).getTime() - Date.now();
    bind(el, 'quiz.remaining', { time: formatRemaining(left) });
    el.dataset.remaining = String(Math.max(0, Math.ceil(left / 1000)));
  }

  function render() {
    panel.hidden = !hasState;
    const parts = [];
    if (teaching) {
      if (!run || run.status !== 'open') parts.push(launchControls());
      if (run) parts.push(teacherRunView());
    } else if (run) {
      parts.push(studentRunView());
    } else {
      panel.hidden = true;
    }
    body.replaceChildren(...parts);
    clearInterval(timer);
    timer = null;
    if (run && run.status === 'open' && run.deadline) {
      tick();
      timer = setInterval(tick, 1000);
    }
  }

  // -- server events --------------------------------------------------------------------------

  const offs = [
    room.on('joined', adoptJoinState),
    onChange(() => render()), // poll titles and option labels follow the language
    room.onServer('quiz:launched', (data) => {
      message.hidden = true;
      const fresh = !run || run.id !== data.run.id;
      setRun(data.run, { keepAnswers: !fresh });
      results = null;
      render();
      if (fresh) announce(t('quiz.announceLaunched', { title: localText(data.run, data.run.title) }));
    }),
    room.onServer('quiz:progress', (data) => {
      if (!teaching) return;
      progress = data;
      render();
    }),
    room.onServer('quiz:closed', (data) => {
      if (run && run.id === data.run.id) {
        run = data.run;
        render();
        announce(t('quiz.announceClosed'));
      }
    }),
    room.onServer('quiz:results', (data) => {
      if (run && run.id === data.run.id) {
        run = data.run;
        results = data.results;
        render();
        announce(t('quiz.announceResults'));
      }
    }),
    room.onServer('quiz:my_result', (data) => {
      if (!run || run.id !== data.run_id) return;
      for (const [qid, stored] of Object.entries(data.mine.answers || {})) {
        mine[qid] = { ...stored, state: 'sent' };
      }
      if ('points' in data.mine) myResult = { points: data.mine.points, max_points: data.mine.max_points };
      render();
    }),
  ];
  render();

  return {
    destroy() {
      clearInterval(timer);
      offs.forEach((off) => off());
      panel.remove();
    },
  };
}
