import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The longest files start first. Vitest orders by the durations it cached on earlier runs, and
 * CI runs a fresh clone without that cache: a 3-minute browser file started last would hold the
 * whole suite on one fork while the other idles. Listed by their time in a full run.
 */
const SLOWEST_FIRST = [
  'e2e-browser-crawl',
  'legacy-walk-recovery',
  'store-faults-servers',
  'e2e-browser-page-faults',
  'e2e-watch-process',
  'e2e-browser-budget',
  'e2e-chaos',
  'e2e-minimal-requests',
  'e2e-wrong-site',
  'adaptive-politeness',
  'driver-conformance',
  'pool-faults',
];

class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (spec: TestSpecification) => {
      const i = SLOWEST_FIRST.findIndex((name) => spec.moduleId.endsWith(`/${name}.test.ts`));
      return i < 0 ? SLOWEST_FIRST.length : i;
    };
    return [...sorted].sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    sequence: { sequencer: SlowestFirst },
  },
});
