// The sign-in view (/signin): trades an API token for a session cookie (POST /v1/session),
// then returns to the page the user wanted (?next=).
import { h, replace } from '../dom.js';
import { signIn } from '../api.js';
import { errorSlot, noticeSlot } from '../components.js';

export function signinPage(ctx) {
  ctx.title('Sign in');
  const errors = errorSlot();
  const notices = noticeSlot();
  if (ctx.signinNote?.error) errors.show(ctx.signinNote.error);
  if (ctx.signinNote?.notice) notices.show(ctx.signinNote.notice);

  const input = h('input', {
    id: 'token', name: 'token', type: 'password', autocomplete: 'off', spellcheck: 'false',
    autocapitalize: 'off', required: true, placeholder: 'vfb_…', testid: 'token-input',
    'aria-describedby': 'token-help',
  });
  const button = h('button', { type: 'submit', class: 'button-primary', testid: 'signin-button' }, 'Sign in');
  const form = h('form', { class: 'stack', novalidate: true },
    h('label', { for: 'token' }, 'Access token'),
    input,
    h('p', { id: 'token-help', class: 'hint' },
      'A token from ', h('code', null, 'vfb token create'),
      '. The page keeps a session cookie for it; the token itself is not stored in the browser.'),
    h('div', null, button));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const token = input.value.trim();
    notices.clear();
    if (!token) {
      errors.show('Paste your access token first.');
      input.focus();
      return;
    }
    errors.clear();
    button.disabled = true;
    button.textContent = 'Signing in…';
    try {
      await signIn(token);
      input.value = '';
      ctx.afterSignIn(ctx.query.get('next'));
    } catch (err) {
      if (!ctx.alive()) return;
      errors.show(err);
      button.disabled = false;
      button.textContent = 'Sign in';
      input.select();
    }
  });

  replace(ctx.root,
    h('div', { class: 'signin card' },
      h('h1', null, 'Sign in to vfb'),
      notices.el,
      errors.el,
      form));
  input.focus();
}
