import type { QueueName } from "../../lib/queue/names";
import type { PayloadOf } from "../../lib/queue/payloads";
import { convert } from "./convert";
import { download } from "./download";
import { maintenance } from "./maintenance";
import { inference } from "./inference";
import type { ProcessorContext } from "./types";
import { verify } from "./verify";

type Processor<Q extends QueueName> = (data: PayloadOf<Q>, ctx: ProcessorContext) => Promise<unknown>;

/** Which queues this build of the worker serves, and the processor for each. */
export const PROCESSORS: { [Q in QueueName]?: Processor<Q> } = {
  maintenance,
  download,
  verify,
  convert,
  inference,
};
