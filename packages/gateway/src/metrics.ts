import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface MetricSources {
  ledgerSize(): number;
  budgetQueue(): number;
  budgetUsed(): number;
  writerDepth(): number;
  inFlight(): number;
}

/**
 * The gateway's Prometheus metrics (GET /metrics), in a registry of its own:
 * requests by client, action and result; provider API requests by action;
 * the budget's queue and use; the ledger's size; the time from a request to
 * its record written at the provider.
 */
export function createMetrics(sources: MetricSources) {
  const registry = new Registry();
  const registers = [registry];
  const requests = new Counter({
    name: 'dns01_gateway_requests_total',
    help: 'Requests answered, by client (- before authentication), action and result',
    labelNames: ['client', 'action', 'result'] as const,
    registers,
  });
  const requestSeconds = new Histogram({
    name: 'dns01_gateway_request_duration_seconds',
    help: 'Time from a request to its reply, by action',
    labelNames: ['action'] as const,
    buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers,
  });
  const providerRequests = new Counter({
    name: 'dns01_gateway_provider_requests_total',
    help: 'Provider API requests sent, retries included, by action',
    labelNames: ['action'] as const,
    registers,
  });
  const writeSeconds = new Histogram({
    name: 'dns01_gateway_write_seconds',
    help: 'Time from a present request to its record written at the provider',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers,
  });
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(read());
      },
    });
  gauge('dns01_gateway_budget_queue_depth', 'Provider API requests waiting for the request budget', sources.budgetQueue);
  gauge('dns01_gateway_budget_used', 'Provider API requests sent within the current budget window', sources.budgetUsed);
  gauge('dns01_gateway_writer_queue_depth', "Record changes waiting for their zone's next batch, or under way", sources.writerDepth);
  gauge('dns01_gateway_ledger_records', 'Records the gateway created and has not deleted yet', sources.ledgerSize);
  gauge('dns01_gateway_requests_in_flight', 'Requests being handled', sources.inFlight);
  return { registry, requests, requestSeconds, providerRequests, writeSeconds };
}

export type Metrics = ReturnType<typeof createMetrics>;
