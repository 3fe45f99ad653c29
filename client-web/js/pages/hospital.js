// The hospital classroom. One page per programme with the sections the caller's roles allow:
// the programme admin runs the calendar (with the running class-day count), classes and
// timetable, admissions, staff and the monthly notices; an instructor sees today's sessions
// (into the live class, then attendance corrections); a home-school teacher sees their own
// school's students, their daily attendance and the signed-off notices to download.
import * as api from '../api.js';
import { field, h, notice, select } from '../dom.js';
import { addStrings, lang, t } from '../i18n.js';
import { clientId } from '../live/room.js';

addStrings({
  ko: {
    'nav.hospital': '병원학교',
    'hospital.title': '병원학교',
    'hospital.none': '역할이 있는 병원학교 프로그램이 없습니다.',
    'hospital.classDays': '수업일 {count}일 / 목표 {target}일 (오늘까지 {toDate}일)',
    'hospital.tab.today': '오늘 수업',
    'hospital.tab.calendar': '학사 달력',
    'hospital.tab.classes': '반·시간표',
    'hospital.tab.admissions': '학생(입원·퇴원)',
    'hospital.tab.attendance': '일별 출결',
    'hospital.tab.notices': '출석 통지서',
    'hospital.tab.staff': '담당자',
    'hospital.prevMonth': '이전 달',
    'hospital.nextMonth': '다음 달',
    'hospital.kind.class_day': '수업일',
    'hospital.kind.weekend': '주말',
    'hospital.kind.holiday': '휴일',
    'hospital.kind.closure': '휴업',
    'hospital.calendarHint': '날짜를 누르면 수업일과 휴일이 바뀌고, 그날의 수업이 바로 다시 만들어집니다.',
    'hospital.holidayNote': '휴일 이름(선택)',
    'hospital.range': '기간 한꺼번에 바꾸기 (평일만)',
    'hospital.rangeFrom': '시작일',
    'hospital.rangeTo': '종료일',
    'hospital.kind': '구분',
    'hospital.applyRange': '적용',
    'hospital.newClass': '새 반',
    'hospital.className': '반 이름',
    'hospital.grade': '학년',
    'hospital.instructors': '강사',
    'hospital.assign': '강사 배정',
    'hospital.timetable': '주간 시간표',
    'hospital.weekday': '요일',
    'hospital.period': '교시',
    'hospital.start': '시작',
    'hospital.end': '끝',
    'hospital.subject': '과목',
    'hospital.addSlot': '교시 추가',
    'hospital.remove': '삭제',
    'hospital.generate': '시간표로 수업 만들기',
    'hospital.generated': '수업 {created}개를 만들고 {removed}개를 지웠습니다 (출결이 있어 남긴 수업 {kept}개).',
    'hospital.student': '학생',
    'hospital.studentLogin': '학생 아이디',
    'hospital.class': '반',
    'hospital.homeSchool': '소속학교',
    'hospital.homeTeacher': '소속학교 담당교사',
    'hospital.admittedOn': '입원(입급)일',
    'hospital.dischargedOn': '퇴원(퇴급)일',
    'hospital.guardian': '보호자',
    'hospital.guardianPhone': '보호자 연락처',
    'hospital.note': '메모',
    'hospital.admit': '입급 등록',
    'hospital.editContact': '연락처·메모 고치기',
    'hospital.discharge': '퇴급',
    'hospital.current': '재적 중',
    'hospital.noStudents': '볼 수 있는 학생이 없습니다.',
    'hospital.month': '월',
    'hospital.totals': '합계',
    'hospital.status.present': '출석',
    'hospital.status.late': '지각',
    'hospital.status.early_leave': '조퇴',
    'hospital.status.partial': '결과',
    'hospital.status.absent': '결석',
    'hospital.status.excused': '인정',
    'hospital.status.none': '수업 없음',
    'hospital.notAdmitted': '재적 기간 아님',
    'hospital.corrected': '정정됨',
    'hospital.session': '수업',
    'hospital.sessionStatus': '수업 출결',
    'hospital.minutes': '참여(분)',
    'hospital.leftEarly': '일찍 나감',
    'hospital.corrections': '정정',
    'hospital.makeNotices': '이 달의 통지서 만들기',
    'hospital.version': '판',
    'hospital.generatedAt': '작성',
    'hospital.signedOff': '확인',
    'hospital.signOff': '확인(서명)',
    'hospital.draft': '초안',
    'hospital.flagged': '정정된 날',
    'hospital.noNotices': '통지서가 없습니다.',
    'hospital.today': '오늘({day}) 수업',
    'hospital.noToday': '오늘 수업이 없습니다.',
    'hospital.enter': '수업 들어가기',
    'hospital.startClass': '수업 시작',
    'hospital.attendance': '출결·정정',
    'hospital.role': '역할',
    'hospital.role.admin': '프로그램 관리자',
    'hospital.role.instructor': '강사',
    'hospital.role.home_teacher': '소속학교 교사',
    'hospital.addStaff': '담당자 추가',
    'hospital.login': '아이디',
    'hospital.any': '선택 안 함',
  },
  en: {
    'nav.hospital': 'Hospital class',
    'hospital.title': 'Hospital classroom',
    'hospital.none': 'You have no role in a hospital programme.',
    'hospital.classDays': '{count} class days / target {target} ({toDate} so far)',
    'hospital.tab.today': 'Today',
    'hospital.tab.calendar': 'Calendar',
    'hospital.tab.classes': 'Classes & timetable',
    'hospital.tab.admissions': 'Students (admissions)',
    'hospital.tab.attendance': 'Daily attendance',
    'hospital.tab.notices': 'Attendance notices',
    'hospital.tab.staff': 'Staff',
    'hospital.prevMonth': 'Previous month',
    'hospital.nextMonth': 'Next month',
    'hospital.kind.class_day': 'Class day',
    'hospital.kind.weekend': 'Weekend',
    'hospital.kind.holiday': 'Holiday',
    'hospital.kind.closure': 'Closure',
    'hospital.calendarHint': 'Click a day to switch it between class day and holiday; its sessions follow at once.',
    'hospital.holidayNote': 'Holiday name (optional)',
    'hospital.range': 'Change a period at once (weekdays only)',
    'hospital.rangeFrom': 'From',
    'hospital.rangeTo': 'To',
    'hospital.kind': 'Kind',
    'hospital.applyRange': 'Apply',
    'hospital.newClass': 'New class',
    'hospital.className': 'Class name',
    'hospital.grade': 'Grade',
    'hospital.instructors': 'Instructors',
    'hospital.assign': 'Assign instructor',
    'hospital.timetable': 'Weekly timetable',
    'hospital.weekday': 'Day',
    'hospital.period': 'Period',
    'hospital.start': 'Start',
    'hospital.end': 'End',
    'hospital.subject': 'Subject',
    'hospital.addSlot': 'Add period',
    'hospital.remove': 'Remove',
    'hospital.generate': 'Create sessions from the timetable',
    'hospital.generated': '{created} sessions created, {removed} removed ({kept} kept for their attendance).',
    'hospital.student': 'Student',
    'hospital.studentLogin': 'Student login',
    'hospital.class': 'Class',
    'hospital.homeSchool': 'Home school',
    'hospital.homeTeacher': 'Home-school teacher',
    'hospital.admittedOn': 'Admitted',
    'hospital.dischargedOn': 'Discharged',
    'hospital.guardian': 'Guardian',
    'hospital.guardianPhone': 'Guardian phone',
    'hospital.note': 'Note',
    'hospital.admit': 'Admit',
    'hospital.editContact': 'Edit contact and note',
    'hospital.discharge': 'Discharge',
    'hospital.current': 'In the programme',
    'hospital.noStudents': 'No students to show.',
    'hospital.month': 'Month',
    'hospital.totals': 'Totals',
    'hospital.status.present': 'Present',
    'hospital.status.late': 'Late',
    'hospital.status.early_leave': 'Left early',
    'hospital.status.partial': 'Missed a period',
    'hospital.status.absent': 'Absent',
    'hospital.status.excused': 'Excused',
    'hospital.status.none': 'No class',
    'hospital.notAdmitted': 'Not admitted',
    'hospital.corrected': 'Corrected',
    'hospital.session': 'Session',
    'hospital.sessionStatus': 'Session attendance',
    'hospital.minutes': 'Minutes present',
    'hospital.leftEarly': 'Left early',
    'hospital.corrections': 'Corrections',
    'hospital.makeNotices': "Generate this month's notices",
    'hospital.version': 'Version',
    'hospital.generatedAt': 'Generated',
    'hospital.signedOff': 'Signed off',
    'hospital.signOff': 'Sign off',
    'hospital.draft': 'Draft',
    'hospital.flagged': 'Corrected days',
    'hospital.noNotices': 'No notices.',
    'hospital.today': 'Sessions today ({day})',
    'hospital.noToday': 'No sessions today.',
    'hospital.enter': 'Enter the class',
    'hospital.startClass': 'Start the class',
    'hospital.attendance': 'Attendance',
    'hospital.role': 'Role',
    'hospital.role.admin': 'Programme admin',
    'hospital.role.instructor': 'Instructor',
    'hospital.role.home_teacher': 'Home-school teacher',
    'hospital.addStaff': 'Add staff',
    'hospital.login': 'Login',
    'hospital.any': 'None',
  },
});

