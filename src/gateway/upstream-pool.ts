import type { FerryConfig } from '../config/types.js';
import { Upstream } from './upstream.js';

/**
 * One Upstream (connection pool and signer) per region, made on first use: the source's for every request, a
 * target's only once a rule is cut over to it or serves reads from it.
 */
export class UpstreamPool {
  private readonly byRegion = new Map<string, Upstream>();

  constructor(private readonly config: Pick<FerryConfig, 'regions' | 'upstream'>) {}

  get(region: string): Upstream {
    let up = this.byRegion.get(region);
    if (!up) {
      const r = this.config.regions[region];
      if (!r) throw new Error(`region "${region}" is not configured`);
      up = new Upstream(r, this.config.upstream);
      this.byRegion.set(region, up);
    }
    return up;
  }

  async close(): Promise<void> {
    await Promise.all([...this.byRegion.values()].map((u) => u.close()));
  }
}
