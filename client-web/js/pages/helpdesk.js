// The help desk: the FAQ first (most questions are answered there), then "ask a question" and
// the caller's tickets; staff (admins, school admins) see their queue with status filters.
// A ticket page shows the thread; staff can add internal notes the requester never sees.
import * as api from '../api.js';
import { field, h, notice, select } from '../dom.js';
import { addStrings, timeElement } from '../i18n.js';
import { clientId } from '../live/room.js';

addStrings({
  ko: {
    'nav.helpdesk': '도움말·문의',
    'helpdesk.title': '도움말·문의',
    'helpdesk.faq': '자주 묻는 질문',
    'helpdesk.faqEmpty': '등록된 질문이 없습니다.',
    'helpdesk.ask': '문의하기',
    'helpdesk.category': '분류',
    'helpdesk.subject': '제목',
    'helpdesk.body': '내용',
    'helpdesk.send': '보내기',
    'helpdesk.mine': '내 문의',
    'helpdesk.queue': '답변할 문의',
    'helpdesk.empty': '문의가 없습니다.',
    'helpdesk.allStatuses': '모든 상태',
    'helpdesk.status.open': '답변 대기',
    'helpdesk.status.answered': '답변 완료',
    'helpdesk.status.closed': '종료',
    'helpdesk.cat.account': '계정',
    'helpdesk.cat.live_class': '실시간 수업',
    'helpdesk.cat.course': '강좌',
    'helpdesk.cat.technical': '기술 문제',
    'helpdesk.cat.other': '기타',
    'helpdesk.reply': '답글',
    'helpdesk.internal': '내부 메모(문의자에게 보이지 않음)',
    'helpdesk.internalTag': '내부 메모',
    'helpdesk.close': '문의 종료',
    'helpdesk.reopen': '다시 열기',
    'helpdesk.sent': '문의를 보냈습니다.',
    'helpdesk.back': '문의 목록으로',
    'helpdesk.newFaq': 'FAQ 추가',
    'helpdesk.question': '질문',
    'helpdesk.answer': '답변',
    'helpdesk.draft': '초안',
    'helpdesk.publish': '게시',
  },
  en: {
    'nav.helpdesk': 'Help',
    'helpdesk.title': 'Help desk',
    'helpdesk.faq': 'Frequently asked questions',
    'helpdesk.faqEmpty': 'No questions yet.',
    'helpdesk.ask': 'Ask a question',
    'helpdesk.category': 'Category',
    'helpdesk.subject': 'Subject',
    'helpdesk.body': 'Message',
    'helpdesk.send': 'Send',
    'helpdesk.mine': 'My questions',
    'helpdesk.queue': 'Questions to answer',
    'helpdesk.empty': 'No questions.',
    'helpdesk.allStatuses': 'All statuses',
    'helpdesk.status.open': 'Waiting for an answer',
    'helpdesk.status.answered': 'Answered',
    'helpdesk.status.closed': 'Closed',
    'helpdesk.cat.account': 'Account',
    'helpdesk.cat.live_class': 'Live class',
    'helpdesk.cat.course': 'Course',
    'helpdesk.cat.technical': 'Technical problem',
    'helpdesk.cat.other': 'Other',
    'helpdesk.reply': 'Reply',
    'helpdesk.internal': 'Internal note (the requester does not see it)',
    'helpdesk.internalTag': 'Internal note',
    'helpdesk.close': 'Close',
    'helpdesk.reopen': 'Reopen',
    'helpdesk.sent': 'Your question was sent.',
    'helpdesk.back': 'Back to questions',
    'helpdesk.newFaq': 'Add a FAQ entry',
    'helpdesk.question': 'Question',
    'helpdesk.answer': 'Answer',
    'helpdesk.draft': 'Draft',
    'helpdesk.publish': 'Published',
  },
});