const STATUSES = ['present', 'late', 'early_leave', 'partial', 'absent', 'excused'];
const WEEKDAYS_KO = ['월', '화', '수', '목', '금', '토', '일'];
const GRADES = Array.from({ length: 12 }, (_, i) => i + 1);

const gradeLabel = (g) => (g <= 6 ? `초${g}` : g <= 9 ? `중${g - 6}` : `고${g - 9}`);
// The programme runs on Seoul time, wherever the browser is.
const seoulFormat = (iso, options) => new Intl.DateTimeFormat(lang() === 'ko' ? 'ko-KR' : 'en-GB', { timeZone: 'Asia/Seoul', ...options }).format(new Date(iso));
const seoulTime = (iso) => seoulFormat(iso, { timeStyle: 'short' });
const seoulDateTime = (iso) => seoulFormat(iso, { dateStyle: 'short', timeStyle: 'short' });
const seoulToday = () => new Date(Date.now() + 9 * 3600e3).toISOString().slice(0, 10);
const monthOf = (iso) => iso.slice(0, 7);
function shiftMonth(month, delta) {
  const [y, m] = month.split('-').map(Number);
  const d = new Date(Date.UTC(y, m - 1 + delta, 1));
  return d.toISOString().slice(0, 7);
}
const nextDay = (iso) => new Date(Date.parse(`${iso}T00:00:00Z`) + 86400e3).toISOString().slice(0, 10);
const weekdayOf = (iso) => (new Date(`${iso}T00:00:00Z`).getUTCDay() + 6) % 7;

