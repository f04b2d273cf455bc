// Test support shared by every suite in the repository. Production code never imports it.

export { receiverMain, requireBuilt, requireFresh, senderCli } from './builtPrograms.js';
export { type Answer, deliver, type Signed } from './deliver.js';
export { docsExample, docsExampleFile, type LessonFields, lessonCompleted } from './docsExample.js';
export { eventually } from './eventually.js';
export { expectedProgress, normaliseProgress } from './expectedProgress.js';
export { type HostileReadApiQuery, hostileReadApiQueries } from './hostileReadApiQueries.js';
export { type LocalServer, listenLocally } from './listenLocally.js';
export { type OutageProxy, startOutageProxy } from './outageProxy.js';
export { ReadApi } from './ReadApi.js';
export { runBuiltSender } from './runBuiltSender.js';
export { type ProgramResult, type RunProgramOptions, runProgram } from './runProgram.js';
export { type StallingSink, startStallingSink } from './stallingSink.js';
export { startBuiltReceiver } from './startBuiltReceiver.js';
export { startBuiltSenderServe } from './startBuiltSenderServe.js';
export {
  type Exit,
  type RunningProgram,
  type StartProgramOptions,
  startProgram,
} from './startProgram.js';
export { type SelectHttpTransport, useSenderMsw } from './useSenderMsw.js';
