/**
 * Where the service key comes from is an adapter at the edge: Secrets Manager in Lambda (see
 * functions/middleware), the `AICORE_SERVICE_KEY` variable or a file locally. The client only sees
 * a provider. Errors name the source and the failing fields, never a value.
 */
import { readFile } from 'node:fs/promises';
import { CredentialsError } from './errors.js';
import { ServiceKey } from './wire.js';
import { errorCode } from '../util/errors.js';
import { jsonOrUndefined } from '../util/json.js';

interface CredentialsProvider {
  serviceKey(): Promise<ServiceKey>;
}

/** Parses SAP service-key JSON; `source` names where it came from, for the error message. */
function parseServiceKey(text: string, source: string): ServiceKey {
  const json = jsonOrUndefined(text);
  if (json === undefined) throw new CredentialsError(`${source} is not valid JSON (expected SAP AI Core service-key JSON)`);
  const parsed = ServiceKey.safeParse(json);
  if (!parsed.success) {
    // Paths and messages only: zod's issues for a bad key never contain the input values.
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new CredentialsError(`${source} is not a usable AI Core service key: ${problems}`);
  }
  return parsed.data;
}

function credentialsFromEnv(env: NodeJS.ProcessEnv = process.env, variable = 'AICORE_SERVICE_KEY'): CredentialsProvider {
  return {
    serviceKey: () => {
      const text = env[variable];
      if (text === undefined || text.trim() === '') {
        return Promise.reject(new CredentialsError(`no service key: pass --service-key FILE or set ${variable}`));
      }
      return Promise.resolve(parseServiceKey(text, `environment variable ${variable}`));
    },
  };
}

function credentialsFromFile(path: string): CredentialsProvider {
  return {
    serviceKey: async () => {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        const reason = errorCode(error) ?? 'unreadable';
        throw new CredentialsError(`cannot read service key file ${path} (${reason})`);
      }
      return parseServiceKey(text, `service key file ${path}`);
    },
  };
}

/** A service key for display: the client id and API URL, never a secret. */
function describeServiceKey(key: ServiceKey): string {
  return `client ${key.clientid} at ${key.serviceurls.AI_API_URL}`;
}

export { parseServiceKey, credentialsFromEnv, credentialsFromFile, describeServiceKey };
export type { CredentialsProvider };