function monthPicker(month, onChange, testid) {
  const label = h('strong', { testid }, month);
  return h('div', { class: 'hospital-row' },
    h('button', { type: 'button', class: 'btn btn--small', i18n: 'hospital.prevMonth', onclick: () => onChange(shiftMonth(month, -1)) }),
    label,
    h('button', { type: 'button', class: 'btn btn--small', i18n: 'hospital.nextMonth', onclick: () => onChange(shiftMonth(month, 1)) }));
}

async function guarded(message, work) {
  message.hide();
  try {
    return await work();
  } catch (error) {
    message.show(api.describeError(error));
    return undefined;
  }
}

// -- sections -----------------------------------------------------------------------------

/** Start a scheduled class (then straight into it), enter a live one; nothing once it ended. */
function sessionAction(ctx, session) {
  if (session.status === 'live') {
    return h('a', { class: 'btn btn--small btn--primary', href: `#/live/${session.id}`, i18n: 'hospital.enter', testid: 'hospital-enter' });
  }
  // Only the class's instructors run it (the server checks that too).
  if (session.status !== 'scheduled' || !ctx.roles.has('instructor')) return null;
  const message = notice();
  const start = h('button', { type: 'button', class: 'btn btn--small btn--primary', i18n: 'hospital.startClass', testid: 'hospital-start', onclick: async () => {
    start.disabled = true;
    if (await guarded(message, () => api.post(`/api/sessions/${session.id}/start`))) location.hash = `/live/${session.id}`;
    else start.disabled = false;
  } });
  return h('span', {}, start, message);
}

async function todaySection(ctx) {
  const data = await api.get(`${ctx.base}/today`);
  const list = data.items.length
    ? h('ul', { class: 'people', testid: 'hospital-today' }, data.items.map((s) => h('li', { class: 'card', testid: 'hospital-today-session', dataset: { sessionId: String(s.id), status: s.status } },
      h('strong', {}, s.title), ' ',
      h('span', { class: `badge badge--${s.status}`, i18n: `session.status.${s.status}` }), ' ',
      h('span', { class: 'muted' }, `${seoulTime(s.scheduled_start)}–${seoulTime(s.scheduled_end)}`), ' ',
      sessionAction(ctx, s), ' ',
      h('a', { class: 'btn btn--small', href: `#/sessions/${s.id}/attendance`, i18n: 'hospital.attendance', testid: 'hospital-session-attendance' }))))
    : h('p', { class: 'empty', i18n: 'hospital.noToday' });
  return h('section', { class: 'card' }, h('h2', { i18n: 'hospital.today', i18nArgs: { day: data.day } }), list);
}

