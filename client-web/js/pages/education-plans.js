// Individual education plans (개별화교육계획) of the hospital classroom. Programme admins and the
// student's instructors write them; home-school teachers read them. Health notes appear only for
// those allowed (the server leaves them out otherwise), and every opening of a plan is logged:
// the page says so, and admins read the log here.
import * as api from '../api.js';
import { field, h, notice } from '../dom.js';
import { addStrings, timeElement } from '../i18n.js';
import { navigate } from '../router.js';
import { clientId } from '../live/room.js';

addStrings({
  ko: {
    'nav.educationPlans': '개별화교육계획',
    'iep.title': '개별화교육계획',
    'iep.programme': '병원학교',
    'iep.noProgramme': '역할이 있는 병원학교가 없습니다.',
    'iep.list': '계획 목록',
    'iep.empty': '볼 수 있는 계획이 없습니다.',
    'iep.student': '학생',
    'iep.class': '학급',
    'iep.homeSchool': '소속 학교',
    'iep.semester': '학기',
    'iep.updated': '수정',
    'iep.new': '새 계획',
    'iep.stay': '학생(입교 기록)',
    'iep.create': '계획 만들기',
    'iep.logged': '이 계획을 열람한 기록(누가, 언제, 무엇을)이 남습니다.',
    'iep.goals': '교육 목표',
    'iep.area': '영역',
    'iep.goal': '목표',
    'iep.measure': '평가 방법',
    'iep.addGoal': '목표 추가',
    'iep.remove': '삭제',
    'iep.accommodations': '지원(편의 제공)',
    'iep.detail': '세부 내용',
    'iep.acc.shorter_sessions': '짧은 수업 시간',
    'iep.acc.camera_off_allowed': '카메라 끄기 허용',
    'iep.acc.rest_breaks': '휴식 시간',
    'iep.acc.extended_time': '과제·평가 시간 연장',
    'iep.acc.reduced_workload': '과제량 조정',
    'iep.acc.flexible_attendance': '유연한 출석',
    'iep.acc.assistive_technology': '보조공학 기기',
    'iep.acc.infection_control': '감염 관리',
    'iep.acc.other': '기타',
    'iep.instructorNotes': '강사 메모',
    'iep.save': '저장',
    'iep.saved': '저장했습니다.',
    'iep.health': '건강 메모 (열람 제한)',
    'iep.healthHint': '프로그램 관리자와 이 학생을 가르치는 강사만 봅니다. 소속 학교 교사는 관리자가 허락한 경우에만 봅니다.',
    'iep.healthEmpty': '건강 메모가 없습니다.',
    'iep.addNote': '메모 추가',
    'iep.retract': '철회',
    'iep.grants': '건강 메모 열람 허락 (소속 학교 교사)',
    'iep.grant': '허락',
    'iep.revoke': '허락 취소',
    'iep.noHomeTeacher': '이 학생 학교의 소속 학교 교사가 없습니다.',
    'iep.export': 'XLSX로 내보내기',
    'iep.log': '열람 기록',
    'iep.logAll': '전체 열람 기록',
    'iep.when': '시각',
    'iep.who': '누가',
    'iep.what': '무엇을',
    'iep.refused': '거부됨',
    'iep.refusedTitle': '권한 없이 요청해 거부되었습니다',
    'iep.readOnly': '읽기 전용입니다.',
    'iep.back': '계획 목록으로',
    'iep.exportWithHealth': '건강 메모 포함',
    'iep.exportPlanOnly': '건강 메모 제외',
    'iep.action.read_plan': '계획 열람',
    'iep.action.read_health_notes': '건강 메모 열람',
    'iep.action.export': '내보내기',
    'iep.action.create': '작성',
    'iep.action.update': '수정',
    'iep.action.add_health_note': '건강 메모 추가',
    'iep.action.retract_health_note': '건강 메모 철회',
    'iep.action.grant_health_notes': '열람 허락',
    'iep.action.revoke_health_notes': '열람 허락 취소',
  },
  en: {
    'nav.educationPlans': 'Education plans',
    'iep.title': 'Individual education plans',
    'iep.programme': 'Programme',
    'iep.noProgramme': 'You have no role in a hospital programme.',
    'iep.list': 'Plans',
    'iep.empty': 'No plans you may read.',
    'iep.student': 'Student',
    'iep.class': 'Class',
    'iep.homeSchool': 'Home school',
    'iep.semester': 'Semester',
    'iep.updated': 'Updated',
    'iep.new': 'New plan',
    'iep.stay': 'Student (stay)',
    'iep.create': 'Create the plan',
    'iep.logged': 'Opening this plan is recorded (who, when, what).',
    'iep.goals': 'Goals',
    'iep.area': 'Area',
    'iep.goal': 'Goal',
    'iep.measure': 'How it is measured',
    'iep.addGoal': 'Add a goal',
    'iep.remove': 'Remove',
    'iep.accommodations': 'Accommodations',
    'iep.detail': 'Details',
    'iep.acc.shorter_sessions': 'Shorter sessions',
    'iep.acc.camera_off_allowed': 'Camera may stay off',
    'iep.acc.rest_breaks': 'Rest breaks',
    'iep.acc.extended_time': 'Extended time',
    'iep.acc.reduced_workload': 'Reduced workload',
    'iep.acc.flexible_attendance': 'Flexible attendance',
    'iep.acc.assistive_technology': 'Assistive technology',
    'iep.acc.infection_control': 'Infection control',
    'iep.acc.other': 'Other',
    'iep.instructorNotes': 'Instructor notes',
    'iep.save': 'Save',
    'iep.saved': 'Saved.',
    'iep.health': 'Health notes (restricted)',
    'iep.healthHint': 'Seen by programme admins and the instructors who teach this student; a home-school teacher only when an admin allows it.',
    'iep.healthEmpty': 'No health notes.',
    'iep.addNote': 'Add a note',
    'iep.retract': 'Retract',
    'iep.grants': 'Health notes for the home-school teacher',
    'iep.grant': 'Allow',
    'iep.revoke': 'Withdraw',
    'iep.noHomeTeacher': 'The student\'s school has no home-school teacher here.',
    'iep.export': 'Export as XLSX',
    'iep.log': 'Access log',
    'iep.logAll': 'All access',
    'iep.when': 'When',
    'iep.who': 'Who',
    'iep.what': 'What',
    'iep.refused': 'Refused',
    'iep.refusedTitle': 'Asked without the right, and refused',
    'iep.readOnly': 'Read only.',
    'iep.back': 'Back to plans',
    'iep.exportWithHealth': 'with health notes',
    'iep.exportPlanOnly': 'without health notes',
    'iep.action.read_plan': 'Read the plan',
    'iep.action.read_health_notes': 'Read health notes',
    'iep.action.export': 'Exported',
    'iep.action.create': 'Created',
    'iep.action.update': 'Edited',
    'iep.action.add_health_note': 'Added a health note',
    'iep.action.retract_health_note': 'Retracted a health note',
    'iep.action.grant_health_notes': 'Allowed health notes',
    'iep.action.revoke_health_notes': 'Withdrew health notes',
  },
});

