// The submit view (/submit, operators): one video URL in, then the job's page
// (POST /v1/submissions; a video already known leads to its existing job).
import { h, replace } from '../dom.js';
import { api } from '../api.js';
import { errorSlot } from '../components.js';

export function submitPage(ctx) {
  ctx.title('Submit');
  if (!ctx.operator) {
    replace(ctx.root,
      h('h1', null, 'Submit a video'),
      h('p', { class: 'empty', testid: 'operator-only' },
        'Submitting needs an operator token; you are signed in as a viewer. Ask an operator to submit the video, or ',
        h('a', { href: '/search' }, 'search'), ' what is processed already.'));
    return;
  }
  const errors = errorSlot();
  const url = h('input', {
    id: 'submit-url', name: 'url', type: 'url', inputmode: 'url', required: true, autocomplete: 'off',
    placeholder: 'https://www.youtube.com/watch?v=…', testid: 'submit-url', 'aria-describedby': 'submit-help',
  });
  const force = h('input', { id: 'submit-force', type: 'checkbox', testid: 'submit-force' });
  const button = h('button', { type: 'submit', class: 'button-primary', testid: 'submit-button' }, 'Submit');
  const form = h('form', { class: 'stack', novalidate: true },
    h('label', { for: 'submit-url' }, 'Video URL'),
    url,
    h('p', { id: 'submit-help', class: 'hint' },
      'A video page yt-dlp can download (YouTube or another site). It is downloaded, transcribed, analysed and kept in this workspace\u2019s memory. To process a whole channel, ',
      h('a', { href: '/follows' }, 'follow it'), ' instead.'),
    h('label', { class: 'check' }, force, ' Process again even if this workspace processed it already'),
    h('div', null, button));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const value = url.value.trim();
    if (!value) {
      errors.show('Enter the URL of a video first.');
      url.focus();
      return;
    }
    errors.clear();
    button.disabled = true;
    button.textContent = 'Submitting…';
    try {
      const body = { url: value };
      if (force.checked) body.force = true;
      const r = await api('/v1/submissions', { method: 'POST', body, signal: ctx.signal });
      const note = r.status === 'duplicate'
        ? `This video is already known in this workspace: it is job ${r.job_id}.`
        : r.status === 'requeued'
          ? `Job ${r.job_id} had ended; it runs again.`
          : `Submitted as job ${r.job_id}.`;
      ctx.navigate(`/jobs/${encodeURIComponent(r.job_id)}`, { flash: note });
    } catch (err) {
      if (!ctx.alive() || err?.name === 'AbortError') return;
      errors.show(err);
      button.disabled = false;
      button.textContent = 'Submit';
      url.focus();
    }
  });

  replace(ctx.root,
    h('h1', null, 'Submit a video'),
    h('div', { class: 'card' }, errors.el, form));
  url.focus();
}
