// Quizzes outside the live class. The quiz page lists a student's attempts (or, for teachers,
// everyone's); the attempt page is where a student answers on a timer.
//
// Autosave: every change is sent at once with a fresh client id and `seq` = a rising
// millisecond clock, and kept in localStorage until the server acknowledges it. A dropped
// connection or a reload therefore loses nothing: unacknowledged answers are sent again, and
// the server keeps whichever save is newest. The countdown runs on the server's clock.
import * as api from '../api.js';
import { h, notice } from '../dom.js';
import { addStrings, timeElement } from '../i18n.js';
import { clientId } from '../live/room.js';

addStrings({
  ko: {
    'cq.back': '과제·평가로',
    'cq.start': '응시 시작',
    'cq.continue': '이어서 풀기',
    'cq.attempts': '응시 기록',
    'cq.attempt': '{n}회차',
    'cq.state.in_progress': '푸는 중',
    'cq.state.finished': '제출 완료',
    'cq.reason.time_up': '시간 종료로 제출됨',
    'cq.points': '{points} / {max}점',
    'cq.review': '검토 필요',
    'cq.allowed': '응시 가능 {n}회',
    'cq.timeLeft': '남은 시간 {time}',
    'cq.submit': '답안 제출',
    'cq.confirmSubmit': '제출하면 더 고칠 수 없습니다. 제출할까요?',
    'cq.saving': '저장 중…',
    'cq.saved': '저장됨',
    'cq.retrying': '연결을 기다리는 중 (답은 이 기기에 보관됨)',
    'cq.true': '참',
    'cq.false': '거짓',
    'cq.correct': '정답',
    'cq.wrong': '오답',
    'cq.yourAnswer': '내 답',
    'cq.key': '정답: {key}',
    'cq.override': '점수 조정',
    'cq.comment': '의견',
    'cq.save': '저장',
    'cq.question': '{n}번 ({points}점)',
  },
  en: {
    'cq.back': 'Back to assignments & quizzes',
    'cq.start': 'Start attempt',
    'cq.continue': 'Continue attempt',
    'cq.attempts': 'Attempts',
    'cq.attempt': 'Attempt {n}',
    'cq.state.in_progress': 'In progress',
    'cq.state.finished': 'Finished',
    'cq.reason.time_up': 'Submitted when time ran out',
    'cq.points': '{points} / {max} points',
    'cq.review': 'Needs review',
    'cq.allowed': '{n} attempts allowed',
    'cq.timeLeft': 'Time left {time}',
    'cq.submit': 'Submit answers',
    'cq.confirmSubmit': 'You cannot change your answers after submitting. Submit now?',
    'cq.saving': 'Saving…',
    'cq.saved': 'Saved',
    'cq.retrying': 'Waiting for the connection (answers are kept on this device)',
    'cq.true': 'True',
    'cq.false': 'False',
    'cq.correct': 'Correct',
    'cq.wrong': 'Wrong',
    'cq.yourAnswer': 'Your answer',
    'cq.key': 'Answer: {key}',
    'cq.override': 'Points',
    'cq.comment': 'Comment',
    'cq.save': 'Save',
    'cq.question': 'Question {n} ({points} points)',
  },
});

function attemptRow(attempt, name) {
  return h('li', { class: 'row', testid: 'attempt-row', dataset: { state: attempt.state } },
    h('a', { href: `#/quiz-attempts/${attempt.id}` }, name ? `${name} · ` : '', h('span', { i18n: 'cq.attempt', i18nArgs: { n: attempt.number } })),
    h('span', { class: 'badge', i18n: `cq.state.${attempt.state}` }),
    attempt.finish_reason === 'time_up' ? h('span', { class: 'muted', i18n: 'cq.reason.time_up' }) : '',
    attempt.points !== null ? h('span', { i18n: 'cq.points', i18nArgs: { points: attempt.points, max: attempt.max_points } }) : '',
    attempt.needs_review ? h('span', { class: 'badge badge--late', i18n: 'cq.review' }) : '');
}

