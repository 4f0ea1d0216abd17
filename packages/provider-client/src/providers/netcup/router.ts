import type { DnsProvider, Zone } from '../../contract.js';
import { MissingBackendCredentialsError, ZoneNotFoundError } from '../../errors.js';
import { memoizeZones } from '../../zone.js';
import type { RestDomain } from './rest/schemas.js';

/** The zone handle of a domain the CCP API serves. */
export const CCP_ZONE_ID = 'ccp';
/** The zone handle of a REST-managed domain: `rest:<domain id>`. */
export const restZoneId = (domain: RestDomain) => `rest:${domain.id}`;
export function restDomainId(zone: Zone): number | undefined {
  const m = /^rest:(\d+)$/.exec(zone.id ?? '');
  return m ? Number(m[1]) : undefined;
}

export type NetcupBackendName = 'rest' | 'ccp';

export const BACKEND_LABEL: Record<NetcupBackendName, string> = { rest: 'REST API (CloudDNS)', ccp: 'CCP API (legacy)' };

export const LEGACY_HINT =
  'Also set NETCUP_CUSTOMER_NUMBER, NETCUP_API_KEY (a legacy API key: CCP > Master Data > API, section "Legacy API keys") and NETCUP_API_PASSWORD, or move the domain to CloudDNS in the CCP';

/** Which backend serves a zone: its handle says (`rest:<id>`, or `ccp`). */
export const backendOf = (zone: Zone): NetcupBackendName => (restDomainId(zone) !== undefined ? 'rest' : 'ccp');

/**
 * netcup with both APIs behind one provider, chosen per domain: with a REST
 * key, the REST API says which domains it manages (`isDnsManaged`); the
 * others go to the CCP API when its credentials are there. With only the
 * legacy credentials, the CCP API alone.
 */
export function createNetcupRouter(parts: { rest?: DnsProvider; ccp?: DnsProvider }): DnsProvider {
  const { rest, ccp } = parts;
  const viaCcp = async (fqdn: string): Promise<Zone> => ({ ...(await ccp!.findZone(fqdn)), id: CCP_ZONE_ID });
  const noCcp = (zone: string, message: string) => new MissingBackendCredentialsError(zone, BACKEND_LABEL.ccp, message, { hint: LEGACY_HINT });

  async function locate(fqdn: string): Promise<Zone> {
    if (!rest) return viaCcp(fqdn);
    let zone: Zone;
    try {
      zone = await rest.findZone(fqdn);
    } catch (error) {
      // The REST API may not list every domain of an account: the CCP API has the last word when it is configured.
      if (ccp && error instanceof ZoneNotFoundError) return viaCcp(fqdn);
      throw error;
    }
    if (backendOf(zone) === 'rest' || ccp) return zone;
    throw noCcp(
      zone.name,
      `netcup: ${zone.name} is in this account but not on CloudDNS (isDnsManaged: false), so only the CCP API can change it, and its credentials are not set`,
    );
  }

  const backendFor = (zone: Zone): DnsProvider => {
    const backend = backendOf(zone) === 'rest' ? rest : ccp;
    if (backend) return backend;
    throw noCcp(zone.name, `netcup: ${zone.name} needs the CCP API, whose credentials are not set`);
  };

  return {
    name: 'netcup',
    findZone: memoizeZones(locate),
    appendTxt: (zone, name, value) => backendFor(zone).appendTxt(zone, name, value),
    deleteTxt: (zone, name, value) => backendFor(zone).deleteTxt(zone, name, value),
    listTxt: (zone, name) => backendFor(zone).listTxt(zone, name),
    listZoneTxt: (zone) => backendFor(zone).listZoneTxt!(zone),
    probeReadings: async (zone, txt) => backendFor(zone).probeReadings?.(zone, txt),
    close: async () => ccp?.close(),
  };
}
