import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revisions, services } from '@/db/schema';
import { createService } from '@/server/services/service/create';
import { createServiceSchema } from '@/server/services/service/schema';
import { makeHarness, sampleSpec, uniqueName, type Harness } from '@/server/testing/harness';
import { listSampledServices } from './sampled-services';

let h: Harness;
beforeAll(async () => {
  h = await makeHarness();
});
afterAll(async () => h?.close());

async function service(replicas: number) {
  const { service } = await createService(
    await h.as('developer'),
    createServiceSchema.parse({ name: uniqueName('sampled'), deploy: false, spec: sampleSpec(), replicas }),
  );
  return service.id;
}

describe('the services a collector tick stores', () => {
  it("want the service's replica count, none before a deploy, and say if they went live", async () => {
    const never = await service(3);
    const deploying = await service(2);
    const live = await service(4);
    const [rev1] = await h.db.select().from(revisions).where(eq(revisions.serviceId, live));
    // A count left on an old revision's spec is not the service's count.
    await h.db
      .insert(revisions)
      .values({ ...rev1!, id: undefined, number: 2, spec: { ...rev1!.spec, replicas: 5 } });
    await h.db.update(services).set({ desiredRevision: 1 }).where(eq(services.id, deploying));
    await h.db.update(services).set({ desiredRevision: 2, stableRevision: 1 }).where(eq(services.id, live));

    const sampled = await listSampledServices(h.db);
    expect(sampled.sort((a, b) => a.serviceId.localeCompare(b.serviceId))).toEqual(
      [
        { serviceId: never, desired: 0, live: false },
        { serviceId: deploying, desired: 2, live: false },
        { serviceId: live, desired: 4, live: true },
      ].sort((a, b) => a.serviceId.localeCompare(b.serviceId)),
    );
  });
});