const CATEGORIES = ['account', 'live_class', 'course', 'technical', 'other'];
const CATEGORY_OPTIONS = CATEGORIES.map((c) => [c, `helpdesk.cat.${c}`]);
const STATUS_OPTIONS = [['', 'helpdesk.allStatuses'], ...['open', 'answered', 'closed'].map((s) => [s, `helpdesk.status.${s}`])];

const isStaff = (me) => me.role === 'admin' || me.role === 'school_admin';

function faqSection(entries, me, reload) {
  const list = entries.length
    ? h('div', { class: 'faq', testid: 'faq-list' }, entries.map((entry) =>
      h('details', { class: 'card faq-entry' },
        h('summary', {}, entry.question, entry.published ? '' : h('span', { class: 'badge', i18n: 'helpdesk.draft' })),
        h('p', { class: 'pre-wrap' }, entry.answer))))
    : h('p', { class: 'empty', i18n: 'helpdesk.faqEmpty' });
  const section = h('section', { 'aria-labelledby': 'faq-title' }, h('h2', { id: 'faq-title', i18n: 'helpdesk.faq' }), list);
  if (me.role === 'admin') {
    const category = field('helpdesk.category', select(CATEGORY_OPTIONS));
    const question = field('helpdesk.question', h('input', { required: true, maxLength: 300 }));
    const answer = field('helpdesk.answer', h('textarea', { required: true, maxLength: 10000, rows: 3 }));
    const published = h('input', { type: 'checkbox', checked: true });
    const message = notice();
    const form = h('form', { class: 'card form', testid: 'faq-form' }, h('h3', { i18n: 'helpdesk.newFaq' }),
      category.wrap, question.wrap, answer.wrap,
      h('label', { class: 'check' }, published, h('span', { i18n: 'helpdesk.publish' })),
      message, h('button', { type: 'submit', class: 'btn btn--primary', i18n: 'common.create' }));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        await api.post('/api/helpdesk/faq', {
          category: category.input.value, question: question.input.value.trim(),
          answer: answer.input.value.trim(), published: published.checked,
        });
        reload();
      } catch (error) {
        message.show(api.describeError(error));
      }
    });
    section.append(form);
  }
  return section;
}

