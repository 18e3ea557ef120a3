// What the stand-in does with a device's messages, whether they came over the HTTP device API
// or MQTT. It parses telemetry as ThingsBoard does and keeps each key's latest value. It marks
// the device active with the server attributes that ThingsBoard's device state service writes.
import type { StandInStore } from './store';

/** Names of the server attributes with which ThingsBoard records device state (DefaultDeviceStateService). */
export const ACTIVITY_ATTRIBUTES = {
  active: 'active',
  lastActivityTime: 'lastActivityTime',
  lastConnectTime: 'lastConnectTime',
  lastDisconnectTime: 'lastDisconnectTime',
} as const;

export interface TelemetryEntry {
  /** Epoch milliseconds: the message's own `ts`, else the time it arrived. */
  ts: number;
  values: Array<[string, unknown]>;
}

/**
 * Casts a string that reads as a decimal number to that number, as ThingsBoard does with
 * `json.type_cast_enabled` on (its default): "000731" is stored as 731.
 * NOTE: integers beyond 2^53 lose precision here, where ThingsBoard stores a Java long.
 */
export function castValue(value: unknown): unknown {
  if (typeof value === 'string' && /^[-+]?(\d+\.?\d*|\.\d+)$/.test(value)) return Number(value);
  return value;
}

/**
 * Parses a telemetry payload in the three forms ThingsBoard accepts: `{"key": value, ...}`,
 * `{"ts": ms, "values": {...}}`, or an array of either. Returns undefined for anything else.
 */
export function parseTelemetry(payload: unknown, now: number): TelemetryEntry[] | undefined {
  const items = Array.isArray(payload) ? payload : [payload];
  const entries: TelemetryEntry[] = [];
  for (const item of items) {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return undefined;
    const record = item as Record<string, unknown>;
    const timed = typeof record.ts === 'number' && record.values !== null && typeof record.values === 'object' && !Array.isArray(record.values);
    const values = timed ? (record.values as Record<string, unknown>) : record;
    entries.push({ ts: timed ? (record.ts as number) : now, values: Object.entries(values).map(([key, value]) => [key, castValue(value)]) });
  }
  return entries;
}

/** Keeps the latest value of each key, and marks the device active. */
export function recordTelemetry(store: StandInStore, deviceId: string, entries: TelemetryEntry[]): void {
  store.telemetryCount.set(deviceId, (store.telemetryCount.get(deviceId) ?? 0) + 1);
  const latest = store.latestTelemetry(deviceId);
  for (const entry of entries) {
    for (const [key, value] of entry.values) {
      const current = latest.get(key);
      if (current === undefined || current.ts <= entry.ts) latest.set(key, { ts: entry.ts, value });
    }
  }
  recordActivity(store, deviceId);
}

/**
 * Sets `active` and `lastActivityTime`. Only a device's messages count as activity here, so a
 * QA check that reads these attributes proves that a message arrived, not just a connection.
 * NOTE: ThingsBoard sets `active` back to false after the device's inactivity timeout; the
 * stand-in never does.
 */
export function recordActivity(store: StandInStore, deviceId: string): void {
  const now = store.now();
  const attributes = store.attributeMap(deviceId, 'SERVER_SCOPE');
  attributes.set(ACTIVITY_ATTRIBUTES.active, { value: true, lastUpdateTs: now });
  attributes.set(ACTIVITY_ATTRIBUTES.lastActivityTime, { value: now, lastUpdateTs: now });
}

/** Sets `lastConnectTime` or `lastDisconnectTime` to now. */
export function recordSession(store: StandInStore, deviceId: string, event: 'connect' | 'disconnect'): void {
  const now = store.now();
  const key = event === 'connect' ? ACTIVITY_ATTRIBUTES.lastConnectTime : ACTIVITY_ATTRIBUTES.lastDisconnectTime;
  store.attributeMap(deviceId, 'SERVER_SCOPE').set(key, { value: now, lastUpdateTs: now });
}
