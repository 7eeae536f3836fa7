import type { ApolloServerPlugin } from "@apollo/server";
import type { GraphQLDirective, GraphQLSchema } from "graphql";
import type { Settings } from "../config/settings";
import type { RowRule } from "./data/row-rule";
import type { ErrorCatalogue, ErrorCodeTable } from "./errors/catalogue";
import type { FieldPolicy } from "./gate/field-policy";
import type { AllowedDecision, Decision } from "./gate/gate";
import type { GovernanceRule } from "./gate/governance-input";
import type { GateStage } from "./gate/stages";
import type { GovernanceReceipt } from "./receipt";
import type { GatewayContext } from "./request-context";
import type { ServiceProvider } from "./services";
import type { TableDeclaration } from "./personal-data/declaration";
import type { PersonalDataRegistry } from "./personal-data/registry";
import type { FeatureDb } from "./store/feature-db";
import type { AggregateReader } from "./store/aggregates";

/**
 * The one interface through which a feature (disclosure, consent, statistics, requests,
 * audit, policy, the customer API) plugs into the kernel. What it declares statically
 * (codes, resolvers, directives, rules, row rules) is read before the schema is built;
 * what needs the running store (services, plugins, background work) comes from `start`.
 * Features are composed in one place, src/app/compose.ts, which checks their order.
 */
export interface GatewayFeature {
  readonly name: string;
  /** features that must be composed before this one */
  readonly requires?: readonly string[];
  /** the feature's error codes, joined into the one catalogue */
  readonly codes?: ErrorCodeTable;
  /** type-graphql resolver classes */
  readonly resolvers?: readonly Function[];
  /** directive definitions, built over the schema's generated types */
  readonly directives?: (built: GraphQLSchema) => readonly GraphQLDirective[];
  /** gate rules, by stage */
  readonly rules?: Readonly<Partial<Record<GateStage, readonly GovernanceRule[]>>>;
  /** narrowings of the customers a scope reaches */
  readonly rowRules?: readonly RowRule[];
  /** the store tables the feature owns, each declared with its personal data (declaration.ts) */
  readonly tables?: readonly TableDeclaration[];
  /**
   * Why the feature reads aggregates over customers' rows (statistics): only a feature that
   * says so is given the kernel's aggregate road; any other gets one that refuses.
   */
  readonly aggregateReads?: string;
  /** what the feature runs with the store: called once at start, in composition order */
  start?(deps: FeatureDeps): FeatureRuntime | Promise<FeatureRuntime>;
}

/** What a feature is given at start. */
export interface FeatureDeps {
  /** SQL on the feature's own tables and the public ones; customer rows only through the kernel */
  readonly db: FeatureDb;
  /** aggregates over customer-linked tables, checked to carry no identifier (statistics, counts) */
  readonly aggregates: AggregateReader;
  readonly registry: PersonalDataRegistry;
  readonly settings: Settings;
  readonly schema: GraphQLSchema;
  readonly policy: FieldPolicy;
  readonly catalogue: ErrorCatalogue;
  /** the composed row rules, for stores that read customer-linked rows */
  readonly rowRules: readonly RowRule[];
}

/** Marks a plugin's role, so the composition root can check the order of plugins. */
export type PluginRole = "governance" | "audit";

export interface RolePlugin {
  readonly role: PluginRole;
  readonly plugin: ApolloServerPlugin<GatewayContext>;
}

export interface FeatureRuntime {
  readonly services?: readonly ServiceProvider<any>[];
  /**
   * Checks that need the database, run after the pure gate on an allowed decision (an
   * individual agreement must be registered); may still refuse it. Run in composition order.
   */
  readonly afterGate?: (decision: AllowedDecision) => Promise<Decision>;
  /** Apollo plugins, run after governance, in composition order */
  readonly plugins?: readonly (ApolloServerPlugin<GatewayContext> | RolePlugin)[];
  /**
   * Records a request refused before GraphQL (no operation to audit): a bad key (401
   * UNAUTHENTICATED, the default) or a key that could not be looked up (503
   * STORE_UNAVAILABLE). Throws when it could not: the request is then answered 503 (fail closed).
   */
  readonly recordUnauthenticated?: (requestId: string, refusal?: { code: string; status: number }) => Promise<{ auditSeq: string } | void>;
  /**
   * What the feature adds to the receipt of each answer (`extensions.governance`), from the
   * request's context (null for a request refused before GraphQL, e.g. a bad API key).
   * Called synchronously as the answer is sent: no I/O here.
   */
  readonly receipt?: (ctx: GatewayContext | null) => Partial<GovernanceReceipt>;
  /** public pages the feature serves outside GraphQL (the policy page): GET only, no key */
  readonly pages?: readonly FeaturePage[];
  stop?(): Promise<void>;
}

/** A public page: `path` in Express syntax (`/policy/:version`); null from `render` = 404. */
export interface FeaturePage {
  readonly path: string;
  render(params: Readonly<Record<string, string>>): Promise<{ type: string; body: string } | null>;
}