function askForm(onSent) {
  const category = field('helpdesk.category', select(CATEGORY_OPTIONS));
  const subject = field('helpdesk.subject', h('input', { required: true, maxLength: 200, testid: 'ticket-subject' }));
  const body = field('helpdesk.body', h('textarea', { required: true, maxLength: 5000, rows: 4, testid: 'ticket-body' }));
  const message = notice();
  const submit = h('button', { type: 'submit', class: 'btn btn--primary', i18n: 'helpdesk.send', testid: 'ticket-send' });
  const form = h('form', { class: 'card form', testid: 'ticket-form' }, h('h2', { i18n: 'helpdesk.ask' }),
    category.wrap, subject.wrap, body.wrap, message, submit);
  // One id per question being written: a retry after a lost response never opens it twice.
  let pendingId = clientId();
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    try {
      await api.post('/api/helpdesk/tickets', {
        category: category.input.value, subject: subject.input.value.trim(),
        body: body.input.value.trim(), client_id: pendingId,
      });
      pendingId = clientId();
      form.reset();
      message.showKey('helpdesk.sent');
      onSent();
    } catch (error) {
      message.show(api.describeError(error));
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

function ticketRow(ticket) {
  return h('li', { class: 'card ticket', testid: 'ticket-row', dataset: { status: ticket.status } },
    h('a', { href: `#/helpdesk/${ticket.id}` }, ticket.subject),
    h('span', { class: `badge badge--${ticket.status}`, i18n: `helpdesk.status.${ticket.status}` }),
    h('span', { class: 'muted' }, ticket.requester.display_name, ' · ', timeElement(ticket.updated_at)));
}

export async function renderHelpdesk(root) {
  const me = api.user();
  const message = notice();
  const tickets = h('ul', { class: 'ticket-list', testid: 'ticket-list' });
  const statusFilter = select(STATUS_OPTIONS, { 'aria-label': 'status' });
  const page = h('section', { class: 'page' }, h('h1', { i18n: 'helpdesk.title' }), message);
  root.append(page);

  async function loadTickets() {
    const params = new URLSearchParams();
    if (statusFilter.value) params.set('status', statusFilter.value);
    const found = await api.get(`/api/helpdesk/tickets?${params}`);
    tickets.replaceChildren(...(found.items.length ? found.items.map(ticketRow) : [h('li', { class: 'empty', i18n: 'helpdesk.empty' })]));
  }
  async function reload() {
    try {
      const faq = await api.get('/api/helpdesk/faq');
      page.replaceChildren(page.firstChild, message, faqSection(faq.items, me, reload), askForm(loadTickets),
        h('section', { 'aria-labelledby': 'tickets-title' },
          h('div', { class: 'row' }, h('h2', { id: 'tickets-title', i18n: isStaff(me) ? 'helpdesk.queue' : 'helpdesk.mine' }), statusFilter),
          tickets));
      await loadTickets();
    } catch (error) {
      message.show(api.describeError(error));
    }
  }
  statusFilter.addEventListener('change', () => loadTickets().catch((error) => message.show(api.describeError(error))));
  await reload();
}

export async function renderTicket(root, { id }) {
  const message = notice();
  const page = h('section', { class: 'page' }, message);
  root.append(page);
  let replyId = clientId();

  async function reload() {
    let thread;
    try {
      thread = await api.get(`/api/helpdesk/tickets/${Number(id)}`);
    } catch (error) {
      message.show(api.describeError(error));
      return;
    }
    const { ticket } = thread;
    const body = h('textarea', { required: true, maxLength: 5000, rows: 3, testid: 'reply-body' });
    const internal = h('input', { type: 'checkbox', testid: 'reply-internal' });
    const form = h('form', { class: 'card form', testid: 'reply-form' },
      field('helpdesk.reply', body).wrap,
      thread.staff_view ? h('label', { class: 'check' }, internal, h('span', { i18n: 'helpdesk.internal' })) : null,
      h('button', { type: 'submit', class: 'btn btn--primary', i18n: 'helpdesk.send', testid: 'reply-send' }));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        await api.post(`/api/helpdesk/tickets/${ticket.id}/messages`, {
          body: body.value.trim(), internal: internal.checked, client_id: replyId,
        });
        replyId = clientId();
        await reload();
      } catch (error) {
        message.show(api.describeError(error));
      }
    });
    const closed = ticket.status === 'closed';
    const toggle = h('button', { type: 'button', class: 'btn', testid: 'ticket-toggle', i18n: closed ? 'helpdesk.reopen' : 'helpdesk.close' });
    toggle.addEventListener('click', async () => {
      try {
        await api.post(`/api/helpdesk/tickets/${ticket.id}/status`, { status: closed ? 'open' : 'closed' });
        await reload();
      } catch (error) {
        message.show(api.describeError(error));
      }
    });
    page.replaceChildren(
      h('p', {}, h('a', { href: '#/helpdesk', i18n: 'helpdesk.back' })),
      h('h1', {}, ticket.subject),
      h('p', {}, h('span', { class: `badge badge--${ticket.status}`, testid: 'ticket-status', i18n: `helpdesk.status.${ticket.status}` }),
        ' ', h('span', { i18n: `helpdesk.cat.${ticket.category}` }), ' · ', ticket.requester.display_name),
      message,
      h('ol', { class: 'thread', testid: 'ticket-thread' }, thread.messages.map((m) =>
        h('li', { class: `card message${m.internal ? ' message--internal' : ''}` },
          h('p', { class: 'muted' }, m.author.display_name, ' · ', timeElement(m.created_at),
            m.internal ? h('span', { class: 'badge', i18n: 'helpdesk.internalTag' }) : ''),
          h('p', { class: 'pre-wrap' }, m.body)))),
      form, toggle);
  }
  await reload();
}
