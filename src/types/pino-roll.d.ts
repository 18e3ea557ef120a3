// Types for pino-roll 4, which ships none: the options this project uses. Any other option is
// passed on to SonicBoom, pino's file destination.
declare module 'pino-roll' {
  import type SonicBoom from 'sonic-boom';

  export interface PinoRollOptions {
    /** Path of the log file without its number: "logs/station" gives logs/station.1.log, ... */
    file: string;
    /** Size at which a new file starts: a number of MB, or a string such as "10m" or "512k". */
    size?: string | number;
    /** 'daily', 'hourly', or a number of milliseconds. */
    frequency?: 'daily' | 'hourly' | number;
    extension?: string;
    /** Older files kept besides the current one; older ones are deleted at each roll. */
    limit?: { count: number; removeOtherLogFiles?: boolean };
    mkdir?: boolean;
    /** SonicBoom's sync mode: each line is written before the logging call returns. */
    sync?: boolean;
    mode?: number;
  }

  export default function pinoRoll(options: PinoRollOptions): Promise<SonicBoom>;
}