async function calendarSection(ctx) {
  const cal = await api.get(`${ctx.base}/calendar?month=${ctx.month}`);
  const message = notice();
  const count = h('p', { class: 'lead', testid: 'class-day-count', dataset: { count: String(cal.class_days) }, i18n: 'hospital.classDays', i18nArgs: { count: cal.class_days, target: cal.target_class_days, toDate: cal.class_days_to_date } });
  const noteInput = field('hospital.holidayNote', h('input', { maxLength: 200, testid: 'holiday-note' }));
  const toggle = async (day) => {
    const kind = day.kind === 'class_day' ? 'holiday' : 'class_day';
    const note = kind === 'holiday' ? noteInput.input.value.trim() : '';
    const done = await guarded(message, () => api.request('PUT', `${ctx.base}/calendar`, { days: [{ day: day.day, kind, note }] }));
    if (done) ctx.refresh();
  };
  const first = cal.items[0];
  const blanks = first ? weekdayOf(first.day) : 0;
  const grid = h('div', { class: 'hospital-calendar', testid: 'hospital-calendar', 'aria-label': ctx.month },
    WEEKDAYS_KO.map((w) => h('div', { class: 'muted small', 'aria-hidden': 'true' }, w)),
    Array.from({ length: blanks }, () => h('div', {})),
    cal.items.map((day) => h('button', {
      type: 'button', class: `cal-day cal-day--${day.kind}`, testid: `cal-day-${day.day}`,
      dataset: { kind: day.kind }, title: day.note || t(`hospital.kind.${day.kind}`),
      'aria-label': `${day.day} ${t(`hospital.kind.${day.kind}`)} ${day.note}`.trim(),
      disabled: !ctx.isAdmin, onclick: () => toggle(day),
    }, h('span', {}, String(Number(day.day.slice(8)))), h('span', { class: 'small', i18n: `hospital.kind.${day.kind}` }))));
  return h('section', { class: 'card' },
    monthPicker(ctx.month, (m) => { ctx.month = m; ctx.refresh(); }, 'calendar-month'),
    count, h('p', { class: 'hint', i18n: 'hospital.calendarHint' }), noteInput.wrap, message, grid,
    ctx.isAdmin ? rangeForm(ctx, message) : null);
}

/** Mark a stretch of weekdays at once (a vacation, a closure, or make-up days back). */
function rangeForm(ctx, message) {
  const from = h('input', { type: 'date', required: true, min: ctx.programme.starts_on, max: ctx.programme.ends_on, testid: 'range-from' });
  const to = h('input', { type: 'date', required: true, min: ctx.programme.starts_on, max: ctx.programme.ends_on, testid: 'range-to' });
  const kind = select(['closure', 'holiday', 'class_day'].map((k) => [k, `hospital.kind.${k}`]), { testid: 'range-kind' });
  const note = h('input', { maxLength: 200, testid: 'range-note' });
  const form = h('form', { class: 'hospital-row', testid: 'range-form' },
    field('hospital.rangeFrom', from).wrap, field('hospital.rangeTo', to).wrap,
    field('hospital.kind', kind).wrap, field('hospital.note', note).wrap,
    h('button', { type: 'submit', class: 'btn', i18n: 'hospital.applyRange' }));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const days = [];
    for (let day = from.value; day && day <= to.value; day = nextDay(day)) {
      if (weekdayOf(day) < 5) days.push({ day, kind: kind.value, note: note.value.trim() });
    }
    if (!days.length) return;
    if (await guarded(message, () => api.request('PUT', `${ctx.base}/calendar`, { days }))) ctx.refresh();
  });
  return h('div', {}, h('h3', { i18n: 'hospital.range' }), form);
}

function slotForm(ctx, klass, message) {
  const weekday = h('select', { testid: 'slot-weekday' }, WEEKDAYS_KO.map((w, i) => h('option', { value: String(i) }, w)));
  const period = h('input', { type: 'number', min: 1, max: 12, value: 1, required: true, testid: 'slot-period' });
  const start = h('input', { type: 'time', value: '09:00', required: true, testid: 'slot-start' });
  const end = h('input', { type: 'time', value: '09:40', required: true, testid: 'slot-end' });
  const subject = h('input', { maxLength: 100, required: true, testid: 'slot-subject' });
  const form = h('form', { class: 'hospital-row', testid: `slot-form-${klass.id}` },
    field('hospital.weekday', weekday).wrap, field('hospital.period', period).wrap,
    field('hospital.start', start).wrap, field('hospital.end', end).wrap,
    field('hospital.subject', subject).wrap,
    h('button', { type: 'submit', class: 'btn', i18n: 'hospital.addSlot' }));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const done = await guarded(message, () => api.post(`/api/hospital/classes/${klass.id}/slots`, {
      weekday: Number(weekday.value), period: Number(period.value), starts_at: start.value,
      ends_at: end.value, subject: subject.value.trim(),
    }));
    if (done) ctx.refresh();
  });
  return form;
}

