// An in-process serial binding: opening `virtual:<name>` connects serialport to a simulated
// device registered under that name. The station runs its usual openSerialLink with this
// binding where no pty is available (no socat, or Windows).
import type {
  BindingInterface,
  BindingPortInterface,
  OpenOptions,
  PortInfo,
  PortStatus,
} from '@serialport/bindings-interface' with { 'resolution-mode': 'require' };
import { SimulatedDevice } from './simulator/device';
import type { SimulatorOptions } from './simulator/options';

const PATH_PREFIX = 'virtual:';

interface VirtualEndpoint {
  device: SimulatedDevice | undefined;
  port: VirtualPort | undefined;
  hungUp: boolean;
}

const endpoints = new Map<string, VirtualEndpoint>();

class BindingError extends Error {
  constructor(
    message: string,
    readonly canceled = false,
  ) {
    super(message);
  }
}

class VirtualPort implements BindingPortInterface {
  readonly openOptions: Required<OpenOptions>;
  isOpen = true;
  private received: Buffer[] = [];
  private wake: (() => void) | undefined;

  constructor(
    options: OpenOptions,
    private readonly endpoint: VirtualEndpoint,
  ) {
    this.openOptions = {
      dataBits: 8,
      lock: true,
      stopBits: 1,
      parity: 'none',
      rtscts: false,
      xon: false,
      xoff: false,
      xany: false,
      hupcl: true,
      ...options,
    };
  }

  /** Bytes the device sent towards the station. */
  deliver(bytes: Buffer): void {
    this.received.push(Buffer.from(bytes));
    this.wake?.();
  }

  /** Ends pending and later reads with a non-canceled error, which serialport treats as a disconnect. */
  hangUp(): void {
    this.wake?.();
  }

  async read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }> {
    while (this.received.length === 0) {
      this.checkUsable();
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
    this.checkUsable();

    const head = this.received.shift() ?? Buffer.alloc(0);
    const bytesRead = head.copy(buffer, offset, 0, length);
    if (bytesRead < head.length) {
      this.received.unshift(head.subarray(bytesRead));
    }
    return { buffer, bytesRead };
  }

  write(buffer: Buffer): Promise<void> {
    this.checkUsable();
    const device = this.endpoint.device;
    const copy = Buffer.from(buffer);
    // Delivered on a later tick, as bytes on a wire would be, so replies never re-enter this call.
    setImmediate(() => device?.receive(copy));
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.isOpen = false;
    if (this.endpoint.port === this) {
      this.endpoint.port = undefined;
    }
    this.wake?.();
    return Promise.resolve();
  }

  update(): Promise<void> {
    return Promise.resolve();
  }

  set(): Promise<void> {
    return Promise.resolve();
  }

  get(): Promise<PortStatus> {
    return Promise.resolve({ cts: true, dsr: true, dcd: true });
  }

  getBaudRate(): Promise<{ baudRate: number }> {
    return Promise.resolve({ baudRate: this.openOptions.baudRate });
  }

  flush(): Promise<void> {
    this.received = [];
    return Promise.resolve();
  }

  drain(): Promise<void> {
    return Promise.resolve();
  }

  private checkUsable(): void {
    if (!this.isOpen) {
      throw new BindingError('port is closed', true);
    }
    if (this.endpoint.hungUp) {
      throw new BindingError('EIO: the virtual device hung up');
    }
  }
}

/** The binding to pass to openSerialLink for `virtual:` paths. */
export const virtualSerialBinding: BindingInterface = {
  list: () =>
    Promise.resolve(
      [...endpoints.keys()].map(
        (name): PortInfo => ({
          path: PATH_PREFIX + name,
          manufacturer: 'Provisioning Station devkit',
          serialNumber: undefined,
          pnpId: undefined,
          locationId: undefined,
          productId: undefined,
          vendorId: undefined,
        }),
      ),
    ),

  open: (options: OpenOptions) => {
    const name = options.path.startsWith(PATH_PREFIX) ? options.path.slice(PATH_PREFIX.length) : undefined;
    const endpoint = name === undefined ? undefined : endpoints.get(name);
    if (endpoint === undefined || endpoint.hungUp) {
      return Promise.reject(new BindingError(`ENOENT: No such file or directory, no virtual device at ${options.path}`));
    }
    if (endpoint.port !== undefined) {
      return Promise.reject(new BindingError(`Resource temporarily unavailable, Cannot lock port ${options.path}`));
    }
    const port = new VirtualPort(options, endpoint);
    endpoint.port = port;
    return Promise.resolve(port);
  },
};

export interface VirtualDevice {
  /** Path to open with openSerialLink and `binding`. */
  readonly path: string;
  readonly binding: BindingInterface;
  readonly device: SimulatedDevice;
  close(): Promise<void>;
}

/** Starts a simulated device reachable at `virtual:<name>` through virtualSerialBinding. */
export async function attachVirtualDevice(name: string, options: SimulatorOptions): Promise<VirtualDevice> {
  if (endpoints.has(name)) {
    throw new Error(`a virtual device named "${name}" is already attached`);
  }
  const endpoint: VirtualEndpoint = { device: undefined, port: undefined, hungUp: false };
  endpoints.set(name, endpoint);

  try {
    endpoint.device = await SimulatedDevice.create(options, {
      // With no station port open the bytes fall on the floor, as on an unplugged cable.
      write: (bytes) => {
        endpoint.port?.deliver(bytes);
        return Promise.resolve();
      },
      hangUp: () => {
        endpoint.hungUp = true;
        endpoint.port?.hangUp();
        return Promise.resolve();
      },
    });
  } catch (error) {
    endpoints.delete(name);
    throw error;
  }

  const device = endpoint.device;
  return {
    path: PATH_PREFIX + name,
    binding: virtualSerialBinding,
    device,
    close: () => {
      device.stop();
      endpoint.hungUp = true;
      endpoint.port?.hangUp();
      endpoints.delete(name);
      return Promise.resolve();
    },
  };
}
