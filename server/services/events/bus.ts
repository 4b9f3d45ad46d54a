import { EventEmitter, on } from 'node:events';

export type LiveEvent =
  | { type: 'service'; serviceId: string; reason: string }
  | { type: 'deployment'; serviceId: string; deploymentId: string; status: string }
  | { type: 'container'; serviceId: string; action: string; containerId: string }
  | { type: 'engine'; docker: 'up' | 'down' };

/** In-process fan-out of state changes to live subscribers (SSE). */
export class EventBus {
  private readonly emitter = new EventEmitter();
  constructor() {
    this.emitter.setMaxListeners(0);
  }
  publish(event: LiveEvent): void {
    this.emitter.emit('event', event);
  }
  async *listen(signal?: AbortSignal): AsyncGenerator<LiveEvent> {
    for await (const [event] of on(this.emitter, 'event', { signal })) {
      yield event as LiveEvent;
    }
  }
}
