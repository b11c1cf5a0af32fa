import { getCountries, type CountryCode } from 'libphonenumber-js/max';
import type { PiiFinding } from '../../shared/pii/index.js';
import { AppError } from '../platform/errors.js';

/** Workspace setting: personal data an admin allows in public replies (the company's own hotline, order numbers). */
export const PII_ALLOW_KEY = 'trust.piiAllow';

export interface AllowedPattern {
  type: string;
  /** A regular expression the whole finding must match; for `email` and `phone` the exact value instead. */
  pattern: string;
  note?: string;
}

/** Payment and identity data, and secrets, are never allowed in public, whatever the workspace says. */
export const neverAllowedTypes: ReadonlySet<string> = new Set(['card', 'iban', 'ssn', 'otp', 'password']);
// An address or number is allowed only as one exact value: a pattern could let every customer's through.
const literalTypes = new Set(['email', 'phone']);

const normalise = (type: string, value: string) => (type === 'phone' ? value.replace(/[^\d+]/g, '') : value.trim().toLowerCase());

export interface CompiledAllow {
  type: string;
  matches(value: string): boolean;
}

/** Checks an admin's list, naming the offending entry, and compiles it. */
export const compileAllowed = (list: readonly AllowedPattern[]): CompiledAllow[] =>
  list.map((p, i) => {
    if (neverAllowedTypes.has(p.type)) throw new AppError('validation_failed', `${p.type} can never be allowed in public replies`, `patterns.${i}.type`);
    if (literalTypes.has(p.type)) {
      const exact = normalise(p.type, p.pattern);
      return { type: p.type, matches: (value: string) => normalise(p.type, value) === exact };
    }
    let regex: RegExp;
    try {
      regex = new RegExp(`^(?:${p.pattern})$`, 'iu');
    } catch {
      throw new AppError('validation_failed', 'not a valid regular expression', `patterns.${i}.pattern`);
    }
    if (regex.test('')) throw new AppError('validation_failed', 'the pattern must not match empty text', `patterns.${i}.pattern`);
    return { type: p.type, matches: (value: string) => regex.test(value) };
  });

/** The findings an allowed pattern does not cover. */
export const notAllowed = (text: string, findings: readonly PiiFinding[], allowed: readonly CompiledAllow[]): PiiFinding[] =>
  allowed.length === 0 ? [...findings] : findings.filter((f) => !allowed.some((a) => a.type === f.type && a.matches(text.slice(f.start, f.end))));

/**
 * Regions (ISO 3166 alpha-2, stored beside the allowed patterns) whose national phone format the guard reads: the
 * first is where numbers written without a country code are read (US when none is set), the others also accept their
 * national format with a leading trunk 0. A UK brand sets `['GB']` so "07911 123456" is found.
 */
export interface PiiPhoneRegions {
  defaultRegion: CountryCode;
  nationalRegions: CountryCode[];
}

const knownCountries: ReadonlySet<string> = new Set(getCountries());

/** Checks an admin's region list, naming the offending entry; returns them upper-cased without repeats. */
export const validateRegions = (regions: readonly string[]): CountryCode[] => {
  const out: CountryCode[] = [];
  regions.forEach((r, i) => {
    const code = r.trim().toUpperCase();
    if (!knownCountries.has(code)) throw new AppError('validation_failed', `${JSON.stringify(r)} is not an ISO 3166 alpha-2 region with a phone numbering plan`, `regions.${i}`);
    if (!out.includes(code as CountryCode)) out.push(code as CountryCode);
  });
  return out;
};

/** The phone options for the guard from the stored regions; stored values that no longer validate are skipped. */
export const phoneRegionsFrom = (regions: readonly string[] | undefined): PiiPhoneRegions | Record<string, never> => {
  const valid = (regions ?? []).map((r) => r.toUpperCase()).filter((r): r is CountryCode => knownCountries.has(r));
  return valid.length === 0 ? {} : { defaultRegion: valid[0]!, nationalRegions: valid.slice(1) };
};
