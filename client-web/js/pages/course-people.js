// A course's people (Moodle's "Participants"): enrol by searching names, a CSV class list with a
// row-by-row report, the self-enrolment key, course groups, and unenrolling.
import * as api from '../api.js';
import { field, h, notice, select } from '../dom.js';
import { addStrings, t } from '../i18n.js';

addStrings({
  ko: {
    'nav.join': '수강 신청',
    'people.title': '참여자 관리',
    'people.back': '강좌로',
    'people.search': '이름 또는 아이디로 찾기',
    'people.searchHint': '두 글자 이상 입력하면 이 강좌의 학교 사람을 찾습니다.',
    'people.noMatch': '찾는 사람이 없습니다.',
    'people.enrolAs': '역할',
    'people.enrol': '등록',
    'people.enrolled': '{name} 님을 등록했습니다.',
    'people.list': '수강생 명단',
    'people.unenrol': '등록 취소',
    'people.confirmUnenrol': '{name} 님의 등록을 취소할까요? 출석·진도 기록은 남습니다.',
    'people.csv': 'CSV 명단으로 등록',
    'people.csvHint': '첫 줄: login,role (role은 student, teacher, co_teacher 중 하나, 비우면 student). UTF-8로 저장하세요.',
    'people.file': 'CSV 파일',
    'people.check': '검사',
    'people.import': '등록하기',
    'people.checked': '{n}명을 등록할 수 있습니다 (이미 등록 {m}명).',
    'people.imported': '{n}명을 등록했습니다.',
    'people.badRows': '잘못된 줄이 있어 아무도 등록하지 않았습니다.',
    'people.line': '줄',
    'people.reason': '문제',
    'people.value': '값',
    'people.self': '자율 수강 신청',
    'people.selfOn': '등록 키로 학생이 직접 수강 신청할 수 있게 하기',
    'people.key': '등록 키',
    'people.keyHint': '비우면 새 키를 만듭니다.',
    'people.selfInfo': '학생에게 알려 줄 것: 강좌 번호 {id}, 등록 키 {key}',
    'people.groups': '모둠(그룹)',
    'people.noGroups': '아직 모둠이 없습니다.',
    'people.groupName': '모둠 이름',
    'people.newGroup': '모둠 만들기',
    'people.members': '구성원',
    'people.saveMembers': '구성원 저장',
    'people.deleteGroup': '모둠 삭제',
    'people.confirmGroup': '이 모둠을 삭제할까요?',
    'reason.missing_value': '빈 칸',
    'reason.duplicate_in_file': '파일 안에서 중복',
    'reason.unknown_login': '없는 아이디',
    'reason.deactivated': '비활성 계정',
    'reason.other_school': '다른 학교 사람',
    'reason.bad_role': '잘못된 역할',
    'reason.enrolled_otherwise': '다른 역할로 이미 등록됨',
    'reason.extra_cells': '칸이 너무 많음',
    'reason.login_taken': '이미 있는 아이디',
    'reason.bad_login': '아이디 형식 오류',
    'reason.unknown_school': '없는 학교 코드',
    'reason.role_not_allowed': '만들 수 없는 역할',
    'reason.bad_password': '비밀번호 길이 오류',
    'reason.too_long': '너무 긴 값',
    'reason.wrong_columns': '첫 줄(열 이름)이 맞지 않습니다.',
    'reason.not_utf8': 'UTF-8 파일이 아닙니다. "CSV UTF-8"로 저장해 주세요.',
  },
  en: {
    'nav.join': 'Join a course',
    'people.title': 'Participants',
    'people.back': 'Back to the course',
    'people.search': 'Find by name or login',
    'people.searchHint': "Type two letters or more to search the course's school(s).",
    'people.noMatch': 'Nobody matches.',
    'people.enrolAs': 'Role',
    'people.enrol': 'Enrol',
    'people.enrolled': '{name} is enrolled.',
    'people.list': 'Class list',
    'people.unenrol': 'Unenrol',
    'people.confirmUnenrol': 'Unenrol {name}? Their attendance and progress are kept.',
    'people.csv': 'Enrol from a CSV class list',
    'people.csvHint': 'First line: login,role (role: student, teacher or co_teacher; empty means student). Save as UTF-8.',
    'people.file': 'CSV file',
    'people.check': 'Check',
    'people.import': 'Enrol them',
    'people.checked': '{n} can be enrolled ({m} already are).',
    'people.imported': '{n} enrolled.',
    'people.badRows': 'Some rows are wrong, so nobody was enrolled.',
    'people.line': 'Line',
    'people.reason': 'Problem',
    'people.value': 'Value',
    'people.self': 'Self-enrolment',
    'people.selfOn': 'Let students enrol themselves with the key',
    'people.key': 'Enrolment key',
    'people.keyHint': 'Leave empty to draw a new key.',
    'people.selfInfo': 'Tell students: course number {id}, enrolment key {key}',
    'people.groups': 'Groups',
    'people.noGroups': 'No groups yet.',
    'people.groupName': 'Group name',
    'people.newGroup': 'Create a group',
    'people.members': 'Members',
    'people.saveMembers': 'Save members',
    'people.deleteGroup': 'Delete group',
    'people.confirmGroup': 'Delete this group?',
    'reason.missing_value': 'Empty cell',
    'reason.duplicate_in_file': 'Repeated in the file',
    'reason.unknown_login': 'No such login',
    'reason.deactivated': 'Deactivated account',
    'reason.other_school': 'Another school',
    'reason.bad_role': 'Wrong role',
    'reason.enrolled_otherwise': 'Already enrolled in another role',
    'reason.extra_cells': 'Too many cells',
    'reason.login_taken': 'Login already exists',
    'reason.bad_login': 'Malformed login',
    'reason.unknown_school': 'Unknown school code',
    'reason.role_not_allowed': 'Role not allowed',
    'reason.bad_password': 'Password length',
    'reason.too_long': 'Value too long',
    'reason.wrong_columns': 'The first line (column names) is wrong.',
    'reason.not_utf8': 'Not a UTF-8 file; save it as "CSV UTF-8".',
  },
});

