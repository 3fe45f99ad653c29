// The project community ("learning-making community"): the board of projects, a student's
// proposal form, and a project's space: members, mentor offers (the owner accepts or
// declines), mentor suggestions and direct matching for staff, and the posts.
import * as api from '../api.js';
import { field, h, notice, select } from '../dom.js';
import { addStrings, timeElement } from '../i18n.js';
import { clientId } from '../live/room.js';

addStrings({
  ko: {
    'nav.projects': '프로젝트',
    'projects.title': '학습·메이킹 공동체',
    'projects.empty': '아직 프로젝트가 없습니다.',
    'projects.propose': '프로젝트 제안하기',
    'projects.name': '프로젝트 이름',
    'projects.summary': '소개',
    'projects.subject': '분야(과목)',
    'projects.members': '참여자 {count}명',
    'projects.mine': '내 프로젝트만',
    'projects.status.proposed': '멘토 찾는 중',
    'projects.status.active': '진행 중',
    'projects.status.completed': '완료',
    'projects.status.withdrawn': '철회',
    'projects.role.owner': '제안자',
    'projects.role.member': '참여자',
    'projects.role.mentor': '멘토',
    'projects.back': '프로젝트 목록으로',
    'projects.memberList': '참여자',
    'projects.addMember': '참여자 추가(사용자 번호)',
    'projects.offers': '멘토 제안',
    'projects.offer': '이 프로젝트의 멘토가 되겠습니다',
    'projects.offerMessage': '인사말',
    'projects.accept': '수락',
    'projects.decline': '거절',
    'projects.offer.pending': '대기',
    'projects.offer.accepted': '수락됨',
    'projects.offer.declined': '거절됨',
    'projects.suggestions': '추천 멘토',
    'projects.match': '멘토로 연결',
    'projects.load': '진행 중 {count}건',
    'projects.posts': '게시글',
    'projects.post': '글쓰기',
    'projects.complete': '완료로 표시',
    'projects.withdraw': '철회',
    'projects.leave': '나가기',
    'projects.noSpace': '프로젝트 공간은 참여자만 볼 수 있습니다.',
  },
  en: {
    'nav.projects': 'Projects',
    'projects.title': 'Learning-making community',
    'projects.empty': 'No projects yet.',
    'projects.propose': 'Propose a project',
    'projects.name': 'Project name',
    'projects.summary': 'Summary',
    'projects.subject': 'Subject',
    'projects.members': '{count} members',
    'projects.mine': 'Only mine',
    'projects.status.proposed': 'Looking for a mentor',
    'projects.status.active': 'Active',
    'projects.status.completed': 'Completed',
    'projects.status.withdrawn': 'Withdrawn',
    'projects.role.owner': 'Owner',
    'projects.role.member': 'Member',
    'projects.role.mentor': 'Mentor',
    'projects.back': 'Back to projects',
    'projects.memberList': 'Members',
    'projects.addMember': 'Add a member (user number)',
    'projects.offers': 'Mentor offers',
    'projects.offer': 'Offer to mentor this project',
    'projects.offerMessage': 'Message',
    'projects.accept': 'Accept',
    'projects.decline': 'Decline',
    'projects.offer.pending': 'Pending',
    'projects.offer.accepted': 'Accepted',
    'projects.offer.declined': 'Declined',
    'projects.suggestions': 'Suggested mentors',
    'projects.match': 'Match as mentor',
    'projects.load': '{count} active',
    'projects.posts': 'Posts',
    'projects.post': 'Post',
    'projects.complete': 'Mark completed',
    'projects.withdraw': 'Withdraw',
    'projects.leave': 'Leave',
    'projects.noSpace': 'Only members see the project space.',
  },
});

function statusBadge(status) {
  return h('span', { class: `badge badge--${status}`, testid: 'project-status', i18n: `projects.status.${status}` });
}

/** Run `action`, report a failure in `message`, then `after()` on success. */
async function attempt(message, action, after) {
  try {
    await action();
    if (after) await after();
  } catch (error) {
    message.show(api.describeError(error));
  }
}