async function classesSection(ctx) {
  const [classes, staff] = await Promise.all([api.get(`${ctx.base}/classes`), ctx.isAdmin ? api.get(`${ctx.base}/staff`) : { items: [] }]);
  const instructors = staff.items.filter((s) => s.role === 'instructor');
  const message = notice();
  const cards = classes.items.map((klass) => {
    const assign = h('select', { testid: `assign-${klass.id}`, 'aria-label': t('hospital.assign') },
      instructors.map((s) => h('option', { value: String(s.user.id) }, s.user.display_name)));
    const slots = h('table', { class: 'table' },
      h('thead', {}, h('tr', {}, ['hospital.weekday', 'hospital.period', 'hospital.start', 'hospital.end', 'hospital.subject'].map((k) => h('th', { scope: 'col', i18n: k })), ctx.isAdmin ? h('th', {}) : null)),
      h('tbody', {}, klass.slots.map((slot) => h('tr', {},
        h('td', {}, WEEKDAYS_KO[slot.weekday]), h('td', { class: 'num' }, String(slot.period)),
        h('td', {}, slot.starts_at), h('td', {}, slot.ends_at), h('td', {}, slot.subject),
        ctx.isAdmin ? h('td', {}, h('button', { type: 'button', class: 'btn btn--small btn--danger', i18n: 'hospital.remove', onclick: async () => {
          if (await guarded(message, () => api.request('DELETE', `/api/hospital/slots/${slot.id}`))) ctx.refresh();
        } })) : null))));
    return h('article', { class: 'card', testid: `class-${klass.id}` },
      h('h3', {}, `${klass.name} (${klass.grade_label})`),
      h('p', {}, h('span', { i18n: 'hospital.instructors' }), ': ', klass.instructors.map((p) => p.display_name).join(', ') || '—'),
      ctx.isAdmin && instructors.length ? h('div', { class: 'hospital-row' }, assign,
        h('button', { type: 'button', class: 'btn btn--small', i18n: 'hospital.assign', onclick: async () => {
          if (await guarded(message, () => api.post(`/api/hospital/classes/${klass.id}/instructors`, { user_id: Number(assign.value) }))) ctx.refresh();
        } })) : null,
      h('h4', { i18n: 'hospital.timetable' }), slots,
      ctx.isAdmin ? slotForm(ctx, klass, message) : null);
  });
  const parts = [message, ...cards];
  if (ctx.isAdmin) {
    const name = h('input', { maxLength: 100, required: true, testid: 'class-name' });
    const grade = h('select', { testid: 'class-grade' }, GRADES.map((g) => h('option', { value: String(g) }, gradeLabel(g))));
    const form = h('form', { class: 'card', testid: 'class-form' },
      h('h3', { i18n: 'hospital.newClass' }), h('div', { class: 'hospital-row' }, field('hospital.className', name).wrap, field('hospital.grade', grade).wrap,
      h('button', { type: 'submit', class: 'btn btn--primary', i18n: 'common.create' })));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (await guarded(message, () => api.post(`${ctx.base}/classes`, { name: name.value.trim(), grade: Number(grade.value) }))) ctx.refresh();
    });
    const result = notice();
    const generate = h('button', { type: 'button', class: 'btn btn--primary', i18n: 'hospital.generate', testid: 'generate-sessions', onclick: async () => {
      const done = await guarded(message, () => api.post(`${ctx.base}/sessions/generate`, {}));
      if (done) result.showKey('hospital.generated', done, 'ok');
    } });
    parts.push(form, h('div', { class: 'card' }, generate, result));
  }
  return h('section', {}, ...parts);
}

/** The guardian's contact and the note change in place (dates and schools are history). */
function contactEditor(ctx, admission, message) {
  const name = h('input', { maxLength: 100, value: admission.guardian_name });
  const phone = h('input', { maxLength: 40, type: 'tel', value: admission.guardian_phone });
  const note = h('input', { maxLength: 500, value: admission.note });
  const form = h('form', { class: 'form form--compact' },
    field('hospital.guardian', name).wrap, field('hospital.guardianPhone', phone).wrap,
    field('hospital.note', note).wrap, h('button', { type: 'submit', class: 'btn btn--small', i18n: 'common.save' }));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = { guardian_name: name.value.trim(), guardian_phone: phone.value.trim(), note: note.value.trim() };
    if (await guarded(message, () => api.request('PATCH', `/api/hospital/admissions/${admission.id}`, body))) ctx.refresh();
  });
  return h('details', {}, h('summary', { i18n: 'hospital.editContact' }), form);
}

