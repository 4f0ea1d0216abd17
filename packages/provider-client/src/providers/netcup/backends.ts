import type { DnsProvider, ProviderDeps, Zone } from '../../contract.js';
import { MissingBackendCredentialsError, ZoneNotFoundError } from '../../errors.js';
import { normalizeFqdn, zoneCandidates } from '../../names.js';
import { memoizeZones } from '../../zone.js';
import { REST_KEY_HINT } from './rest/client.js';
import { restDomainId, restZoneId, type RestBackend } from './rest/provider.js';

/** The zone handle of a domain the CCP API serves. */
export const CCP_ZONE_ID = 'ccp';

export type NetcupBackendName = 'rest' | 'ccp';

/** Which backend serves a zone and whether the credentials it needs are configured (`dns01 check`). */
export interface NetcupZoneBackend {
  backend: NetcupBackendName;
  label: string;
  credentials: 'present' | 'missing';
  /** The backend writes only `_acme-challenge` names (REST without NETCUP_REST_CHANGESET). */
  challengeNamesOnly: boolean;
}

const LABEL: Record<NetcupBackendName, string> = { rest: 'REST API (CloudDNS)', ccp: 'CCP API (legacy)' };

export const LEGACY_HINT =
  'Also set NETCUP_CUSTOMER_NUMBER, NETCUP_API_KEY (a legacy API key: CCP > Master Data > API, section "Legacy API keys") and NETCUP_API_PASSWORD, or move the domain to CloudDNS in the CCP';

/**
 * netcup with both APIs behind one provider, chosen per domain: with a REST
 * key, the REST API says which domains it manages (`isDnsManaged`); the
 * others go to the CCP API when its credentials are there. With only the
 * legacy credentials, the CCP API alone, as before.
 */
export function createNetcupProvider(parts: { rest?: RestBackend; ccp?: DnsProvider }, deps: ProviderDeps): DnsProvider {
  const { rest, ccp } = parts;

  async function locate(fqdn: string): Promise<Zone> {
    if (!rest) return { ...(await ccp!.findZone(fqdn)), id: CCP_ZONE_ID };
    const name = normalizeFqdn(fqdn);
    // The first label of a challenge name (`_acme-challenge`, `_validation-persist`) is never a domain.
    const candidates = zoneCandidates(name).filter((c) => !c.startsWith('_'));
    const apex = deps.findApex ? await deps.findApex(name).catch(() => undefined) : undefined;
    const ordered = apex && candidates.includes(apex) ? [apex, ...candidates.filter((c) => c !== apex)] : candidates;
    for (const candidate of ordered) {
      const domain = await rest.lookup(candidate);
      if (!domain) continue;
      if (domain.isDnsManaged) return { name: candidate, id: restZoneId(domain) };
      if (ccp) return { name: candidate, id: CCP_ZONE_ID };
      throw new MissingBackendCredentialsError(
        candidate,
        LABEL.ccp,
        `netcup: ${candidate} is in this account but not on CloudDNS (isDnsManaged: false), so only the CCP API can change it, and its credentials are not set`,
        { hint: LEGACY_HINT },
      );
    }
    // The REST API may not list every domain of an account: the CCP API has the last word when it is configured.
    if (ccp) return { ...(await ccp.findZone(name)), id: CCP_ZONE_ID };
    throw new ZoneNotFoundError(`netcup: no domain in this account holds ${name} (asked the REST API for ${ordered.join(', ')})`, {
      hint: `Check that the domain is in the netcup account the REST API key belongs to. ${REST_KEY_HINT}`,
    });
  }

  const backendOf = (zone: Zone): NetcupBackendName => (restDomainId(zone) !== undefined ? 'rest' : 'ccp');
  const ccpFor = (zone: Zone): DnsProvider => {
    if (ccp) return ccp;
    throw new MissingBackendCredentialsError(zone.name, LABEL.ccp, `netcup: ${zone.name} needs the CCP API, whose credentials are not set`, { hint: LEGACY_HINT });
  };

  return {
    name: 'netcup',
    findZone: memoizeZones(locate),
    appendTxt: (zone, name, value) => (backendOf(zone) === 'rest' ? rest!.appendTxt(zone, name, value) : ccpFor(zone).appendTxt(zone, name, value)),
    deleteTxt: (zone, name, value) => (backendOf(zone) === 'rest' ? rest!.deleteTxt(zone, name, value) : ccpFor(zone).deleteTxt(zone, name, value)),
    listTxt: (zone, name) => (backendOf(zone) === 'rest' ? rest!.listTxt(zone, name) : ccpFor(zone).listTxt(zone, name)),
    probeReadings: async (zone, txt) => (backendOf(zone) === 'rest' ? undefined : ccpFor(zone).probeReadings?.(zone, txt)),
    listZoneTxt: (zone) => (backendOf(zone) === 'rest' ? rest!.listZoneTxt(zone) : ccpFor(zone).listZoneTxt!(zone)),
    describeZone(zone): NetcupZoneBackend {
      const backend = backendOf(zone);
      return {
        backend,
        label: LABEL[backend],
        credentials: (backend === 'rest' ? rest : ccp) ? 'present' : 'missing',
        challengeNamesOnly: backend === 'rest' && !!rest?.challengeNamesOnly(),
      };
    },
    close: async () => ccp?.close(),
  };
}
