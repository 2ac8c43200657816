// Streaming counters, rendered in the Prometheus text format for `/metrics`.
import type { Audience } from '../snapshot-views.js';

export interface ConnectionCount {
  env: string;
  audience: Audience;
  count: number;
}

export class StreamMetrics {
  /** Frames written to clients (a put, or one change's events), heartbeats excluded. */
  readonly eventsSent = new Map<string, number>();
  /** Connections ended because they fell too far behind. */
  readonly droppedClients = new Map<string, number>();
  /** Connection attempts refused with 503 (too many clients, too fast, or shutting down). */
  shedConnections = 0;
  /** Time spent writing each change to every connection's socket, per environment. */
  readonly fanout = new Map<string, { seconds: number; count: number }>();

  sent(env: string, count: number): void {
    if (count > 0) this.eventsSent.set(env, (this.eventsSent.get(env) ?? 0) + count);
  }

  dropped(env: string): void {
    this.droppedClients.set(env, (this.droppedClients.get(env) ?? 0) + 1);
  }

  shed(): void {
    this.shedConnections++;
  }

  fannedOut(env: string, seconds: number): void {
    const held = this.fanout.get(env) ?? { seconds: 0, count: 0 };
    held.seconds += seconds;
    held.count++;
    this.fanout.set(env, held);
  }

  /** Prometheus exposition of these counters plus the live connection gauge. */
  render(connections: readonly ConnectionCount[]): string {
    const lines: string[] = [
      '# HELP flagstaff_stream_clients Streaming connections currently open.',
      '# TYPE flagstaff_stream_clients gauge',
      ...connections.map((c) => `flagstaff_stream_clients{env="${c.env}",audience="${c.audience}"} ${c.count}`),
      '# HELP flagstaff_stream_events_sent_total Stream events written to clients (heartbeats excluded).',
      '# TYPE flagstaff_stream_events_sent_total counter',
      ...[...this.eventsSent].map(([env, n]) => `flagstaff_stream_events_sent_total{env="${env}"} ${n}`),
      '# HELP flagstaff_stream_dropped_clients_total Connections dropped for falling too far behind.',
      '# TYPE flagstaff_stream_dropped_clients_total counter',
      ...[...this.droppedClients].map(([env, n]) => `flagstaff_stream_dropped_clients_total{env="${env}"} ${n}`),
      '# HELP flagstaff_stream_fanout_seconds Time to write one change to every stream of its environment.',
      '# TYPE flagstaff_stream_fanout_seconds summary',
      ...[...this.fanout].flatMap(([env, f]) => [
        `flagstaff_stream_fanout_seconds_sum{env="${env}"} ${f.seconds}`,
        `flagstaff_stream_fanout_seconds_count{env="${env}"} ${f.count}`,
      ]),
      '# HELP flagstaff_stream_shed_total Stream connections refused with 503 to shed load.',
      '# TYPE flagstaff_stream_shed_total counter',
      `flagstaff_stream_shed_total ${this.shedConnections}`,
    ];
    return `${lines.join('\n')}\n`;
  }
}

/** The process's memory, for capacity planning (and the benchmark's bytes per idle connection). */
export function processMemoryText(): string {
  const { rss, heapUsed } = process.memoryUsage();
  return [
    '# HELP flagstaff_process_resident_memory_bytes Resident set size of the server process.',
    '# TYPE flagstaff_process_resident_memory_bytes gauge',
    `flagstaff_process_resident_memory_bytes ${rss}`,
    '# HELP flagstaff_process_heap_used_bytes V8 heap in use.',
    '# TYPE flagstaff_process_heap_used_bytes gauge',
    `flagstaff_process_heap_used_bytes ${heapUsed}`,
    '',
  ].join('\n');
}
