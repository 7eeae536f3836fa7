import { KernelCode } from "../../errors/catalogue";
import { refusal } from "../../errors/refusal";
import type { GovernanceRule } from "../governance-input";

/**
 * Only the operation types the schema serves. A subscription (there are none) reaches no
 * field the gate knows, so without this rule it would pass the gate and fail at execution:
 * refused instead, as the caller's mistake, before anything runs, and audited as refused.
 */
export const requireSupportedOperation: GovernanceRule = ({ schema, operation }) => {
  const root = schema.getRootType(operation.operation);
  if (root && operation.operation !== "subscription") return [];
  return [
    refusal(
      KernelCode.OPERATION_NOT_SUPPORTED,
      `This gateway serves queries and mutations; ${operation.operation} operations are not supported.`,
      { operationType: operation.operation },
      operation,
    ),
  ];
};
