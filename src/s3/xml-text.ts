/** The five entities XML predefines; S3's parser knows no others (no HTML entities, no DTD). */
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };

/** XML 1.0's Char production: what a character reference may name. */
function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd)
    || (cp >= 0x10000 && cp <= 0x10ffff);
}

/** Raised for text no conforming XML parser accepts (a bare `&`, an unknown entity, a reference to no character). */
export class XmlTextError extends Error {
  constructor(detail: string) {
    super(`malformed XML text: ${detail}`);
    this.name = 'XmlTextError';
  }
}

const REFERENCE = /&([^;&<]*);?/g;

/**
 * Pure: decodes the character data of one XML text node exactly as an XML 1.0 parser (and so S3) does: the five
 * predefined entities and decimal (`&#39;`) and hexadecimal (`&#x9;`) character references, each once (so
 * `&amp;#39;` stays `&#39;`). Line ends were already normalised by the parser (a literal CR LF is LF, a `&#13;`
 * is CR). Anything else is malformed and throws, as S3 answers MalformedXML.
 */
export function decodeXmlText(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(REFERENCE, (whole, body: string) => {
    if (!whole.endsWith(';')) throw new XmlTextError('an "&" that starts no reference');
    if (body.startsWith('#')) {
      const hex = body[1] === 'x';
      const digits = body.slice(hex ? 2 : 1);
      if (!(hex ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/).test(digits)) throw new XmlTextError(`bad character reference "${whole.slice(0, 16)}"`);
      const cp = digits.length > 8 ? -1 : parseInt(digits, hex ? 16 : 10);
      if (!isXmlChar(cp)) throw new XmlTextError(`a reference to a character XML does not allow (${whole.slice(0, 16)})`);
      return String.fromCodePoint(cp);
    }
    const named = NAMED[body];
    if (named === undefined) throw new XmlTextError(`unknown entity "${whole.slice(0, 16)}"`);
    return named;
  });
}