async function admissionsSection(ctx) {
  const stays = await api.get(`${ctx.base}/admissions`);
  const classes = (await api.get(`${ctx.base}/classes`)).items;
  const className = Object.fromEntries(classes.map((k) => [k.id, k.name]));
  const message = notice();
  const today = seoulToday();
  const table = stays.items.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'table', testid: 'admissions-table' },
    h('thead', {}, h('tr', {}, ['hospital.student', 'hospital.grade', 'hospital.class', 'hospital.homeSchool', 'hospital.homeTeacher', 'hospital.admittedOn', 'hospital.dischargedOn', 'hospital.guardian'].map((k) => h('th', { scope: 'col', i18n: k })), ctx.isAdmin ? h('th', {}) : null)),
    h('tbody', {}, stays.items.map((a) => {
      const until = h('input', { type: 'date', value: today, max: today, 'aria-label': t('hospital.dischargedOn') });
      return h('tr', { dataset: { admissionId: String(a.id) } },
        h('th', { scope: 'row' }, a.student.display_name), h('td', {}, a.grade_label),
        h('td', {}, className[a.class_id] || ''), h('td', {}, a.home_school.name),
        h('td', {}, a.home_teacher ? a.home_teacher.display_name : '—'),
        h('td', {}, a.admitted_on),
        h('td', {}, a.discharged_on || h('span', { class: 'badge badge--live', i18n: 'hospital.current' })),
        h('td', {}, [a.guardian_name, a.guardian_phone].filter(Boolean).join(' · ')),
        ctx.isAdmin ? h('td', {}, a.discharged_on ? null : h('div', { class: 'hospital-row' }, until, h('button', { type: 'button', class: 'btn btn--small', i18n: 'hospital.discharge', onclick: async () => {
          if (await guarded(message, () => api.post(`/api/hospital/admissions/${a.id}/discharge`, { discharged_on: until.value }))) ctx.refresh();
        } })), contactEditor(ctx, a, message)) : null);
    })))) : h('p', { class: 'empty', i18n: 'hospital.noStudents' });
  const parts = [message, h('section', { class: 'card' }, table)];
  if (ctx.isAdmin) {
    const [schools, staff] = await Promise.all([api.get(`${ctx.base}/schools`), api.get(`${ctx.base}/staff`)]);
    const login = h('input', { required: true, maxLength: 64, testid: 'admit-login' });
    const klass = h('select', { testid: 'admit-class' }, classes.map((k) => h('option', { value: String(k.id) }, k.name)));
    const school = h('select', { testid: 'admit-school' }, schools.items.map((s) => h('option', { value: String(s.id) }, `${s.name} (${s.code})`)));
    const grade = h('select', { testid: 'admit-grade' }, GRADES.map((g) => h('option', { value: String(g) }, gradeLabel(g))));
    const admitted = h('input', { type: 'date', value: today, required: true, testid: 'admit-date' });
    const teacher = h('select', { testid: 'admit-teacher' });
    const fillTeachers = () => teacher.replaceChildren(h('option', { value: '' }, t('hospital.any')),
      ...staff.items.filter((s) => s.role === 'home_teacher' && s.home_school && String(s.home_school.id) === school.value)
        .map((s) => h('option', { value: String(s.user.id) }, s.user.display_name)));
    school.addEventListener('change', fillTeachers);
    fillTeachers();
    const guardian = h('input', { maxLength: 100 });
    const phone = h('input', { maxLength: 40, type: 'tel' });
    const note = h('input', { maxLength: 500 });
    let pending = clientId();
    const form = h('form', { class: 'card form', testid: 'admit-form' }, h('h3', { i18n: 'hospital.admit' }),
      field('hospital.studentLogin', login).wrap, field('hospital.class', klass).wrap,
      field('hospital.homeSchool', school).wrap, field('hospital.grade', grade).wrap,
      field('hospital.admittedOn', admitted).wrap, field('hospital.homeTeacher', teacher).wrap,
      field('hospital.guardian', guardian).wrap, field('hospital.guardianPhone', phone).wrap,
      field('hospital.note', note).wrap,
      h('button', { type: 'submit', class: 'btn btn--primary', i18n: 'hospital.admit' }));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const done = await guarded(message, () => api.post(`${ctx.base}/admissions`, {
        student_login: login.value.trim(), class_id: Number(klass.value), home_school_id: Number(school.value),
        grade: Number(grade.value), admitted_on: admitted.value, client_id: pending,
        home_teacher_id: teacher.value ? Number(teacher.value) : null,
        guardian_name: guardian.value.trim(), guardian_phone: phone.value.trim(), note: note.value.trim(),
      }));
      if (done) {
        pending = clientId();
        ctx.refresh();
      }
    });
    parts.push(form);
  }
  return h('section', {}, ...parts);
}