const ACCOMMODATIONS = ['shorter_sessions', 'camera_off_allowed', 'rest_breaks', 'extended_time',
  'reduced_workload', 'flexible_attendance', 'assistive_technology', 'infection_control', 'other'];
const PROGRAMME_KEY = 'newssem.iepProgramme';

function currentSemester() {
  const now = new Date();
  return `${now.getFullYear()}-${now.getMonth() + 1 >= 8 || now.getMonth() + 1 <= 1 ? 2 : 1}`;
}

async function attempt(message, action, after) {
  try {
    const result = await action();
    if (after) await after(result);
  } catch (error) {
    message.show(api.describeError(error));
  }
}

function logTable(entries, testid) {
  return h('div', { class: 'table-wrap' }, h('table', { class: 'table', testid },
    h('thead', {}, h('tr', {}, ['iep.when', 'iep.who', 'iep.student', 'iep.what'].map((key) => h('th', { i18n: key })))),
    h('tbody', {}, entries.map((e) => h('tr', { testid: `${testid}-row` },
      h('td', {}, timeElement(e.at)), h('td', {}, e.user.display_name), h('td', {}, e.student.display_name),
      h('td', {}, refusedBadge(e), h('span', { i18n: `iep.action.${e.action}` }), e.outcome === 'refused' ? '' : logDetail(e)))))));
}

