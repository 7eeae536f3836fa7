import { ConsentMutations, CustomerConsentFields } from "../../consent/consent-resolvers";
import { PrivacyPolicyResolver } from "../../policy/policy-resolvers";
import { AuditQueries } from "../../audit/audit-graphql";
import { DisclosureQueries } from "../../disclosure/disclosure-graphql";
import { CampaignEntryFields, CampaignResolver } from "./campaign-resolvers";
import { CustomerFields } from "./customer-fields";
import { CustomerQueries } from "./customer-queries";
import { DataSubjectRequestResolver } from "./data-subject-requests";
import { Mutations } from "./mutations";
import { ViewerResolver } from "./viewer";
import { StatisticsResolver } from "../../statistics/graphql/statistics-resolver";

/** Every resolver class of the gateway. */
export const RESOLVERS = [CustomerQueries, CustomerFields, CampaignResolver, CampaignEntryFields, Mutations, ViewerResolver, DataSubjectRequestResolver, ConsentMutations, CustomerConsentFields, PrivacyPolicyResolver, AuditQueries, DisclosureQueries, StatisticsResolver] as const;
