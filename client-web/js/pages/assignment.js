// One assignment: a student hands in (and revises until it is graded); a teacher sees every
// student's submission, including who has not handed in, and grades with feedback.
import * as api from '../api.js';
import { field, h, notice } from '../dom.js';
import { addStrings, timeElement } from '../i18n.js';
import { clientId } from '../live/room.js';

addStrings({
  ko: {
    'assign.back': '과제·평가로',
    'assign.due': '마감: ',
    'assign.cutoff': '최종 마감: ',
    'assign.policy.refuse': '마감 후 제출 불가',
    'assign.policy.accept': '마감 후 제출 시 지각 표시',
    'assign.policy.penalty': '마감 후 하루마다 {n}% 감점',
    'assign.maxPoints': '만점 {n}점',
    'assign.yours': '내 제출',
    'assign.notYet': '아직 제출하지 않았습니다.',
    'assign.text': '제출 내용',
    'assign.submit': '제출',
    'assign.resubmit': '다시 제출',
    'assign.saved': '제출했습니다. (수정 {n}회)',
    'assign.late': '{n}일 늦음',
    'assign.status.submitted': '제출함',
    'assign.status.graded': '채점 완료',
    'assign.points': '점수 {points} / {max}',
    'assign.rawPoints': '(감점 전 {n})',
    'assign.feedback': '피드백',
    'assign.students': '학생 제출 현황',
    'assign.student': '학생',
    'assign.state': '상태',
    'assign.missing': '미제출',
    'assign.grade': '채점',
    'assign.gradeBtn': '저장',
    'assign.reopen': '다시 제출 허용',
    'assign.files': '파일 첨부',
    'assign.removeFile': '빼기',
  },
  en: {
    'assign.back': 'Back to assignments & quizzes',
    'assign.due': 'Due: ',
    'assign.cutoff': 'Cut-off: ',
    'assign.policy.refuse': 'Late submissions are refused',
    'assign.policy.accept': 'Late submissions are marked late',
    'assign.policy.penalty': '{n}% off per day late',
    'assign.maxPoints': 'Out of {n}',
    'assign.yours': 'Your submission',
    'assign.notYet': 'Not handed in yet.',
    'assign.text': 'Your work',
    'assign.submit': 'Hand in',
    'assign.resubmit': 'Hand in again',
    'assign.saved': 'Handed in (revision {n}).',
    'assign.late': '{n} days late',
    'assign.status.submitted': 'Handed in',
    'assign.status.graded': 'Graded',
    'assign.points': '{points} / {max} points',
    'assign.rawPoints': '(before penalty {n})',
    'assign.feedback': 'Feedback',
    'assign.students': 'Submissions',
    'assign.student': 'Student',
    'assign.state': 'Status',
    'assign.missing': 'Not handed in',
    'assign.grade': 'Grade',
    'assign.gradeBtn': 'Save',
    'assign.reopen': 'Allow a new submission',
    'assign.files': 'Attach files',
    'assign.removeFile': 'Remove',
  },
});

function policyLine(assignment) {
  const key = `assign.policy.${assignment.late_policy}`;
  return h('p', { class: 'muted' },
    h('span', { i18n: 'assign.due' }), timeElement(assignment.due_at), ' · ',
    h('span', { i18n: key, i18nArgs: { n: assignment.late_penalty_percent } }), ' · ',
    h('span', { i18n: 'assign.maxPoints', i18nArgs: { n: assignment.max_points } }),
    assignment.cutoff_at ? [' · ', h('span', { i18n: 'assign.cutoff' }), timeElement(assignment.cutoff_at)] : '');
}

function gradeLine(submission, max) {
  if (submission.points === null || submission.points === undefined) return '';
  return h('p', { testid: 'submission-grade' },
    h('strong', { i18n: 'assign.points', i18nArgs: { points: submission.points, max } }),
    submission.raw_points !== submission.points ? [' ', h('span', { class: 'muted', i18n: 'assign.rawPoints', i18nArgs: { n: submission.raw_points } })] : '',
    submission.feedback ? h('p', { class: 'pre-wrap', testid: 'submission-feedback' }, submission.feedback) : '');
}

function fileLinks(files) {
  if (!files?.length) return '';
  return h('ul', { class: 'file-list', testid: 'submission-file-links' }, files.map((file) =>
    h('li', {}, h('a', { href: file.url, target: '_blank', rel: 'noopener' }, file.name))));
}

function statusBadge(submission) {
  if (!submission) return h('span', { class: 'badge badge--absent', i18n: 'assign.missing' });
  return h('span', { class: `badge badge--${submission.status === 'graded' ? 'present' : 'scheduled'}`, testid: 'submission-status', dataset: { status: submission.status }, i18n: `assign.status.${submission.status}` });
}

