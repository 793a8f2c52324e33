// Notices a response the generated code cannot encode. grpc-js answers such a call INTERNAL on its own, after the
// handler wrapper had already counted it as OK and logged nothing; the probe lets the wrapper see the failure.
import type { ServiceDefinition } from '@grpc/grpc-js';

/** Wraps the response encoders of service definitions and keeps the last failure until it is taken. */
export class EncodeProbe {
  private failure: unknown;

  /** The definition with every response encoder watched (requests and everything else unchanged). */
  watch(definition: ServiceDefinition): ServiceDefinition {
    const watched: Record<string, ServiceDefinition[string]> = {};
    for (const [name, method] of Object.entries(definition)) {
      watched[name] = {
        ...method,
        responseSerialize: (value: unknown) => {
          try {
            return method.responseSerialize(value);
          } catch (err) {
            this.failure = err;
            throw err;
          }
        },
      };
    }
    return watched;
  }

  /**
   * The encode failure of the response just handed to grpc-js, if there was one. NOTE: grpc-js encodes a message
   * synchronously inside the callback or write that sends it, so the failure read right after that call is its own.
   */
  take(): unknown {
    const failure = this.failure;
    this.failure = undefined;
    return failure;
  }
}
