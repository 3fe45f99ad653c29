// The login form. After success the router's guard sends the user on to their courses.
import * as api from '../api.js';
import { field, h, notice } from '../dom.js';
import { refreshTopbar } from '../topbar.js';

export function renderLogin(root) {
  const loginInput = h('input', {
    name: 'login', autocomplete: 'username', required: true, maxLength: 64,
    autocapitalize: 'none', spellcheck: false, testid: 'login-username',
  });
  const passwordInput = h('input', {
    name: 'password', type: 'password', autocomplete: 'current-password', required: true,
    testid: 'login-password',
  });
  const submit = h('button', { type: 'submit', class: 'btn btn--primary', testid: 'login-submit', i18n: 'login.submit' });
  const message = notice();
  message.dataset.testid = 'login-error';

  const form = h('form', { class: 'card form', novalidate: false },
    field('login.login', loginInput).wrap,
    field('login.password', passwordInput).wrap,
    message,
    submit,
    h('p', { class: 'hint', i18n: 'login.demoHint' }),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.hide();
    submit.disabled = true;
    submit.setAttribute('aria-busy', 'true');
    try {
      await api.login(loginInput.value.trim(), passwordInput.value);
      refreshTopbar();
      location.hash = '/courses';
    } catch (error) {
      message.show(api.describeError(error));
      passwordInput.select();
    } finally {
      submit.disabled = false;
      submit.removeAttribute('aria-busy');
    }
  });

  root.append(h('section', { class: 'page page--narrow' },
    h('h1', { i18n: 'login.title' }),
    h('p', { class: 'lead', i18n: 'app.tagline' }),
    form,
  ));
  loginInput.focus();
}
