import { InitialStore1764000000000 } from "./1764000000000-initial-store";
import { Consent1764050000000 } from "./1764050000000-consent";
import { StatisticsPrivacyBudget1764100000000 } from "./1764100000000-statistics-privacy-budget";
import { ApiClientNotify1764060000000 } from "./1764060000000-api-client-notify";
import { Recipients1764200000000 } from "./1764200000000-recipients";
import { AuditTrail1764210000000 } from "./1764210000000-audit-trail";
import { PolicyVersions1764300000000 } from "./1764300000000-policy-versions";
import { DataSubjectRequests1764400000000 } from "./1764400000000-data-subject-requests";
import { KernelReads1764500000000 } from "./1764500000000-kernel-reads";
import { StatisticsCompanyBudget1764610000000 } from "./1764610000000-statistics-company-budget";
import { StatisticsReleasedTables1764620000000 } from "./1764620000000-statistics-released-tables";
import { CompactAuditChain1764630000000 } from "./1764630000000-compact-audit-chain";
import { LeanAuditAppend1764640000000 } from "./1764640000000-lean-audit-append";
import { ActiveCustomerReads1764660000000 } from "./1764660000000-active-customer-reads";
import { StatisticsUsageFacts1764670000000 } from "./1764670000000-statistics-usage-facts";
import { AuditAppendLoop1764680000000 } from "./1764680000000-audit-append-loop";
import { AuditAppendDurable1764690000000 } from "./1764690000000-audit-append-durable";
import { StatisticsUsageFactEarlierMonths1764700000000 } from "./1764700000000-statistics-usage-fact-earlier-months";

/** Every migration, in order, as classes (TypeORM is given classes, never globs). */
export const MIGRATIONS = [
  InitialStore1764000000000,
  Consent1764050000000,
  ApiClientNotify1764060000000,
  StatisticsPrivacyBudget1764100000000,
  Recipients1764200000000,
  AuditTrail1764210000000,
  PolicyVersions1764300000000,
  DataSubjectRequests1764400000000,
  KernelReads1764500000000,
  StatisticsCompanyBudget1764610000000,
  StatisticsReleasedTables1764620000000,
  CompactAuditChain1764630000000,
  LeanAuditAppend1764640000000,
  ActiveCustomerReads1764660000000,
  StatisticsUsageFacts1764670000000,
  AuditAppendLoop1764680000000,
  AuditAppendDurable1764690000000,
  StatisticsUsageFactEarlierMonths1764700000000,
];
