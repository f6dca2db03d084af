// Skycast web app shell: accounts only. It reads where everything is from /config.json and finds API
// operations by operationId in /openapi.json, so the same files work locally and deployed.

const SESSION_KEY = 'skycast.session';
/** Refresh a little before the access token expires, so a request never leaves with a dying token. */
const REFRESH_MARGIN_MS = 60_000;

const $ = (id) => document.getElementById(id);

let config;
/** operationId → { method, path } */
let operations = {};

// ---------------------------------------------------------------------------------------------------------
// Messages

function announce(message) {
  $('problem').hidden = true;
  $('status').textContent = message;
  $('status').hidden = !message;
}

function complain(message) {
  $('status').hidden = true;
  $('problem').textContent = message;
  $('problem').hidden = !message;
}

function clearFieldErrors(form) {
  for (const field of form.querySelectorAll('[aria-invalid]')) field.removeAttribute('aria-invalid');
}

/** Runs a form's action with its submit button disabled, and shows what went wrong if it fails. */
function onSubmit(form, action) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    const buttons = form.querySelectorAll('button');
    for (const button of buttons) button.disabled = true;
    try {
      await action(new FormData(form));
    } catch (error) {
      complain(error.message);
      if (error.field) {
        const field = form.elements.namedItem(error.field);
        if (field && 'focus' in field) {
          field.setAttribute('aria-invalid', 'true');
          field.focus();
        }
      }
    } finally {
      for (const button of buttons) button.disabled = false;
    }
  });
}

// ---------------------------------------------------------------------------------------------------------
// Cognito, through its JSON API (the same requests the AWS SDK sends)

class CognitoError extends Error {
  constructor(type, message) {
    super(message);
    this.type = type;
  }
}

const COGNITO_MESSAGES = {
  UsernameExistsException:
    'An account with this e-mail already exists. Sign in, or confirm it if you have not.',
  InvalidPasswordException:
    'That password does not meet the policy: at least 12 characters, with upper- and lower-case letters, a digit and a symbol.',
  CodeMismatchException: 'That code is not right. Check it, or ask for a new one.',
  ExpiredCodeException: 'That code has expired. Ask for a new one.',
  NotAuthorizedException: 'The e-mail or password is not right.',
  UserNotConfirmedException: 'Confirm your e-mail first: enter the code we sent you.',
  UserNotFoundException: 'The e-mail or password is not right.',
  LimitExceededException: 'Too many attempts. Wait a few minutes and try again.',
  TooManyRequestsException: 'Too many attempts. Wait a moment and try again.',
  InvalidParameterException: null,
};

async function cognito(operation, input) {
  let response;
  try {
    response = await fetch(config.cognitoEndpoint, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': `AWSCognitoIdentityProviderService.${operation}`,
      },
      body: JSON.stringify(input),
    });
  } catch {
    throw new CognitoError('NetworkError', 'Could not reach the sign-in service. Check your connection.');
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const type = String(body.__type ?? `HTTP ${response.status}`)
      .split('#')
      .pop();
    throw new CognitoError(type, COGNITO_MESSAGES[type] ?? body.message ?? `${operation} failed (${type}).`);
  }
  return body;
}

// ---------------------------------------------------------------------------------------------------------
// Session: tokens live in sessionStorage, for this tab only

function loadSession() {
  try {
    return JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null');
  } catch {
    return null;
  }
}

function saveSession(result, email, previous) {
  const session = {
    email,
    accessToken: result.AccessToken,
    idToken: result.IdToken,
    // REFRESH_TOKEN_AUTH answers without a new refresh token: keep the one we have.
    refreshToken: result.RefreshToken ?? previous?.refreshToken,
    expiresAt: Date.now() + (result.ExpiresIn ?? 3600) * 1000,
  };
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  return session;
}

function forgetSession() {
  sessionStorage.removeItem(SESSION_KEY);
}

async function refresh(session) {
  const answer = await cognito('InitiateAuth', {
    ClientId: config.userPoolClientId,
    AuthFlow: 'REFRESH_TOKEN_AUTH',
    AuthParameters: { REFRESH_TOKEN: session.refreshToken },
  });
  return saveSession(answer.AuthenticationResult, session.email, session);
}

/** A live access token, refreshed first if it is about to expire; undefined when signed out. */
async function accessToken({ forceRefresh = false } = {}) {
  let session = loadSession();
  if (!session) return undefined;
  if (forceRefresh || Date.now() > session.expiresAt - REFRESH_MARGIN_MS) {
    try {
      session = await refresh(session);
    } catch {
      forgetSession();
      return undefined;
    }
  }
  return session.accessToken;
}

