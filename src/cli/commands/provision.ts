// `station provision`: provision the device on one port, then sync if a server was given.
import { describeReason } from '../../shared/messages';
import { StationError } from '../../shared/reasons';
import { openSerialLink } from '../../main/device/serial-link';
import { runProvisionJob, type ProvisionCredentialType } from '../../main/provisioning/provision-job';
import { Store } from '../../main/store/store';
import { syncOutbox, type SyncSummary } from '../../main/sync/sync';
import { EXIT, printJson, printReason } from '../output';
import { parseServerOptions, type ServerOptions } from '../server-options';

export interface ProvisionCommandOptions extends ServerOptions {
  port: string;
  db: string;
  name?: string;
  namingRule?: string;
  credential: string;
  baud: number;
  json?: boolean;
}

const PROVISION_CREDENTIAL_TYPES: readonly string[] = ['token', 'mqtt-basic'];

export async function provisionCommand(options: ProvisionCommandOptions): Promise<number> {
  if (!PROVISION_CREDENTIAL_TYPES.includes(options.credential)) {
    throw new StationError(
      'invalid-argument',
      `--credential "${options.credential}" is not supported here; use token or mqtt-basic`,
    );
  }
  const credentialType = options.credential as ProvisionCredentialType;
  const connection = parseServerOptions(options);
  const store = new Store(options.db);

  try {
    const link = await openSerialLink(options.port, { baudRate: options.baud });
    const outcome = await (async () => {
      try {
        return await runProvisionJob({
          store,
          link,
          credentialType,
          ...(options.name === undefined ? {} : { name: options.name }),
          ...(options.namingRule === undefined ? {} : { namingRule: options.namingRule }),
          ...(connection === undefined ? {} : { server: connection.deviceAddress }),
        });
      } finally {
        await link.close();
      }
    })();

    let sync: SyncSummary | undefined;
    if (outcome.result === 'passed' && connection !== undefined) {
      sync = await syncOutbox(store, connection.client);
    }
    const unitSynced =
      outcome.unitId !== undefined && store.outboxForUnit(outcome.unitId).every((entry) => entry.state === 'done');

    if (outcome.result === 'passed') {
      const how = outcome.resumed ? 'already held its credential' : 'passed';
      process.stderr.write(`${outcome.name ?? ''} (${outcome.hardwareId ?? ''}): ${how}\n`);
    } else if (outcome.reason !== undefined) {
      printReason('failed: ', outcome.reason.code, outcome.reason.detail);
    }
    if (outcome.result === 'passed' && !unitSynced) {
      const why = sync?.stoppedBy;
      process.stderr.write(
        why === undefined
          ? 'upload queued: no --server given; run `station sync` when the server is reachable\n'
          : `upload queued: ${describeReason(why.code, why.detail)}\n`,
      );
    }

    const result: Record<string, unknown> = {
      name: outcome.name ?? null,
      hardwareId: outcome.hardwareId ?? null,
      credentialType: outcome.credentialType,
      result: outcome.result,
      resumed: outcome.resumed,
      synced: unitSynced,
      jobId: outcome.jobId,
    };
    if (outcome.reason !== undefined) {
      result.reason = describeReason(outcome.reason.code, outcome.reason.detail);
      result.reasonCode = outcome.reason.code;
    }
    if (sync?.stoppedBy !== undefined) {
      result.syncReason = describeReason(sync.stoppedBy.code, sync.stoppedBy.detail);
      result.syncReasonCode = sync.stoppedBy.code;
    }
    if (options.json === true) {
      printJson(result);
    }

    if (outcome.result === 'failed') {
      return EXIT.failed;
    }
    return connection !== undefined && !unitSynced ? EXIT.notSynced : EXIT.ok;
  } finally {
    store.close();
  }
}
