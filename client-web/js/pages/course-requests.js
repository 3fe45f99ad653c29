// Course requests: a teacher asks for a course and follows its status; the school admin works
// through the approval queue (approve, or reject with a reason the teacher reads).
import * as api from '../api.js';
import { field, h, notice, select } from '../dom.js';
import { addStrings, t, timeElement } from '../i18n.js';

addStrings({
  ko: {
    'nav.courseRequests': '강좌 개설',
    'req.title': '강좌 개설 신청',
    'req.new': '새 강좌 신청',
    'req.courseTitle': '강좌 이름',
    'req.subject': '과목',
    'req.gradeBand': '학년',
    'req.schedule': '시간표 (예: 화·목 5교시)',
    'req.startsOn': '시작일',
    'req.endsOn': '종료일',
    'req.justification': '신청 사유',
    'req.partners': '함께하는 학교 (공동 교육과정, 선택)',
    'req.partnersHint': 'Ctrl(⌘) 키를 누른 채 여러 학교를 고를 수 있습니다.',
    'req.submit': '신청하기',
    'req.sent': '신청했습니다. 학교 관리자가 승인하면 강좌가 열립니다.',
    'req.mine': '내 신청',
    'req.queue': '승인 대기',
    'req.decided': '처리한 신청',
    'req.none': '신청이 없습니다.',
    'req.requestedBy': '신청자',
    'req.when': '신청일',
    'req.status': '상태',
    'req.reason': '사유',
    'req.status.pending': '대기',
    'req.status.approved': '승인',
    'req.status.rejected': '반려',
    'req.status.withdrawn': '철회',
    'req.approve': '승인',
    'req.reject': '반려',
    'req.rejectReason': '반려 사유',
    'req.withdraw': '신청 철회',
    'req.openCourse': '강좌로 가기',
    'req.cross': '공동 교육과정',
    'req.partnersList': '참여 학교',
  },
  en: {
    'nav.courseRequests': 'Course requests',
    'req.title': 'Course requests',
    'req.new': 'Request a course',
    'req.courseTitle': 'Course title',
    'req.subject': 'Subject',
    'req.gradeBand': 'Grade',
    'req.schedule': 'Schedule (e.g. Tue & Thu, 5th period)',
    'req.startsOn': 'Starts on',
    'req.endsOn': 'Ends on',
    'req.justification': 'Why this course',
    'req.partners': 'Partner schools (joint curriculum, optional)',
    'req.partnersHint': 'Hold Ctrl (⌘) to choose several schools.',
    'req.submit': 'Send the request',
    'req.sent': "Sent. The course opens when your school admin approves it.",
    'req.mine': 'My requests',
    'req.queue': 'Waiting for approval',
    'req.decided': 'Decided requests',
    'req.none': 'No requests.',
    'req.requestedBy': 'Requested by',
    'req.when': 'Requested',
    'req.status': 'Status',
    'req.reason': 'Reason',
    'req.status.pending': 'Pending',
    'req.status.approved': 'Approved',
    'req.status.rejected': 'Rejected',
    'req.status.withdrawn': 'Withdrawn',
    'req.approve': 'Approve',
    'req.reject': 'Reject',
    'req.rejectReason': 'Reason for rejecting',
    'req.withdraw': 'Withdraw',
    'req.openCourse': 'Open the course',
    'req.cross': 'Joint curriculum',
    'req.partnersList': 'Schools taking part',
  },
});

const BADGE = { pending: 'scheduled', approved: 'present', rejected: 'absent', withdrawn: 'closed' };

function clientId() {
  return (crypto.randomUUID && crypto.randomUUID()) || `${Date.now()}-${Math.random()}`;
}

function requestForm(schools, me, reload) {
  const title = field('req.courseTitle', h('input', { required: true, maxLength: 200, testid: 'req-title' }));
  const subject = field('req.subject', h('input', { maxLength: 100, testid: 'req-subject' }));
  const grade = field('req.gradeBand', h('input', { maxLength: 32, testid: 'req-grade' }));
  const schedule = field('req.schedule', h('input', { maxLength: 200, testid: 'req-schedule' }));
  const starts = field('req.startsOn', h('input', { type: 'date', testid: 'req-starts' }));
  const ends = field('req.endsOn', h('input', { type: 'date', testid: 'req-ends' }));
  const why = field('req.justification', h('textarea', { rows: 3, maxLength: 2000, testid: 'req-justification' }));
  const others = schools.filter((s) => s.id !== me.school_id);
  const partners = field('req.partners', select(others.map((s) => [String(s.id), '']), { multiple: true, size: Math.min(6, Math.max(2, others.length)), testid: 'req-partners' }));
  others.forEach((s, i) => { partners.input.options[i].textContent = `${s.name} (${s.code})`; });
  const message = notice();
  const form = h('form', { class: 'card form', testid: 'request-form' },
    h('h2', { i18n: 'req.new' }), title.wrap, subject.wrap, grade.wrap, schedule.wrap, starts.wrap, ends.wrap, why.wrap,
    others.length ? partners.wrap : '', others.length ? h('p', { class: 'hint', i18n: 'req.partnersHint' }) : '', message,
    h('button', { type: 'submit', class: 'btn btn--primary', i18n: 'req.submit', testid: 'req-submit' }));
  let pending = clientId();
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.hide();
    try {
      await api.post('/api/course-requests', {
        client_id: pending, title: title.input.value.trim(), subject: subject.input.value.trim(),
        grade_band: grade.input.value.trim(), schedule: schedule.input.value.trim(),
        starts_on: starts.input.value || null, ends_on: ends.input.value || null,
        justification: why.input.value.trim(),
        partner_school_ids: [...partners.input.selectedOptions].map((o) => Number(o.value)),
      });
      pending = clientId();
      form.reset();
      await reload();
      message.showKey('req.sent');
    } catch (error) {
      message.show(api.describeError(error));
    }
  });
  return form;
}

