// Equipment loans: the inventory of cameras, headsets and tablets an owner (a school, a
// hospital programme) lends to its students; lend, take back, the overdue list and each
// device's history. A student sees the devices they have borrowed.
import * as api from '../api.js';
import { localDate } from '../datetime-input.js';
import { field, h, notice, select } from '../dom.js';
import { addStrings, timeElement } from '../i18n.js';
import { clientId } from '../live/room.js';

addStrings({
  ko: {
    'nav.loans': '기기 대여',
    'loans.title': '기기 대여',
    'loans.owner': '관리 기관',
    'loans.inventory': '보유 기기',
    'loans.empty': '등록된 기기가 없습니다.',
    'loans.add': '기기 등록',
    'loans.kind': '종류',
    'loans.kind.camera': '카메라',
    'loans.kind.headset': '헤드셋',
    'loans.kind.tablet': '태블릿',
    'loans.kind.laptop': '노트북',
    'loans.kind.microphone': '마이크',
    'loans.kind.other': '기타',
    'loans.assetTag': '자산 번호',
    'loans.serial': '일련번호',
    'loans.model': '모델',
    'loans.condition': '상태',
    'loans.condition.good': '양호',
    'loans.condition.fair': '보통',
    'loans.condition.damaged': '파손',
    'loans.condition.lost': '분실',
    'loans.status': '대여 상태',
    'loans.status.available': '대여 가능',
    'loans.status.on_loan': '대여 중',
    'loans.status.repair': '수리 중',
    'loans.status.retired': '폐기',
    'loans.borrower': '빌린 학생',
    'loans.dueOn': '반납 예정일',
    'loans.lentAt': '대여일',
    'loans.returnedAt': '반납일',
    'loans.notes': '메모',
    'loans.lend': '대여',
    'loans.return': '반납 처리',
    'loans.returnCondition': '반납 시 상태',
    'loans.toRepair': '수리 보내기',
    'loans.toAvailable': '대여 가능으로',
    'loans.retire': '폐기',
    'loans.overdue': '반납 기한 지남',
    'loans.overdueEmpty': '기한이 지난 대여가 없습니다.',
    'loans.history': '대여 기록',
    'loans.historyEmpty': '대여 기록이 없습니다.',
    'loans.mine': '내가 빌린 기기',
    'loans.mineEmpty': '빌린 기기가 없습니다.',
    'loans.open': '대여 중',
    'loans.returned': '반납 완료',
    'loans.chooseBorrower': '학생 선택',
    'loans.lent': '대여했습니다.',
  },
  en: {
    'nav.loans': 'Equipment',
    'loans.title': 'Equipment loans',
    'loans.owner': 'Managed by',
    'loans.inventory': 'Inventory',
    'loans.empty': 'No devices yet.',
    'loans.add': 'Add a device',
    'loans.kind': 'Kind',
    'loans.kind.camera': 'Camera',
    'loans.kind.headset': 'Headset',
    'loans.kind.tablet': 'Tablet',
    'loans.kind.laptop': 'Laptop',
    'loans.kind.microphone': 'Microphone',
    'loans.kind.other': 'Other',
    'loans.assetTag': 'Asset tag',
    'loans.serial': 'Serial number',
    'loans.model': 'Model',
    'loans.condition': 'Condition',
    'loans.condition.good': 'Good',
    'loans.condition.fair': 'Fair',
    'loans.condition.damaged': 'Damaged',
    'loans.condition.lost': 'Lost',
    'loans.status': 'Status',
    'loans.status.available': 'Available',
    'loans.status.on_loan': 'On loan',
    'loans.status.repair': 'In repair',
    'loans.status.retired': 'Retired',
    'loans.borrower': 'Borrower',
    'loans.dueOn': 'Due',
    'loans.lentAt': 'Lent',
    'loans.returnedAt': 'Returned',
    'loans.notes': 'Notes',
    'loans.lend': 'Lend',
    'loans.return': 'Take back',
    'loans.returnCondition': 'Condition on return',
    'loans.toRepair': 'Send to repair',
    'loans.toAvailable': 'Make available',
    'loans.retire': 'Retire',
    'loans.overdue': 'Overdue',
    'loans.overdueEmpty': 'Nothing is overdue.',
    'loans.history': 'Loan history',
    'loans.historyEmpty': 'No loans yet.',
    'loans.mine': 'Devices I borrowed',
    'loans.mineEmpty': 'You have not borrowed any device.',
    'loans.open': 'On loan',
    'loans.returned': 'Returned',
    'loans.chooseBorrower': 'Choose a student',
    'loans.lent': 'Lent.',
  },
});

const KINDS = ['camera', 'headset', 'tablet', 'laptop', 'microphone', 'other'];
const CONDITIONS = ['good', 'fair', 'damaged', 'lost'];
const STATUS_BADGE = { available: 'answered', on_loan: 'open', repair: 'late', retired: 'closed' };

