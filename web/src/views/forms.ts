import { announce, h, replace } from '../dom.ts';

/** An error that points at a form field. */
export class FieldError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Runs a form's action on submit with its buttons disabled; a failure is shown in the form's alert region and
 * the field it is about gets aria-invalid and focus.
 */
export function onSubmit(
  form: HTMLFormElement,
  problem: HTMLElement,
  action: (data: FormData) => Promise<void>,
) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    for (const field of form.querySelectorAll('[aria-invalid]')) field.removeAttribute('aria-invalid');
    replace(problem);
    problem.hidden = true;
    const buttons = [...form.querySelectorAll('button')];
    for (const button of buttons) button.disabled = true;
    try {
      await action(new FormData(form));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      problem.textContent = message;
      problem.hidden = false;
      const name = (error as { field?: string }).field;
      const field = name ? form.elements.namedItem(name) : null;
      if (field instanceof HTMLElement) {
        field.setAttribute('aria-invalid', 'true');
        field.focus();
      } else {
        announce(message);
      }
    } finally {
      for (const button of buttons) button.disabled = false;
    }
  });
}

/** A labelled input with an optional hint, wired with for/id and aria-describedby. */
export function field(
  id: string,
  label: string,
  input: Record<string, string | boolean | undefined>,
  hint?: string,
): HTMLElement {
  const hintId = hint ? `${id}-hint` : undefined;
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    h('input', { id, name: id.split('-').pop(), ...input, 'aria-describedby': hintId }),
    hint ? h('p', { id: hintId, class: 'hint' }, hint) : null,
  );
}

export function visibilityField(id: string, selected = 'private', label = 'Who can watch'): HTMLElement {
  const choices: [string, string][] = [
    ['public', 'Public'],
    ['unlisted', 'Unlisted (link only)'],
    ['private', 'Private (only you)'],
  ];
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    h(
      'select',
      { id, name: 'visibility', 'aria-describedby': `${id}-hint` },
      choices.map(([value, text]) => h('option', { value, selected: value === selected }, text)),
    ),
    h(
      'p',
      { id: `${id}-hint`, class: 'hint' },
      'Public: on the home page for everyone signed in. Unlisted: anyone signed in who has the link. Private: only you.',
    ),
  );
}

/** The alert region of a form. */
export function problemRegion(): HTMLParagraphElement {
  return h('p', { class: 'notice error', role: 'alert', hidden: true });
}