/** A refused attempt (asked without the right) says so before what was asked for. */
function refusedBadge(entry) {
  if (entry.outcome !== 'refused') return '';
  return [h('span', { class: 'badge badge--refused', testid: 'iep-log-refused', i18n: 'iep.refused', i18nAttr: { title: 'iep.refusedTitle' } }), ' '];
}

/** The entry's detail in the reader's language: fields changed, what an export held, a count. */
function logDetail(entry) {
  if (!entry.detail) return '';
  const keys = { goals: 'iep.goals', accommodations: 'iep.accommodations', instructor_notes: 'iep.instructorNotes',
    health_notes: 'iep.exportWithHealth', plan_only: 'iep.exportPlanOnly' };
  const parts = entry.detail.split(',').map((word) => (keys[word] ? h('span', { i18n: keys[word] }) : word));
  return h('span', { class: 'muted small' }, ' (', parts.flatMap((part, i) => (i ? [', ', part] : [part])), ')');
}

export async function renderEducationPlans(root) {
  const message = notice();
  const page = h('section', { class: 'page' }, h('h1', { i18n: 'iep.title' }), message);
  root.append(page);
  let programmes;
  try {
    programmes = (await api.get('/api/hospital/programmes')).items;
  } catch (error) {
    message.show(api.describeError(error));
    return;
  }
  if (!programmes.length) {
    page.append(h('p', { class: 'empty', i18n: 'iep.noProgramme' }));
    return;
  }
  const chooser = h('select', { testid: 'iep-programme' }, programmes.map((p) => h('option', { value: String(p.id) }, p.title)));
  const stored = sessionStorage.getItem(PROGRAMME_KEY);
  if (stored && programmes.some((p) => String(p.id) === stored)) chooser.value = stored;
  const body = h('div');
  page.append(field('iep.programme', chooser).wrap, body);

  async function reload() {
    sessionStorage.setItem(PROGRAMME_KEY, chooser.value);
    const programme = programmes.find((p) => String(p.id) === chooser.value);
    const base = `/api/hospital/programmes/${programme.id}`;
    try {
      const isAdmin = programme.my_roles.includes('admin');
      const [plans, candidates, log] = await Promise.all([
        api.get(`${base}/education-plans`),
        api.get(`${base}/education-plans/candidates`),
        isAdmin ? api.get(`${base}/education-plan-access?limit=50`) : Promise.resolve(null),
      ]);
      const parts = [h('h2', { i18n: 'iep.list' }), plans.items.length
        ? h('div', { class: 'table-wrap' }, h('table', { class: 'table', testid: 'iep-table' },
          h('thead', {}, h('tr', {}, ['iep.student', 'iep.class', 'iep.homeSchool', 'iep.semester', 'iep.updated'].map((key) => h('th', { i18n: key })))),
          h('tbody', {}, plans.items.map((plan) => h('tr', { testid: 'iep-row' },
            h('td', {}, h('a', { href: `#/education-plans/${plan.id}` }, plan.stay.student.display_name)),
            h('td', {}, plan.stay.class_name), h('td', {}, plan.stay.home_school_name),
            h('td', {}, plan.semester), h('td', {}, timeElement(plan.updated_at)))))))
        : h('p', { class: 'empty', i18n: 'iep.empty' })];
      if (candidates.items.length) {
        const stay = h('select', { required: true, testid: 'iep-stay' }, candidates.items.map((c) =>
          h('option', { value: String(c.admission_id) }, `${c.student.display_name} · ${c.class_name} · ${c.home_school_name}`)));
        const semester = h('input', { required: true, pattern: '\\d{4}-(1|2|summer|winter)', value: currentSemester(), testid: 'iep-semester' });
        const pending = clientId();
        const form = h('form', { class: 'card form', testid: 'iep-new' }, h('h2', { i18n: 'iep.new' }),
          h('div', { class: 'form-grid' }, field('iep.stay', stay).wrap, field('iep.semester', semester).wrap),
          h('button', { type: 'submit', class: 'btn btn--primary', i18n: 'iep.create', testid: 'iep-create' }));
        form.addEventListener('submit', (event) => {
          event.preventDefault();
          attempt(message, () => api.post(`${base}/education-plans`, {
            admission_id: Number(stay.value), semester: semester.value.trim(), client_id: pending,
          }), (plan) => navigate(`/education-plans/${plan.id}`));
        });
        parts.push(form);
      }
      if (log) parts.push(h('section', {}, h('h2', { i18n: 'iep.logAll' }), logTable(log.items, 'iep-log-all')));
      body.replaceChildren(...parts);
    } catch (error) {
      message.show(api.describeError(error));
    }
  }
  chooser.addEventListener('change', reload);
  await reload();
}

