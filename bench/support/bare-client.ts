// The port bench's baseline: a token job's device exchanges made by the station's own protocol
// client (openSerialLink) on the same kind of pty pairs and paced simulators, but without the
// station runner, the job journal or the database. Its time per unit is what the rig (simulator,
// socat, serialport and the protocol client) takes on its own. The station's job time beyond it
// is the station's overhead.
//
// Each unit mirrors a station job on a port that stays plugged. The bench opens the port and
// sends HELLO, untimed, as the runner's probe does. The timed part starts right after that reply
// and ends once the port is closed. It sends no HELLO again, because the station's job uses the
// probe's reply. The first unit on a port has no probe, so its time includes opening the port
// and its HELLO, as in the station.
import { createPtyPair, type PtyPair } from '../../src/devkit/pty-pair';
import { deviceFieldsFor, digestFields, generateAccessToken, mismatchedFields } from '../../src/main/credentials/generate';
import type { DeviceLink } from '../../src/main/device/link';
import type { DeviceHost, UnitTraffic } from './device-host-client';

export interface BareRoundOptions {
  host: DeviceHost;
  portCount: number;
  unitsPerPort: number;
  /** Idle time between a unit's end and the next unit's probe, as in the station runner. */
  probeIntervalMs: number;
  /** Opens a port as the station round does, with the probe's deadline when `probe` is true. */
  openLink: (path: string, probe: boolean) => Promise<DeviceLink>;
  /** Starts unit `unit` of port `port` on the device end of `pair`. */
  startUnit: (port: number, unit: number, pair: PtyPair) => Promise<void>;
  /** Slack subtracted from a unit's start when the device host splits its exchanges, as in the station round. */
  jobStartSlackMs: number;
}

export interface BareUnit {
  /** Date.now() time from the job's start to the closed port. */
  jobMs: number;
  traffic: UnitTraffic;
  firstOnPort: boolean;
  /** False when the device's digests did not match what was written. */
  verified: boolean;
}

/** Runs every port's units in a row, all ports at once, and returns each unit's time and traffic. */
export async function runBareRound(options: BareRoundOptions): Promise<BareUnit[]> {
  const pairs = await Promise.all(Array.from({ length: options.portCount }, () => createPtyPair()));
  try {
    const perPort = await Promise.all(pairs.map((pair, port) => runPort(options, pair, port)));
    return perPort.flat();
  } finally {
    for (const pair of pairs) {
      await pair.close();
    }
  }
}

async function runPort(options: BareRoundOptions, pair: PtyPair, port: number): Promise<BareUnit[]> {
  const units: BareUnit[] = [];
  await options.startUnit(port, 0, pair);

  for (let unit = 0; unit < options.unitsPerPort; unit += 1) {
    const firstOnPort = unit === 0;
    let startedAt = Date.now();
    const link = await options.openLink(pair.stationPath, !firstOnPort);
    let verified: boolean;
    try {
      if (!firstOnPort) {
        // The probe's HELLO, which the station's job time leaves out as well.
        await link.hello();
        startedAt = Date.now();
      }
      verified = await runJobExchanges(link, firstOnPort);
    } finally {
      await link.close();
    }
    const jobMs = Date.now() - startedAt;

    const traffic = await options.host.finishUnit(port, startedAt - options.jobStartSlackMs);
    units.push({ jobMs, traffic, firstOnPort, verified });
    if (unit + 1 < options.unitsPerPort) {
      const idle = new Promise((resolve) => setTimeout(resolve, options.probeIntervalMs));
      await Promise.all([options.startUnit(port, unit + 1, pair), idle]);
    }
  }
  return units;
}

/**
 * Makes the requests a token job makes on a new unit: HELLO unless a probe's reply is at hand,
 * VERIFY of what the device holds, the WRITE chunks and COMMIT, and VERIFY of what was written.
 * Returns whether the digests match.
 */
async function runJobExchanges(link: DeviceLink, sendHello: boolean): Promise<boolean> {
  if (sendHello) {
    await link.hello();
  }
  await link.verify();

  const fields = deviceFieldsFor(generateAccessToken(), undefined);
  await link.writeFields(fields);

  const reported = await link.verify();
  return mismatchedFields(digestFields(fields), reported).length === 0;
}