/** A file's bytes as base64, so the server decides whether it is UTF-8. */
export async function fileBase64(file) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** The row-by-row report of a refused CSV file (or the reason the whole file was refused). */
export function csvReport(error, message) {
  const details = (error && error.details) || {};
  if (details.reason === 'bad_rows') {
    message.show(t('people.badRows'));
    return h('div', { class: 'table-wrap' }, h('table', { class: 'table', testid: 'csv-report' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col', i18n: 'people.line' }), h('th', { scope: 'col', i18n: 'people.reason' }), h('th', { scope: 'col', i18n: 'people.value' }))),
      h('tbody', {}, details.errors.map((row) => h('tr', { testid: 'csv-error', dataset: { line: String(row.line), reason: row.reason } },
        h('td', {}, String(row.line)),
        h('td', {}, h('span', { i18n: `reason.${row.reason}` }), ' ', h('span', { class: 'muted small' }, row.message)),
        h('td', {}, row.value || ''))))));
  }
  if (details.reason && ['wrong_columns', 'not_utf8'].includes(details.reason)) {
    message.show(`${t(`reason.${details.reason}`)} ${error.message || ''}`);
  } else {
    message.show(api.describeError(error));
  }
  return '';
}

/** Search-as-you-type enrolment: teachers never need to know anyone's id. */
export function enrolPicker(courseId, onEnrolled) {
  const query = field('people.search', h('input', { type: 'search', maxLength: 100, testid: 'enrol-search', autocomplete: 'off' }));
  const role = field('people.enrolAs', select([['student', 'role.student'], ['co_teacher', 'role.co_teacher'], ['teacher', 'role.teacher']], { testid: 'enrol-role' }));
  const results = h('ul', { class: 'people', testid: 'enrol-results', 'aria-live': 'polite' });
  const message = notice();
  let timer = null;
  let token = 0;
  const search = async () => {
    const q = query.input.value.trim();
    const mine = ++token;
    if (q.length < 2) {
      results.replaceChildren();
      return;
    }
    try {
      const found = await api.get(`/api/courses/${courseId}/enrolment-candidates?q=${encodeURIComponent(q)}`);
      if (mine !== token) return;
      results.replaceChildren(...(found.items.length ? found.items.map((user) => h('li', { testid: 'enrol-candidate', dataset: { userId: String(user.id) } },
        h('span', { class: 'person-name' }, user.display_name), ' ', h('span', { class: 'muted' }, `(${user.login})`), ' ',
        h('span', { class: 'badge', i18n: `role.${user.role}` }), ' ',
        h('button', { type: 'button', class: 'btn btn--small btn--primary', testid: 'enrol-pick', i18n: 'people.enrol',
          onclick: async (event) => {
            event.target.disabled = true;
            message.hide();
            try {
              await api.post(`/api/courses/${courseId}/enrolments`, { user_id: user.id, role: user.role === 'student' ? 'student' : role.input.value });
              message.showKey('people.enrolled', { name: user.display_name });
              await onEnrolled();
              await search();
            } catch (error) {
              event.target.disabled = false;
              message.show(api.describeError(error));
            }
          } }))) : [h('li', { class: 'muted', i18n: 'people.noMatch' })]));
    } catch (error) {
      message.show(api.describeError(error));
    }
  };
  query.input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(search, 250);
  });
  return h('div', { class: 'form', testid: 'enrol-picker' },
    h('h3', { i18n: 'course.addEnrolment' }), query.wrap, h('p', { class: 'hint', i18n: 'people.searchHint' }), role.wrap, results, message);
}

