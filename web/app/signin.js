// Signing in where reads need a token: the dialog, and signing out.

import { setToken, token } from './api.js';
import { $ } from './dom.js';

/** Asks for a token after `err` (a refused read); a stored token that was refused is dropped. */
export function openSignIn(err) {
  const dialog = $('#signin-dialog');
  const msg = $('#signin-error');
  // A stored token that the server refuses is dropped, so a reload asks again.
  const hadToken = Boolean(token());
  if (hadToken) setToken('');
  msg.hidden = !hadToken;
  msg.textContent = hadToken ? `The token was not accepted: ${err.message}` : '';
  if (!dialog.open) dialog.showModal();
  $('#signin-token').focus();
}

/** Wires the sign-in dialog and the sign-out button. */
export function initSignIn() {
  $('#signin-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const t = $('#signin-token').value.trim();
    if (!t) return;
    setToken(t);
    location.reload();
  });
  // Without data there is nothing behind the dialog to return to.
  $('#signin-dialog').addEventListener('cancel', (e) => e.preventDefault());
  const out = $('#sign-out');
  out.hidden = !token();
  out.addEventListener('click', () => {
    setToken('');
    location.reload();
  });
}
