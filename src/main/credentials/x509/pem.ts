// PEM text as ThingsBoard and devices need it, and ThingsBoard's X.509 credentials id.
import { createHash } from 'node:crypto';

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

export interface PemBlock {
  label: string;
  der: Buffer;
}

/**
 * Encodes DER as canonical PEM: standard base64 in 64-character lines, LF line ends and a final
 * LF. ThingsBoard hashes the base64 body with only CR and LF removed, so any other whitespace
 * would give a credentials id that the MQTT transport never computes.
 */
export function toPem(label: string, der: Uint8Array | ArrayBuffer): string {
  const base64 = Buffer.from(der instanceof ArrayBuffer ? new Uint8Array(der) : der).toString('base64');
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** Returns every PEM block in a text, in order. Text between blocks is ignored. */
export function parsePemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const match of text.matchAll(PEM_BLOCK)) {
    const body = (match[2] ?? '').replace(/\s+/g, '');
    blocks.push({ label: match[1] ?? '', der: Buffer.from(body, 'base64') });
  }
  return blocks;
}

/** Tells whether a buffer contains PEM text rather than DER. */
export function looksLikePem(data: Buffer): boolean {
  return data.toString('latin1').includes('-----BEGIN ');
}

/**
 * Computes ThingsBoard's credentialsId for an X.509 device certificate: lowercase hex SHA3-256
 * over the PEM text with the BEGIN and END lines and every CR and LF removed (ThingsBoard's
 * EncryptionUtil.certTrimNewLines followed by getSha3Hash). Pass the canonical PEM of the leaf
 * certificate only, because ThingsBoard hashes a chain as one string that matches no certificate.
 */
export function thingsboardCredentialsId(certificatePem: string): string {
  const body = certificatePem
    .replaceAll('-----BEGIN CERTIFICATE-----', '')
    .replaceAll('-----END CERTIFICATE-----', '')
    .replace(/[\r\n]/g, '');
  return createHash('sha3-256').update(body, 'utf8').digest('hex');
}
