// Shapes of the ThingsBoard REST objects the station reads and writes, with zod schemas that
// check each response before the client hands it on. Unknown fields are kept.
import { z } from 'zod';

const entityIdSchema = z.looseObject({ entityType: z.string(), id: z.string() });

export const tbDeviceSchema = z.looseObject({
  id: entityIdSchema,
  createdTime: z.number().optional(),
  tenantId: entityIdSchema.optional(),
  customerId: entityIdSchema.nullish(),
  name: z.string(),
  type: z.string().nullish(),
  label: z.string().nullish(),
  deviceProfileId: entityIdSchema.nullish(),
  additionalInfo: z.unknown().optional(),
  version: z.number().nullish(),
});

export const credentialsTypeSchema = z.enum(['ACCESS_TOKEN', 'MQTT_BASIC', 'X509_CERTIFICATE', 'LWM2M_CREDENTIALS']);

export const tbDeviceCredentialsSchema = z.looseObject({
  id: z.looseObject({ id: z.string() }),
  createdTime: z.number().optional(),
  deviceId: entityIdSchema,
  credentialsType: credentialsTypeSchema,
  credentialsId: z.string().nullish(),
  credentialsValue: z.string().nullish(),
  version: z.number().nullish(),
});

export const tbDeviceProfileInfoSchema = z.looseObject({
  id: entityIdSchema,
  name: z.string(),
  type: z.string().nullish(),
  transportType: z.string().nullish(),
});

export const tbAttributeSchema = z.object({ key: z.string(), value: z.unknown(), lastUpdateTs: z.number() });

export function pageDataSchema<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item), totalPages: z.number(), totalElements: z.number(), hasNext: z.boolean() });
}

export const loginResponseSchema = z.looseObject({
  token: z.string(),
  refreshToken: z.string().optional(),
  scope: z.string().optional(),
});

export type TbEntityId = z.infer<typeof entityIdSchema>;
export type TbDevice = z.infer<typeof tbDeviceSchema>;
export type TbDeviceCredentials = z.infer<typeof tbDeviceCredentialsSchema>;
export type TbDeviceProfileInfo = z.infer<typeof tbDeviceProfileInfoSchema>;
export type TbAttribute = z.infer<typeof tbAttributeSchema>;

export interface PageData<T> {
  data: T[];
  totalPages: number;
  totalElements: number;
  hasNext: boolean;
}

/**
 * Credentials as the station sends them. ACCESS_TOKEN carries the token in `credentialsId`;
 * MQTT_BASIC carries `{"clientId","userName","password"}` as a JSON string in
 * `credentialsValue`; X509_CERTIFICATE carries the leaf certificate PEM in `credentialsValue`,
 * and the server computes the id.
 */
export interface TbCredentialsInput {
  credentialsType: 'ACCESS_TOKEN' | 'MQTT_BASIC' | 'X509_CERTIFICATE';
  credentialsId?: string;
  credentialsValue?: string;
}

export interface TbDeviceInput {
  name: string;
  type?: string;
  label?: string;
  additionalInfo?: object;
}
