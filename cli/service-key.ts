/** `--service-key FILE`, else `$AICORE_SERVICE_KEY`: SAP's service-key JSON either way. */
import { credentialsFromEnv, credentialsFromFile } from '../lib/aicore/credentials.js';
import type { ServiceKey } from '../lib/aicore/wire.js';
import type { CliArgs } from './args.js';

function serviceKeyFor(args: Pick<CliArgs, 'serviceKey'>): Promise<ServiceKey> {
  return (args.serviceKey === undefined ? credentialsFromEnv() : credentialsFromFile(args.serviceKey)).serviceKey();
}

export { serviceKeyFor };
