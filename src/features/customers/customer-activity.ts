import { createUnionType } from "type-graphql";
import { CampaignEntry, ServiceUsage } from "../../kernel/model";

/** A customer's activity: service usage and campaign entries, newest first. */
export const CustomerActivity = createUnionType({
  name: "CustomerActivity",
  description: "Something a customer did: used a service or entered a campaign.",
  types: () => [ServiceUsage, CampaignEntry] as const,
  resolveType: (value) => (value instanceof CampaignEntry ? CampaignEntry : ServiceUsage),
});
