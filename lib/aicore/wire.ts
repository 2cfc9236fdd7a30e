/**
 * One zod schema per AI API wire type (../shared/ai-api/CONTRACT.md). Requests we build are strict
 * and carry the documented rules the OpenAPI spec cannot express (unique ids per bulk request, the
 * right wrapper key); responses are tolerant. The simulator does not borrow them: it validates
 * requests against the AI API contract (infra/ai-api/contract.json), so a mistake here shows there.
 */
import * as z from 'zod';
import type { ResourceType } from '../lifecycle.js';
import { ID_PATTERN } from '../resources.js';

/** `^[\w.-]{4,64}$`: the spec's id pattern for executions, deployments, configurations, … */
const AiId = z.string().regex(ID_PATTERN, 'must match ^[\\w.-]{4,64}$');

/** SAP's service-key JSON (client-secret variant or X.509 variant). */
const ServiceKey = z
  .looseObject({
    clientid: z.string().min(1),
    clientsecret: z.string().min(1).optional(),
    url: z.url().optional(),
    certificate: z.string().min(1).optional(),
    key: z.string().min(1).optional(),
    certurl: z.url().optional(),
    serviceurls: z.looseObject({ AI_API_URL: z.url() }),
  })
  .refine(
    (k) =>
      (k.clientsecret !== undefined && k.url !== undefined) ||
      (k.certificate !== undefined && k.key !== undefined && k.certurl !== undefined),
    {
      message: 'a service key needs either clientsecret + url, or certificate + key + certurl',
    },
  );
type ServiceKey = z.infer<typeof ServiceKey>;

const TokenResponse = z.looseObject({
  access_token: z.string().min(1),
  expires_in: z.number().positive(),
  token_type: z.string().optional(),
});
type TokenResponse = z.infer<typeof TokenResponse>;

const ApiError = z.looseObject({
  code: z.string(),
  message: z.string(),
  requestId: z.string().nullish(),
  target: z.string().nullish(),
  details: z.unknown().optional(),
});
type ApiError = z.infer<typeof ApiError>;

const ErrorBody = z.looseObject({ error: ApiError });
type ErrorBody = z.infer<typeof ErrorBody>;

const BulkFlags = z.looseObject({ executions: z.boolean().default(false), deployments: z.boolean().default(false) });

/** `MetaCapabilities`; only the parts the janitor reads are named, and defaults follow the spec. */
const Meta = z.looseObject({
  runtimeIdentifier: z.string().optional(),
  aiApi: z.looseObject({
    version: z.string(),
    capabilities: z.looseObject({ bulkUpdates: BulkFlags.optional() }).optional(),
  }),
});
type Meta = z.infer<typeof Meta>;

const ResourceGroupLabel = z.looseObject({ key: z.string(), value: z.string() });

const ResourceGroup = z.looseObject({
  resourceGroupId: z.string().min(1),
  status: z.string(),
  createdAt: z.string().nullish(),
  labels: z.array(ResourceGroupLabel).nullish(),
});
type ResourceGroup = z.infer<typeof ResourceGroup>;

const ResourceGroupList = z.looseObject({ count: z.number().int(), resources: z.array(ResourceGroup) });
type ResourceGroupList = z.infer<typeof ResourceGroupList>;

/**
 * A list page. Items stay `unknown` here and are parsed one by one (lib/resources.ts), so a single
 * odd item is reported as unparseable instead of failing the page.
 */
const ListPage = z.looseObject({ count: z.number().int().nonnegative(), resources: z.array(z.unknown()) });
type ListPage = z.infer<typeof ListPage>;

const BulkItem = z.strictObject({ id: AiId, targetStatus: z.enum(['STOPPED', 'DELETED']) });
type BulkItem = z.infer<typeof BulkItem>;

const BulkList = z
  .array(BulkItem)
  .min(1)
  .max(100)
  .refine((items) => new Set(items.map((i) => i.id)).size === items.length, { message: 'an id may appear only once per request' });

/** Bulk request bodies: the wrapper key must name the path's resource type, and nothing else. */
const BULK_REQUEST = {
  executions: z.strictObject({ executions: BulkList }),
  deployments: z.strictObject({ deployments: BulkList }),
} as const satisfies Record<ResourceType, z.ZodType>;

/** `BckndResourceGetResponse` (GET /v2/admin/resources/nodes): warm nodes per resource plan. */
const ResourceNodes = z.looseObject({
  resourcePlans: z.record(z.string().min(1), z.looseObject({ provisioned: z.int().nonnegative(), requested: z.int().nonnegative() })),
});

/** Per-item result inside a 202: `{id, message}` on success or `{id, error}` on failure. */
const BulkResultItem = z.union([
  z.looseObject({ id: z.string(), error: ApiError }),
  z.looseObject({ id: z.string(), message: z.string().nullish() }),
]);
type BulkResultItem = z.infer<typeof BulkResultItem>;

const BULK_RESPONSE = {
  executions: z.looseObject({ executions: z.array(BulkResultItem) }),
  deployments: z.looseObject({ deployments: z.array(BulkResultItem) }),
} as const satisfies Record<ResourceType, z.ZodType>;

/** Single `PATCH /lm/{type}/{id}`: only a stop is expressible. */
const SingleStopRequest = z.strictObject({ targetStatus: z.literal('STOPPED') });

/** 202 body of a single PATCH or DELETE; real DELETE answers add `targetStatus`. */
const ModificationResponse = z.looseObject({ id: z.string(), message: z.string().nullish(), targetStatus: z.string().nullish() });
type ModificationResponse = z.infer<typeof ModificationResponse>;

export {
  AiId,
  ServiceKey,
  TokenResponse,
  ApiError,
  ErrorBody,
  Meta,
  ResourceGroup,
  ResourceGroupList,
  ResourceNodes,
  ListPage,
  BulkItem,
  BULK_REQUEST,
  BulkResultItem,
  BULK_RESPONSE,
  SingleStopRequest,
  ModificationResponse,
};
