// Administration: schools, the user list (search, filters, pages), CSV import with its
// row-by-row report and one-time passwords, deactivation and reactivation.
import * as api from '../api.js';
import { field, h, notice, select } from '../dom.js';
import { addStrings, t, timeElement } from '../i18n.js';
import { csvReport, fileBase64 } from './course-people.js';

addStrings({
  ko: {
    'nav.adminUsers': '사용자 관리',
    'adm.title': '사용자 관리',
    'adm.schools': '학교',
    'adm.schoolKind.elementary': '초등학교',
    'adm.schoolKind.middle': '중학교',
    'adm.schoolKind.high': '고등학교',
    'adm.schoolKind.special': '특수학교',
    'adm.code': '코드',
    'adm.name': '이름',
    'adm.kind': '구분',
    'adm.users': '사용자 목록',
    'adm.search': '이름 또는 아이디',
    'adm.role': '역할',
    'adm.all': '전체',
    'adm.school': '학교',
    'adm.state': '상태',
    'adm.active': '사용 중',
    'adm.inactive': '비활성',
    'adm.filter': '찾기',
    'adm.total': '모두 {n}명',
    'adm.prev': '이전',
    'adm.next': '다음',
    'adm.page': '{from}–{to}',
    'adm.login': '아이디',
    'adm.created': '만든 날',
    'adm.deactivate': '비활성화',
    'adm.reactivate': '다시 사용',
    'adm.confirmDeactivate': '{name} 님의 계정을 비활성화할까요? 로그인이 바로 끊기고, 기록은 그대로 남습니다.',
    'adm.import': 'CSV로 계정 만들기',
    'adm.importHint': '첫 줄: login,display_name,role,school_code (password 열은 선택, 비우면 1회용 비밀번호를 만듭니다). role: student, teacher, school_admin. UTF-8 CSV.',
    'adm.file': 'CSV 파일',
    'adm.check': '검사',
    'adm.run': '계정 만들기',
    'adm.checked': '{n}개 계정을 만들 수 있습니다.',
    'adm.imported': '{n}개 계정을 만들었습니다. 1회용 비밀번호는 지금 한 번만 보입니다.',
    'adm.otp': '1회용 비밀번호',
    'adm.working': '계정을 만드는 중입니다. 학생 수백 명이면 몇십 초 걸립니다…',
    'adm.givenPassword': '(파일의 비밀번호)',
    'adm.download': '결과 CSV 내려받기',
  },
  en: {
    'nav.adminUsers': 'People',
    'adm.title': 'People',
    'adm.schools': 'Schools',
    'adm.schoolKind.elementary': 'Elementary',
    'adm.schoolKind.middle': 'Middle',
    'adm.schoolKind.high': 'High',
    'adm.schoolKind.special': 'Special',
    'adm.code': 'Code',
    'adm.name': 'Name',
    'adm.kind': 'Kind',
    'adm.users': 'Users',
    'adm.search': 'Name or login',
    'adm.role': 'Role',
    'adm.all': 'All',
    'adm.school': 'School',
    'adm.state': 'Status',
    'adm.active': 'Active',
    'adm.inactive': 'Deactivated',
    'adm.filter': 'Search',
    'adm.total': '{n} in all',
    'adm.prev': 'Previous',
    'adm.next': 'Next',
    'adm.page': '{from}–{to}',
    'adm.login': 'Login',
    'adm.created': 'Created',
    'adm.deactivate': 'Deactivate',
    'adm.reactivate': 'Reactivate',
    'adm.confirmDeactivate': "Deactivate {name}? They are logged out at once; their records stay.",
    'adm.import': 'Create accounts from CSV',
    'adm.importHint': 'First line: login,display_name,role,school_code (a password column is optional; empty cells get a one-time password). role: student, teacher, school_admin. UTF-8 CSV.',
    'adm.file': 'CSV file',
    'adm.check': 'Check',
    'adm.run': 'Create the accounts',
    'adm.checked': '{n} accounts can be created.',
    'adm.imported': '{n} accounts created. One-time passwords are shown only now.',
    'adm.otp': 'One-time password',
    'adm.working': 'Creating the accounts; a few hundred students take some tens of seconds…',
    'adm.givenPassword': '(from the file)',
    'adm.download': 'Download the result as CSV',
  },
});

