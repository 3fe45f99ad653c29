// The top bar: who is logged in, the language switch, log out.
import * as api from './api.js';
import { h } from './dom.js';
import { bind, lang, onChange, setLang, t } from './i18n.js';
import { navFor } from './nav.js';

const langSwitch = document.getElementById('lang-switch');
const whoami = document.getElementById('whoami');
const logoutButton = document.getElementById('logout');
const navLinks = document.getElementById('nav-links');

function showLangSwitch() {
  // The button names the *other* language, in that language, as is usual for switches.
  langSwitch.lang = lang() === 'ko' ? 'en' : 'ko';
  langSwitch.textContent = t('lang.switch');
  langSwitch.setAttribute('aria-label', t('lang.switch.label'));
}

export function refreshTopbar() {
  const me = api.user();
  whoami.hidden = logoutButton.hidden = !me;
  navLinks.replaceChildren(
    ...navFor(me).map((entry) => h('a', { href: entry.href, i18n: entry.key, testid: entry.testid })),
  );
  if (me) bind(whoami, 'nav.signedInAs', { name: me.display_name, role: t(`role.${me.role}`) });
}

export function initTopbar() {
  langSwitch.addEventListener('click', () => setLang(lang() === 'ko' ? 'en' : 'ko'));
  onChange(() => {
    showLangSwitch();
    refreshTopbar();
  });
  logoutButton.addEventListener('click', async () => {
    try {
      await api.logout();
    } catch {
      // Logged out locally either way; the server token expires on its own.
    }
    refreshTopbar();
    location.hash = '/login';
  });
  showLangSwitch();
  refreshTopbar();
}
