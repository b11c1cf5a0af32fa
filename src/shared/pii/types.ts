import type { CountryCode } from 'libphonenumber-js/max';

/** Built-in kinds of personal data the guard recognises; workspace patterns may add their own type names. */
export type PiiType =
  | 'email'
  | 'phone'
  | 'card'
  | 'iban'
  | 'ssn'
  | 'dob'
  | 'address'
  | 'account_number'
  | 'order_number'
  | 'otp'
  | 'password'
  | 'name';

/**
 * One span of personal data. `start`/`end` are UTF-16 offsets (end exclusive) into the scanned text.
 * The matched text is deliberately never part of a finding, so findings are safe to log and store.
 */
export interface PiiFinding {
  type: string;
  start: number;
  end: number;
  value?: never;
}

/** A workspace-defined detector: every match of `regex` is reported as `type` (a named group `value` narrows the span). */
export interface PiiPattern {
  type: string;
  regex: RegExp;
}

/** A national identity number format; `validate` receives the matched digits/letters without separators. */
export interface NationalIdPattern {
  /** Reported type; defaults to 'ssn'. */
  type?: string;
  regex: RegExp;
  validate?: (compact: string) => boolean;
}

export interface PiiOptions {
  /** Region used for phone numbers written without a country code (ISO 3166 alpha-2). Default 'US'. */
  defaultRegion?: CountryCode;
  /** Further regions whose national format (with a leading trunk 0, e.g. UK "07700 900123") is accepted. */
  nationalRegions?: readonly CountryCode[];
  /** Extra workspace patterns, reported beside the built-in types. */
  extraPatterns?: readonly PiiPattern[];
  /** National id formats checked in addition to the US SSN (replaces the built-in non-US list when given). */
  nationalIdPatterns?: readonly NationalIdPattern[];
  /** Replace the default "account no. …" detectors; a named group `value` marks the reported span. */
  accountPatterns?: readonly RegExp[];
  /** Replace the default "order #…" detectors; a named group `value` marks the reported span. */
  orderPatterns?: readonly RegExp[];
  /** Only report these types (default: all). */
  types?: readonly string[];
  /** Never report these types (the workspace allows them). */
  allowTypes?: readonly string[];
  /** A finding whose whole text matches one of these is not reported (e.g. the brand's own support line). */
  allowPatterns?: readonly RegExp[];
}
