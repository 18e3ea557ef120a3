// The one entry to @peculiar/x509. Its dependency injection container (tsyringe) needs the
// reflect-metadata polyfill loaded before the library, and the library needs Node's WebCrypto as
// its provider. Importing x509 from this module guarantees both.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as Crypto);

export { x509 };