async function attendanceSection(ctx) {
  const grid = await api.get(`${ctx.base}/attendance?month=${ctx.month}`);
  const cell = (row, day) => {
    const value = row.days[day];
    if (value === undefined || value === null) return h('td', { class: 'muted', title: t('hospital.notAdmitted') }, '·');
    const corrected = row.corrected.includes(day);
    return h('td', { testid: `grid-${row.student.id}-${day}`, dataset: { status: value }, title: corrected ? t('hospital.corrected') : '' },
      value === 'none' ? '-' : h('button', { type: 'button', class: 'btn btn--ghost btn--small', onclick: () => showDay(row.student.id, day) },
        h('span', { class: `badge badge--${value}`, i18n: `hospital.status.${value}` }), corrected ? '*' : ''));
  };
  const detail = h('div', { testid: 'day-detail', 'aria-live': 'polite' });
  const message = notice();
  const showDay = (studentId, day) => guarded(message, async () => {
    const data = await api.get(`${ctx.base}/students/${studentId}/days/${day}`);
    detail.replaceChildren(h('h3', {}, `${data.student.display_name} · ${data.day} · `,
      data.status ? h('span', { i18n: `hospital.status.${data.status}` }) : '-'),
    h('table', { class: 'table' },
      h('thead', {}, h('tr', {}, ['hospital.session', 'hospital.sessionStatus', 'hospital.minutes', 'hospital.leftEarly', 'hospital.corrections'].map((k) => h('th', { scope: 'col', i18n: k })))),
      h('tbody', {}, data.sessions.map((x) => h('tr', {},
        h('th', { scope: 'row' }, `${x.title} (${seoulTime(x.scheduled_start)})`),
        h('td', { i18n: `attendance.${x.status}`, testid: 'day-session-status', dataset: { status: x.status } }),
        h('td', { class: 'num' }, String(Math.round(x.seconds_present / 60))),
        h('td', {}, x.left_early ? '✓' : ''),
        h('td', {}, x.corrections.map((c) => h('div', {}, `${c.changed_by.display_name}: `,
          h('span', { i18n: `attendance.${c.old_status}` }), ' → ', h('span', { i18n: `attendance.${c.new_status}` }), ` (${c.reason})`))))))));
  });
  const table = grid.rows.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'table hospital-grid', testid: 'hospital-grid' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col', i18n: 'hospital.student' }),
      grid.class_days.map((d) => h('th', { scope: 'col', title: d }, String(Number(d.slice(8))), h('br'), WEEKDAYS_KO[weekdayOf(d)])),
      STATUSES.map((s) => h('th', { scope: 'col', i18n: `hospital.status.${s}` })))),
    h('tbody', {}, grid.rows.map((row) => h('tr', { dataset: { studentId: String(row.student.id) } },
      h('th', { scope: 'row' }, `${row.student.display_name} (${row.grade_label})`),
      grid.class_days.map((d) => cell(row, d)),
      STATUSES.map((s) => h('td', { class: 'num' }, String(row.totals[s] || 0)))))))) : h('p', { class: 'empty', i18n: 'hospital.noStudents' });
  return h('section', { class: 'card' }, monthPicker(ctx.month, (m) => { ctx.month = m; ctx.refresh(); }, 'attendance-month'), table, message, detail);
}

async function noticesSection(ctx) {
  const list = await api.get(`${ctx.base}/notices?month=${ctx.month}`);
  const message = notice();
  const newest = {};
  for (const n of list.items) newest[n.home_school.id] = Math.max(newest[n.home_school.id] || 0, n.version);
  const rows = list.items.map((n) => h('tr', { dataset: { noticeId: String(n.id), school: n.home_school.name } },
    h('th', { scope: 'row' }, n.home_school.name), h('td', {}, n.month), h('td', { class: 'num' }, String(n.version)),
    h('td', {}, `${n.generated_by.display_name} · ${seoulDateTime(n.generated_at)}`),
    h('td', {}, n.signed_off_by ? `${n.signed_off_by.display_name} · ${seoulDateTime(n.signed_off_at)}` : h('span', { class: 'badge', i18n: 'hospital.draft' })),
    h('td', { class: 'num' }, String(n.flagged_days)),
    h('td', { class: 'actions' },
      h('a', { class: 'btn btn--small', href: `/api/hospital/notices/${n.id}/pdf`, download: '', testid: 'notice-pdf' }, 'PDF'), ' ',
      h('a', { class: 'btn btn--small', href: `/api/hospital/notices/${n.id}/xlsx`, download: '', testid: 'notice-xlsx' }, 'XLSX'), ' ',
      ctx.isAdmin && !n.signed_off_at && newest[n.home_school.id] === n.version
        ? h('button', { type: 'button', class: 'btn btn--small btn--primary', i18n: 'hospital.signOff', testid: 'notice-sign-off', onclick: async () => {
          if (await guarded(message, () => api.post(`/api/hospital/notices/${n.id}/sign-off`))) ctx.refresh();
        } }) : null)));
  const table = rows.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'table', testid: 'notices-table' },
    h('thead', {}, h('tr', {}, ['hospital.homeSchool', 'hospital.month', 'hospital.version', 'hospital.generatedAt', 'hospital.signedOff', 'hospital.flagged'].map((k) => h('th', { scope: 'col', i18n: k })), h('th', {}))),
    h('tbody', {}, rows))) : h('p', { class: 'empty', i18n: 'hospital.noNotices' });
  const parts = [monthPicker(ctx.month, (m) => { ctx.month = m; ctx.refresh(); }, 'notices-month'), message];
  if (ctx.isAdmin) {
    parts.push(h('button', { type: 'button', class: 'btn btn--primary', i18n: 'hospital.makeNotices', testid: 'make-notices', onclick: async () => {
      if (await guarded(message, () => api.post(`${ctx.base}/notices`, { month: ctx.month, client_id: clientId() }))) ctx.refresh();
    } }));
  }
  parts.push(table);
  return h('section', { class: 'card' }, ...parts);
}