// ---------------------------------------------------------------------------------------------------------
// The API, operation by operationId

class ApiError extends Error {
  constructor(status, body) {
    // The first issue's own message reads better than the summary, which starts with its path.
    super(body?.details?.issues?.[0]?.message ?? body?.message ?? `The request failed (HTTP ${status}).`);
    this.status = status;
    this.code = body?.code;
    // `details.issues[0].path` is like `body.tags.0`: the field to point at.
    this.field = body?.details?.issues?.[0]?.path?.split('.')[1];
  }
}

class SignedOutError extends Error {
  constructor() {
    super('Your session has ended. Sign in again.');
  }
}

async function callApi(operationId, body) {
  const operation = operations[operationId];
  if (!operation) throw new Error(`The API has no operation ${operationId}.`);
  const send = async (token) =>
    fetch(`${config.apiUrl}${operation.path}`, {
      method: operation.method,
      headers: {
        Authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  let token = await accessToken();
  if (!token) throw new SignedOutError();
  let response = await send(token);
  if (response.status === 401) {
    // The token may have been revoked or expired early: one refresh, one retry.
    token = await accessToken({ forceRefresh: true });
    if (!token) throw new SignedOutError();
    response = await send(token);
  }
  const answer = await response.json().catch(() => undefined);
  if (response.status === 401) {
    forgetSession();
    throw new SignedOutError();
  }
  if (!response.ok) throw new ApiError(response.status, answer);
  return answer;
}

// ---------------------------------------------------------------------------------------------------------
// Views

function showPanel(name) {
  const panels = document.querySelectorAll('[data-panel]');
  const target = [...panels].some((panel) => panel.id === name) ? name : 'sign-in';
  for (const panel of panels) panel.hidden = panel.id !== target;
  for (const link of document.querySelectorAll('[data-panel-link]')) {
    if (link.dataset.panelLink === target) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  return target;
}

function goToPanel(name, email) {
  if (email) {
    for (const id of ['sign-in-email', 'confirm-email', 'sign-up-email']) {
      if (!$(id).value) $(id).value = email;
    }
  }
  if (location.hash !== `#${name}`) history.pushState(null, '', `#${name}`);
  showPanel(name);
  const inputs = [...$(name).querySelectorAll('input')];
  (inputs.find((input) => !input.value) ?? inputs[0])?.focus();
}

function showSignedOut() {
  $('signed-in').hidden = true;
  $('signed-out').hidden = false;
  showPanel(location.hash.slice(1));
}

function renderProfile(profile) {
  $('profile-email').textContent = profile.email ?? '—';
  $('profile-id').querySelector('code').textContent = profile.userId;
  $('profile-created').textContent = new Date(profile.createdAt).toLocaleDateString();
  const chosen = new Set(profile.preferences.categories);
  for (const box of document.querySelectorAll('#category-list input')) box.checked = chosen.has(box.value);
  $('tags').value = profile.preferences.tags.join(', ');
  $('language').value = profile.preferences.language;
}

async function showSignedIn() {
  const profile = await callApi('getMe');
  renderProfile(profile);
  $('signed-out').hidden = true;
  $('signed-in').hidden = false;
  $('profile-title').focus();
}

/** Checkboxes for the categories the API accepts, from its own schema. */
function renderCategories(openApi) {
  const operation = findOperation(openApi, 'updatePreferences');
  const schema = operation?.requestBody?.content?.['application/json']?.schema;
  const categories = schema?.properties?.categories?.items?.enum ?? [];
  const list = $('category-list');
  list.replaceChildren(
    ...categories.map((category) => {
      const label = document.createElement('label');
      label.className = 'choice';
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.name = 'categories';
      box.value = category;
      label.append(box, ` ${category[0].toUpperCase()}${category.slice(1)}`);
      return label;
    }),
  );
}

function findOperation(openApi, operationId) {
  for (const [path, methods] of Object.entries(openApi.paths ?? {})) {
    for (const [method, operation] of Object.entries(methods)) {
      if (operation.operationId === operationId) return { ...operation, path, method: method.toUpperCase() };
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Actions

function wire() {
  onSubmit($('sign-up-form'), async (form) => {
    const email = String(form.get('email')).trim();
    const password = String(form.get('password'));
    if (!email) throw Object.assign(new Error('Enter your e-mail address.'), { field: 'email' });
    if (password.length < 12) {
      throw Object.assign(new Error('The password needs at least 12 characters.'), { field: 'password' });
    }
    const answer = await cognito('SignUp', {
      ClientId: config.userPoolClientId,
      Username: email,
      Password: password,
      UserAttributes: [{ Name: 'email', Value: email }],
    });
    $('sign-up-form').reset();
    goToPanel('confirm', email);
    const where = answer.CodeDeliveryDetails?.Destination;
    announce(
      `Account created. We sent a code${where ? ` to ${where}` : ''}: enter it to confirm your e-mail.`,
    );
  });

  onSubmit($('confirm-form'), async (form) => {
    const email = String(form.get('email')).trim();
    const code = String(form.get('code')).trim();
    if (!/^\d{6}$/.test(code)) throw Object.assign(new Error('The code has six digits.'), { field: 'code' });
    await cognito('ConfirmSignUp', {
      ClientId: config.userPoolClientId,
      Username: email,
      ConfirmationCode: code,
    });
    $('confirm-code').value = '';
    goToPanel('sign-in', email);
    announce('Your e-mail is confirmed. Sign in with your password.');
  });

  $('resend-code').addEventListener('click', async () => {
    const email = $('confirm-email').value.trim();
    if (!email) {
      complain('Enter your e-mail address first.');
      $('confirm-email').focus();
      return;
    }
    try {
      const answer = await cognito('ResendConfirmationCode', {
        ClientId: config.userPoolClientId,
        Username: email,
      });
      const where = answer.CodeDeliveryDetails?.Destination;
      announce(`We sent a new code${where ? ` to ${where}` : ''}.`);
    } catch (error) {
      complain(error.message);
    }
  });

  onSubmit($('sign-in-form'), async (form) => {
    const email = String(form.get('email')).trim();
    let answer;
    try {
      answer = await cognito('InitiateAuth', {
        ClientId: config.userPoolClientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: email, PASSWORD: String(form.get('password')) },
      });
    } catch (error) {
      if (error.type === 'UserNotConfirmedException') goToPanel('confirm', email);
      throw error;
    }
    if (!answer.AuthenticationResult) {
      throw new Error(`Sign-in needs a step this app does not support yet (${answer.ChallengeName}).`);
    }
    saveSession(answer.AuthenticationResult, email);
    $('sign-in-form').reset();
    announce('');
    await showSignedIn();
    announce('You are signed in.');
  });

  onSubmit($('preferences-form'), async (form) => {
    const tags = String(form.get('tags'))
      .split(',')
      .map((tag) => tag.trim())
      .filter(Boolean);
    try {
      const profile = await callApi('updatePreferences', {
        categories: form.getAll('categories').map(String),
        tags,
        language: String(form.get('language')).trim(),
      });
      renderProfile(profile);
      announce('Preferences saved.');
    } catch (error) {
      if (error instanceof SignedOutError) showSignedOut();
      throw error;
    }
  });

  $('sign-out').addEventListener('click', async () => {
    const session = loadSession();
    try {
      if (session) await cognito('GlobalSignOut', { AccessToken: session.accessToken });
    } catch {
      // The token may already be revoked or expired: signing out locally is what counts now.
    }
    forgetSession();
    showSignedOut();
    announce('You are signed out.');
  });

  window.addEventListener('hashchange', () => {
    if (!$('signed-out').hidden) showPanel(location.hash.slice(1));
  });
}

async function start() {
  try {
    const [configResponse, openApiResponse] = await Promise.all([
      fetch('/config.json', { cache: 'no-cache' }),
      fetch('/openapi.json', { cache: 'no-cache' }),
    ]);
    if (!configResponse.ok || !openApiResponse.ok) throw new Error('missing settings');
    config = await configResponse.json();
    const openApi = await openApiResponse.json();
    operations = Object.fromEntries(
      ['getMe', 'updatePreferences'].map((id) => [id, findOperation(openApi, id)]).filter(([, op]) => op),
    );
    renderCategories(openApi);
  } catch {
    $('loading').hidden = true;
    complain('The app could not load its settings (/config.json, /openapi.json). Reload to try again.');
    return;
  }
  // Locally the Cognito endpoint is on this origin and codes go to the outbox instead of e-mail.
  $('local-hint').hidden = new URL(config.cognitoEndpoint, location.href).origin !== location.origin;
  wire();
  $('loading').hidden = true;
  if (loadSession()) {
    try {
      await showSignedIn();
      return;
    } catch (error) {
      complain(error.message);
    }
  }
  showSignedOut();
}

start();