const PAGE = 50;

function schoolsCard(schools) {
  return h('section', { class: 'card', testid: 'schools' },
    h('h2', { i18n: 'adm.schools' }),
    h('div', { class: 'table-wrap' }, h('table', { class: 'table' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col', i18n: 'adm.code' }), h('th', { scope: 'col', i18n: 'adm.name' }), h('th', { scope: 'col', i18n: 'adm.kind' }))),
      h('tbody', {}, schools.map((s) => h('tr', { testid: 'school-row' },
        h('td', {}, s.code), h('th', { scope: 'row' }, s.name), h('td', { i18n: `adm.schoolKind.${s.kind}` })))))));
}

function resultCsv(users) {
  const quote = (v) => `"${String(v ?? '').replace(/"/g, '""')}"`;
  const lines = [['login', 'display_name', 'role', 'school_code', 'one_time_password'].join(',')];
  for (const u of users) lines.push([u.login, u.display_name, u.role, u.school_code, u.one_time_password || ''].map(quote).join(','));
  return URL.createObjectURL(new Blob(['\ufeff' + lines.join('\r\n')], { type: 'text/csv;charset=utf-8' }));
}

function importCard(onImported) {
  const file = field('adm.file', h('input', { type: 'file', accept: '.csv,text/csv', testid: 'import-file' }));
  const message = notice();
  const output = h('div');
  const run = (dryRun) => async () => {
    message.hide();
    output.replaceChildren();
    const chosen = file.input.files[0];
    if (!chosen) return;
    if (!dryRun) message.showKey('adm.working', {}, 'ok');
    try {
      const result = await api.post('/api/admin/users/import', { csv_base64: await fileBase64(chosen), dry_run: dryRun });
      if (dryRun) {
        message.showKey('adm.checked', { n: result.users.length });
        return;
      }
      message.showKey('adm.imported', { n: result.users.length });
      output.append(
        h('p', {}, h('a', { href: resultCsv(result.users), download: 'accounts.csv', class: 'btn', i18n: 'adm.download' })),
        h('div', { class: 'table-wrap' }, h('table', { class: 'table', testid: 'import-result' },
          h('thead', {}, h('tr', {}, h('th', { scope: 'col', i18n: 'adm.login' }), h('th', { scope: 'col', i18n: 'adm.name' }), h('th', { scope: 'col', i18n: 'adm.otp' }))),
          h('tbody', {}, result.users.map((u) => h('tr', { testid: 'imported-user' },
            h('td', {}, u.login), h('td', {}, u.display_name),
            h('td', {}, u.one_time_password ? h('code', { testid: 'otp' }, u.one_time_password) : h('span', { class: 'muted', i18n: 'adm.givenPassword' }))))))));
      file.input.value = '';
      await onImported();
    } catch (error) {
      output.append(csvReport(error, message));
    }
  };
  return h('section', { class: 'card form', testid: 'user-import' },
    h('h2', { i18n: 'adm.import' }), h('p', { class: 'hint', i18n: 'adm.importHint' }), file.wrap,
    h('p', { class: 'row' },
      h('button', { type: 'button', class: 'btn', i18n: 'adm.check', testid: 'import-check', onclick: run(true) }),
      h('button', { type: 'button', class: 'btn btn--primary', i18n: 'adm.run', testid: 'import-run', onclick: run(false) })),
    message, output);
}

/** Whom the caller may (de)activate, as the server decides: a school admin their teachers and students. */
function manages(me, user) {
  if (user.id === me.id) return false;
  return me.role === 'admin' || ['teacher', 'student'].includes(user.role);
}

function usersCard(me, schools) {
  const state = { offset: 0 };
  const q = field('adm.search', h('input', { type: 'search', maxLength: 100, testid: 'user-search' }));
  const roles = me.role === 'admin' ? ['admin', 'school_admin', 'teacher', 'student'] : ['teacher', 'student'];
  const role = field('adm.role', select([['', 'adm.all'], ...roles.map((r) => [r, `role.${r}`])], { testid: 'user-role' }));
  const school = field('adm.school', select([['', 'adm.all'], ...schools.map((s) => [String(s.id), ''])], { testid: 'user-school' }));
  schools.forEach((s, i) => { school.input.options[i + 1].textContent = s.name; });
  const active = field('adm.state', select([['', 'adm.all'], ['true', 'adm.active'], ['false', 'adm.inactive']], { testid: 'user-active' }));
  const message = notice();
  const body = h('div');
  const load = async () => {
    message.hide();
    const params = new URLSearchParams({ limit: String(PAGE), offset: String(state.offset) });
    if (q.input.value.trim()) params.set('q', q.input.value.trim());
    if (role.input.value) params.set('role', role.input.value);
    if (school.input.value) params.set('school_id', school.input.value);
    if (active.input.value) params.set('active', active.input.value);
    try {
      const page = await api.get(`/api/admin/users?${params}`);
      const names = Object.fromEntries(schools.map((s) => [s.id, s.name]));
      const rows = page.items.map((u) => h('tr', { testid: 'user-row', dataset: { userId: String(u.id), login: u.login, active: String(u.is_active) } },
        h('th', { scope: 'row' }, u.display_name), h('td', {}, u.login),
        h('td', {}, h('span', { class: 'badge', i18n: `role.${u.role}` })), h('td', {}, names[u.school_id] || ''),
        h('td', {}, h('span', { class: `badge badge--${u.is_active ? 'present' : 'closed'}`, i18n: u.is_active ? 'adm.active' : 'adm.inactive' })),
        h('td', {}, timeElement(u.created_at)),
        h('td', { class: 'actions' }, !manages(me, u) ? '' : h('button', {
          type: 'button', class: `btn btn--small ${u.is_active ? 'btn--danger' : ''}`, testid: u.is_active ? 'deactivate' : 'reactivate',
          i18n: u.is_active ? 'adm.deactivate' : 'adm.reactivate',
          onclick: async () => {
            if (u.is_active && !window.confirm(t('adm.confirmDeactivate', { name: u.display_name }))) return;
            try {
              await api.post(`/api/admin/users/${u.id}/${u.is_active ? 'deactivate' : 'reactivate'}`);
              await load();
            } catch (error) {
              message.show(api.describeError(error));
            }
          } }))));
      const to = Math.min(page.total, state.offset + page.items.length);
      body.replaceChildren(
        h('p', { class: 'muted', testid: 'user-total' }, h('span', { i18n: 'adm.total', i18nArgs: { n: page.total } }), ' · ',
          h('span', { i18n: 'adm.page', i18nArgs: { from: page.total ? state.offset + 1 : 0, to } })),
        h('div', { class: 'table-wrap' }, h('table', { class: 'table', testid: 'user-table' },
          h('thead', {}, h('tr', {}, ...['adm.name', 'adm.login', 'adm.role', 'adm.school', 'adm.state', 'adm.created', 'session.actions'].map((k) => h('th', { scope: 'col', i18n: k })))),
          h('tbody', {}, rows))),
        h('p', { class: 'row' },
          h('button', { type: 'button', class: 'btn', i18n: 'adm.prev', testid: 'user-prev', disabled: state.offset === 0,
            onclick: () => { state.offset = Math.max(0, state.offset - PAGE); load(); } }),
          h('button', { type: 'button', class: 'btn', i18n: 'adm.next', testid: 'user-next', disabled: to >= page.total,
            onclick: () => { state.offset += PAGE; load(); } })));
    } catch (error) {
      message.show(api.describeError(error));
    }
  };
  const form = h('form', { class: 'filters', role: 'search', testid: 'user-filter' }, q.wrap, role.wrap,
    me.role === 'admin' ? school.wrap : '', active.wrap,
    h('button', { type: 'submit', class: 'btn btn--primary', i18n: 'adm.filter' }));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    state.offset = 0;
    load();
  });
  const card = h('section', { class: 'card', testid: 'users' }, h('h2', { i18n: 'adm.users' }), form, message, body);
  card.reload = load;
  load();
  return card;
}

export async function renderAdminUsers(root) {
  const me = api.user();
  const page = h('section', { class: 'page' }, h('h1', { i18n: 'adm.title' }));
  const message = notice();
  page.append(message);
  root.append(page);
  try {
    const schools = (await api.get('/api/schools')).items;
    const users = usersCard(me, schools);
    page.append(users, h('div', { class: 'form-grid' }, importCard(() => users.reload()), schoolsCard(schools)));
  } catch (error) {
    message.show(api.describeError(error));
  }
}
