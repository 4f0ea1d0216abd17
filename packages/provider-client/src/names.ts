import { domainToASCII } from 'node:url';
import { InvalidInputError } from './errors.js';

const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;
const MAX_NAME_OCTETS = 253;
export const CHALLENGE_LABEL = '_acme-challenge';

/**
 * Canonical form of a DNS name: lower case, A-labels (punycode) for IDNs,
 * no trailing dot. Throws InvalidInputError for names DNS cannot carry.
 */
export function normalizeFqdn(input: string): string {
  let name = input.trim();
  if (name.endsWith('.')) name = name.slice(0, -1);
  if (name === '') throw new InvalidInputError(`"${input}" is not a domain name`);
  const labels = name.split('.').map((label) => toAsciiLabel(label, input));
  const ascii = labels.join('.');
  if (ascii.length > MAX_NAME_OCTETS) {
    throw new InvalidInputError(`"${input}" is longer than ${MAX_NAME_OCTETS} octets`);
  }
  return ascii;
}

function toAsciiLabel(label: string, input: string): string {
  if (label === '') throw new InvalidInputError(`"${input}" has an empty label`);
  let ascii = label.toLowerCase();
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(ascii)) {
    ascii = domainToASCII(ascii);
    if (ascii === '' || ascii.includes('.')) {
      throw new InvalidInputError(`"${input}" has a label that is not a valid internationalised name`);
    }
  }
  if (Buffer.byteLength(ascii) > 63) {
    throw new InvalidInputError(`"${input}" has a label longer than 63 octets`);
  }
  if (!LABEL.test(ascii)) {
    throw new InvalidInputError(`"${input}" has an invalid label "${label}" (letters, digits, "-" and "_" only, no leading or trailing "-")`);
  }
  return ascii;
}

/** A domain as an ACME order names it: optional leading `*.` (wildcard), then a name. */
export function normalizeDomain(input: string): { domain: string; wildcard: boolean } {
  const trimmed = input.trim();
  const wildcard = trimmed.startsWith('*.');
  return { domain: normalizeFqdn(wildcard ? trimmed.slice(2) : trimmed), wildcard };
}

/** `_acme-challenge.<domain>` for a domain, wildcard or not (RFC 8555 section 8.4). */
export function challengeName(domain: string): string {
  const { domain: base } = normalizeDomain(domain);
  return normalizeFqdn(`${CHALLENGE_LABEL}.${base}`);
}

/**
 * The domain whose challenge name `input` already is (`_acme-challenge.example.com`
 * -> `example.com`): a domain pasted from a record name, or a hook handing over
 * the record name. Undefined for any other input.
 */
export function domainOfChallengeName(input: string): string | undefined {
  const name = input.trim().toLowerCase().replace(/\.$/, '');
  const prefix = `${CHALLENGE_LABEL}.`;
  return name.startsWith(prefix) && name.length > prefix.length ? name.slice(prefix.length) : undefined;
}

/** True when `name` is `zone` or below it. Both normalised. */
export function isInZone(name: string, zone: string): boolean {
  return name === zone || name.endsWith(`.${zone}`);
}

/** The part of `fqdn` below `zone`; "" for the apex. */
export function toRelative(fqdn: string, zone: string): string {
  const name = normalizeFqdn(fqdn);
  const apex = normalizeFqdn(zone);
  if (name === apex) return '';
  if (!isInZone(name, apex)) {
    throw new InvalidInputError(`"${fqdn}" is not inside the zone "${zone}"`);
  }
  return name.slice(0, -(apex.length + 1));
}

/**
 * The absolute name for a record name as a provider wrote it: relative to the
 * zone ("", "@" for the apex), or absolute (with a trailing dot, or already
 * ending in the zone name).
 */
export function toAbsolute(name: string, zone: string): string {
  const apex = normalizeFqdn(zone);
  const trimmed = name.trim();
  if (trimmed === '' || trimmed === '@') return apex;
  if (trimmed.endsWith('.')) return normalizeFqdn(trimmed);
  const lower = trimmed.toLowerCase();
  if (lower === apex || lower.endsWith(`.${apex}`)) return normalizeFqdn(trimmed);
  return normalizeFqdn(`${trimmed}.${apex}`);
}

/**
 * How an API writes record names: `relative` to the zone (`@` or "" the
 * apex), absolute only with a trailing dot (netcup); `absolute` (MrDomain);
 * `either` (a name ending in the zone's name, or in a dot, is absolute).
 */
export type NameConvention = 'relative' | 'absolute' | 'either';

/**
 * The absolute, normalised name of a record name as an API lists it. A name
 * DNS cannot carry (`*`, odd labels) comes back as listed, lower-cased: it
 * never equals a normalised name, so it never matches a record dns01 wrote.
 */
export function listedName(name: string, zone: string, convention: NameConvention): string {
  const listed = name.trim();
  try {
    if (convention === 'absolute') return normalizeFqdn(listed);
    if (convention === 'either') return toAbsolute(listed, zone);
    if (listed === '' || listed === '@') return normalizeFqdn(zone);
    return normalizeFqdn(listed.endsWith('.') ? listed : `${listed}.${zone}`);
  } catch {
    return listed.toLowerCase();
  }
}

/** The parent names of `fqdn`, itself first, excluding the top-level label. */
export function zoneCandidates(fqdn: string): string[] {
  const labels = normalizeFqdn(fqdn).split('.');
  const out: string[] = [];
  for (let i = 0; i < labels.length - 1; i++) out.push(labels.slice(i).join('.'));
  return out;
}

const TXT_VALUE = /^[\x20-\x21\x23-\x5b\x5d-\x7e]{1,255}$/;

/**
 * A TXT value every provider can carry as one string, checked before any API
 * call: 1 to 255 printable ASCII characters, no `"` or `\` (providers quote
 * and escape differently), not only spaces. ACME values are 43 base64url characters.
 */
export function checkTxtValue(value: string): void {
  if (!TXT_VALUE.test(value) || value.trim() === '') {
    const what = value.trim() === '' ? 'is empty' : value.length > 255 ? `is ${value.length} characters long` : 'holds a character that is not allowed';
    throw new InvalidInputError(`the TXT value ${what}: it must be 1 to 255 printable ASCII characters without " or \\`, {
      hint: 'Pass the value the ACME client gives (43 characters of base64url)',
    });
  }
}
