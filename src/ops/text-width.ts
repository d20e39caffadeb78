import { eastAsianWidth } from 'get-east-asian-width';

const segmenter = new Intl.Segmenter();
// A grapheme that takes no column: a lone combining mark, a zero-width or default-ignorable character.
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Default_Ignorable_Code_Point}]+$/u;
// Built at run time: TypeScript's ES2022 target does not know the `v` flag, which Node 20 and later do.
const EMOJI = new RegExp('^\\p{RGI_Emoji}$', 'v');

/** Pure: the columns a grapheme takes in a terminal: 0, 1, or 2 for East Asian wide and fullwidth characters and emoji. */
function graphemeWidth(g: string): number {
  if (ZERO_WIDTH.test(g)) return 0;
  if (EMOJI.test(g)) return 2;
  // Ambiguous characters as narrow, as terminals outside East Asian locales show them (UAX #11's advice).
  return eastAsianWidth(g.codePointAt(0)!, { ambiguousAsWide: false });
}

/** Pure: the columns a string (already made visible: no control characters) takes in a terminal. */
export function displayWidth(text: string): number {
  let w = 0;
  for (const { segment } of segmenter.segment(text)) w += graphemeWidth(segment);
  return w;
}

/** Pure: the text padded with spaces to `width` columns. */
export function padToWidth(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

/**
 * Pure: text of pieces (each shown whole, such as an escape `\x1B` or one grapheme) cut in the middle to at most
 * `max` columns: the start and the end kept, an ellipsis between, never half a piece or half a wide character.
 */
export function cutMiddle(pieces: string[], max: number): string {
  const widths = pieces.map(displayWidth);
  const total = widths.reduce((a, b) => a + b, 0);
  if (total <= max) return pieces.join('');
  const room = Math.max(0, max - 1);
  const headRoom = Math.ceil(room / 2);
  const tailRoom = room - headRoom;
  let head = '';
  let used = 0;
  let i = 0;
  for (; i < pieces.length && used + widths[i]! <= headRoom; i++) {
    head += pieces[i];
    used += widths[i]!;
  }
  let tail = '';
  let tailUsed = 0;
  // The end gets what the start could not use (a wide character that did not fit), so the cut fills `max`.
  const tailMax = room - used;
  for (let j = pieces.length - 1; j >= i && tailUsed + widths[j]! <= Math.max(tailRoom, tailMax); j--) {
    tail = pieces[j] + tail;
    tailUsed += widths[j]!;
  }
  return `${head}…${tail}`;
}

/** Pure: the graphemes of a string. */
export function graphemes(text: string): string[] {
  return Array.from(segmenter.segment(text), (s) => s.segment);
}