export async function renderCourseQuiz(root, { id }) {
  const quizId = Number(id);
  const message = notice();
  const page = h('section', { class: 'page' }, message);
  root.append(page);
  try {
    const quiz = await api.get(`/api/course-quizzes/${quizId}`);
    const teach = Array.isArray(quiz.question_ids);
    const parts = [
      h('p', { class: 'crumbs' }, h('a', { href: `#/courses/${quiz.course_id}/work`, i18n: 'cq.back' })),
      h('h1', { testid: 'quiz-heading' }, quiz.title),
      quiz.intro ? h('p', { class: 'pre-wrap' }, quiz.intro) : '',
      h('p', { class: 'muted', i18n: 'cq.allowed', i18nArgs: { n: quiz.attempts_allowed } }),
      message,
    ];
    if (teach) {
      const attempts = await api.get(`/api/course-quizzes/${quizId}/attempts`);
      parts.push(h('h2', { i18n: 'cq.attempts' }), h('ul', { class: 'ticket-list', testid: 'attempt-list' },
        attempts.items.map((a) => attemptRow(a, a.display_name))));
    } else {
      const mine = await api.get(`/api/course-quizzes/${quizId}/my-attempts`);
      const running = mine.items.find((a) => a.state === 'in_progress');
      const start = h('button', { type: 'button', class: 'btn btn--primary', testid: 'attempt-start', i18n: running ? 'cq.continue' : 'cq.start' });
      start.addEventListener('click', async () => {
        try {
          const view = await api.post(`/api/course-quizzes/${quizId}/attempts`);
          location.hash = `/quiz-attempts/${view.attempt.id}`;
        } catch (error) {
          message.show(api.describeError(error));
        }
      });
      parts.push(start, h('h2', { i18n: 'cq.attempts' }),
        h('ul', { class: 'ticket-list', testid: 'attempt-list' }, mine.items.map((a) => attemptRow(a))));
    }
    page.replaceChildren(...parts);
  } catch (error) {
    message.show(api.describeError(error));
  }
}

// -- answering ------------------------------------------------------------------------------

const STORE = 'newssem.quizsave';
let lastSeq = 0;
function nextSeq() {
  lastSeq = Math.max(Date.now(), lastSeq + 1);
  return lastSeq;
}

function pendingKey(attemptId, position) {
  return `${STORE}.${attemptId}.${position}`;
}

function readPending(attemptId, position) {
  try {
    return JSON.parse(localStorage.getItem(pendingKey(attemptId, position)) || 'null');
  } catch {
    return null;
  }
}

function writePending(attemptId, position, save) {
  try {
    if (save) localStorage.setItem(pendingKey(attemptId, position), JSON.stringify(save));
    else localStorage.removeItem(pendingKey(attemptId, position));
  } catch {
    // Storage refused (private mode): the in-memory retry still runs.
  }
}

/** Sends one question's newest answer until the server has it; one request at a time. */
class AnswerSaver {
  constructor(attemptId, position, onState) {
    this.attemptId = attemptId;
    this.position = position;
    this.onState = onState;
    this.pending = readPending(attemptId, position);
    this.busy = false;
    this.delay = 1000;
    this.timer = null;
  }

  change(response) {
    this.pending = { response, client_id: clientId(), seq: nextSeq() };
    writePending(this.attemptId, this.position, this.pending);
    this.flush();
  }

  async flush() {
    if (this.busy || !this.pending) return;
    clearTimeout(this.timer);
    this.timer = null;
    this.busy = true;
    const save = this.pending;
    let retry = false;
    this.onState('saving');
    try {
      await api.request('PUT', `/api/quiz-attempts/${this.attemptId}/answers/${this.position}`, save);
      this.settle(save);
      this.delay = 1000;
    } catch (error) {
      if (error.status && error.status < 500 && error.status !== 429) {
        // Refused for good (the attempt finished, a malformed answer): drop it and say why.
        this.settle(save);
        this.busy = false;
        this.onState('error', error);
        return;
      }
      retry = true;
    }
    this.busy = false;
    if (retry) {
      this.onState('retrying');
      this.timer = setTimeout(() => this.flush(), this.delay);
      this.delay = Math.min(this.delay * 2, 15000);
    } else if (this.pending) {
      this.flush();
    } else {
      this.onState('saved');
    }
  }

