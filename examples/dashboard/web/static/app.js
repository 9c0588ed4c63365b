// The apicred demo dashboard: "Settings → API Credentials" over the
// management API (package adminapi), in plain JavaScript.
//
// Two things are held with care:
//   - the admin token comes in the URL fragment (#token=…), is moved into a
//     variable of this module and removed from the address bar; it is never
//     written to localStorage, sessionStorage or a cookie;
//   - a one-time secret lives only in the one-time dialog and in the
//     variable oneTime while that dialog is open; closing the dialog wipes
//     both. Nothing is ever written to the browser's storage.

const page = document.body.dataset;
const TENANT = page.tenant;
const API = page.api;
const LOCK_WINDOW = page.lockWindow;
const PRODUCTS_SCOPE = page.scope;

const $ = (id) => document.getElementById(id);

let adminToken = ''; // the admin token, in memory only
let credentials = []; // the credentials listed so far, newest state of each (never a secret)
let nextCursor = ''; // the next page of credentials, '' when none
let knownScopes = []; // the scopes offered by the Create dialog
let oneTime = null; // the one-time answer while the secret dialog is open; null otherwise
let current = null; // the credential the open action dialog works on
let audit = { credential: null, cursor: '' }; // the credential whose audit log is shown
const touched = new Set(); // Create form fields the user has left or changed

// ---------------------------------------------------------------------------
// Talking to the management API

class ApiError extends Error {
  constructor(status, problem) {
    super(problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

const tenantPath = () => `/tenants/${encodeURIComponent(TENANT)}`;
const credPath = (id) => `${tenantPath()}/credentials/${encodeURIComponent(id)}`;

async function api(method, path, body) {
  const headers = { Accept: 'application/json', Authorization: `Bearer ${adminToken}` };
  const init = { method, headers, cache: 'no-store', credentials: 'omit', referrerPolicy: 'no-referrer' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let resp;
  try {
    resp = await fetch(API + path, init);
  } catch (e) {
    throw new ApiError(0, { title: 'The server cannot be reached', detail: 'Is the dashboard program still running?' });
  }
  let data = null;
  if ((resp.headers.get('Content-Type') || '').includes('json')) {
    try {
      data = await resp.json();
    } catch {
      data = null;
    }
  }
  if (!resp.ok) {
    const problem = data && typeof data === 'object' ? data : { title: `${resp.status} ${resp.statusText}` };
    if (resp.status === 401) {
      signOut('The admin token was refused. Open the address the dashboard printed at start, or paste its token.');
    }
    throw new ApiError(resp.status, problem);
  }
  return data;
}

// ---------------------------------------------------------------------------
// Small DOM helpers (text only: nothing from the API is parsed as HTML)

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k === 'on') for (const [ev, fn] of Object.entries(v)) node.addEventListener(ev, fn);
    else if (k in node && typeof v !== 'string') node[k] = v;
    else node.setAttribute(k, v === true ? '' : v);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

function showError(box, text) {
  box.textContent = text;
  box.hidden = !text;
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dayFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const clockFormat = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });
const relativeFormat = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

// timeEl shows a time in the user's time zone, the day and the clock time
// each kept whole, with the exact UTC time as its tooltip.
function timeEl(iso) {
  const d = new Date(iso);
  return el('time', { datetime: iso, title: `${d.toISOString()} (UTC)` },
    el('span', { class: 'day', text: dayFormat.format(d) }), ' ', el('span', { class: 'clock', text: clockFormat.format(d) }));
}

function relative(iso) {
  const seconds = (new Date(iso).getTime() - Date.now()) / 1000;
  const units = [['year', 31536000], ['month', 2592000], ['day', 86400], ['hour', 3600], ['minute', 60]];
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) return relativeFormat.format(Math.round(seconds / size), unit);
  }
  return relativeFormat.format(Math.round(seconds), 'second');
}