function proposeForm(message, onCreated) {
  const title = field('projects.name', h('input', { required: true, maxLength: 200, testid: 'project-title' }));
  const subject = field('projects.subject', h('input', { required: true, maxLength: 100, testid: 'project-subject' }));
  const summary = field('projects.summary', h('textarea', { required: true, maxLength: 5000, rows: 3, testid: 'project-summary' }));
  const form = h('form', { class: 'card form', testid: 'project-form' }, h('h2', { i18n: 'projects.propose' }),
    title.wrap, subject.wrap, summary.wrap, h('button', { type: 'submit', class: 'btn btn--primary', i18n: 'projects.propose' }));
  let pendingId = clientId();
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    attempt(message, async () => {
      const created = await api.post('/api/projects', {
        title: title.input.value.trim(), subject: subject.input.value.trim(),
        summary: summary.input.value.trim(), client_id: pendingId,
      });
      pendingId = clientId();
      onCreated(created);
    });
  });
  return form;
}

export async function renderProjects(root) {
  const me = api.user();
  const message = notice();
  const list = h('ul', { class: 'project-list', testid: 'project-list' });
  const mine = h('input', { type: 'checkbox', testid: 'projects-mine' });
  root.append(h('section', { class: 'page' }, h('h1', { i18n: 'projects.title' }), message,
    h('label', { class: 'check' }, mine, h('span', { i18n: 'projects.mine' })), list,
    me.role === 'student' ? proposeForm(message, (p) => { location.hash = `/projects/${p.id}`; }) : ''));
  const load = () => attempt(message, async () => {
    const found = await api.get(`/api/projects${mine.checked ? '?mine=true' : ''}`);
    list.replaceChildren(...(found.items.length ? found.items.map((p) =>
      h('li', { class: 'card project-card', testid: 'project-row' },
        h('a', { href: `#/projects/${p.id}` }, p.title), statusBadge(p.status),
        h('span', { class: 'muted' }, p.subject), h('span', { class: 'muted', i18n: 'projects.members', i18nArgs: { count: p.members } }),
        p.my_role ? h('span', { class: 'badge', i18n: `projects.role.${p.my_role}` }) : ''))
      : [h('li', { class: 'empty', i18n: 'projects.empty' })]));
  });
  mine.addEventListener('change', load);
  await load();
}

