import { call, config, offers } from '../api.ts';
import { CognitoError, confirmSignUp, currentSession, resendCode, signIn, signUp } from '../auth.ts';
import { announce, formatDate, h, notice } from '../dom.ts';
import { navigate, type View } from '../router.ts';
import { FieldError, field, onSubmit, problemRegion } from './forms.ts';

const PASSWORD_POLICY =
  'At least 12 characters, with an upper-case letter, a lower-case letter, a digit and a symbol (such as ! ? - _ # or %).';

/** `next` from the query string, if it is one of our paths. */
function nextPath(): string {
  const next = new URLSearchParams(location.search).get('next') ?? '/';
  return next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

function isLocal(): boolean {
  return new URL(config().cognitoEndpoint, location.href).origin === location.origin;
}

export const signInView: View = {
  signedIn: false,
  async render(root) {
    const problem = problemRegion();
    const email = new URLSearchParams(location.search).get('email') ?? '';
    const form = h(
      'form',
      { novalidate: true, 'aria-labelledby': 'sign-in-title' },
      field('sign-in-email', 'E-mail', {
        type: 'email',
        autocomplete: 'username',
        required: true,
        value: email,
      }),
      field('sign-in-password', 'Password', {
        type: 'password',
        autocomplete: 'current-password',
        required: true,
      }),
      h('button', { type: 'submit' }, 'Sign in'),
    );
    onSubmit(form, problem, async (data) => {
      const address = String(data.get('email')).trim();
      if (!address) throw new FieldError('email', 'Enter your e-mail address.');
      try {
        await signIn(address, String(data.get('password')));
      } catch (error) {
        if (error instanceof CognitoError && error.type === 'UserNotConfirmedException') {
          navigate(`/confirm?email=${encodeURIComponent(address)}`);
          announce(error.message);
          return;
        }
        throw error;
      }
      announce('You are signed in.');
      navigate(nextPath(), { replace: true });
    });
    root.append(
      h('h1', { id: 'sign-in-title' }, 'Sign in'),
      currentSession() ? notice(`You are signed in as ${currentSession()?.email}.`) : '',
      problem,
      form,
      h('p', {}, 'New here? ', h('a', { href: '/signup' }, 'Create an account'), '.'),
      h('p', {}, 'Got a code by e-mail? ', h('a', { href: '/confirm' }, 'Confirm your e-mail'), '.'),
    );
    return undefined;
  },
};

export const signUpView: View = {
  signedIn: false,
  async render(root) {
    const problem = problemRegion();
    const form = h(
      'form',
      { novalidate: true, 'aria-labelledby': 'sign-up-title' },
      field('sign-up-email', 'E-mail', { type: 'email', autocomplete: 'email', required: true }),
      field(
        'sign-up-password',
        'Password',
        { type: 'password', autocomplete: 'new-password', minlength: '12', required: true },
        PASSWORD_POLICY,
      ),
      h('button', { type: 'submit' }, 'Create account'),
    );
    onSubmit(form, problem, async (data) => {
      const email = String(data.get('email')).trim();
      const password = String(data.get('password'));
      if (!email) throw new FieldError('email', 'Enter your e-mail address.');
      if (password.length < 12)
        throw new FieldError('password', 'The password needs at least 12 characters.');
      const where = await signUp(email, password);
      navigate(`/confirm?email=${encodeURIComponent(email)}`);
      announce(
        `Account created. We sent a code${where ? ` to ${where}` : ''}: enter it to confirm your e-mail.`,
      );
    });
    root.append(h('h1', { id: 'sign-up-title' }, 'Create an account'), problem, form);
    return undefined;
  },
};

export const confirmView: View = {
  signedIn: false,
  async render(root) {
    const problem = problemRegion();
    const status = h('p', { class: 'notice', role: 'status', hidden: true });
    const email = new URLSearchParams(location.search).get('email') ?? '';
    const resend = h('button', { type: 'button', class: 'secondary' }, 'Send a new code');
    const form = h(
      'form',
      { novalidate: true, 'aria-labelledby': 'confirm-title' },
      field('confirm-email', 'E-mail', {
        type: 'email',
        autocomplete: 'username',
        required: true,
        value: email,
      }),
      field('confirm-code', 'Code', {
        inputmode: 'numeric',
        autocomplete: 'one-time-code',
        pattern: '[0-9]{6}',
        maxlength: '6',
        required: true,
      }),
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Confirm'), resend),
    );
    onSubmit(form, problem, async (data) => {
      const address = String(data.get('email')).trim();
      const code = String(data.get('code')).trim();
      if (!address) throw new FieldError('email', 'Enter your e-mail address.');
      if (!/^\d{6}$/.test(code)) throw new FieldError('code', 'The code has six digits.');
      await confirmSignUp(address, code);
      navigate(`/signin?email=${encodeURIComponent(address)}`);
      announce('Your e-mail is confirmed. Sign in with your password.');
    });
    resend.addEventListener('click', async () => {
      const address = (form.elements.namedItem('email') as HTMLInputElement).value.trim();
      problem.hidden = true;
      if (!address) {
        problem.textContent = 'Enter your e-mail address first.';
        problem.hidden = false;
        return;
      }
      try {
        const where = await resendCode(address);
        status.textContent = `We sent a new code${where ? ` to ${where}` : ''}.`;
        status.hidden = false;
      } catch (error) {
        problem.textContent = error instanceof Error ? error.message : String(error);
        problem.hidden = false;
      }
    });
    root.append(
      h('h1', { id: 'confirm-title' }, 'Confirm your e-mail'),
      h('p', {}, 'We sent a six-digit code to your address. Enter it here to finish creating your account.'),
      isLocal()
        ? h(
            'p',
            { class: 'notice' },
            'Running locally, no e-mail is sent: the code is printed in the terminal where ',
            h('code', {}, 'npm start'),
            ' runs and listed at ',
            h('a', { href: '/local/outbox' }, '/local/outbox'),
            '.',
          )
        : '',
      status,
      problem,
      form,
    );
    return undefined;
  },
};

export const profileView: View = {
  signedIn: true,
  async render(root) {
    const profile = await call('getMe');
    const problem = problemRegion();
    const saved = h('p', { class: 'notice', role: 'status', hidden: true });
    const form = h(
      'form',
      { novalidate: true, 'aria-labelledby': 'preferences-title' },
      field(
        'pref-tags',
        'Tags you like',
        { value: profile.preferences.tags.join(', '), autocomplete: 'off' },
        'Separate tags with commas.',
      ),
      field(
        'pref-language',
        'Language',
        { value: profile.preferences.language, autocomplete: 'off' },
        'A language tag such as en, pt-BR or zh-Hant.',
      ),
      h('button', { type: 'submit' }, 'Save preferences'),
    );
    onSubmit(form, problem, async (data) => {
      const tags = String(data.get('tags'))
        .split(',')
        .map((tag) => tag.trim())
        .filter(Boolean);
      await call('updatePreferences', {
        body: {
          categories: profile.preferences.categories,
          tags,
          language: String(data.get('language')).trim(),
        },
      });
      saved.textContent = 'Preferences saved.';
      saved.hidden = false;
    });
    root.append(
      h('h1', {}, 'Your account'),
      h(
        'dl',
        { class: 'profile' },
        h('dt', {}, 'E-mail'),
        h('dd', {}, profile.email ?? '—'),
        h('dt', {}, 'Member since'),
        h('dd', {}, formatDate(profile.createdAt)),
      ),
      ...(offers('updatePreferences')
        ? [h('h2', { id: 'preferences-title' }, 'Preferences'), saved, problem, form]
        : []),
    );
    return undefined;
  },
};