// toLocalInput formats an RFC 3339 time for a datetime-local input.
function toLocalInput(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

// fromLocalInput reads a datetime-local value (the user's local time) as a
// Date; null for an empty or unreadable value.
function fromLocalInput(value) {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

function setBusy(button, busy) {
  button.disabled = busy;
  button.setAttribute('aria-busy', busy ? 'true' : 'false');
}

// ---------------------------------------------------------------------------
// Notices and problems

function notify(text, kind = 'info') {
  const box = $('notice');
  box.className = `notice ${kind}`;
  box.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  $('notice-text').textContent = text;
  box.hidden = false;
}

// problemText writes an API error as one sentence: its title and detail.
function problemText(err) {
  const p = err.problem || {};
  const parts = [p.title || err.message];
  if (p.detail && p.detail !== p.title) parts.push(p.detail);
  const text = parts.join(': ');
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

// showProblem shows an API error in a dialog's error box, and each field
// error next to its field when fieldBox names one.
function showProblem(box, err, fieldBox = () => null) {
  box.replaceChildren();
  const p = err.problem || {};
  box.append(el('strong', { text: p.title || err.message }));
  if (p.detail && p.detail !== p.title) box.append(' ', p.detail);
  const unplaced = [];
  for (const fe of Array.isArray(p.errors) ? p.errors : []) {
    const target = fieldBox(String(fe.field || ''));
    if (target) showError(target, fe.message);
    else unplaced.push(fe);
  }
  if (unplaced.length) {
    box.append(el('ul', {}, ...unplaced.map((fe) => el('li', {}, el('code', { text: fe.field }), ` ${fe.message}`))));
  }
  box.hidden = false;
}

// ---------------------------------------------------------------------------
// Signing in with the admin token

function takeTokenFromURL() {
  const params = new URLSearchParams(location.hash.slice(1));
  const token = params.get('token') || '';
  if (location.hash) history.replaceState(null, '', location.pathname + location.search);
  return token;
}

async function signIn(token) {
  adminToken = token;
  try {
    await loadCredentials();
  } catch (err) {
    if (err.status !== 401) {
      showApp();
      notify(`The credentials could not be loaded. ${problemText(err)}`, 'error');
    }
    return;
  }
  showApp();
  try {
    await loadScopes();
  } catch (err) {
    notify(`The list of scopes could not be loaded. ${problemText(err)}`, 'error');
  }
}

function signOut(why) {
  adminToken = '';
  credentials = [];
  $('cred-rows').replaceChildren();
  for (const id of ['credentials', 'audit', 'try']) $(id).hidden = true;
  $('create-open').disabled = true;
  for (const d of document.querySelectorAll('dialog[open]')) d.close();
  $('signin').hidden = false;
  if (why) $('signin-why').textContent = why;
  $('signin-token').value = '';
  $('signin-token').focus();
}

function showApp() {
  $('signin').hidden = true;
  $('credentials').hidden = false;
  $('try').hidden = false;
  $('create-open').disabled = false;
  $('try-curl').textContent = `curl -u "$TIEBACK_CLIENT_ID:$TIEBACK_CLIENT_SECRET" ${location.origin}/v1/products`;
}

// ---------------------------------------------------------------------------
// The credentials table

async function loadCredentials() {
  const data = await api('GET', `${tenantPath()}/credentials?limit=50`);
  credentials = data.credentials || [];
  nextCursor = data.next_cursor || '';
  renderCredentials();
}

async function loadMoreCredentials() {
  const data = await api('GET', `${tenantPath()}/credentials?limit=50&cursor=${encodeURIComponent(nextCursor)}`);
  for (const c of data.credentials || []) upsert(c, false);
  nextCursor = data.next_cursor || '';
  renderCredentials();
}

// upsert puts the newest state of a credential into the list.
function upsert(c, render = true) {
  const i = credentials.findIndex((x) => x.id === c.id);
  if (i >= 0) credentials[i] = c;
  else credentials.push(c);
  if (render) renderCredentials();
}

function renderCredentials() {
  $('cred-rows').replaceChildren(...credentials.map(credentialRow));
  $('cred-empty').hidden = credentials.length > 0;
  $('cred-more').hidden = !nextCursor;
}

const STATE_LABELS = { active: 'Active', expired: 'Expired', revoked: 'Revoked' };

function expiryBlockedText(c) {
  switch (c.expiry_blocked_by) {
    case 'expiry_locked':
      return `Locked: this credential expires within ${LOCK_WINDOW}, so its expiry can no longer be changed. Create a new credential instead.`;
    case 'credential_expired':
      return 'Blocked: this credential has expired, and an expired credential cannot be extended. Create a new credential instead.';
    case 'credential_revoked':
      return 'Blocked: this credential is revoked, which is permanent.';
    default:
      return c.expiry_editable ? '' : 'The expiry of this credential cannot be edited now.';
  }
}

const SHORT_BLOCK = {
  expiry_locked: `Edit locked: under ${LOCK_WINDOW} left`,
  credential_expired: 'Edit blocked: expired',
  credential_revoked: 'Edit blocked: revoked',
};

function credentialRow(c) {
  const rowId = `cred-${c.id}`;
  const name = el('td', { class: 'name' },
    el('strong', { text: c.name, id: `${rowId}-name` }),
    c.environment === 'test' ? el('span', { class: 'chip env', text: 'test' }) : null,
    c.contact_email ? el('div', { class: 'sub email', title: c.contact_email, text: c.contact_email }) : null,
    ...Object.entries(c.metadata || {}).map(([k, v]) => el('span', { class: 'chip tag', text: `${k}=${v}` })),
  );
  const access = el('td', { class: 'access' },
    el('div', { text: c.access === 'full' ? 'Full' : 'Fine Grained' }),
    c.access === 'full'
      ? el('span', { class: 'chip scope all', text: 'all scopes' })
      : el('div', { class: 'chips' }, ...(c.scopes || []).map((s) => el('span', { class: 'chip scope', text: s }))),
  );
  const state = el('td', {}, el('span', { class: `badge ${c.state}`, text: STATE_LABELS[c.state] || c.state }));
  if (c.state === 'revoked' && c.revoked_at) state.append(el('div', { class: 'sub' }, timeEl(c.revoked_at)));

  const blockedText = expiryBlockedText(c);
  const noteId = `${rowId}-expiry-note`;
  const expiry = el('td', { class: 'expiry' },
    c.expires_at ? timeEl(c.expires_at) : el('span', { class: 'muted', text: 'Never' }),
    c.expires_at ? el('div', { class: 'sub', text: relative(c.expires_at) }) : null,
    blockedText ? el('div', { class: 'note', id: noteId, title: blockedText, text: SHORT_BLOCK[c.expiry_blocked_by] || 'Edit not allowed' }) : null,
  );
  const rotated = el('td', {}, c.rotated_at ? timeEl(c.rotated_at) : el('span', { class: 'muted', text: 'Never' }));

  const label = (verb) => `${verb} ${c.name}`;
  const expiryBtn = el('button', {
    type: 'button', class: 'btn sm', text: 'Expiry', 'aria-label': label('Expiry of'),
    disabled: !c.expiry_editable, title: blockedText || 'Change or remove the expiry',
    'aria-describedby': blockedText ? noteId : null, 'data-action': 'expiry',
    on: { click: () => openExpiry(c) },
  });
  let rotateWhy = '';
  if (c.state === 'expired') rotateWhy = 'Expired credentials cannot be rotated. Create a new credential instead.';
  if (c.state === 'revoked') rotateWhy = 'Revoked credentials cannot be rotated.';
  const rotateBtn = el('button', {
    type: 'button', class: 'btn sm', text: 'Rotate', 'aria-label': label('Rotate'),
    disabled: c.state !== 'active', title: rotateWhy || 'Replace the secret; the client ID stays',
    'data-action': 'rotate', on: { click: () => openRotate(c) },
  });
  const revokeBtn = el('button', {
    type: 'button', class: 'btn sm danger-outline', text: 'Revoke', 'aria-label': label('Revoke'),
    disabled: c.state === 'revoked', title: c.state === 'revoked' ? 'Already revoked' : 'End this credential for good',
    'data-action': 'revoke', on: { click: () => openRevoke(c) },
  });
  const auditBtn = el('button', {
    type: 'button', class: 'btn sm ghost', text: 'Audit log', 'aria-label': label('Audit log of'),
    'data-action': 'audit', on: { click: () => openAudit(c) },
  });
  const actions = el('td', { class: 'actions' }, el('div', { class: 'action-row' }, expiryBtn, rotateBtn, revokeBtn, auditBtn));

  return el('tr', { id: rowId, 'data-id': c.id, 'data-state': c.state },
    name,
    el('td', {}, el('code', { class: 'client-id', text: c.client_id })),
    el('td', {}, el('code', { class: 'hint-code', text: c.secret_hint })),
    access, state, expiry, rotated, actions);
}

// refreshAfterRefusal reloads the list after the server refused a change
// because the credential's state differs from what the page showed (such
// as an expiry that became locked while the page was open, or clock skew),
// and says why.
async function refreshAfterRefusal(what, err) {
  try {
    await loadCredentials();
    if (audit.credential) await loadAudit();
  } catch (reloadErr) {
    notify(`${what} was refused by the server. ${problemText(err)} Reloading the list failed too: ${problemText(reloadErr)}`, 'error');
    return;
  }
  notify(`${what} was refused by the server. ${problemText(err)} The list has been refreshed to show the current state.`, 'error');
}

// ---------------------------------------------------------------------------
// Create

async function loadScopes() {
  const data = await api('GET', '/scopes');
  knownScopes = data.scopes || [];
  renderScopeChoices();
}

function renderScopeChoices() {
  const list = $('c-scope-list');
  if (knownScopes.length === 0) {
    list.replaceChildren(el('label', { for: 'c-scope-free', text: 'Scopes, separated by spaces' }),
      el('input', { id: 'c-scope-free', autocomplete: 'off', placeholder: PRODUCTS_SCOPE }));
    return;
  }
  list.replaceChildren(...knownScopes.map((s) => el('label', { class: 'choice scope-choice' },
    el('input', { type: 'checkbox', name: 'scope', value: s }), el('code', { text: s }))));
}

function chosenScopes() {
  const free = $('c-scope-free');
  if (free) return free.value.split(/\s+/).filter(Boolean);
  return [...document.querySelectorAll('#c-scope-list input[name=scope]:checked')].map((i) => i.value);
}

const EMAIL_DOMAIN_DOT = /@[^@]*\.[^@.]+$/;
const METADATA_KEY = /^[A-Za-z0-9_.-]{1,64}$/;

// readCreateForm reads and checks the Create form as the server will.
function readCreateForm() {
  const errors = {};
  const name = $('c-name').value.trim();
  if (!name) errors.name = 'Enter a name for the credential.';
  const emailInput = $('c-email');
  const email = emailInput.value.trim();
  if (email && (!emailInput.checkValidity() || !EMAIL_DOMAIN_DOT.test(email))) {
    errors.contact_email = 'Enter a valid email address, such as dev@example.com, or leave it empty.';
  }
  const access = document.querySelector('#create-form input[name=access]:checked')?.value || 'fine_grained';
  const scopes = access === 'fine_grained' ? chosenScopes() : [];
  if (access === 'fine_grained' && scopes.length === 0) errors.scopes = 'Choose at least one scope for Fine Grained access.';
  const body = { name, access, scopes, environment: $('c-env').value };
  if (email) body.contact_email = email;
  const tag = $('c-meta').value.trim();
  if (tag) {
    const eq = tag.indexOf('=');
    const key = eq > 0 ? tag.slice(0, eq).trim() : '';
    if (!METADATA_KEY.test(key)) errors.metadata = 'Write the tag as key=value; the key takes letters, digits, _ - and . only.';
    else body.metadata = { [key]: tag.slice(eq + 1).trim() };
  }
  const expiryValue = $('c-expiry').value;
  if (expiryValue) {
    const d = fromLocalInput(expiryValue);
    if (!d) errors.expires_at = 'Enter a complete date and time.';
    else if (d.getTime() <= Date.now()) errors.expires_at = 'Pick a time in the future.';
    else body.expires_at = d.toISOString();
  } else if ($('c-expiry').validity.badInput) {
    errors.expires_at = 'Enter a complete date and time.';
  }
  return { body, errors, valid: Object.keys(errors).length === 0 };
}

const CREATE_FIELD_BOXES = {
  name: 'c-name-err', contact_email: 'c-email-err', scopes: 'c-scopes-err', access: 'c-scopes-err',
  metadata: 'c-meta-err', expires_at: 'c-expiry-err',
};

function createFieldBox(field) {
  const base = field.split(/[.[]/)[0];
  const id = CREATE_FIELD_BOXES[base];
  return id ? $(id) : null;
}

function validateCreate(showAll = false) {
  const form = readCreateForm();
  const fine = document.querySelector('#create-form input[name=access]:checked')?.value !== 'full';
  $('c-scopes').disabled = !fine;
  for (const [field, boxId] of Object.entries(CREATE_FIELD_BOXES)) {
    if (field === 'access') continue;
    const msg = showAll || touched.has(field) ? form.errors[field] || '' : '';
    showError($(boxId), msg);
    const input = { name: 'c-name', contact_email: 'c-email', metadata: 'c-meta', expires_at: 'c-expiry' }[field];
    if (input) $(input).setAttribute('aria-invalid', msg ? 'true' : 'false');
  }
  $('create-submit').disabled = !form.valid;
  return form;
}

const CREATE_INPUT_FIELDS = { 'c-name': 'name', 'c-email': 'contact_email', 'c-meta': 'metadata', 'c-expiry': 'expires_at' };

function resetCreateForm() {
  $('create-form').reset();
  touched.clear();
  showError($('create-error'), '');
  validateCreate();
}

function openCreate() {
  resetCreateForm();
  $('create-dialog').showModal();
  $('c-name').focus();
}

async function submitCreate(event) {
  event.preventDefault();
  const form = validateCreate(true);
  if (!form.valid) return;
  const button = $('create-submit');
  setBusy(button, true);
  showError($('create-error'), '');
  try {
    const result = await api('POST', `${tenantPath()}/credentials`, form.body);
    $('create-dialog').close();
    upsert(result.credential);
    showOneTime(result, 'created');
  } catch (err) {
    showProblem($('create-error'), err, createFieldBox);
  } finally {
    setBusy(button, false);
    // Only the button: the server's field errors stay until the user edits.
    button.disabled = !readCreateForm().valid;
  }
}

// ---------------------------------------------------------------------------
// The one-time secret dialog

function showOneTime(result, how) {
  oneTime = {
    clientId: result.client_id,
    secret: result.client_secret,
    envFile: result.env_file,
    jsonFile: result.json_file,
  };
  // The answer object goes no further than here: keep the secret in oneTime only.
  result.client_secret = '';
  result.env_file = '';
  result.json_file = '';
  $('secret-title').textContent = how === 'rotated' ? `New secret for ${result.credential.name}` : `Credential created: ${result.credential.name}`;
  $('secret-client-id').textContent = oneTime.clientId;
  $('secret-value').textContent = oneTime.secret;
  $('ack-stored').checked = false;
  $('ack-once').checked = false;
  $('copy-status').textContent = '';
  updateAckGate();
  $('secret-dialog').showModal();
  $('copy-secret').focus();
}

function updateAckGate() {
  const both = $('ack-stored').checked && $('ack-once').checked;
  $('secret-close').disabled = !both;
  $('secret-close-hint').hidden = both;
}

// wipeOneTime removes the secret from the page and from every variable.
function wipeOneTime() {
  if (oneTime) {
    oneTime.secret = '';
    oneTime.envFile = '';
    oneTime.jsonFile = '';
  }
  oneTime = null;
  $('secret-client-id').textContent = '';
  $('secret-value').textContent = '';
  $('copy-status').textContent = '';
  $('ack-stored').checked = false;
  $('ack-once').checked = false;
  updateAckGate();
}

async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // Fall back below: permission refused, or the document lost focus.
    }
  }
  const area = el('textarea', { readonly: true, class: 'offscreen', 'aria-hidden': 'true' });
  area.value = text;
  document.body.append(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  } finally {
    area.value = '';
    area.remove();
  }
  return ok;
}

async function copyField(which) {
  if (!oneTime) return;
  const [text, what] = which === 'secret' ? [oneTime.secret, 'Client secret'] : [oneTime.clientId, 'Client ID'];
  const ok = await copyText(text);
  $('copy-status').textContent = ok
    ? `${what} copied to the clipboard.`
    : `${what} could not be copied automatically: select it above and copy it by hand.`;
}

function download(which) {
  if (!oneTime) return;
  const [content, type, ext] = which === 'env'
    ? [oneTime.envFile, 'text/plain', 'env']
    : [oneTime.jsonFile, 'application/json', 'json'];
  const url = URL.createObjectURL(new Blob([content], { type }));
  const link = el('a', { href: url, download: `${oneTime.clientId}.${ext}` });
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
  $('copy-status').textContent = `Downloaded ${oneTime.clientId}.${ext}. Move it to a safe place.`;
}

// ---------------------------------------------------------------------------
// Expiry

function openExpiry(c) {
  current = c;
  $('e-name').textContent = c.name;
  $('e-current').replaceChildren(c.expires_at ? 'expiring ' : 'with no expiry', c.expires_at ? timeEl(c.expires_at) : '');
  $('e-date').value = toLocalInput(c.expires_at);
  $('e-reason').value = '';
  showError($('expiry-error'), '');
  showError($('e-date-err'), '');
  $('expiry-dialog').showModal();
  $('e-date').focus();
}

async function submitExpiry(event) {
  event.preventDefault();
  const c = current;
  const value = $('e-date').value;
  const d = fromLocalInput(value);
  if ((value && !d) || (!value && $('e-date').validity.badInput)) {
    showError($('e-date-err'), 'Enter a complete date and time, or clear the field to remove the expiry.');
    return;
  }
  if (d && d.getTime() <= Date.now()) {
    showError($('e-date-err'), 'Pick a time in the future, or clear the field to remove the expiry.');
    return;
  }
  showError($('e-date-err'), '');
  const body = { expires_at: d ? d.toISOString() : null };
  const reason = $('e-reason').value.trim();
  if (reason) body.reason = reason;
  const button = $('expiry-submit');
  setBusy(button, true);
  try {
    const updated = await api('PUT', `${credPath(c.id)}/expiry`, body);
    $('expiry-dialog').close();
    upsert(updated);
    notify(updated.expires_at ? `Expiry of “${updated.name}” set to ${dateFormat.format(new Date(updated.expires_at))}.` : `Expiry of “${updated.name}” removed.`);
    refreshAuditOf(updated);
  } catch (err) {
    if (err.status === 409 || err.status === 404) {
      $('expiry-dialog').close();
      await refreshAfterRefusal(`Changing the expiry of “${c.name}”`, err);
    } else {
      showProblem($('expiry-error'), err, (f) => (f.startsWith('expires_at') ? $('e-date-err') : null));
    }
  } finally {
    setBusy(button, false);
  }
}

// ---------------------------------------------------------------------------
// Rotate

function openRotate(c) {
  current = c;
  $('r-name').textContent = c.name;
  $('r-client-id').textContent = c.client_id;
  $('r-reason').value = '';
  showError($('rotate-error'), '');
  $('rotate-dialog').showModal();
  $('r-reason').focus();
}

async function submitRotate(event) {
  event.preventDefault();
  const c = current;
  const reason = $('r-reason').value.trim();
  const button = $('rotate-submit');
  setBusy(button, true);
  try {
    const result = await api('POST', `${credPath(c.id)}/rotate`, reason ? { reason } : {});
    $('rotate-dialog').close();
    upsert(result.credential);
    refreshAuditOf(result.credential);
    showOneTime(result, 'rotated');
  } catch (err) {
    if (err.status === 409 || err.status === 404) {
      $('rotate-dialog').close();
      await refreshAfterRefusal(`Rotating “${c.name}”`, err);
    } else {
      showProblem($('rotate-error'), err);
    }
  } finally {
    setBusy(button, false);
  }
}

// ---------------------------------------------------------------------------
// Revoke

function revokeStep(confirming) {
  $('revoke-step-reason').hidden = confirming;
  $('revoke-step-confirm').hidden = !confirming;
  (confirming ? $('revoke-submit') : $('v-reason')).focus();
}

function openRevoke(c) {
  current = c;
  $('v-name').textContent = c.name;
  $('v-client-id').textContent = c.client_id;
  $('v-reason').value = '';
  $('revoke-next').disabled = true;
  showError($('revoke-error'), '');
  $('revoke-question').textContent = `Revoke “${c.name}” (${c.client_id}) permanently? This cannot be undone.`;
  $('revoke-dialog').showModal();
  revokeStep(false);
}

async function submitRevoke(event) {
  event.preventDefault();
  if ($('revoke-step-confirm').hidden) return; // Enter in the reason field: the confirmation comes first.
  const c = current;
  const reason = $('v-reason').value.trim();
  const button = $('revoke-submit');
  setBusy(button, true);
  try {
    const revoked = await api('POST', `${credPath(c.id)}/revoke`, { reason });
    $('revoke-dialog').close();
    upsert(revoked);
    refreshAuditOf(revoked);
    notify(`“${revoked.name}” is revoked. Requests with its client ID now get 401.`);
  } catch (err) {
    if (err.status === 409 || err.status === 404) {
      $('revoke-dialog').close();
      await refreshAfterRefusal(`Revoking “${c.name}”`, err);
    } else {
      revokeStep(false);
      showProblem($('revoke-error'), err, (f) => (f === 'reason' ? $('revoke-error') : null));
    }
  } finally {
    setBusy(button, false);
  }
}

// ---------------------------------------------------------------------------
// Audit log

const EVENT_LABELS = { created: 'Created', rotated: 'Rotated', expiry_changed: 'Expiry changed', revoked: 'Revoked' };

function eventRow(e) {
  const when = (iso) => (iso ? timeEl(iso) : el('span', { class: 'muted', text: 'none' }));
  const showsExpiry = e.type === 'expiry_changed' || e.type === 'created';
  return el('tr', { 'data-type': e.type },
    el('td', {}, timeEl(e.at)),
    el('td', {}, el('span', { class: `event ${e.type}`, text: EVENT_LABELS[e.type] || e.type })),
    el('td', {}, el('code', { text: e.actor })),
    el('td', { text: e.reason || '—', class: e.reason ? '' : 'muted' }),
    el('td', {}, showsExpiry && e.type !== 'created' ? when(e.old_expires_at) : el('span', { class: 'muted', text: '—' })),
    el('td', {}, showsExpiry ? when(e.new_expires_at) : el('span', { class: 'muted', text: '—' })));
}

async function loadAudit(more = false) {
  const c = audit.credential;
  let path = `${credPath(c.id)}/events?limit=100`;
  if (more) path += `&cursor=${encodeURIComponent(audit.cursor)}`;
  const data = await api('GET', path);
  const rows = (data.events || []).map(eventRow);
  if (more) $('audit-rows').append(...rows);
  else $('audit-rows').replaceChildren(...rows);
  audit.cursor = data.next_cursor || '';
  $('audit-more').hidden = !audit.cursor;
  $('audit-empty').hidden = $('audit-rows').children.length > 0;
}

async function openAudit(c) {
  audit = { credential: c, cursor: '' };
  $('audit-title').textContent = `Audit log: ${c.name}`;
  $('audit').hidden = false;
  try {
    await loadAudit();
  } catch (err) {
    notify(`The audit log could not be loaded. ${problemText(err)}`, 'error');
  }
  $('audit').scrollIntoView({ block: 'nearest' });
}

function refreshAuditOf(c) {
  if (audit.credential && audit.credential.id === c.id) {
    audit.credential = c;
    loadAudit().catch((err) => notify(`The audit log could not be reloaded. ${problemText(err)}`, 'error'));
  }
}

// ---------------------------------------------------------------------------
// Wiring

function onClick(id, fn) {
  $(id).addEventListener('click', fn);
}

function wireUp() {
  for (const dialog of document.querySelectorAll('dialog')) {
    for (const b of dialog.querySelectorAll('[data-cancel]')) b.addEventListener('click', () => dialog.close());
  }
  onClick('notice-close', () => { $('notice').hidden = true; });
  $('signin-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const token = $('signin-token').value.trim();
    $('signin-token').value = '';
    if (token) signIn(token);
  });

  onClick('create-open', openCreate);
  onClick('cred-more', () => loadMoreCredentials().catch((err) => notify(problemText(err), 'error')));
  const createForm = $('create-form');
  createForm.addEventListener('input', (event) => {
    const field = CREATE_INPUT_FIELDS[event.target.id];
    if (field && event.target.type !== 'datetime-local') touched.add(field);
    validateCreate();
  });
  createForm.addEventListener('change', (event) => {
    const field = CREATE_INPUT_FIELDS[event.target.id];
    if (field) touched.add(field);
    if (event.target.name === 'scope') touched.add('scopes');
    validateCreate();
  });
  createForm.addEventListener('focusout', (event) => {
    const field = CREATE_INPUT_FIELDS[event.target.id];
    if (field) touched.add(field);
    validateCreate();
  });
  createForm.addEventListener('submit', submitCreate);
  $('create-dialog').addEventListener('close', resetCreateForm); // Cancel, ×, Escape: nothing is created.

  const secretDialog = $('secret-dialog');
  secretDialog.addEventListener('cancel', (event) => event.preventDefault()); // Escape does not skip the gate.
  secretDialog.addEventListener('close', wipeOneTime);
  $('ack-stored').addEventListener('change', updateAckGate);
  $('ack-once').addEventListener('change', updateAckGate);
  onClick('secret-close', () => {
    if (!$('ack-stored').checked || !$('ack-once').checked) return;
    wipeOneTime(); // at once: the close event that also wipes comes a task later
    secretDialog.close();
  });
  onClick('copy-client-id', () => copyField('client_id'));
  onClick('copy-secret', () => copyField('secret'));
  onClick('download-env', () => download('env'));
  onClick('download-json', () => download('json'));

  $('expiry-form').addEventListener('submit', submitExpiry);
  $('rotate-form').addEventListener('submit', submitRotate);
  $('revoke-form').addEventListener('submit', submitRevoke);
  $('v-reason').addEventListener('input', () => { $('revoke-next').disabled = $('v-reason').value.trim() === ''; });
  onClick('revoke-next', () => {
    if ($('v-reason').value.trim() !== '') revokeStep(true);
  });
  onClick('revoke-back', () => revokeStep(false));
  $('revoke-dialog').addEventListener('close', () => { $('v-reason').value = ''; current = null; });
  $('rotate-dialog').addEventListener('close', () => { current = null; });
  $('expiry-dialog').addEventListener('close', () => { current = null; });

  onClick('audit-close', () => { $('audit').hidden = true; audit = { credential: null, cursor: '' }; });
  onClick('audit-more', () => loadAudit(true).catch((err) => notify(problemText(err), 'error')));
}

wireUp();
// The printed address opened in a new tab, or pasted into this one.
window.addEventListener('hashchange', () => {
  const token = takeTokenFromURL();
  if (token) signIn(token);
});
const token = takeTokenFromURL();
if (token) signIn(token);
else signOut('');
