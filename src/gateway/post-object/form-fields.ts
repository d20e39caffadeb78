/** One form field as the client sent it: its name (in any case) and its value. */
export type FormField = readonly [name: string, value: string];

// Fields a POST policy never has to cover: the file, the policy, its signature (either version), and x-ignore-*.
const EXEMPT = new Set(['file', 'policy', 'x-amz-signature', 'awsaccesskeyid', 'signature']);

/** Pure: whether S3 exempts a field (name lowercased) from the rule that every field needs a condition. */
export function isExempt(name: string): boolean {
  return EXEMPT.has(name) || name.startsWith('x-ignore-');
}

/** Pure: what `${filename}` becomes: the text after the last `/` or `\`, since browsers may send a path. */
export function baseFilename(filename: string): string {
  return filename.slice(Math.max(filename.lastIndexOf('/'), filename.lastIndexOf('\\')) + 1);
}

/**
 * Pure: the fields with `${filename}` expanded in every value, as S3 expands them before checking the policy.
 * A file part without a filename parameter leaves the variable as sent.
 * NOTE: S3's documentation says it becomes empty then; S3 itself was seen keeping it literally.
 */
export function expandFilename(fields: readonly FormField[], filename: string | undefined): FormField[] {
  if (filename === undefined) return [...fields];
  const base = baseFilename(filename);
  return fields.map(([name, value]) => [name, value.split('${filename}').join(base)] as const);
}

/** Pure: field values by lowercased name; a repeated field's values join with commas, as S3 matches them. */
export function fieldMap(fields: readonly FormField[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of fields) {
    const lower = name.toLowerCase();
    const seen = out.get(lower);
    out.set(lower, seen === undefined ? value : `${seen},${value}`);
  }
  return out;
}