function studentView(assignment, mine, message, reload) {
  const submission = mine.submission;
  const parts = [h('h2', { i18n: 'assign.yours' })];
  if (submission) {
    parts.push(h('p', {}, statusBadge(submission), ' ', timeElement(submission.submitted_at),
      submission.late_days ? [' ', h('span', { class: 'badge badge--late', i18n: 'assign.late', i18nArgs: { n: submission.late_days } })] : ''));
    parts.push(gradeLine(submission, assignment.max_points));
  } else {
    parts.push(h('p', { class: 'empty', i18n: 'assign.notYet' }));
  }
  if (submission?.status !== 'graded') {
    const text = h('textarea', { rows: 8, maxLength: 50000, testid: 'submission-text' });
    text.value = submission?.text || '';
    // Files already handed in stay with the next revision unless removed here.
    const kept = new Map((submission?.files || []).map((file) => [file.id, file]));
    const keptList = h('ul', { class: 'file-list', testid: 'submission-files' });
    const showKept = () => keptList.replaceChildren(...[...kept.values()].map((file) => {
      const remove = h('button', { type: 'button', class: 'btn btn--ghost', i18n: 'assign.removeFile' });
      remove.addEventListener('click', () => { kept.delete(file.id); showKept(); });
      return h('li', { class: 'row' }, h('a', { href: file.url, target: '_blank', rel: 'noopener' }, file.name), remove);
    }));
    showKept();
    const picker = h('input', { type: 'file', multiple: true, testid: 'submission-file' });
    const button = h('button', { type: 'submit', class: 'btn btn--primary', testid: 'submission-send', i18n: submission ? 'assign.resubmit' : 'assign.submit' });
    const form = h('form', { class: 'form', testid: 'submission-form' },
      assignment.accepts_text ? field('assign.text', text).wrap : '',
      assignment.accepts_files ? [field('assign.files', picker).wrap, keptList] : '',
      button);
    // The id stays the same until the server confirms, so a retry after a lost reply is recognised.
    let pendingId = clientId();
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      button.disabled = true;
      try {
        // Upload new files first; the submission then names them (uploads alone hand in nothing).
        for (const file of picker.files || []) {
          const stored = await api.upload(`/api/assignments/${assignment.id}/files`, file);
          kept.set(stored.id, stored);
        }
        picker.value = '';
        showKept();
        const saved = await api.request('PUT', `/api/assignments/${assignment.id}/submission`, {
          text: assignment.accepts_text ? text.value : '', client_id: pendingId, file_ids: [...kept.keys()],
        });
        pendingId = clientId();
        await reload();
        message.showKey('assign.saved', { n: saved.revision });
      } catch (error) {
        message.show(api.describeError(error));
      } finally {
        button.disabled = false;
      }
    });
    parts.push(form);
  } else {
    if (submission.text) parts.push(h('p', { class: 'pre-wrap card' }, submission.text));
    parts.push(fileLinks(submission.files));
  }
  return h('section', { class: 'card', testid: 'my-submission' }, parts);
}

function gradeForm(assignment, submission, message, reload) {
  const points = h('input', { type: 'number', min: 0, max: assignment.max_points, step: 'any', required: true, testid: 'grade-points', value: submission.raw_points ?? '' });
  const feedback = h('textarea', { rows: 2, maxLength: 10000, testid: 'grade-feedback' });
  feedback.value = submission.feedback || '';
  const form = h('form', { class: 'form form--inline', testid: 'grade-form' },
    field('assign.grade', points).wrap, field('assign.feedback', feedback).wrap,
    h('button', { type: 'submit', class: 'btn btn--primary', testid: 'grade-save', i18n: 'assign.gradeBtn' }));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await api.post(`/api/submissions/${submission.id}/grade`, { points: Number(points.value), feedback: feedback.value });
      await reload();
    } catch (error) {
      message.show(api.describeError(error));
    }
  });
  const reopen = h('button', { type: 'button', class: 'btn', i18n: 'assign.reopen' });
  reopen.addEventListener('click', async () => {
    try {
      await api.post(`/api/submissions/${submission.id}/reopen`);
      await reload();
    } catch (error) {
      message.show(api.describeError(error));
    }
  });
  return h('div', {}, form, submission.status === 'graded' ? reopen : '');
}

function teacherView(assignment, rows, message, reload) {
  return h('section', { class: 'card' }, h('h2', { i18n: 'assign.students' }),
    h('ul', { class: 'ticket-list', testid: 'submission-list' }, rows.map((row) =>
      h('li', { class: 'card', testid: 'submission-row', dataset: { userId: String(row.user_id) } },
        h('p', { class: 'row' }, h('strong', {}, row.display_name), statusBadge(row.submission),
          row.submission?.late_days ? h('span', { class: 'badge badge--late', i18n: 'assign.late', i18nArgs: { n: row.submission.late_days } }) : ''),
        row.submission ? [
          row.submission.text ? h('p', { class: 'pre-wrap' }, row.submission.text) : '',
          fileLinks(row.submission.files),
          gradeLine(row.submission, assignment.max_points),
          gradeForm(assignment, row.submission, message, reload)] : ''))));
}

export async function renderAssignment(root, { id }) {
  const assignmentId = Number(id);
  const me = api.user();
  const message = notice();
  const page = h('section', { class: 'page' });
  root.append(page);
  const reload = async () => {
    try {
      const assignment = await api.get(`/api/assignments/${assignmentId}`);
      const course = await api.get(`/api/courses/${assignment.course_id}`);
      const teach = course.my_role !== 'student' && (course.my_role || me.role !== 'student');
      const body = teach
        ? teacherView(assignment, (await api.get(`/api/assignments/${assignmentId}/submissions`)).items, message, reload)
        : studentView(assignment, await api.get(`/api/assignments/${assignmentId}/submission`), message, reload);
      page.replaceChildren(
        h('p', { class: 'crumbs' }, h('a', { href: `#/courses/${assignment.course_id}/work`, i18n: 'assign.back' })),
        h('h1', { testid: 'assignment-heading' }, assignment.title),
        policyLine(assignment),
        assignment.instructions ? h('p', { class: 'pre-wrap' }, assignment.instructions) : '',
        message, body);
    } catch (error) {
      page.replaceChildren(h('h1', { i18n: 'work.assignments' }), message);
      message.show(api.describeError(error));
    }
  };
  await reload();
}
