// Handlers for RPCs whose issue has not landed yet: they answer UNIMPLEMENTED, never pretend to work.
import {
  status,
  type handleClientStreamingCall,
  type handleServerStreamingCall,
  type handleUnaryCall,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';

/** One UNIMPLEMENTED handler per method of `definition`, naming the method and who owns it. */
export function unimplementedHandlers(definition: ServiceDefinition, owner: string): UntypedServiceImplementation {
  const handlers: UntypedServiceImplementation = {};
  for (const [name, method] of Object.entries(definition)) {
    const details = `${method.path} is not implemented yet (${owner})`;
    const error = { code: status.UNIMPLEMENTED, details };
    if (method.requestStream && !method.responseStream) {
      const handler: handleClientStreamingCall<unknown, unknown> = (call, callback) => {
        callback(error);
        call.destroy();
      };
      handlers[name] = handler;
    } else if (method.responseStream) {
      const handler: handleServerStreamingCall<unknown, unknown> = (call) => call.emit('error', error);
      handlers[name] = handler;
    } else {
      const handler: handleUnaryCall<unknown, unknown> = (_call, callback) => callback(error);
      handlers[name] = handler;
    }
  }
  return handlers;
}
