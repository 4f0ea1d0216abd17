import { defineProvider } from '../../contract.js';
import { TXT_QUOTING } from '../../readings.js';
import { createNetcupClient } from './ccp/client.js';
import { createCcpProvider } from './ccp/provider.js';
import { createNetcupRestClient } from './rest/client.js';
import { createRestProvider } from './rest/provider.js';
import { BACKEND_LABEL, backendOf, createNetcupRouter } from './router.js';
import { endpointUrl, legacyCredentials, netcupSettings, readNetcupConfig, type NetcupConfig } from './settings.js';

export type { NetcupConfig } from './settings.js';

/** The CCP backend's wait: zone reloads reach netcup's nameservers after 5-20 minutes. */
export const CCP_PROPAGATION = { timeout: 1200, interval: 5 } as const;
/**
 * The REST backend's wait: resolvable about a minute after the add, not on
 * every nameserver at once; rounds every 0.5 s keep the overshoot under 1 s.
 */
export const REST_PROPAGATION = { timeout: 600, interval: 0.5 } as const;

export const netcup = defineProvider({
  name: 'netcup',
  title: 'netcup (REST API for CloudDNS, CCP API for the others)',
  apiDocs: [
    { title: 'REST API (OpenAPI document)', url: 'https://api.netcup.com/v1/openapi.json' },
    { title: 'CCP API (netcup wiki)', url: 'https://www.netcup-wiki.de/wiki/CCP_API' },
    { title: 'CCP API functions (DNS: infoDnsZone, infoDnsRecords, updateDnsRecords)', url: 'https://ccp.netcup.net/run/webservice/servers/endpoint.php' },
  ],
  settings: netcupSettings,
  propagation: {
    ...CCP_PROPAGATION,
    note: "with the CCP credentials: zone reloads reach netcup's nameservers after 5-20 minutes; with only a REST key 600 s and 0.5 s (CloudDNS serves a record after about a minute); with both 1200 s and 0.5 s",
  },
  backends: {
    credentialsOneOf: ['restApiKey', 'apiKey'],
    propagationFor(config: NetcupConfig) {
      if (!config.restApiKey) return CCP_PROPAGATION;
      // With the legacy credentials too, a zone may still be on the slow backend: its timeout, the REST interval.
      return legacyCredentials(config) ? { timeout: CCP_PROPAGATION.timeout, interval: REST_PROPAGATION.interval } : REST_PROPAGATION;
    },
    describeZone(config: NetcupConfig, zone) {
      const backend = backendOf(zone);
      const credentials = backend === 'rest' ? !!config.restApiKey : !!legacyCredentials(config);
      return {
        backend,
        label: BACKEND_LABEL[backend],
        credentials: credentials ? 'present' : 'missing',
        challengeNamesOnly: backend === 'rest' && !config.restChangeset,
      };
    },
  },
  openPoints: [
    { point: 'backend', title: 'the API that serves the zone: REST (CloudDNS) or CCP (legacy)' },
    { point: 'secondValue', title: 'REST API: a second challenge value on a name is added beside the first, or replaces it' },
    { point: 'success', title: 'CCP API: the status of a success reply (2000 "success", or another 2xxx)' },
    { point: 'updateReply', title: 'CCP API: updateDnsRecords replies with or without the records' },
    { point: 'unknownDomain', title: 'CCP API: the answer for a name that is no domain of the account: 5028, 5031, or 4013 on domainname' },
    TXT_QUOTING,
  ],
  readConfig: (env): NetcupConfig => readNetcupConfig(env),
  create(config: NetcupConfig, deps) {
    const legacy = legacyCredentials(config);
    const ccp =
      legacy &&
      createCcpProvider(createNetcupClient({ ...legacy, endpoint: endpointUrl(config.endpoint) }, deps), deps, { restConfigured: !!config.restApiKey });
    const rest =
      config.restApiKey === undefined
        ? undefined
        : createRestProvider(createNetcupRestClient({ apiKey: config.restApiKey, endpoint: config.restEndpoint }, deps), deps, {
            changeset: config.restChangeset,
          });
    return createNetcupRouter({ rest, ccp: ccp || undefined });
  },
});