function goalRow(goal = { area: '', goal: '', measure: '' }, editable = true) {
  const area = h('input', { value: goal.area, maxLength: 100, required: true, disabled: !editable, i18nAttr: { 'aria-label': 'iep.area' }, testid: 'goal-area' });
  const text = h('textarea', { rows: 2, maxLength: 1000, required: true, disabled: !editable, i18nAttr: { 'aria-label': 'iep.goal' }, testid: 'goal-text' });
  text.value = goal.goal;
  const measure = h('input', { value: goal.measure, maxLength: 500, disabled: !editable, i18nAttr: { 'aria-label': 'iep.measure' } });
  const remove = h('button', { type: 'button', class: 'btn btn--small btn--ghost', i18n: 'iep.remove', hidden: !editable });
  const row = h('tr', { testid: 'goal-row' }, h('td', {}, area), h('td', {}, text), h('td', {}, measure), h('td', {}, remove));
  remove.addEventListener('click', () => row.remove());
  row.read = () => ({ area: area.value.trim(), goal: text.value.trim(), measure: measure.value.trim() });
  return row;
}

export async function renderEducationPlan(root, { id }) {
  const message = notice();
  const page = h('section', { class: 'page' }, message);
  root.append(page);

  async function reload() {
    let plan;
    try {
      plan = await api.get(`/api/education-plans/${Number(id)}`);
    } catch (error) {
      page.replaceChildren(h('p', {}, h('a', { href: '#/education-plans', i18n: 'iep.back' })), message);
      message.show(api.describeError(error));
      return;
    }
    const { rights } = plan;
    const editable = rights.write;
    const goals = h('tbody', {}, plan.goals.map((g) => goalRow(g, editable)));
    const addGoal = h('button', { type: 'button', class: 'btn btn--small', i18n: 'iep.addGoal', hidden: !editable, testid: 'goal-add' });
    addGoal.addEventListener('click', () => goals.append(goalRow()));
    const chosen = new Map(plan.accommodations.map((a) => [a.kind, a.detail]));
    const accRows = ACCOMMODATIONS.map((kind) => {
      const box = h('input', { type: 'checkbox', checked: chosen.has(kind), disabled: !editable, testid: `acc-${kind}` });
      const detail = h('input', { value: chosen.get(kind) || '', maxLength: 500, disabled: !editable, style: 'flex:1; width:auto; min-width:12rem', i18nAttr: { placeholder: 'iep.detail', 'aria-label': 'iep.detail' } });
      return { kind, box, detail, el: h('li', { class: 'row' }, h('label', { class: 'check', style: 'min-width:12rem' }, box, h('span', { i18n: `iep.acc.${kind}` })), detail) };
    });
    const notes = h('textarea', { rows: 4, maxLength: 4000, disabled: !editable, testid: 'iep-notes' });
    notes.value = plan.instructor_notes;
    const save = h('button', { type: 'submit', class: 'btn btn--primary', i18n: 'iep.save', testid: 'iep-save' });
    const form = h('form', { class: 'form', testid: 'iep-form' },
      h('section', { class: 'card' }, h('h2', { i18n: 'iep.goals' }),
        h('div', { class: 'table-wrap' }, h('table', { class: 'table' },
          h('thead', {}, h('tr', {}, ['iep.area', 'iep.goal', 'iep.measure', ''].map((k) => h('th', { i18n: k || undefined })))), goals)),
        addGoal),
      h('section', { class: 'card' }, h('h2', { i18n: 'iep.accommodations' }), h('ul', { class: 'ticket-list' }, accRows.map((r) => r.el))),
      h('section', { class: 'card' }, field('iep.instructorNotes', notes).wrap),
      editable ? save : h('p', { class: 'hint', i18n: 'iep.readOnly' }));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      attempt(message, () => api.request('PUT', `/api/education-plans/${plan.id}`, {
        version: plan.version,
        goals: [...goals.children].map((row) => row.read()),
        accommodations: accRows.filter((r) => r.box.checked).map((r) => ({ kind: r.kind, detail: r.detail.value.trim() })),
        instructor_notes: notes.value.trim(),
      }), async () => {
        await reload();
        message.showKey('iep.saved');
      });
    });
    const readOnly = h('div', { testid: 'iep-read' },
      h('section', { class: 'card' }, h('h2', { i18n: 'iep.goals' }), plan.goals.length
        ? h('div', { class: 'table-wrap' }, h('table', { class: 'table' },
          h('thead', {}, h('tr', {}, ['iep.area', 'iep.goal', 'iep.measure'].map((k) => h('th', { i18n: k })))),
          h('tbody', {}, plan.goals.map((g) => h('tr', { testid: 'goal-row' },
            h('td', {}, g.area), h('td', { class: 'pre-wrap' }, g.goal), h('td', {}, g.measure))))))
        : h('p', { class: 'empty', i18n: 'common.none' })),
      h('section', { class: 'card' }, h('h2', { i18n: 'iep.accommodations' }), plan.accommodations.length
        ? h('ul', { testid: 'accommodation-list' }, plan.accommodations.map((a) => h('li', {},
          h('strong', { i18n: `iep.acc.${a.kind}` }), a.detail ? ` — ${a.detail}` : '')))
        : h('p', { class: 'empty', i18n: 'common.none' })),
      h('section', { class: 'card' }, h('h2', { i18n: 'iep.instructorNotes' }),
        h('p', { class: 'pre-wrap' }, plan.instructor_notes || '—')),
      h('p', { class: 'hint', i18n: 'iep.readOnly' }));
    const parts = [
      h('p', {}, h('a', { href: '#/education-plans', i18n: 'iep.back' })),
      h('h1', { testid: 'iep-heading' }, plan.stay.student.display_name, ' · ', plan.semester),
      h('dl', { class: 'meta' },
        h('dt', { i18n: 'iep.class' }), h('dd', {}, plan.stay.class_name),
        h('dt', { i18n: 'iep.homeSchool' }), h('dd', {}, plan.stay.home_school_name),
        h('dt', { i18n: 'iep.updated' }), h('dd', {}, timeElement(plan.updated_at), ' · ', plan.updated_by.display_name)),
      h('p', { class: 'notice', role: 'note', i18n: 'iep.logged' }),
      message,
      h('p', {}, h('a', { class: 'btn btn--small', href: `/api/education-plans/${plan.id}/export.xlsx`, download: '', i18n: 'iep.export', testid: 'iep-export' })),
      editable ? form : readOnly,
    ];
    if (plan.health_notes !== null) parts.push(healthSection(plan, message, reload));
    if (plan.health_grants !== null) parts.push(await grantSection(plan, message, reload));
    if (rights.admin) {
      const log = await api.get(`/api/hospital/programmes/${plan.programme_id}/education-plan-access?plan_id=${plan.id}&limit=100`);
      parts.push(h('section', {}, h('h2', { i18n: 'iep.log' }), logTable(log.items, 'iep-log')));
    }
    page.replaceChildren(...parts);
  }
  await reload();
}

