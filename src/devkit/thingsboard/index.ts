export { startThingsboardStandIn, type StandIn, type StandInOptions } from './standIn';
export type { FailureResponse, RequestFilter, StandInFaults } from './faults';
export type { Authority, StandInUser } from './auth';
export { sha3Hex, trimCertificate } from './credentialsFormat';