  settle(save) {
    if (this.pending !== save) return; // a newer answer is waiting its turn
    this.pending = null;
    writePending(this.attemptId, this.position, null);
  }

  /** Resolve once nothing is waiting to be saved, or reject after `ms`. */
  async drain(ms = 15000) {
    const until = Date.now() + ms;
    while (this.pending || this.busy) {
      if (Date.now() > until) throw new Error('not saved');
      if (!this.busy) await this.flush();
      if (this.pending || this.busy) await new Promise((resolve) => { setTimeout(resolve, 300); });
    }
  }

  stop() {
    clearTimeout(this.timer);
  }
}

function optionLabels(question) {
  if (question.kind === 'true_false') return [['cq.true'], ['cq.false']];
  return question.options.map((label) => [null, label]);
}

function answerInput(question, disabled, onChange) {
  const name = `q${question.position}`;
  if (question.kind === 'short_answer') {
    const input = h('input', { type: 'text', maxLength: 200, disabled, testid: 'answer-text', value: question.response?.text || '' });
    let debounce = null;
    input.addEventListener('input', () => {
      clearTimeout(debounce);
      debounce = setTimeout(() => input.value.trim() && onChange({ text: input.value }), 600);
    });
    return input;
  }
  const multiple = question.kind === 'multiple_choice';
  const chosen = new Set(multiple ? question.response?.choices || [] : [question.response?.choice].filter((v) => v !== undefined));
  const inputs = [];
  const box = h('div', { class: 'options', role: multiple ? 'group' : 'radiogroup' }, optionLabels(question).map(([key, label], index) => {
    const input = h('input', { type: multiple ? 'checkbox' : 'radio', name, value: String(index), checked: chosen.has(index), disabled, testid: 'answer-option' });
    inputs.push(input);
    input.addEventListener('change', () => {
      const picked = inputs.filter((el) => el.checked).map((el) => Number(el.value));
      if (multiple) {
        if (picked.length) onChange({ choices: picked });
      } else {
        onChange({ choice: picked[0] });
      }
    });
    return h('label', { class: 'check' }, input, key ? h('span', { i18n: key }) : h('span', {}, label));
  }));
  return box;
}

function describeKey(question) {
  if (!question.correct) return '';
  if (question.kind === 'short_answer') return question.correct.join(', ');
  const labels = question.kind === 'true_false' ? ['참/True', '거짓/False'] : question.options;
  return question.correct.map((i) => labels[i]).join(', ');
}

function reviewBlock(question, teach, attemptId, message, reload) {
  const parts = [];
  if (question.is_correct !== null && question.is_correct !== undefined) {
    parts.push(h('span', { class: `badge badge--${question.is_correct ? 'present' : 'absent'}`, testid: 'answer-verdict', i18n: question.is_correct ? 'cq.correct' : 'cq.wrong' }));
  }
  if (question.correct?.length) parts.push(h('span', { class: 'muted', i18n: 'cq.key', i18nArgs: { key: describeKey(question) } }));
  const given = question.manual_points ?? question.auto_points;
  if (given !== null && given !== undefined) parts.push(h('span', { i18n: 'cq.points', i18nArgs: { points: given, max: question.points } }));
  if (question.manual_comment) parts.push(h('p', { class: 'pre-wrap' }, question.manual_comment));
  if (teach) {
    const points = h('input', { type: 'number', min: 0, max: question.points, step: 'any', value: question.manual_points ?? '', 'aria-label': 'points', testid: 'override-points' });
    const comment = h('input', { maxLength: 5000, value: question.manual_comment || '', 'aria-label': 'comment' });
    const form = h('form', { class: 'row', testid: 'override-form' }, h('span', { i18n: 'cq.override' }), points, h('span', { i18n: 'cq.comment' }), comment,
      h('button', { type: 'submit', class: 'btn', i18n: 'cq.save' }));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        await api.post(`/api/quiz-attempts/${attemptId}/questions/${question.position}/grade`, {
          points: points.value === '' ? null : Number(points.value), comment: comment.value,
        });
        await reload();
      } catch (error) {
        message.show(api.describeError(error));
      }
    });
    parts.push(form);
  }
  return h('div', { class: 'row review' }, parts);
}

