export { startThingsboardStandIn, type StandIn, type StandInOptions } from './stand-in';
export type { ErrorRateResponse, FailureResponse, RequestFilter, StandInFaults } from './faults';
export type { StandInApiKey } from './api-keys';
export type { Authority, StandInUser } from './auth';
export { sha3Hex, trimCertificate } from './credentials-format';
