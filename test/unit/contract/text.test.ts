import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isInvisible, multiLineText, refusedCharacters, singleLineText } from '#contract/text.ts';

const title = singleLineText({ label: 'A title', max: 20 });
const description = multiLineText({ label: 'A description', max: 50 });

/** The issue codes a schema answers `value` with, or the value it stores. */
function outcome(schema: typeof title | typeof description, value: string) {
  const result = schema.safeParse(value);
  if (result.success) return { stored: result.data };
  return {
    refused: result.error.issues.map(
      (issue) => (issue as { params?: { code?: string } }).params?.code ?? issue.code,
    ),
    messages: result.error.issues.map((issue) => issue.message),
  };
}

describe('singleLineText', () => {
  for (const [why, value, code] of [
    ['NUL', 'a\u0000b', 'TEXT_CONTROL_CHARACTER'],
    ['BEL', 'ding\u0007', 'TEXT_CONTROL_CHARACTER'],
    ['ESC (a terminal colour sequence)', '\u001b[31mred', 'TEXT_CONTROL_CHARACTER'],
    ['a tab', 'a\tb', 'TEXT_CONTROL_CHARACTER'],
    ['a C1 control', 'a\u0085b', 'TEXT_CONTROL_CHARACTER'],
    ['DEL', 'a\u007fb', 'TEXT_CONTROL_CHARACTER'],
    ['CR/LF', 'one\r\ntwo', 'TEXT_LINE_BREAK'],
    ['a line separator', 'one\u2028two', 'TEXT_LINE_BREAK'],
    ['a right-to-left override', 'cod\u202Egnp.exe', 'TEXT_BIDI_CONTROL'],
    ['a left-to-right embedding', '\u202Aabc', 'TEXT_BIDI_CONTROL'],
    ['a first-strong isolate', 'a\u2068b\u2069', 'TEXT_BIDI_CONTROL'],
    ['a lone high surrogate', 'a\ud800b', 'TEXT_LONE_SURROGATE'],
    ['a lone low surrogate', '\udc00', 'TEXT_LONE_SURROGATE'],
    ['zero-width spaces only', '\u200b\u200b', 'TEXT_INVISIBLE'],
    ['a byte order mark and a word joiner only', '\ufeff\u2060', 'TEXT_INVISIBLE'],
    ['a Hangul filler only', '\u3164', 'TEXT_INVISIBLE'],
    ['spaces only', '   ', 'TEXT_INVISIBLE'],
  ] as const) {
    it(`refuses ${why} with ${code}, saying which characters`, () => {
      const result = outcome(title, value);

      assert.deepEqual(result.refused, [code]);
      assert.match(result.messages?.[0] ?? '', /^A title (cannot contain|needs at least one)/);
    });
  }

  it('says which character class it refuses', () => {
    assert.match(outcome(title, 'x\u202Ey').messages?.[0] ?? '', /bidirectional.*U\+202A–U\+202E/);
    assert.match(outcome(title, 'x\u0007').messages?.[0] ?? '', /control characters \(U\+0000/);
  });

  it('stores the text trimmed and in NFC', () => {
    assert.deepEqual(outcome(title, '  Cafe\u0301 au lait '), { stored: 'Café au lait' });
  });

  it('keeps what people write: other scripts, emoji, right-to-left text and its marks', () => {
    for (const value of [
      'שלום עולם',
      'مرحبا\u200f!',
      '日本語のタイトル',
      'Party 🎉👩‍👩‍👧',
      'naïve — “quoted”',
    ]) {
      assert.deepEqual(outcome(title, value), { stored: value.normalize('NFC') }, value);
    }
  });

  it('counts the length on what it stores', () => {
    assert.deepEqual(outcome(title, 'x'.repeat(20)), { stored: 'x'.repeat(20) });
    assert.equal(title.safeParse('x'.repeat(21)).success, false);
  });
});

describe('multiLineText', () => {
  it('keeps line feeds and tabs, and turns CRLF into LF', () => {
    assert.deepEqual(outcome(description, 'First line\r\n\tindented\nlast'), {
      stored: 'First line\n\tindented\nlast',
    });
  });

  it('refuses every other control character, a lone CR among them', () => {
    for (const value of ['a\rb', 'a\u0000b', 'a\u000bb', 'bell\u0007']) {
      assert.deepEqual(
        outcome(description, value).refused,
        ['TEXT_CONTROL_CHARACTER'],
        JSON.stringify(value),
      );
    }
  });

  it('refuses bidi controls and lone surrogates as single lines do', () => {
    assert.deepEqual(outcome(description, 'a\u2066b').refused, ['TEXT_BIDI_CONTROL']);
    assert.deepEqual(outcome(description, '\udbff').refused, ['TEXT_LONE_SURROGATE']);
  });

  it('may be empty, but not invisible-only', () => {
    assert.deepEqual(outcome(description, ''), { stored: '' });
    assert.deepEqual(outcome(description, '\u200b\n\u200b').refused, ['TEXT_INVISIBLE']);
  });
});

describe('refusedCharacters and isInvisible', () => {
  it('tell the class apart without a schema', () => {
    assert.equal(refusedCharacters('plain', { multiLine: false }), undefined);
    assert.equal(refusedCharacters('a\nb', { multiLine: true }), undefined);
    assert.equal(refusedCharacters('a\nb', { multiLine: false })?.code, 'TEXT_LINE_BREAK');
    assert.equal(refusedCharacters('😀', { multiLine: false }), undefined, 'a surrogate pair is a character');
    assert.equal(isInvisible('\u00a0\u200d'), true);
    assert.equal(isInvisible('\u200da'), false);
  });
});
