// "My courses", and for administrators the forms that create schools, users and courses.
import * as api from '../api.js';
import { field, h, notice, select } from '../dom.js';
import { addStrings } from '../i18n.js';

addStrings({
  ko: { 'courses.search': '강좌 이름으로 찾기', 'courses.more': '더 보기', 'courses.count': '{shown} / {total}개' },
  en: { 'courses.search': 'Find by course title', 'courses.more': 'Show more', 'courses.count': '{shown} of {total}' },
});

// The district has thousands of courses: an admin's list comes a page at a time.
const COURSE_PAGE = 100;

const ROLE_OPTIONS = ['student', 'teacher', 'school_admin', 'admin'].map((r) => [r, `role.${r}`]);
const KIND_OPTIONS = ['elementary', 'middle', 'high', 'special'].map((k) => [k, `school.kind.${k}`]);

function courseList(courses) {
  if (!courses.length) return h('p', { class: 'empty', i18n: 'courses.empty' });
  return h('ul', { class: 'course-grid', testid: 'course-list' },
    courses.map((course) =>
      h('li', { class: 'card course-card' },
        h('a', {
          href: `#/courses/${course.id}`, class: 'course-link', testid: 'course-link',
          dataset: { courseId: String(course.id) },
        }, course.title),
        h('dl', { class: 'meta' },
          course.subject ? [h('dt', { i18n: 'courses.subject' }), h('dd', {}, course.subject)] : null,
          course.grade_band ? [h('dt', { i18n: 'courses.gradeBand' }), h('dd', {}, course.grade_band)] : null,
          course.my_role ? [h('dt', { i18n: 'courses.myRole' }), h('dd', { i18n: `role.${course.my_role}` })] : null,
        ),
      )),
  );
}

/** A form card that posts `collect()` to `path` and reports the outcome in the page's language. */
function formCard({ titleKey, testid, fields, path, collect, onCreated }) {
  const message = notice();
  const submit = h('button', { type: 'submit', class: 'btn btn--primary', i18n: 'common.create' });
  const form = h('form', { class: 'card form', testid }, h('h3', { i18n: titleKey }),
    fields.map((f) => f.wrap), message, submit);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.hide();
    submit.disabled = true;
    try {
      const created = await api.post(path, collect());
      form.reset();
      onCreated(created, message);
    } catch (error) {
      message.show(api.describeError(error));
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

function schoolSelect(schools, me) {
  const el = h('select', { required: true });
  for (const school of schools) {
    el.append(h('option', { value: String(school.id), selected: school.id === me.school_id }, school.name));
  }
  return el;
}

function adminForms(me, schools, reload) {
  const forms = [];
  if (me.role === 'admin') {
    const code = field('school.code', h('input', { required: true, maxLength: 32, pattern: '[A-Za-z0-9_-]+' }));
    const name = field('school.name', h('input', { required: true, maxLength: 200 }));
    const kind = field('school.kind', select(KIND_OPTIONS));
    forms.push(formCard({
      titleKey: 'admin.newSchool', testid: 'new-school-form', fields: [code, name, kind],
      path: '/api/schools',
      collect: () => ({ code: code.input.value.trim(), name: name.input.value.trim(), kind: kind.input.value }),
      onCreated: () => reload(),
    }));
  }
  if (me.role === 'admin' || me.role === 'school_admin') {
    const login = field('user.login', h('input', { required: true, maxLength: 64, pattern: '[A-Za-z0-9._-]+', autocomplete: 'off' }));
    const name = field('user.displayName', h('input', { required: true, maxLength: 100 }));
    const password = field('user.password', h('input', { type: 'password', required: true, minLength: 8, autocomplete: 'new-password' }));
    const roles = me.role === 'admin' ? ROLE_OPTIONS : ROLE_OPTIONS.filter(([r]) => r !== 'admin');
    const role = field('user.role', select(roles));
    const school = field('user.school', schoolSelect(schools, me));
    forms.push(formCard({
      titleKey: 'admin.newUser', testid: 'new-user-form', fields: [login, name, password, role, school],
      path: '/api/users',
      collect: () => ({
        login: login.input.value.trim(), display_name: name.input.value.trim(),
        password: password.input.value, role: role.input.value,
        school_id: role.input.value === 'admin' ? null : Number(school.input.value),
      }),
      // Show the new id: enrolling someone in a course asks for it.
      onCreated: (user, message) => message.showKey('user.created', { login: user.login, id: user.id }),
    }));
  }
  if (['admin', 'school_admin', 'teacher'].includes(me.role)) {
    const title = field('course.title', h('input', { required: true, maxLength: 200 }));
    const subject = field('course.subject', h('input', { maxLength: 100 }));
    const grade = field('course.gradeBand', h('input', { maxLength: 32 }));
    const school = field('course.school', schoolSelect(schools, me));
    forms.push(formCard({
      titleKey: 'admin.newCourse', testid: 'new-course-form', fields: [title, subject, grade, school],
      path: '/api/courses',
      collect: () => ({
        school_id: Number(school.input.value), title: title.input.value.trim(),
        subject: subject.input.value.trim(), grade_band: grade.input.value.trim(),
      }),
      onCreated: () => reload(),
    }));
  }
  if (!forms.length) return null;
  return h('section', { class: 'admin', 'aria-labelledby': 'admin-title' },
    h('h2', { id: 'admin-title', i18n: 'admin.title' }),
    h('div', { class: 'form-grid' }, forms));
}

export async function renderCourses(root) {
  const me = api.user();
  const page = h('section', { class: 'page' }, h('h1', { i18n: 'courses.title' }));
  const message = notice();
  page.append(message);
  root.append(page);
  const state = { q: '', items: [], total: 0 };
  const query = h('input', { type: 'search', maxLength: 100, testid: 'course-search' });
  const search = h('form', { class: 'form form--inline', role: 'search', testid: 'course-search-form' },
    field('courses.search', query).wrap, h('button', { type: 'submit', class: 'btn', i18n: 'courses.search' }));
  const list = h('div');
  const fetchPage = async (offset) => {
    const params = new URLSearchParams({ limit: String(COURSE_PAGE), offset: String(offset) });
    if (state.q) params.set('q', state.q);
    const found = await api.get(`/api/courses?${params}`);
    state.items = offset ? [...state.items, ...found.items] : found.items;
    state.total = found.total;
    const more = state.items.length < state.total;
    list.replaceChildren(courseList(state.items),
      state.total > COURSE_PAGE || state.q ? h('p', { class: 'row muted' },
        h('span', { i18n: 'courses.count', i18nArgs: { shown: state.items.length, total: state.total } }),
        more ? h('button', { type: 'button', class: 'btn', testid: 'course-more', i18n: 'courses.more',
          onclick: () => fetchPage(state.items.length).catch((error) => message.show(api.describeError(error))) }) : '') : '');
  };
  search.addEventListener('submit', (event) => {
    event.preventDefault();
    state.q = query.value.trim();
    fetchPage(0).catch((error) => message.show(api.describeError(error)));
  });
  const reload = async () => {
    try {
      const [, schools] = await Promise.all([
        fetchPage(0),
        me.role === 'student' ? { items: [] } : api.get('/api/schools'),
      ]);
      page.replaceChildren(page.firstChild, message, me.role === 'student' ? '' : search,
        list, adminForms(me, schools.items, reload) || '');
    } catch (error) {
      message.show(api.describeError(error));
    }
  };
  await reload();
}
