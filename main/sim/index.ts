// Public entry of the Yeastar P-Series simulator: startSimulator and the shapes in ./types.ts are all that tests,
// benchmarks, the demo and `vmgreet sim` use.
import { SimServer } from './server.js';
import type { Simulator, SimulatorOptions } from './types.js';

export { ManualClock } from './clock.js';
export type {
  AskDuplicateMode, DeleteInUseMode, Fault, GreetingRecord, LunchSpelling, PresenceStatus, RequestLogEntry, SeedExtension,
  SelectionFieldsMode, SelectionRecord, SelectionValueForm, Simulator, SimulatorOptions,
} from './types.js';
export { greetingBasename } from './greetings.js';
export { speechLikeWav, type TtsRequestRecord } from './tts.js';

/** Start a simulator on 127.0.0.1 (ephemeral port unless `port` is given). Always `close()` it. */
export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const sim = new SimServer(opts);
  await sim.listen();
  return sim;
}
