import { ComplianceRole } from "../../../kernel/caller/roles";
import { requireComplianceRole } from "../../../kernel/compliance";
import { provide, serviceKey } from "../../../kernel/services";
import type { FeatureDb } from "../../../kernel/store/feature-db";
import { ReleaseStore } from "./release-store";

export const RELEASE_READER = serviceKey<ReleaseStore>("statistics.releases");

/** Release plans and releases, for the privacy officer only (compliance road). */
export const releaseReader = (db: FeatureDb) =>
  provide(RELEASE_READER, (ctx) => {
    requireComplianceRole(ctx, ComplianceRole.PRIVACY_OFFICER);
    return new ReleaseStore(db);
  });
