import { describe, expect, it } from 'vitest';
import { localContext } from '../../cli/demo.js';
import { serviceKeyMiddleware, serviceKeyOf } from '../../functions/adapters/service-key.js';
import { secretCache } from '../../functions/adapters/secret.js';
import { CredentialsError } from '../../lib/aicore/errors.js';

const KEY = {
  clientid: 'client',
  clientsecret: 'secret',
  url: 'https://auth.example.com',
  serviceurls: { AI_API_URL: 'https://api.example.com' },
};

function invocation(options: Parameters<typeof serviceKeyMiddleware>[0]) {
  const middleware = serviceKeyMiddleware<unknown, unknown>(options);
  const context = localContext(1000);
  const run = middleware.before;
  if (run === undefined) throw new Error('the middleware has no before');
  return { context, run: () => run({ event: undefined, context, response: undefined, error: null, internal: {} }) };
}

describe('Function: serviceKeyMiddleware', () => {
  it('reads the key from Secrets Manager through the secret cache: one read for many invocations', async () => {
    // Prepare
    let reads = 0;
    const secret = secretCache({
      reader: {
        secretString: () => {
          reads += 1;
          return Promise.resolve(JSON.stringify(KEY));
        },
      },
    });
    const first = invocation({ env: () => ({ AICORE_SECRET_ID: 'janitor/key', AICORE_SERVICE_KEY: undefined }), secret });
    // Act
    await first.run();
    await first.run();
    // Assess
    expect(serviceKeyOf(first.context).clientid).toBe('client');
    expect(reads).toBe(1);
  });

  it('locally, reads AICORE_SERVICE_KEY from the configuration', async () => {
    const local = invocation({ env: () => ({ AICORE_SECRET_ID: undefined, AICORE_SERVICE_KEY: JSON.stringify(KEY) }) });
    await local.run();
    expect(serviceKeyOf(local.context).serviceurls.AI_API_URL).toBe('https://api.example.com');
  });

  it('answers a missing or empty key with a CredentialsError naming where it looked', async () => {
    const none = invocation({ env: () => ({ AICORE_SECRET_ID: undefined, AICORE_SERVICE_KEY: undefined }) });
    await expect(none.run()).rejects.toThrow(CredentialsError);
    await expect(none.run()).rejects.toThrow(/AICORE_SECRET_ID.*AICORE_SERVICE_KEY/);
    const empty = invocation({
      env: () => ({ AICORE_SECRET_ID: 'janitor/key', AICORE_SERVICE_KEY: undefined }),
      secret: secretCache({ reader: { secretString: () => Promise.resolve('  ') } }),
    });
    await expect(empty.run()).rejects.toThrow(CredentialsError);
    await expect(empty.run()).rejects.toThrow(/janitor\/key/);
  });
});