function today(offsetDays = 0) {
  return localDate(Date.now() + offsetDays * 86400000);
}

async function attempt(message, action, after) {
  try {
    await action();
    if (after) await after();
  } catch (error) {
    message.show(api.describeError(error));
  }
}

function loanTable(loans, testid, emptyKey) {
  if (!loans.length) return h('p', { class: 'empty', i18n: emptyKey, testid: `${testid}-empty` });
  return h('div', { class: 'table-wrap' }, h('table', { class: 'table', testid },
    h('thead', {}, h('tr', {}, ['loans.assetTag', 'loans.borrower', 'loans.lentAt', 'loans.dueOn', 'loans.returnedAt', 'loans.notes']
      .map((key) => h('th', { i18n: key })))),
    h('tbody', {}, loans.map((loan) => h('tr', { testid: `${testid}-row`, dataset: { overdue: String(loan.overdue) } },
      h('td', {}, loan.device.asset_tag, ' ', h('span', { class: 'muted small', i18n: `loans.kind.${loan.device.kind}` })),
      h('td', {}, loan.borrower.display_name),
      h('td', {}, timeElement(loan.lent_at)),
      h('td', {}, loan.due_on, loan.overdue ? [' ', h('span', { class: 'badge badge--absent', i18n: 'loans.overdue' })] : ''),
      h('td', {}, loan.returned_at ? [timeElement(loan.returned_at), ' ', h('span', { class: 'badge', i18n: `loans.condition.${loan.condition_on_return}` })] : ''),
      h('td', { class: 'pre-wrap small' }, [loan.notes, loan.return_notes].filter(Boolean).join('\n')))))));
}

function myLoans(loans) {
  return h('section', {}, h('h2', { i18n: 'loans.mine' }), loans.length
    ? h('ul', { class: 'ticket-list', testid: 'my-loans' }, loans.map((loan) => h('li', { class: 'card ticket' },
      h('strong', {}, loan.device.model || loan.device.asset_tag), h('span', { class: 'muted', i18n: `loans.kind.${loan.device.kind}` }),
      loan.returned_at
        ? h('span', { class: 'badge badge--closed', i18n: 'loans.returned' })
        : h('span', {}, h('span', { class: 'muted', i18n: 'loans.dueOn' }), ' ', loan.due_on,
          loan.overdue ? h('span', { class: 'badge badge--absent', i18n: 'loans.overdue' }) : ''))))
    : h('p', { class: 'empty', i18n: 'loans.mineEmpty' }));
}

function deviceRow(device, borrowers, message, reload) {
  const actions = h('div', { class: 'actions' });
  const loan = device.current_loan;
  if (device.status === 'available') {
    const who = h('select', { required: true, style: 'width:auto', i18nAttr: { 'aria-label': 'loans.borrower' }, testid: 'lend-borrower' },
      h('option', { value: '', i18n: 'loans.chooseBorrower' }),
      borrowers.map((b) => h('option', { value: String(b.id) }, b.display_name)));
    const due = h('input', { type: 'date', required: true, style: 'width:auto', min: today(), value: today(14), i18nAttr: { 'aria-label': 'loans.dueOn' }, testid: 'lend-due' });
    const pending = clientId();
    const form = h('form', { class: 'row' }, who, due, h('button', { type: 'submit', class: 'btn btn--small btn--primary', i18n: 'loans.lend', testid: 'lend-submit' }));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      attempt(message, () => api.post(`/api/loans/devices/${device.id}/loans`, {
        borrower_id: Number(who.value), due_on: due.value, client_id: pending,
      }), reload);
    });
    actions.append(form);
  }
  if (loan) {
    const condition = select(CONDITIONS.map((c) => [c, `loans.condition.${c}`]), { style: 'width:auto', i18nAttr: { 'aria-label': 'loans.returnCondition' }, testid: 'return-condition' });
    const notes = h('input', { maxLength: 2000, style: 'width:12rem', i18nAttr: { placeholder: 'loans.notes', 'aria-label': 'loans.notes' }, testid: 'return-notes' });
    const form = h('form', { class: 'row' }, condition, notes, h('button', { type: 'submit', class: 'btn btn--small', i18n: 'loans.return', testid: 'return-submit' }));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      attempt(message, () => api.post(`/api/loans/${loan.id}/return`, { condition: condition.value, notes: notes.value.trim() }), reload);
    });
    actions.append(form);
  }
  const statusButton = (status, key) => {
    const button = h('button', { type: 'button', class: 'btn btn--small btn--ghost', i18n: key });
    button.addEventListener('click', () => attempt(message, () => api.request('PATCH', `/api/loans/devices/${device.id}`, { status }), reload));
    return button;
  };
  if (device.status === 'available') actions.append(statusButton('repair', 'loans.toRepair'), statusButton('retired', 'loans.retire'));
  if (device.status === 'repair') actions.append(statusButton('available', 'loans.toAvailable'), statusButton('retired', 'loans.retire'));
  return h('tr', { testid: 'device-row', dataset: { tag: device.asset_tag, status: device.status } },
    h('td', {}, h('strong', {}, device.asset_tag), h('div', { class: 'muted small' }, device.serial)),
    h('td', {}, h('span', { i18n: `loans.kind.${device.kind}` }), h('div', { class: 'muted small' }, device.model)),
    h('td', {}, h('span', { class: 'badge', i18n: `loans.condition.${device.condition}` })),
    h('td', {}, h('span', { class: `badge badge--${STATUS_BADGE[device.status]}`, i18n: `loans.status.${device.status}`, testid: 'device-status' }),
      loan ? h('div', { class: 'small' }, loan.borrower.display_name, ' · ', loan.due_on,
        loan.overdue ? h('span', { class: 'badge badge--absent', i18n: 'loans.overdue' }) : '') : ''),
    h('td', {}, actions));
}