export async function renderProject(root, { id }) {
  const me = api.user();
  const projectId = Number(id);
  const message = notice();
  const page = h('section', { class: 'page' }, message);
  root.append(page);
  let postId = clientId();

  async function reload() {
    let project;
    try {
      project = await api.get(`/api/projects/${projectId}`);
    } catch (error) {
      message.show(api.describeError(error));
      return;
    }
    const staff = me.role === 'admin' || (me.role === 'school_admin' && me.school_id === project.school_id);
    const inSpace = Boolean(project.my_role) || staff;
    const owner = project.my_role === 'owner' || staff;
    const open = ['proposed', 'active'].includes(project.status);
    const parts = [
      h('p', {}, h('a', { href: '#/projects', i18n: 'projects.back' })),
      h('h1', { testid: 'project-heading' }, project.title),
      h('p', {}, statusBadge(project.status), ' ', h('span', { class: 'muted' }, project.subject)),
      h('p', { class: 'pre-wrap' }, project.summary),
      message,
    ];
    if (!inSpace) {
      parts.push(h('p', { class: 'notice', i18n: 'projects.noSpace' }));
      if (open && me.role !== 'student') parts.push(offerForm());
      page.replaceChildren(...parts);
      return;
    }
    const [members, offers, posts] = await Promise.all([
      api.get(`/api/projects/${projectId}/members`),
      api.get(`/api/projects/${projectId}/offers`),
      api.get(`/api/projects/${projectId}/posts`),
    ]);
    parts.push(h('section', {}, h('h2', { i18n: 'projects.memberList' }),
      h('ul', { testid: 'member-list' }, members.items.map((m) =>
        h('li', {}, m.user.display_name, ' ', h('span', { class: 'badge', i18n: `projects.role.${m.role}` }))))));
    if (owner && open) {
      const userId = h('input', { type: 'number', min: 1, required: true });
      const add = h('form', { class: 'row' }, field('projects.addMember', userId).wrap,
        h('button', { type: 'submit', class: 'btn', i18n: 'common.create' }));
      add.addEventListener('submit', (event) => {
        event.preventDefault();
        attempt(message, () => api.post(`/api/projects/${projectId}/members`, { user_id: Number(userId.value) }), reload);
      });
      parts.push(add);
    }
    parts.push(h('section', {}, h('h2', { i18n: 'projects.offers' }),
      h('ul', { testid: 'offer-list' }, offers.items.map((offer) => h('li', { class: 'row' },
        offer.mentor.display_name, offer.message ? ` — ${offer.message}` : '',
        h('span', { class: 'badge', i18n: `projects.offer.${offer.status}` }),
        owner && offer.status === 'pending' ? [
          decisionButton(offer, true), decisionButton(offer, false)] : '')))));
    if (staff && open) parts.push(await suggestions());
    const body = h('textarea', { required: true, maxLength: 5000, rows: 3, testid: 'post-body' });
    const postForm = h('form', { class: 'card form', testid: 'post-form' }, field('projects.post', body).wrap,
      h('button', { type: 'submit', class: 'btn btn--primary', i18n: 'projects.post', testid: 'post-send' }));
    postForm.addEventListener('submit', (event) => {
      event.preventDefault();
      attempt(message, async () => {
        await api.post(`/api/projects/${projectId}/posts`, { body: body.value.trim(), client_id: postId });
        postId = clientId();
      }, reload);
    });
    parts.push(h('section', {}, h('h2', { i18n: 'projects.posts' }),
      project.my_role && project.status !== 'withdrawn' ? postForm : '',
      h('ol', { class: 'post-list', testid: 'post-list' }, posts.items.map((post) => h('li', { class: 'card' },
        h('p', { class: 'muted' }, post.author.display_name, ' · ', timeElement(post.created_at)),
        h('p', { class: 'pre-wrap' }, post.body))))));
    const actions = h('p', { class: 'row' });
    if (owner && open) {
      actions.append(statusButton('completed', 'projects.complete'), statusButton('withdrawn', 'projects.withdraw'));
    }
    if (project.my_role && project.my_role !== 'owner') {
      const leave = h('button', { type: 'button', class: 'btn', i18n: 'projects.leave' });
      leave.addEventListener('click', () => attempt(message, () => api.post(`/api/projects/${projectId}/leave`), reload));
      actions.append(leave);
    }
    parts.push(actions);
    page.replaceChildren(...parts);
  }

  function offerForm() {
    const text = h('input', { maxLength: 2000, testid: 'offer-message' });
    const form = h('form', { class: 'card form', testid: 'offer-form' }, field('projects.offerMessage', text).wrap,
      h('button', { type: 'submit', class: 'btn btn--primary', i18n: 'projects.offer' }));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      attempt(message, () => api.post(`/api/projects/${projectId}/offers`, { message: text.value.trim() }), reload);
    });
    return form;
  }

  function decisionButton(offer, accept) {
    const button = h('button', { type: 'button', class: accept ? 'btn btn--primary' : 'btn', i18n: accept ? 'projects.accept' : 'projects.decline' });
    button.addEventListener('click', () => attempt(message, () => api.post(`/api/mentor-offers/${offer.id}/decision`, { accept }), reload));
    return button;
  }

  function statusButton(status, key) {
    const button = h('button', { type: 'button', class: 'btn', i18n: key });
    button.addEventListener('click', () => attempt(message, () => api.post(`/api/projects/${projectId}/status`, { status }), reload));
    return button;
  }

  async function suggestions() {
    const found = await api.get(`/api/projects/${projectId}/mentor-suggestions`);
    return h('section', {}, h('h2', { i18n: 'projects.suggestions' }),
      h('ul', { testid: 'mentor-suggestions' }, found.items.map((mentor) => {
        const button = h('button', { type: 'button', class: 'btn', i18n: 'projects.match' });
        button.addEventListener('click', () => attempt(message, () => api.post(`/api/projects/${projectId}/mentor`, { mentor_id: mentor.user.id }), reload));
        return h('li', { class: 'row' }, mentor.user.display_name, h('span', { class: 'muted' }, mentor.subjects.join(', ')),
          h('span', { class: 'muted', i18n: 'projects.load', i18nArgs: { count: mentor.load ?? 0 } }), button);
      })));
  }

  await reload();
}
