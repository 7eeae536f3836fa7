import { CampaignEntryFields, CampaignResolver } from "./campaign-resolvers";
import { CustomerFields } from "./customer-fields";
import { CustomerQueries } from "./customer-queries";
import { Mutations } from "./mutations";
import { ViewerResolver } from "./viewer";

/** Every resolver class of the gateway. */
export const RESOLVERS = [CustomerQueries, CustomerFields, CampaignResolver, CampaignEntryFields, Mutations, ViewerResolver] as const;
