/**
 * Errors for operators (configuration, rules, journal, CLI). Each has a stable code, documented in the README,
 * and a hint that says what to do about it.
 */
export const FERRY_ERRORS = {
  CONFIG_INVALID: 'the configuration file is not valid',
  CONFIG_UNREADABLE: 'the configuration file cannot be read',
  RULE_INVALID: 'a replication rule is not valid',
  RULE_NOT_FOUND: 'no rule has that id',
  JOURNAL_UNAVAILABLE: 'the journal cannot be written',
  JOURNAL_TAMPERED: 'the journal hash chain does not verify',
  REGION_UNREACHABLE: 'a region cannot be reached',
  TARGET_BUCKET_MISSING: 'the target bucket of a rule does not exist',
  UPSTREAM_ERROR: 'a region answered with an error',
  ADMIN_UNAUTHORIZED: 'the admin token is missing or wrong',
  ADMIN_TOKEN_REQUIRED: 'the admin listener is bound beyond loopback without a token',
  JOURNAL_ROW_NOT_FOUND: 'no journal row has that sequence number',
  OPTION_INVALID: 'a command-line option is not valid',
  CUTOVER_STATE: 'the rule is not in a state this failover or failback can start from',
  CUTOVER_UNSHIPPED: 'changes have not shipped to the side traffic would move to',
  CUTOVER_DRIFT: 'the two buckets of the rule differ',
  ADDRESS_IN_USE: 'an address Ferry was to listen on is in use by another process',
} as const;

export type FerryErrorCode = keyof typeof FERRY_ERRORS;

export class FerryError extends Error {
  readonly code: FerryErrorCode;
  readonly hint?: string;

  constructor(code: FerryErrorCode, message: string, hint?: string) {
    super(message);
    this.name = 'FerryError';
    this.code = code;
    this.hint = hint;
  }
}