function addDeviceForm(owner, message, reload) {
  const kind = select(KINDS.map((k) => [k, `loans.kind.${k}`]), { testid: 'device-kind' });
  const tag = h('input', { required: true, maxLength: 64, testid: 'device-tag' });
  const serial = h('input', { maxLength: 100 });
  const model = h('input', { maxLength: 200, testid: 'device-model' });
  const form = h('form', { class: 'card form', testid: 'device-form' }, h('h2', { i18n: 'loans.add' }),
    h('div', { class: 'form-grid' }, field('loans.kind', kind).wrap, field('loans.assetTag', tag).wrap,
      field('loans.serial', serial).wrap, field('loans.model', model).wrap),
    h('button', { type: 'submit', class: 'btn btn--primary', i18n: 'common.create', testid: 'device-add' }));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    attempt(message, () => api.post('/api/loans/devices', {
      owner_kind: owner.kind, owner_id: owner.id, kind: kind.value,
      asset_tag: tag.value.trim(), serial: serial.value.trim(), model: model.value.trim(),
    }), async () => {
      form.reset();
      await reload();
    });
  });
  return form;
}

export async function renderLoans(root) {
  const message = notice();
  const page = h('section', { class: 'page' }, h('h1', { i18n: 'loans.title' }), message);
  root.append(page);
  let owners;
  let mine;
  try {
    [owners, mine] = await Promise.all([api.get('/api/owners/managed'), api.get('/api/loans/mine')]);
  } catch (error) {
    message.show(api.describeError(error));
    return;
  }
  if (!owners.items.length) {
    page.append(myLoans(mine.items));
    return;
  }
  const ownerSelect = h('select', { testid: 'loan-owner' },
    owners.items.map((o) => h('option', { value: `${o.kind}:${o.id}` }, o.name)));
  const body = h('div');
  page.append(field('loans.owner', ownerSelect).wrap, body);
  if (mine.items.length) page.append(myLoans(mine.items));

  async function reload() {
    const [kind, id] = ownerSelect.value.split(':');
    const owner = { kind, id: Number(id) };
    const q = `owner_kind=${kind}&owner_id=${id}`;
    try {
      const [devices, borrowers, overdue, history] = await Promise.all([
        api.get(`/api/loans/devices?${q}`),
        api.get(`/api/loans/borrowers?${q}`),
        api.get(`/api/loans?${q}&state=overdue`),
        api.get(`/api/loans?${q}`),
      ]);
      message.hide();
      body.replaceChildren(
        h('section', {}, h('h2', { i18n: 'loans.overdue' }), loanTable(overdue.items, 'overdue', 'loans.overdueEmpty')),
        h('section', {}, h('h2', { i18n: 'loans.inventory' }), devices.items.length
          ? h('div', { class: 'table-wrap' }, h('table', { class: 'table', testid: 'device-table' },
            h('thead', {}, h('tr', {}, ['loans.assetTag', 'loans.kind', 'loans.condition', 'loans.status', ''].map((key) => h('th', { i18n: key || undefined })))),
            h('tbody', {}, devices.items.map((d) => deviceRow(d, borrowers.items, message, reload)))))
          : h('p', { class: 'empty', i18n: 'loans.empty' })),
        addDeviceForm(owner, message, reload),
        h('section', {}, h('h2', { i18n: 'loans.history' }), loanTable(history.items, 'history', 'loans.historyEmpty')),
      );
    } catch (error) {
      message.show(api.describeError(error));
    }
  }
  ownerSelect.addEventListener('change', reload);
  await reload();
}
