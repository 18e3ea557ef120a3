// Every user-visible sentence for a reason code: what went wrong, and what to do next. The
// command line and the renderer both read this table, so a translation replaces one module.
import type { ReasonCode } from './reasons';

export interface ReasonMessage {
  message: string;
  action: string;
}

export const REASON_MESSAGES: Record<ReasonCode, ReasonMessage> = {
  'port-not-found': { message: 'Serial port not found', action: 'Check the cable and the port name, then try again.' },
  'port-not-serial': { message: 'This path is not a serial port', action: 'Check --port: give the serial port of the device, e.g. /dev/ttyUSB0 or /dev/ttyACM0.' },
  'port-busy': { message: 'Serial port is in use by another program', action: 'Close the other program, then try again.' },
  'port-open-failed': { message: 'Serial port could not be opened', action: 'Check the cable and your permission to use the port.' },
  'port-closed': { message: 'The device was disconnected', action: 'Reconnect the device and run the job again.' },
  'device-timeout': { message: 'The device did not respond in time', action: 'Check that the device is powered and runs provisioning firmware.' },
  'device-corrupt-reply': { message: 'Replies from the device were corrupted', action: 'Check the cable and the baud rate, then try again.' },
  'device-error': { message: 'The device reported an error', action: 'Run the job again; if it repeats, set the unit aside for rework.' },
  'device-protocol-unsupported': { message: 'The device speaks an unsupported protocol version', action: 'Update the device firmware or the station.' },
  'device-frame-too-small': { message: 'The device accepts frames too small to provision', action: 'Update the device firmware.' },
  'device-busy': { message: 'The device stayed busy', action: 'Wait a moment and run the job again.' },
  'device-not-accepting-data': {
    message: 'The device stops accepting data',
    action: 'Check the flow control (RTS/CTS) settings of the device and the port, and the cable, then run the job again.',
  },
  'verify-mismatch': { message: 'The device does not hold what was written', action: 'Run the job again; if it repeats, set the unit aside for rework.' },
  'name-invalid': { message: 'The device name is not valid', action: 'Give a plain printable name of at most 255 characters.' },
  'credential-type-unsupported': { message: 'The unit already holds another kind of credential', action: 'Provision it with the kind it holds, or rework the unit first.' },
  'unit-name-taken': { message: 'The device name is already used by another unit', action: 'Give this unit a different name.' },
  'station-clock-wrong': { message: "The station's clock differs too much from the server's", action: 'Set the station clock right (or enable time sync), then try again.' },
  'unit-has-other-name': { message: 'This unit is already registered under another name', action: 'Provision it without --name, or rework it first.' },
  'server-unreachable': { message: 'ThingsBoard cannot be reached', action: 'Work continues offline; uploads stay queued until the server is back.' },
  'server-auth-failed': { message: 'ThingsBoard rejected the user name or password', action: 'Check --username and --password (or STATION_SERVER_PASSWORD), then sync again.' },
  'server-2fa-required': { message: 'The ThingsBoard account requires two-factor sign-in', action: 'Use an account without two-factor sign-in for the station.' },
  'server-rate-limited': { message: 'ThingsBoard is limiting requests', action: 'Uploads stay queued; sync again in a minute.' },
  'server-quota-exceeded': { message: 'The ThingsBoard tenant has reached its device limit', action: 'Ask the ThingsBoard administrator to raise the limit.' },
  'server-permission-denied': { message: 'The ThingsBoard account may not do this', action: 'Use a tenant administrator account for the station.' },
  'server-rejected': { message: 'ThingsBoard refused the request', action: 'The upload is parked; see the reason in the outbox list.' },
  'server-error': { message: 'ThingsBoard failed to process the request', action: 'Uploads stay queued; sync again later.' },
  'server-credential-conflict': { message: 'The server holds other credentials for this device', action: 'The upload is parked; decide which credential is right.' },
  'server-credential-taken': { message: 'Another server device already uses this credential', action: 'The upload is parked; check for a duplicated unit.' },
  'store-failed': { message: 'The station database failed', action: 'Check the disk, then restart the station.' },
  'store-key-missing': { message: 'The station data key is missing or wrong', action: 'Restore the key file that belongs to this database.' },
  'invalid-argument': { message: 'Invalid input', action: 'Correct the value and try again.' },
  internal: { message: 'Unexpected error in the station', action: 'Report this with the station log.' },
  'issuer-missing': { message: 'The station has no certificate issuer', action: 'Create one with `station issuer create` or import one with `station issuer import`.' },
  'issuer-unreadable': { message: 'The CA certificate, key or bundle cannot be read', action: 'Give a PEM or DER certificate and a PEM or DER private key, or a PKCS#12 bundle.' },
  'issuer-key-unsupported': { message: 'The CA key type is not supported', action: 'Use an RSA key of at least 2048 bits or an EC key on P-256, P-384 or P-521.' },
  'issuer-not-ca': { message: 'The certificate is not a CA certificate', action: 'Import a certificate with basic constraints CA:TRUE.' },
  'issuer-no-key-cert-sign': { message: 'The CA certificate may not sign certificates', action: 'Import a CA certificate whose key usage includes keyCertSign.' },
  'issuer-not-yet-valid': { message: 'The CA certificate is not valid yet', action: 'Check the station clock, or import a CA certificate that is valid now.' },
  'issuer-expired': { message: 'The CA certificate has expired', action: 'Import a CA certificate that is still valid.' },
  'issuer-expires-too-soon': { message: 'The CA certificate expires before the device certificates it would sign', action: 'Import a CA with a longer life, or choose a shorter device certificate validity.' },
  'issuer-key-mismatch': { message: 'The private key does not belong to the CA certificate', action: 'Give the key that was made together with this certificate.' },
  'issuer-chain-invalid': { message: 'The CA certificates do not form one chain', action: 'Give the issuing CA certificate and its own issuers only, each signed by the next.' },
  'issuer-passphrase-wrong': { message: 'The passphrase is missing or wrong', action: 'Run the command again with the right passphrase, at the prompt or in the environment variable.' },
  'issuer-protection-unavailable': { message: 'The CA key cannot be protected on this computer', action: 'Use a passphrase to protect the CA key instead.' },
  'certificate-name-rejected': { message: 'The device name does not match the name pattern of the device profile', action: 'Use a device name that matches the pattern, or change the pattern in ThingsBoard.' },
  'csr-invalid': { message: 'The certificate request from the device is invalid', action: 'Run the job again; if it repeats, check the device firmware.' },
  'csr-name-mismatch': { message: 'The certificate request names a different device', action: 'Check the device name, then run the job again.' },
  'port-permission-denied': {
    message: 'This user may not open the serial port',
    action: 'On Linux, add the user to the dialout group (sudo usermod -aG dialout $USER), log out and in again, then try again.',
  },
  'port-held-by-modem-manager': {
    message: 'ModemManager is probing the serial port',
    action:
      'Wait a few seconds and try again. To stop it for good, put the udev rule given above into a file in /etc/udev/rules.d/, then run: sudo udevadm control --reload-rules && sudo udevadm trigger',
  },
};

/** Formats one line for a terminal or a log: the message, the detail when there is one, then the action. */
export function describeReason(code: ReasonCode, detail?: string): string {
  const { message, action } = REASON_MESSAGES[code];
  return detail === undefined ? `${message}. ${action}` : `${message}: ${detail}. ${action}`;
}

/** The operator screens' sentences, kept beside the reason messages so one module holds every translation. */
export const UI_STRINGS = {
  title: 'Provisioning Station',
  loading: 'Starting the station…',
  noBridge: 'This page runs outside the desktop app, so the station services are not available.',
  servicesDown: 'The station services did not start.',
  version: (version: string) => `Version ${version}`,
} as const;
