import type { ProviderDeps } from '../../contract.js';
import { AuthenticationError, InvalidInputError, ProviderApiError, replyShapeError, ZoneNotFoundError } from '../../errors.js';
import { createHttpClient } from '../../http.js';
import { echoSchema, errorReplySchema } from './schemas.js';
import type { GatewayConfig } from './settings.js';

const PROVIDER = 'gateway';

export interface GatewayClient {
  /** httpreq `POST /present` or `/cleanup` of one record; the gateway answers once its provider holds (or no longer holds) it. */
  send(action: 'present' | 'cleanup', fqdn: string, value: string): Promise<void>;
}

/**
 * The gateway's httpreq protocol, as lego speaks it: HTTP Basic auth with the
 * client id and secret, `{"fqdn": "<name>.", "value"}`, 200 with the request
 * echoed. Both actions are idempotent on the gateway (a second present of a
 * value, a cleanup of one already gone), so they are retried like reads.
 */
/** The gateway answers once its provider holds the record, after its own retries of the provider (up to a minute, then 502). */
const GATEWAY_ANSWER_TIMEOUT_MS = 120_000;

export function createGatewayClient(config: GatewayConfig, deps: ProviderDeps): GatewayClient {
  const http = createHttpClient({ timeoutMs: GATEWAY_ANSWER_TIMEOUT_MS, ...deps.http, provider: PROVIDER, baseUrl: config.url, logger: deps.logger });
  return {
    async send(action, fqdn, value) {
      const res = await http.request({
        method: 'POST',
        path: `/${action}`,
        action,
        json: { fqdn: `${fqdn}.`, value },
        basicAuth: { user: config.client, password: config.secret },
        idempotent: true,
        // A 502 is the gateway's provider failing after the gateway's own retries: its body says why, and a retry here would not help.
        retryStatus: (status) => status === 429 || (status >= 500 && status !== 502),
      });
      if (res.status === 200) {
        const echo = echoSchema.safeParse(res.json());
        if (!echo.success || echo.data.value !== value) {
          throw replyShapeError(
            PROVIDER,
            action,
            'reply',
            echo.success ? { issues: [{ path: ['value'], message: 'is not the value sent' }] } : echo.error,
            'Check DNS01_GATEWAY_URL: it must name a dns01 serve gateway',
            true,
          );
        }
        return;
      }
      let parsed;
      try {
        parsed = errorReplySchema.safeParse(res.json());
      } catch {
        parsed = undefined;
      }
      const code = parsed?.success ? parsed.data.error : `HTTP ${res.status}`;
      const detail = parsed?.success && parsed.data.detail ? `: ${parsed.data.detail}` : '';
      if (res.status === 401) {
        throw new AuthenticationError(`gateway ${action}: the gateway refused the client id or secret (${code})`, {
          hint: 'Check DNS01_GATEWAY_CLIENT and DNS01_GATEWAY_SECRET (dns01 serve client list / rotate on the gateway), and that this host may connect from its address',
        });
      }
      if (res.status === 403) {
        throw new InvalidInputError(`gateway ${action}: ${fqdn} is outside this client's names (${code})`, {
          hint: 'The gateway gives each client only the _acme-challenge names of its scope: dns01 serve client list on the gateway shows it',
        });
      }
      if (res.status === 404 && code === 'zone_not_found') {
        throw new ZoneNotFoundError(`gateway ${action}: the gateway's provider account holds no zone for ${fqdn}${detail}`, {
          hint: 'Run dns01 serve --check on the gateway',
        });
      }
      if (res.status === 400) throw new InvalidInputError(`gateway ${action}: the gateway refused the request (${code})${detail}`);
      throw new ProviderApiError(PROVIDER, action, `the gateway answered HTTP ${res.status} (${code})${detail}`, {
        transient: res.status >= 500,
        hint:
          res.status === 404
            ? 'Check DNS01_GATEWAY_URL: it must name a dns01 serve gateway'
            : 'The gateway or its provider may be having problems; try again later',
      });
    },
  };
}