function schoolName(schools, id) {
  const school = schools.find((s) => s.id === id);
  return school ? school.name : `#${id}`;
}

function requestRow(req, ctx) {
  const { me, schools, reload, message } = ctx;
  const actions = h('td', { class: 'actions' });
  const act = (fn) => async (event) => {
    event.target.disabled = true;
    message.hide();
    try {
      await fn();
      await reload();
    } catch (error) {
      event.target.disabled = false;
      message.show(api.describeError(error));
    }
  };
  const decides = req.status === 'pending' && (me.role === 'admin' || (me.role === 'school_admin' && me.school_id === req.school_id));
  if (decides) {
    const reason = h('input', { maxLength: 1000, testid: 'reject-reason', 'aria-label': t('req.rejectReason'), placeholder: t('req.rejectReason') });
    actions.append(
      h('button', { type: 'button', class: 'btn btn--primary', i18n: 'req.approve', testid: 'approve', onclick: act(() => api.post(`/api/course-requests/${req.id}/approve`, {})) }), ' ',
      reason, ' ',
      h('button', { type: 'button', class: 'btn btn--danger', i18n: 'req.reject', testid: 'reject',
        onclick: act(async () => {
          if (!reason.value.trim()) {
            reason.focus();
            throw new api.ApiError(400, 'invalid_input', t('req.rejectReason'));
          }
          await api.post(`/api/course-requests/${req.id}/reject`, { reason: reason.value.trim() });
        }) }));
  }
  if (req.status === 'pending' && req.requested_by.id === me.id) {
    actions.append(h('button', { type: 'button', class: 'btn', i18n: 'req.withdraw', testid: 'withdraw', onclick: act(() => api.post(`/api/course-requests/${req.id}/withdraw`)) }));
  }
  if (req.course_id) {
    actions.append(h('a', { href: `#/courses/${req.course_id}`, class: 'btn', i18n: 'req.openCourse', testid: 'open-course' }));
  }
  const details = [req.subject, req.grade_band, req.schedule].filter(Boolean).join(' · ');
  const dates = [req.starts_on, req.ends_on].filter(Boolean).join(' ~ ');
  return h('tr', { testid: 'request-row', dataset: { requestId: String(req.id), status: req.status } },
    h('th', { scope: 'row' }, h('div', { testid: 'request-title' }, req.title),
      details ? h('div', { class: 'muted small' }, details) : '',
      dates ? h('div', { class: 'muted small' }, dates) : '',
      req.cross_school ? h('div', { class: 'small' }, h('span', { class: 'badge', i18n: 'req.cross' }), ' ',
        [req.school_id, ...req.partner_school_ids].map((id) => schoolName(schools, id)).join(', ')) : '',
      req.justification ? h('div', { class: 'small pre-wrap' }, req.justification) : ''),
    h('td', {}, req.requested_by.display_name, h('div', { class: 'muted small' }, schoolName(schools, req.school_id))),
    h('td', {}, timeElement(req.created_at, 'date')),
    h('td', {}, h('span', { class: `badge badge--${BADGE[req.status]}`, testid: 'request-status', i18n: `req.status.${req.status}` })),
    h('td', { testid: 'request-reason' }, req.reason),
    actions);
}

function requestTable(titleKey, items, ctx, testid) {
  return h('section', { class: 'card', testid },
    h('h2', { i18n: titleKey }),
    items.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'table' },
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col', i18n: 'req.courseTitle' }), h('th', { scope: 'col', i18n: 'req.requestedBy' }),
        h('th', { scope: 'col', i18n: 'req.when' }), h('th', { scope: 'col', i18n: 'req.status' }),
        h('th', { scope: 'col', i18n: 'req.reason' }), h('th', { scope: 'col', i18n: 'session.actions' }))),
      h('tbody', {}, items.map((req) => requestRow(req, ctx))))) : h('p', { class: 'empty', i18n: 'req.none' }));
}

export async function renderCourseRequests(root) {
  const me = api.user();
  const page = h('section', { class: 'page' });
  const message = notice();
  root.append(page);
  const reload = async () => {
    try {
      const schools = (await api.get('/api/course-requests/schools')).items;
      const ctx = { me, schools, reload, message };
      const parts = [h('h1', { i18n: 'req.title' }), message];
      if (me.role === 'teacher') {
        const mine = await api.get('/api/course-requests?mine=true&limit=100');
        parts.push(h('div', { class: 'form-grid' }, requestForm(schools, me, reload)),
          requestTable('req.mine', mine.items, ctx, 'my-requests'));
      } else {
        const [pending, decided] = await Promise.all([
          api.get('/api/course-requests?status=pending&limit=100'),
          api.get('/api/course-requests?limit=50'),
        ]);
        parts.push(requestTable('req.queue', pending.items, ctx, 'request-queue'),
          requestTable('req.decided', decided.items.filter((r) => r.status !== 'pending'), ctx, 'decided-requests'));
      }
      page.replaceChildren(...parts);
    } catch (error) {
      page.replaceChildren(h('h1', { i18n: 'req.title' }), message);
      message.show(api.describeError(error));
    }
  };
  await reload();
}