function formatLeft(ms) {
  const total = Math.max(0, Math.floor(ms / 1000));
  const m = Math.floor(total / 60);
  const s = String(total % 60).padStart(2, '0');
  return `${m}:${s}`;
}

export async function renderQuizAttempt(root, { id }) {
  const attemptId = Number(id);
  const message = notice();
  const page = h('section', { class: 'page' }, message);
  root.append(page);
  let savers = [];
  let tick = null;
  const cleanup = () => {
    clearInterval(tick);
    for (const saver of savers) saver.stop();
  };

  async function reload() {
    cleanup();
    let view;
    try {
      view = await api.get(`/api/quiz-attempts/${attemptId}`);
    } catch (error) {
      message.show(api.describeError(error));
      return;
    }
    const { attempt, quiz } = view;
    const running = attempt.state === 'in_progress';
    const teach = !running && view.questions.some((q) => q.correct !== null) && attempt.user_id !== api.user().id;
    const skew = new Date(view.server_time).getTime() - Date.now();
    const clock = h('p', { class: 'quiz-clock', testid: 'quiz-clock', role: 'timer' });
    savers = [];
    const blocks = view.questions.map((question) => {
      const status = h('span', { class: 'muted save-state', testid: 'save-state', role: 'status' });
      const saver = running ? new AnswerSaver(attemptId, question.position, (state, error) => {
        status.dataset.state = state;
        status.textContent = '';
        if (state === 'error') message.show(api.describeError(error));
        else status.append(h('span', { i18n: `cq.${state}` }));
        if (state === 'error' && error.status === 409) reload();
      }) : null;
      if (saver) savers.push(saver);
      const pending = saver?.pending;
      const shown = pending ? { ...question, response: pending.response } : question;
      return h('li', { class: 'card question', testid: 'quiz-question', dataset: { position: String(question.position) } },
        h('p', { class: 'muted', i18n: 'cq.question', i18nArgs: { n: question.position + 1, points: question.points } }),
        h('p', { class: 'pre-wrap' }, question.prompt),
        answerInput(shown, !running, (response) => saver.change(response)),
        running ? status : reviewBlock(question, teach, attemptId, message, reload));
    });
    const submit = h('button', { type: 'button', class: 'btn btn--primary', testid: 'attempt-submit', i18n: 'cq.submit' });
    submit.addEventListener('click', async () => {
      if (!confirm(h('span', { i18n: 'cq.confirmSubmit' }).textContent)) return;
      try {
        await Promise.all(savers.map((saver) => saver.drain()));
        await api.post(`/api/quiz-attempts/${attemptId}/submit`);
        await reload();
      } catch (error) {
        message.show(api.describeError(error));
      }
    });
    page.replaceChildren(
      h('p', { class: 'crumbs' }, h('a', { href: `#/course-quizzes/${quiz.id}`, i18n: 'cq.back' })),
      h('h1', {}, quiz.title),
      h('p', {}, h('span', { class: 'badge', testid: 'attempt-state', dataset: { state: attempt.state }, i18n: `cq.state.${attempt.state}` }), ' ',
        attempt.points !== null ? h('strong', { testid: 'attempt-points', i18n: 'cq.points', i18nArgs: { points: attempt.points, max: attempt.max_points } }) : '',
        attempt.needs_review ? h('span', { class: 'badge badge--late', i18n: 'cq.review' }) : '',
        ' ', timeElement(attempt.started_at)),
      running && attempt.deadline ? clock : '',
      message,
      h('ol', { class: 'ticket-list', testid: 'quiz-questions' }, blocks),
      running ? submit : '');
    for (const saver of savers) if (saver.pending) saver.flush();
    if (running && attempt.deadline) {
      const deadline = new Date(attempt.deadline).getTime();
      const update = () => {
        const left = deadline - (Date.now() + skew);
        clock.textContent = '';
        clock.append(h('span', { i18n: 'cq.timeLeft', i18nArgs: { time: formatLeft(left) } }));
        if (left <= -31000) reload(); // the server has finished it by now
      };
      update();
      tick = setInterval(update, 1000);
    }
  }
  await reload();
  return cleanup;
}