function csvCard(courseId, reload) {
  const file = field('people.file', h('input', { type: 'file', accept: '.csv,text/csv', testid: 'enrol-csv-file' }));
  const message = notice();
  const report = h('div');
  const run = (dryRun) => async () => {
    message.hide();
    report.replaceChildren();
    const chosen = file.input.files[0];
    if (!chosen) return;
    try {
      const result = await api.post(`/api/courses/${courseId}/enrolments/import`, { csv_base64: await fileBase64(chosen), dry_run: dryRun });
      if (dryRun) message.showKey('people.checked', { n: result.enrolled.length, m: result.already_enrolled.length });
      else {
        message.showKey('people.imported', { n: result.enrolled.length });
        await reload();
      }
    } catch (error) {
      report.append(csvReport(error, message));
    }
  };
  return h('section', { class: 'card form', testid: 'enrol-csv' },
    h('h2', { i18n: 'people.csv' }), h('p', { class: 'hint', i18n: 'people.csvHint' }), file.wrap,
    h('p', { class: 'row' },
      h('button', { type: 'button', class: 'btn', i18n: 'people.check', testid: 'enrol-csv-check', onclick: run(true) }),
      h('button', { type: 'button', class: 'btn btn--primary', i18n: 'people.import', testid: 'enrol-csv-import', onclick: run(false) })),
    message, report);
}

function selfEnrolCard(courseId, setting) {
  const enabled = h('input', { type: 'checkbox', checked: setting.enabled, testid: 'self-enabled' });
  const key = field('people.key', h('input', { maxLength: 64, value: setting.enrol_key || '', testid: 'self-key' }));
  const message = notice();
  const info = h('p', { class: 'lead', testid: 'self-info' });
  const show = (s) => {
    info.replaceChildren();
    if (s.enabled && s.enrol_key) info.append(h('span', { i18n: 'people.selfInfo', i18nArgs: { id: courseId, key: s.enrol_key } }));
  };
  show(setting);
  const form = h('form', { class: 'card form', testid: 'self-enrolment' },
    h('h2', { i18n: 'people.self' }), h('label', { class: 'check' }, enabled, ' ', h('span', { i18n: 'people.selfOn' })),
    key.wrap, h('p', { class: 'hint', i18n: 'people.keyHint' }), info, message,
    h('button', { type: 'submit', class: 'btn btn--primary', i18n: 'common.save', testid: 'self-save' }));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.hide();
    try {
      const saved = await api.request('PUT', `/api/courses/${courseId}/self-enrolment`, { enabled: enabled.checked, key: key.input.value.trim() });
      key.input.value = saved.enrol_key || '';
      show(saved);
    } catch (error) {
      message.show(api.describeError(error));
    }
  });
  return form;
}

function groupsCard(courseId, groups, students, reload) {
  const message = notice();
  const name = field('people.groupName', h('input', { required: true, maxLength: 100, testid: 'group-name' }));
  const create = h('form', { class: 'form form--inline', testid: 'group-form' }, name.wrap,
    h('button', { type: 'submit', class: 'btn btn--primary', i18n: 'people.newGroup', testid: 'group-create' }));
  create.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.hide();
    try {
      await api.post(`/api/courses/${courseId}/groups`, { name: name.input.value.trim() });
      await reload();
    } catch (error) {
      message.show(api.describeError(error));
    }
  });
  const blocks = groups.map((group) => {
    const boxes = students.map((person) => h('label', { class: 'check' },
      h('input', { type: 'checkbox', value: String(person.id), checked: group.member_ids.includes(person.id) }), ' ', person.display_name));
    return h('fieldset', { class: 'card', testid: 'group', dataset: { groupId: String(group.id) } },
      h('legend', {}, group.name), h('div', { class: 'row' }, boxes),
      h('p', { class: 'row' },
        h('button', { type: 'button', class: 'btn', i18n: 'people.saveMembers', testid: 'group-save',
          onclick: async () => {
            message.hide();
            const ids = boxes.map((b) => b.querySelector('input')).filter((i) => i.checked).map((i) => Number(i.value));
            try {
              await api.request('PATCH', `/api/groups/${group.id}`, { user_ids: ids });
              await reload();
            } catch (error) {
              message.show(api.describeError(error));
            }
          } }),
        h('button', { type: 'button', class: 'btn btn--danger', i18n: 'people.deleteGroup', testid: 'group-delete',
          onclick: async () => {
            if (!window.confirm(t('people.confirmGroup'))) return;
            try {
              await api.request('DELETE', `/api/groups/${group.id}`);
              await reload();
            } catch (error) {
              message.show(api.describeError(error));
            }
          } })));
  });
  return h('section', { class: 'card', 'aria-labelledby': 'groups-title', testid: 'groups' },
    h('h2', { id: 'groups-title', i18n: 'people.groups' }),
    groups.length ? '' : h('p', { class: 'empty', i18n: 'people.noGroups' }), ...blocks, create, message);
}