function healthSection(plan, message, reload) {
  const me = api.user();
  const list = plan.health_notes.length
    ? h('ul', { class: 'ticket-list', testid: 'health-notes' }, plan.health_notes.map((note) => {
      const retract = h('button', { type: 'button', class: 'btn btn--small btn--ghost', i18n: 'iep.retract' });
      retract.addEventListener('click', () => attempt(message, () => api.request('DELETE', `/api/education-plans/${plan.id}/health-notes/${note.id}`), reload));
      const mayRetract = plan.rights.admin || (plan.rights.health_write && note.author.id === me?.id);
      return h('li', { class: 'card', testid: 'health-note' }, h('p', { class: 'pre-wrap' }, note.body),
        h('p', { class: 'muted small' }, note.author.display_name, ' · ', timeElement(note.created_at), ' ', mayRetract ? retract : ''));
    }))
    : h('p', { class: 'empty', i18n: 'iep.healthEmpty' });
  const section = h('section', { class: 'card', testid: 'health-section' }, h('h2', { i18n: 'iep.health' }),
    h('p', { class: 'hint', i18n: 'iep.healthHint' }), list);
  if (plan.rights.health_write) {
    const body = h('textarea', { rows: 2, maxLength: 4000, required: true, testid: 'health-body' });
    const form = h('form', { class: 'form' }, field('iep.addNote', body).wrap,
      h('button', { type: 'submit', class: 'btn', i18n: 'iep.addNote', testid: 'health-add' }));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      attempt(message, () => api.post(`/api/education-plans/${plan.id}/health-notes`, { body: body.value.trim() }), reload);
    });
    section.append(form);
  }
  return section;
}

