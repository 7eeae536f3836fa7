import type { GatewayFeature } from "../../kernel/feature";
import { CampaignEntryFields, CampaignResolver } from "./campaign-resolvers";
import { CustomerFields } from "./customer-fields";
import { CustomerQueries } from "./customer-queries";
import { Mutations } from "./mutations";
import { ViewerResolver } from "./viewer";

/** The customer API over the kernel's personal-data model: customers, their rows, campaigns. */
export const customersFeature: GatewayFeature = {
  name: "customers",
  resolvers: [CustomerQueries, CustomerFields, CampaignResolver, CampaignEntryFields, Mutations, ViewerResolver],
};