function rosterCard(courseId, enrolments, reload) {
  const message = notice();
  return h('section', { class: 'card', 'aria-labelledby': 'roster-title' },
    h('h2', { id: 'roster-title', i18n: 'people.list' }), message,
    h('ul', { class: 'people', testid: 'roster' }, enrolments.map((e) => h('li', { testid: 'roster-row', dataset: { userId: String(e.user.id) } },
      h('span', { class: 'person-name' }, e.user.display_name), ' ', h('span', { class: 'muted' }, `(${e.user.login})`), ' ',
      h('span', { class: `badge badge--${e.role}`, i18n: `role.${e.role}` }), ' ',
      h('button', { type: 'button', class: 'btn btn--small btn--ghost', i18n: 'people.unenrol', testid: 'unenrol',
        onclick: async () => {
          if (!window.confirm(t('people.confirmUnenrol', { name: e.user.display_name }))) return;
          message.hide();
          try {
            await api.request('DELETE', `/api/courses/${courseId}/enrolments/${e.user.id}`);
            await reload();
          } catch (error) {
            message.show(api.describeError(error));
          }
        } })))));
}

export async function renderCoursePeople(root, { id }) {
  const courseId = Number(id);
  const page = h('section', { class: 'page' });
  const message = notice();
  root.append(page);
  const reload = async () => {
    try {
      const [course, enrolments, groups, setting] = await Promise.all([
        api.get(`/api/courses/${courseId}`),
        api.get(`/api/courses/${courseId}/enrolments`),
        api.get(`/api/courses/${courseId}/groups`),
        api.get(`/api/courses/${courseId}/self-enrolment`),
      ]);
      const students = enrolments.items.filter((e) => e.role === 'student').map((e) => e.user);
      page.replaceChildren(
        h('p', { class: 'crumbs' }, h('a', { href: `#/courses/${courseId}`, i18n: 'people.back' })),
        h('h1', { testid: 'people-title' }, h('span', { i18n: 'people.title' }), ' · ', course.title), message,
        h('div', { class: 'form-grid' }, h('section', { class: 'card' }, enrolPicker(courseId, reload)), csvCard(courseId, reload)),
        rosterCard(courseId, enrolments.items, reload),
        h('div', { class: 'form-grid' }, selfEnrolCard(courseId, setting), groupsCard(courseId, groups.items, students, reload)));
    } catch (error) {
      page.replaceChildren(h('h1', { i18n: 'people.title' }), message);
      message.show(api.describeError(error));
    }
  };
  await reload();
}

addStrings({
  ko: {
    'join.title': '수강 신청',
    'join.lead': '선생님께 받은 강좌 번호와 등록 키를 입력하세요.',
    'join.course': '강좌 번호',
    'join.key': '등록 키',
    'join.submit': '수강 신청',
  },
  en: {
    'join.title': 'Join a course',
    'join.lead': 'Enter the course number and enrolment key your teacher gave you.',
    'join.course': 'Course number',
    'join.key': 'Enrolment key',
    'join.submit': 'Join',
  },
});

/** A student enrols themselves with the key (Moodle's self-enrolment). */
export async function renderJoin(root, { id } = {}) {
  const course = field('join.course', h('input', { type: 'number', min: 1, required: true, inputMode: 'numeric', value: id || '', testid: 'join-course' }));
  const key = field('join.key', h('input', { required: true, maxLength: 64, autocomplete: 'off', testid: 'join-key' }));
  const message = notice();
  const form = h('form', { class: 'card form', testid: 'join-form' }, course.wrap, key.wrap, message,
    h('button', { type: 'submit', class: 'btn btn--primary', i18n: 'join.submit', testid: 'join-submit' }));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.hide();
    const courseId = Number(course.input.value);
    try {
      await api.post(`/api/courses/${courseId}/self-enrol`, { key: key.input.value.trim() });
      location.hash = `/courses/${courseId}`;
    } catch (error) {
      message.show(api.describeError(error));
    }
  });
  root.append(h('section', { class: 'page page--narrow' },
    h('h1', { i18n: 'join.title' }), h('p', { class: 'lead', i18n: 'join.lead' }), form));
}
