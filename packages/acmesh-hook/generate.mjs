#!/usr/bin/env node
// Writes one acme.sh dnsapi file per provider from template.sh: acme.sh
// sources a single file, so the shared logic is generated into each rather
// than written four times by hand. `node generate.mjs --check` fails when a
// file is out of date (run by the tests).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const here = import.meta.dirname;

/** Per provider: its title and variables (required ones are credentials, saved to account.conf). */
export const PROVIDERS = [
  {
    name: 'netcup',
    title: 'netcup CCP DNS API',
    required: [
      ['NETCUP_CUSTOMER_NUMBER', 'Customer number.'],
      ['NETCUP_API_KEY', 'API key.'],
      ['NETCUP_API_PASSWORD', 'API password.'],
    ],
    optional: [['NETCUP_ENDPOINT', 'API endpoint. Optional.']],
  },
  {
    name: 'xsserver',
    title: 'XSServer GmbH DNS API',
    required: [
      ['XSSERVER_USERNAME', 'Client area API username.'],
      ['XSSERVER_PASSWORD', 'Client area API password.'],
    ],
    optional: [['XSSERVER_ENDPOINT', 'API base URL. Optional.']],
  },
  {
    name: 'mrdomain',
    title: 'MrDomain (dondominio) DNS API',
    required: [
      ['MRDOMAIN_API_USER', 'API user.'],
      ['MRDOMAIN_API_PASSWORD', 'API password.'],
    ],
    optional: [['MRDOMAIN_ENDPOINT', 'API base URL. Optional.']],
  },
  {
    name: 'sourcedesk',
    title: 'sourceDESK (sourceway) DNS API',
    required: [
      ['SOURCEDESK_CUSTOMER_ID', 'Customer ID.'],
      ['SOURCEDESK_API_KEY', 'API key.'],
    ],
    optional: [['SOURCEDESK_ENDPOINT', 'API base URL. Optional.']],
  },
];

function readCredentials(p) {
  const lines = [];
  for (const [v] of [...p.required, ...p.optional]) lines.push(`  ${v}="\${${v}:-$(_readaccountconf_mutable ${v})}"`);
  const missing = p.required.map(([v]) => `[ -z "$${v}" ]`).join(' || ');
  lines.push(`  if ${missing}; then`);
  lines.push(`    _err "dns01: set ${p.required.map(([v]) => v).join(', ')} (once; acme.sh saves them for renewals)"`);
  lines.push('    return 1');
  lines.push('  fi');
  for (const [v] of p.required) lines.push(`  _saveaccountconf_mutable ${v} "$${v}"`);
  for (const [v] of p.optional) lines.push(`  [ -z "$${v}" ] || _saveaccountconf_mutable ${v} "$${v}"`);
  return lines.join('\n');
}

export function render(p) {
  const template = readFileSync(join(here, 'template.sh'), 'utf8');
  const options = [...p.required, ...p.optional].map(([v, d]) => ` ${v} ${d}\n`).join('');
  const envPrefix = [...p.required, ...p.optional].map(([v]) => `${v}="$${v}"`).join(' ');
  return template
    .replaceAll('@OPTIONS@\n', options)
    .replaceAll('@READ_CREDENTIALS@', readCredentials(p))
    .replaceAll('@ENV_PREFIX@', envPrefix)
    .replaceAll('@TITLE@', p.title)
    .replaceAll('@NAME@', p.name);
}

export function fileOf(p) {
  return join(here, 'dnsapi', `dns_dns01_${p.name}.sh`);
}

if (process.argv[1] === import.meta.filename) {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const p of PROVIDERS) {
    const text = render(p);
    let current = '';
    try {
      current = readFileSync(fileOf(p), 'utf8');
    } catch {
      // not generated yet
    }
    if (current === text) continue;
    if (check) {
      console.error(`${fileOf(p)} is out of date: run node packages/acmesh-hook/generate.mjs`);
      stale++;
    } else {
      writeFileSync(fileOf(p), text, { mode: 0o644 });
      console.log(`wrote ${fileOf(p)}`);
    }
  }
  process.exit(stale ? 1 : 0);
}