async function grantSection(plan, message, reload) {
  const staff = await api.get(`/api/hospital/programmes/${plan.programme_id}/staff`).catch(() => ({ items: [] }));
  const granted = new Set(plan.health_grants.map((g) => g.user.id));
  const teachers = staff.items.filter((s) => s.role === 'home_teacher' && s.home_school?.id === plan.stay.home_school_id);
  const rows = teachers.map((s) => {
    const on = granted.has(s.user.id);
    const button = h('button', { type: 'button', class: on ? 'btn btn--small' : 'btn btn--small btn--primary', i18n: on ? 'iep.revoke' : 'iep.grant', testid: 'grant-toggle' });
    button.addEventListener('click', () => attempt(message, () => (on
      ? api.request('DELETE', `/api/education-plans/${plan.id}/health-grants/${s.user.id}`)
      : api.post(`/api/education-plans/${plan.id}/health-grants`, { user_id: s.user.id })), reload));
    return h('li', { class: 'row' }, s.user.display_name, button);
  });
  return h('section', { class: 'card', testid: 'grant-section' }, h('h2', { i18n: 'iep.grants' }),
    rows.length ? h('ul', { class: 'ticket-list' }, rows) : h('p', { class: 'empty', i18n: 'iep.noHomeTeacher' }));
}
