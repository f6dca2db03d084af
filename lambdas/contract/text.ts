import * as z from 'zod';

/**
 * The one rule for free text a client sends (titles, descriptions, categories, file names): what we store is
 * well-formed Unicode in NFC, trimmed, and free of characters that hide or disguise what a person reads — C0/C1
 * control characters (descriptions keep line feeds and tabs), bidirectional overrides and isolates
 * (U+202A–U+202E, U+2066–U+2069, the "Trojan Source" characters), lone surrogates, and text that is nothing
 * but invisible characters. Each refusal names the class of character refused and carries a machine-readable
 * code in its issue's params (`params.code`), which the API puts in the 400's details.
 */

/** A class of characters free text may not contain, with the code and the words a refusal uses. */
export interface RefusedCharacters {
  code: 'TEXT_CONTROL_CHARACTER' | 'TEXT_LINE_BREAK' | 'TEXT_BIDI_CONTROL' | 'TEXT_LONE_SURROGATE';
  /** What the characters are, for a person: "control characters (U+0000–U+001F, U+007F–U+009F)". */
  description: string;
}

const CONTROL: RefusedCharacters = {
  code: 'TEXT_CONTROL_CHARACTER',
  description: 'control characters (U+0000–U+001F, U+007F–U+009F)',
};
const LINE_BREAK: RefusedCharacters = {
  code: 'TEXT_LINE_BREAK',
  description: 'line breaks (CR, LF, U+2028, U+2029)',
};
const BIDI: RefusedCharacters = {
  code: 'TEXT_BIDI_CONTROL',
  description: 'bidirectional override or isolate characters (U+202A–U+202E, U+2066–U+2069)',
};
const SURROGATE: RefusedCharacters = {
  code: 'TEXT_LONE_SURROGATE',
  description: 'lone UTF-16 surrogates (not a character at all)',
};

/** The code of a text that shows nothing once trimmed: only spaces, zero-width or other invisible characters. */
export const INVISIBLE_TEXT = 'TEXT_INVISIBLE';

const LINE_BREAKS = /[\n\r\u2028\u2029]/u;
// C0 and C1 controls and DEL; line feed and tab are told apart below, for multi-line text.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/u;
const TAB_OR_LINE_FEED = /[\t\n]/u;
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/u;
// With the u flag a surrogate pair is one code point, so this finds only the unpaired halves.
const LONE_SURROGATES = /[\ud800-\udfff]/u;
/** Characters that render as nothing: white space, format characters (zero-width space, joiners, BOM…), fillers. */
const INVISIBLE = /^[\p{White_Space}\p{Cf}\p{Default_Ignorable_Code_Point}\u2800]*$/u;

/**
 * The first class of refused characters in `text`, or undefined when it has none. `multiLine` text may hold
 * line feeds and tabs; single-line text neither (nor CR, U+2028, U+2029).
 */
export function refusedCharacters(
  text: string,
  options: { multiLine: boolean },
): RefusedCharacters | undefined {
  if (LONE_SURROGATES.test(text)) return SURROGATE;
  if (!options.multiLine && LINE_BREAKS.test(text)) return LINE_BREAK;
  if (CONTROLS.test(text) || (!options.multiLine && TAB_OR_LINE_FEED.test(text))) return CONTROL;
  if (BIDI_CONTROLS.test(text)) return BIDI;
  return undefined;
}

/** Whether a text shows nothing at all to a reader (empty, spaces, zero-width characters only). */
export function isInvisible(text: string): boolean {
  return INVISIBLE.test(text);
}

interface TextOptions {
  /** The field's name as a person reads it in a message: "A title", "A description". */
  label: string;
  /** At most this many UTF-16 code units once normalised. */
  max: number;
  /** Refuse an empty (or invisible-only) text. @default true */
  required?: boolean;
  multiLine: boolean;
  /** What to say when a required text is blank. @default "<label> needs at least one character." */
  blankMessage?: string;
}

function freeText({ label, max, required = true, multiLine, blankMessage }: TextOptions) {
  const blank = blankMessage ?? `${label} needs at least one character.`;
  // The bounds are checked on what was sent too, so the OpenAPI document shows them.
  const sent = z.string().max(max, `${label} is at most ${max} characters.`);
  return (required ? sent.min(1, blank) : sent)
    .superRefine((raw, context) => {
      // Checked before normalising: NFC would hide nothing, but a lone surrogate must be named as such.
      const refused = refusedCharacters(multiLine ? raw.replaceAll('\r\n', '\n') : raw, { multiLine });
      if (refused) {
        context.addIssue({
          code: 'custom',
          message: `${label} cannot contain ${refused.description}.`,
          params: { code: refused.code },
        });
      }
    })
    .transform((raw) => (multiLine ? raw.replaceAll('\r\n', '\n') : raw).normalize('NFC').trim())
    .pipe(
      z
        .string()
        .max(max, `${label} is at most ${max} characters.`)
        .superRefine((text, context) => {
          if (!required && text === '') return;
          if (isInvisible(text)) {
            context.addIssue({
              code: 'custom',
              message:
                text === ''
                  ? blank
                  : `${label} needs at least one visible character, not only spaces or invisible ones.`,
              params: { code: INVISIBLE_TEXT },
            });
          }
        }),
    );
}

/**
 * One line of text a person reads (a title, a category): no control characters or line breaks, no bidi
 * overrides or isolates, no lone surrogates, not blank or invisible-only; stored trimmed in NFC.
 */
export function singleLineText(options: Omit<TextOptions, 'multiLine'>) {
  return freeText({ ...options, multiLine: false });
}

/**
 * Text of several lines (a description): as singleLineText, but line feeds and tabs stay (CRLF becomes LF),
 * and it may be empty unless `required`.
 */
export function multiLineText(options: Omit<TextOptions, 'multiLine' | 'required'> & { required?: boolean }) {
  return freeText({ required: false, ...options, multiLine: true });
}
