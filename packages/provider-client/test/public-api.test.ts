// The public API of @dns01/provider-client is a deliberate list: a name added
// to or removed from src/index.ts is a change of the API, made here too.
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';

const VALUES = [
  'AuthenticationError',
  'ConfigError',
  'DeviationError',
  'Dns01Error',
  'EXIT_CODES',
  'ExitCode',
  'InvalidInputError',
  'MissingBackendCredentialsError',
  'PERSIST_LABEL',
  'PROVIDER_NAMES',
  'PropagationTimeoutError',
  'ProviderApiError',
  'ZoneNotFoundError',
  'accountUriFromFile',
  'cleanup',
  'closeHttp',
  'createLogger',
  'createRecords',
  'deleteRecords',
  'describeError',
  'dnsChallengeValue',
  'effectiveEnv',
  'formatPersistValue',
  'formatProgress',
  'isOutcomeUnknown',
  'loggerFromEnv',
  'openDnsSession',
  'openSession',
  'parsePersistValue',
  'parseUntil',
  'persistCheck',
  'persistName',
  'persistRemove',
  'persistSet',
  'present',
  'readSessionSettings',
  'silentLogger',
  'waitForPropagation',
  'waitForRecords',
];

const TYPES = [
  'AddressState',
  'ApiDoc',
  'AppendOutcome',
  'CallOptions',
  'Challenge',
  'DeleteOutcome',
  'Dns01ErrorOptions',
  'DnsContext',
  'DnsProvider',
  'DnsSession',
  'DnsSessionOptions',
  'DnsSettings',
  'Env',
  'ExitCodeValue',
  'Expectation',
  'FlowContext',
  'HostLock',
  'LogFields',
  'LogFormat',
  'LogLevel',
  'Logger',
  'LoggerOptions',
  'NameserverView',
  'Observe',
  'OpenPoint',
  'PersistCheckReport',
  'PersistRecord',
  'PersistSetResult',
  'PersistSpec',
  'PlacedRecord',
  'ProgressEvent',
  'PropagationOptions',
  'PropagationResult',
  'PropagationSettings',
  'ProviderDefinition',
  'ProviderDeps',
  'ProviderName',
  'ReadingLog',
  'ReadingReport',
  'RecordLedger',
  'ResolverOptions',
  'ServerAddress',
  'Session',
  'SessionOptions',
  'SessionSettings',
  'ShareRunOptions',
  'TxtRecord',
  'WaitStatus',
  'Zone',
  'ZoneBackend',
];

describe('the public API', () => {
  it('exports exactly these values at run time', () => {
    expect(Object.keys(api).sort()).toEqual([...VALUES].sort());
  });

  it('exports exactly these names, types included (the declarations a consumer sees)', () => {
    const index = join(import.meta.dirname, '../src/index.ts');
    const program = ts.createProgram([index], {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      noEmit: true,
      skipLibCheck: true,
    });
    const checker = program.getTypeChecker();
    const symbol = checker.getSymbolAtLocation(program.getSourceFile(index)!)!;
    const names = checker.getExportsOfModule(symbol).map((s) => s.getName());
    expect(names.sort()).toEqual([...VALUES, ...TYPES].sort());
  });
});
