// Reads every device on a ThingsBoard server through its REST API, as an outside client would:
// sign in, page through /api/tenant/devices, then fetch each device's credentials and, when
// asked, its `provisioning` server attribute.

export interface ServerDevice {
  id: string;
  name: string;
  credentialsType: string | undefined;
  credentialsId: string | undefined;
  /** The hardwareId of the `provisioning` server attribute; undefined when it is absent or not read. */
  hardwareId: string | undefined;
}

export interface InventoryOptions {
  username: string;
  password: string;
  /** Also read the `provisioning` attribute of each device. */
  readHardwareIds?: boolean;
  /** Devices read at once. */
  concurrency?: number;
}

const PAGE_SIZE = 1000;

export async function readServerDevices(baseUrl: string, options: InventoryOptions): Promise<ServerDevice[]> {
  const token = await signIn(baseUrl, options.username, options.password);
  const get = (path: string): Promise<unknown> => getJson(baseUrl, token, path);

  const listed: Array<{ id: string; name: string }> = [];
  for (let page = 0; ; page += 1) {
    const body = (await get(`/api/tenant/devices?pageSize=${PAGE_SIZE}&page=${page}`)) as {
      data: Array<{ name: string; id: { id: string } }>;
      hasNext: boolean;
    };
    listed.push(...body.data.map((device) => ({ id: device.id.id, name: device.name })));
    if (!body.hasNext) {
      break;
    }
  }

  const devices: ServerDevice[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < listed.length) {
      const device = listed[next];
      next += 1;
      if (device !== undefined) {
        devices.push(await readDevice(get, device, options.readHardwareIds === true));
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, () => worker()));
  return devices;
}

async function readDevice(get: (path: string) => Promise<unknown>, device: { id: string; name: string }, readHardwareId: boolean): Promise<ServerDevice> {
  const credentials = (await get(`/api/device/${device.id}/credentials`)) as { credentialsType?: string; credentialsId?: string } | undefined;

  let hardwareId: string | undefined;
  if (readHardwareId) {
    const attributes = (await get(`/api/plugins/telemetry/DEVICE/${device.id}/values/attributes/SERVER_SCOPE?keys=provisioning`)) as Array<{
      key: string;
      value: unknown;
    }>;
    const record = attributes.find((attribute) => attribute.key === 'provisioning')?.value as { hardwareId?: unknown } | undefined;
    // ThingsBoard may turn a numeric-looking hardware id into a number, so both kinds are read.
    const value = record?.hardwareId;
    hardwareId = typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
  }

  return { ...device, credentialsType: credentials?.credentialsType, credentialsId: credentials?.credentialsId, hardwareId };
}

async function signIn(baseUrl: string, username: string, password: string): Promise<string> {
  const response = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!response.ok) {
    throw new Error(`sign-in to ${baseUrl} failed with HTTP ${response.status}`);
  }
  return ((await response.json()) as { token: string }).token;
}

async function getJson(baseUrl: string, token: string, path: string): Promise<unknown> {
  const response = await fetch(baseUrl + path, { headers: { 'X-Authorization': `Bearer ${token}` } });
  const text = await response.text();
  if (response.status === 404) {
    return undefined;
  }
  if (!response.ok) {
    throw new Error(`GET ${path} failed with HTTP ${response.status}: ${text.slice(0, 200)}`);
  }
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}
