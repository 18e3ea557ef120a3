// The simulated device for tests, demos and firmware work. See the simulator section of
// docs/device-protocol.md for its options and faults.
export { SimulatedDevice, type DeviceOutput } from './device';
export {
  FAULT_FLAG_HELP,
  SIMULATOR_STEPS,
  parseFaultFlags,
  simulatorFaultsSchema,
  simulatorOptionsSchema,
  type SimulatorFaults,
  type SimulatorOptions,
  type SimulatorStep,
} from './options';
export { startSimulatorOnSerial, type RunningSimulator } from './serial';
