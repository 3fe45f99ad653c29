// The quizzes and polls of one live session, after (or during) class. Teachers see every run's
// counts and each student's points; a student sees their own answers, and the class's results
// where the teacher revealed them.
import * as api from '../api.js';
import { h, notice } from '../dom.js';
import { addStrings, timeElement } from '../i18n.js';
import { barChart, localText, shortAnswerList } from '../live/quiz.js';

addStrings({
  ko: {
    'quizResults.title': '퀴즈 결과',
    'quizResults.link': '퀴즈 결과',
    'quizResults.empty': '이 수업에서 낸 퀴즈나 투표가 없습니다.',
    'quizResults.kind.quiz': '퀴즈',
    'quizResults.kind.poll': '투표',
    'quizResults.anonymous': '익명',
    'quizResults.open': '진행 중',
    'quizResults.closed': '마감',
    'quizResults.grades': '점수',
    'quizResults.student': '학생',
    'quizResults.points': '점수',
    'quizResults.answered': '답한 문항',
    'quizResults.pointsOf': '{points} / {max}',
    'quizResults.myAnswer': '내 답: {answer}',
    'quizResults.noAnswer': '답하지 않았습니다.',
    'quizResults.notRevealed': '선생님이 아직 결과를 공개하지 않았습니다.',
    'quizResults.hidden': '익명 투표가 진행 중이라 선택별 응답 수는 마감 후에 보입니다.',
  },
  en: {
    'quizResults.title': 'Quiz results',
    'quizResults.link': 'Quiz results',
    'quizResults.empty': 'No quiz or poll in this class.',
    'quizResults.kind.quiz': 'Quiz',
    'quizResults.kind.poll': 'Poll',
    'quizResults.anonymous': 'Anonymous',
    'quizResults.open': 'Open',
    'quizResults.closed': 'Closed',
    'quizResults.grades': 'Points',
    'quizResults.student': 'Student',
    'quizResults.points': 'Points',
    'quizResults.answered': 'Answered',
    'quizResults.pointsOf': '{points} / {max}',
    'quizResults.myAnswer': 'My answer: {answer}',
    'quizResults.noAnswer': 'Not answered.',
    'quizResults.notRevealed': 'The teacher has not revealed the results yet.',
    'quizResults.hidden': 'Anonymous poll still open: the counts appear once it is closed.',
  },
});

function answerText(run, question, response) {
  if (!response) return '';
  if ('text' in response) return response.text;
  const picked = 'choice' in response ? [response.choice] : response.choices;
  if (question.kind === 'true_false') return picked.map((i) => (i === 0 ? 'O' : 'X')).join(', ');
  return picked.map((i) => question.options[i]).join(', ');
}

function gradesTable(grades) {
  return h('div', { class: 'table-wrap' }, h('table', { class: 'table', testid: 'quiz-grades' },
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col', i18n: 'quizResults.student' }),
      h('th', { scope: 'col', class: 'num', i18n: 'quizResults.points' }),
      h('th', { scope: 'col', class: 'num', i18n: 'quizResults.answered' }))),
    h('tbody', {}, grades.map((g) => h('tr', { dataset: { userId: String(g.user_id) } },
      h('th', { scope: 'row' }, g.display_name),
      h('td', { class: 'num', i18n: 'quizResults.pointsOf', i18nArgs: { points: g.points, max: g.max_points } }),
      h('td', { class: 'num' }, String(g.answered)))))));
}

function runCard(run) {
  const card = h('section', { class: 'card', testid: 'quiz-result', dataset: { runId: String(run.id), status: run.status } },
    h('h2', {}, localText(run, run.title)),
    h('p', { class: 'bank-meta' },
      h('span', { class: 'badge', i18n: `quizResults.kind.${run.kind}` }), ' ',
      run.anonymous ? h('span', { class: 'badge', i18n: 'quizResults.anonymous' }) : '', ' ',
      h('span', { class: 'badge', i18n: run.status === 'open' ? 'quizResults.open' : 'quizResults.closed' }), ' ',
      timeElement(run.launched_at)));
  const numbers = run.progress || run.results || null;
  for (const question of run.questions) {
    card.append(h('h3', { class: 'quiz-prompt' }, localText(run, question.prompt)));
    const mine = run.mine?.answers?.[String(question.id)];
    if (run.mine && !run.anonymous) {
      card.append(mine
        ? h('p', { testid: 'quiz-my-answer', i18n: 'quizResults.myAnswer', i18nArgs: { answer: answerText(run, question, mine.response) } })
        : h('p', { class: 'muted', i18n: 'quizResults.noAnswer' }));
    }
    const q = numbers?.questions?.find((item) => item.id === question.id);
    if (q?.counts) card.append(barChart(run, question, q.counts, { correct: q.correct || [], mine: mine?.response || null }));
    if (q?.texts) card.append(shortAnswerList(q.texts));
  }
  if (run.progress?.counts_hidden) card.append(h('p', { class: 'muted', i18n: 'quizResults.hidden' }));
  if (run.mine && !run.results && run.status === 'closed') card.append(h('p', { class: 'muted', i18n: 'quizResults.notRevealed' }));
  if (run.grades?.length) card.append(h('h3', { i18n: 'quizResults.grades' }), gradesTable(run.grades));
  return card;
}

export async function renderQuizResults(root, { id }) {
  const sessionId = Number(id);
  const message = notice();
  const page = h('section', { class: 'page' });
  root.append(page);
  try {
    const [session, runs] = await Promise.all([
      api.get(`/api/sessions/${sessionId}`),
      api.get(`/api/sessions/${sessionId}/quiz-runs`),
    ]);
    page.append(
      h('p', { class: 'crumbs' }, h('a', { href: `#/courses/${session.course_id}` }, session.title)),
      h('h1', { testid: 'quiz-results-title', i18n: 'quizResults.title' }),
      message,
      runs.items.length ? h('div', {}, runs.items.map(runCard)) : h('p', { class: 'empty', i18n: 'quizResults.empty' }),
    );
  } catch (error) {
    page.append(h('h1', { i18n: 'quizResults.title' }), message);
    message.show(api.describeError(error));
  }
}