async function staffSection(ctx) {
  const [staff, schools] = await Promise.all([api.get(`${ctx.base}/staff`), api.get(`${ctx.base}/schools`)]);
  const message = notice();
  const table = h('table', { class: 'table', testid: 'staff-table' },
    h('thead', {}, h('tr', {}, ['hospital.login', 'hospital.role', 'hospital.homeSchool'].map((k) => h('th', { scope: 'col', i18n: k })), h('th', {}))),
    h('tbody', {}, staff.items.map((s) => h('tr', {},
      h('th', { scope: 'row' }, `${s.user.display_name} (${s.user.login})`),
      h('td', { i18n: `hospital.role.${s.role}` }), h('td', {}, s.home_school ? s.home_school.name : '—'),
      h('td', {}, h('button', { type: 'button', class: 'btn btn--small btn--danger', i18n: 'hospital.remove', onclick: async () => {
        if (await guarded(message, () => api.request('DELETE', `/api/hospital/staff/${s.id}`))) ctx.refresh();
      } }))))));
  const login = h('input', { required: true, maxLength: 64 });
  const role = select(['admin', 'instructor', 'home_teacher'].map((r) => [r, `hospital.role.${r}`]));
  const school = h('select', {}, h('option', { value: '' }, t('hospital.any')), schools.items.map((s) => h('option', { value: String(s.id) }, s.name)));
  const form = h('form', { class: 'hospital-row' }, field('hospital.login', login).wrap, field('hospital.role', role).wrap,
    field('hospital.homeSchool', school).wrap, h('button', { type: 'submit', class: 'btn btn--primary', i18n: 'hospital.addStaff' }));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = { login: login.value.trim(), role: role.value, home_school_id: school.value ? Number(school.value) : null };
    if (await guarded(message, () => api.post(`${ctx.base}/staff`, body))) ctx.refresh();
  });
  return h('section', { class: 'card' }, message, table, form);
}

const SECTIONS = {
  today: { render: todaySection, roles: ['instructor', 'admin'] },
  calendar: { render: calendarSection, roles: ['admin', 'instructor'] },
  classes: { render: classesSection, roles: ['admin', 'instructor'] },
  admissions: { render: admissionsSection, roles: ['admin', 'instructor', 'home_teacher'] },
  attendance: { render: attendanceSection, roles: ['admin', 'instructor', 'home_teacher'] },
  notices: { render: noticesSection, roles: ['admin', 'home_teacher'] },
  staff: { render: staffSection, roles: ['admin'] },
};

export async function renderHospitalHome(root) {
  const page = h('section', { class: 'page' }, h('h1', { i18n: 'hospital.title' }));
  root.append(page);
  const message = notice();
  page.append(message);
  try {
    const { items } = await api.get('/api/hospital/programmes');
    if (items.length === 1) {
      location.hash = `/hospital/${items[0].id}`;
      return;
    }
    page.append(items.length
      ? h('ul', { class: 'people' }, items.map((p) => h('li', {}, h('a', { href: `#/hospital/${p.id}`, testid: `programme-${p.id}` }, p.title))))
      : h('p', { class: 'empty', i18n: 'hospital.none' }));
  } catch (error) {
    message.show(api.describeError(error));
  }
}

export async function renderHospital(root, { id }) {
  const base = `/api/hospital/programmes/${Number(id)}`;
  const page = h('section', { class: 'page' });
  root.append(page);
  const message = notice();
  let programme;
  try {
    programme = await api.get(base);
  } catch (error) {
    page.append(h('h1', { i18n: 'hospital.title' }), message);
    message.show(api.describeError(error));
    return;
  }
  const roles = new Set(programme.my_roles);
  const visible = Object.entries(SECTIONS).filter(([, s]) => s.roles.some((r) => roles.has(r))).map(([key]) => key);
  const ctx = { base, programme, roles, isAdmin: roles.has('admin'), month: monthOf(seoulToday()), tab: visible[0] };
  const body = h('div', { testid: 'hospital-section' });
  const tabs = h('nav', { class: 'hospital-tabs', 'aria-label': t('hospital.title') }, visible.map((key) => h('button', {
    type: 'button', class: 'btn btn--small', testid: `hospital-tab-${key}`, i18n: `hospital.tab.${key}`,
    onclick: () => { ctx.tab = key; ctx.refresh(); },
  })));
  ctx.refresh = async () => {
    for (const button of tabs.children) button.setAttribute('aria-pressed', String(button.dataset.testid === `hospital-tab-${ctx.tab}`));
    await guarded(message, async () => body.replaceChildren(await SECTIONS[ctx.tab].render(ctx)));
  };
  page.append(
    h('h1', {}, programme.title),
    h('p', { class: 'muted' }, `${programme.starts_on} ~ ${programme.ends_on}`),
    tabs, message, body);
  await ctx.refresh();
}
