import { describe, expect, it } from 'vitest';
import { forbiddenCharacter, multiLineText, singleLineText } from './text.js';

describe('forbiddenCharacter', () => {
  it.each<[string, boolean, string | null]>([
    ['plain text', false, null],
    ['NUL \u0000', false, 'U+0000'],
    ['NUL \u0000 in a prompt', true, 'U+0000'],
    ['escape \u001b[31m', true, 'U+001B'],
    ['DEL \u007f', true, 'U+007F'],
    ['C1 \u0085', true, 'U+0085'],
    ['tab\tand\nnew\r\nlines', true, null],
    ['tab\tin a title', false, 'U+0009'],
    ['new\nline in a title', false, 'U+000A'],
    ['bidi override \u202e in a name', false, 'U+202E'],
    ['bidi isolate \u2066 in a name', false, 'U+2066'],
    ['émoji 🚀 and CJK 漢字', false, null],
  ])('forbiddenCharacter %j (multiLine %s) → %s', (text, multiLine, found) =>
    expect(forbiddenCharacter(text, { multiLine })).toBe(found),
  );
});

describe('text schemas', () => {
  it('singleLineText trims, requires, caps and names the character', () => {
    const title = singleLineText(5);
    expect(title.parse('  abc  ')).toBe('abc');
    expect(title.safeParse('   ').error?.issues[0]?.message).toBe('is required');
    expect(title.safeParse('abcdef').error?.issues[0]?.message).toBe('must be at most 5 characters');
    expect(title.safeParse('a\u0000b').error?.issues[0]?.message).toBe(
      'must not contain control characters; found U+0000',
    );
  });

  it('multiLineText keeps tab and line breaks, refuses other controls', () => {
    const prompt = multiLineText(100);
    expect(prompt.parse('one\n\ttwo')).toBe('one\n\ttwo');
    expect(prompt.safeParse('bell\u0007').error?.issues[0]?.message).toContain(
      'U+0007 (tab and line breaks are fine)',
    );
    expect(multiLineText(100, { required: false }).parse('')).toBe('');
  });
});
