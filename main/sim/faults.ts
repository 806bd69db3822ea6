// Fault injection: picks which armed faults hit a request (by endpoint filter, probability and remaining count).
import type { Fault } from './types.js';

interface Armed { fault: Fault; remaining: number }

export function faultMatchesPath(filter: string | undefined, pathname: string, endpoint: string): boolean {
  if (filter === undefined || filter === '' || filter === '*') return true;
  if (filter.endsWith('*')) {
    const prefix = filter.slice(0, -1);
    return endpoint.startsWith(prefix) || pathname.startsWith(prefix);
  }
  return endpoint === filter.replace(/^\/+/, '') || pathname === filter;
}

export class FaultPlan {
  private armed: Armed[] = [];

  constructor(private readonly random: () => number) {}

  add(fault: Fault): void {
    const remaining = fault.times ?? (fault.rate === undefined ? 1 : Number.POSITIVE_INFINITY);
    if (remaining > 0) this.armed.push({ fault, remaining });
  }

  clear(): void {
    this.armed = [];
  }

  /**
   * Faults of `kinds` that fire for this request; each firing consumes one of its `times`.
   * `accept` lets the caller skip a fault that cannot apply (e.g. expire-token without a live token) without consuming it.
   */
  take(pathname: string, endpoint: string, kinds: readonly Fault['kind'][], accept: (f: Fault) => boolean = () => true): Fault[] {
    const hits: Fault[] = [];
    for (const a of this.armed) {
      if (!kinds.includes(a.fault.kind)) continue;
      if (!faultMatchesPath(a.fault.path, pathname, endpoint)) continue;
      if (!accept(a.fault)) continue;
      const rate = a.fault.rate ?? 1;
      if (rate < 1 && this.random() >= rate) continue;
      a.remaining -= 1;
      hits.push(a.fault);
    }
    this.armed = this.armed.filter((a) => a.remaining > 0);
    return hits;
  }
}

export const HTML_ERROR_PAGE = `<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>nginx</center>
</body>
</html>
`;
