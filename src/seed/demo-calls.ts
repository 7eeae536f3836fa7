/**
 * The example calls `npm run demo` prints, one per demo client and purpose. Kept here, not
 * inline in main.ts, so a test runs every one of them against seeded demo data: an example
 * a person copies from the terminal or the README must work.
 */
export interface DemoCall {
  /** what the call shows, printed above it */
  say: string;
  client: string;
  query: string;
  /** the call is meant to be refused (it shows the gate at work) */
  refused?: string;
}

export const DEMO_CALLS: readonly DemoCall[] = [
  {
    say: "Try (the shop frontend, for service provision):",
    client: "demo-shop-frontend",
    query:
      "query Shop @purpose(name: SERVICE_PROVISION) { customers(first: 2) { id fullName email serviceUsage { service amount occurredAt } } }",
  },
  {
    say: "Refused (birthDate is not permitted for SERVICE_PROVISION):",
    client: "demo-shop-frontend",
    query: "query Shop @purpose(name: SERVICE_PROVISION) { customers(first: 1) { fullName birthDate } }",
    refused: "PURPOSE_NOT_PERMITTED",
  },
  {
    say: "The campaign office ships prizes (winners only, through their campaign):",
    client: "demo-campaign-office",
    query:
      "query Ship @purpose(name: PRIZE_DELIVERY) { campaigns { name winners { id shippedAt customer { fullName postalCode prefecture streetAddress phone } } } }",
  },
  {
    say: "Marketing reaches subscribers only:",
    client: "demo-marketing",
    query: "query Mail @purpose(name: NOTIFICATION) { customers(first: 3) { fullName email subscriptions { channel optedIn } } }",
  },
  {
    say: "The survey team reaches only customers who agreed to the 2026 survey (agreement 1.7):",
    client: "demo-survey-team",
    query: 'query Survey @purpose(name: INDIVIDUAL_AGREEMENT, agreement: "survey-2026") { customers(first: 3) { fullName email } }',
  },
  {
    say: "The privacy office works through customers' open requests (agreement 1.5):",
    client: "demo-privacy-office",
    query:
      "query Open @purpose(name: DATA_SUBJECT_REQUEST) { dataSubjectRequests(filter: { status: RECEIVED }) { id kind customerId dueAt } }",
  },
  {
    say: "The analyst gets anonymous statistics only (k-thresholds, differential-privacy noise, its team's share of the company's privacy budget):",
    client: "demo-analyst",
    query:
      'query Trends @purpose(name: USAGE_STATISTICS) { statistics { serviceUsage(groupBy: [AGE_BAND], filter: { usageMonth: { from: "2026-01", to: "2026-10" } }) { buckets { key { ageBand } customers usageCount amountSum amountAvg } suppressedBuckets minGroupSize releaseThreshold epsilonSpent budgetRemaining } } }',
  },
];
