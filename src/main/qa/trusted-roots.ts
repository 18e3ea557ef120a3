// The roots QA trusts by default: the self-signed certificates at the end of the station's own
// issuing chain. A QA station that did not issue the units is given the root with --root.
import { IssuerStore } from '../store/issuer-store';
import type { Store } from '../store/store';
import { splitPem } from './certificate-checks';
import { X509Certificate } from 'node:crypto';

export function trustedRootsFor(store: Store): string[] {
  const issuer = new IssuerStore(store.database).activeIssuerInfo();
  if (issuer === undefined) {
    return [];
  }
  return splitPem(issuer.chainPem).filter((pem) => {
    const certificate = new X509Certificate(pem);
    return certificate.subject === certificate.issuer;
  });
}
