// The "not found" view: an address the page does not know, or a job that is not in this
// workspace (the node answers 404 alike for both).
import { h, replace } from '../dom.js';

export function notFoundView(root, detail, ctx) {
  ctx?.title('Not found');
  replace(root,
    h('h1', { testid: 'not-found' }, 'Not found'),
    h('p', null, detail || `There is no page at ${location.pathname}.`),
    h('p', null, h('a', { href: '/' }, 'Go to the overview')));
}
