import type { RowRule } from "../../kernel/data/row-rule";
import { Purpose } from "../../kernel/purposes/purpose";

/**
 * DATA_SUBJECT_REQUEST (1.5) reaches only customers with a request still open (received or
 * in progress): granting the purpose is not a licence to browse everyone; recording the
 * customer's request is what opens their record, and closing it closes the record again.
 */
export const openRequestRowRule: RowRule = {
  name: "DATA_SUBJECT_REQUEST: only customers with an open request (agreement 1.5)",
  purpose: Purpose.DATA_SUBJECT_REQUEST,
  condition: (_scope, alias) => ({
    sql: `EXISTS (SELECT 1 FROM data_subject_request dsr_rule WHERE dsr_rule.customer_id = ${alias}.id AND dsr_rule.status IN ('RECEIVED', 'IN_PROGRESS'))`,
    params: {},
  }),
};
