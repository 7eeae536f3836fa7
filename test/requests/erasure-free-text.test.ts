import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Purpose } from "../../src/kernel/purposes/purpose";
import { insertCustomer } from "../support/fixtures";
import { startTestGateway, type TestGateway } from "../support/test-gateway";
import { complete, receive } from "./requests-support";

/**
 * Staff write notes and refusal reasons about a customer's requests; such free text can quote
 * personal values, so a deletion erases it with the rest, keeping only the facts.
 */
let t: TestGateway;
let privacy: string;

beforeAll(async () => {
  t = await startTestGateway();
  privacy = await t.client("privacy", [Purpose.DATA_SUBJECT_REQUEST]);
});
afterAll(() => t?.stop());

describe("a deletion", () => {
  it("erases notes and refusal reasons of every request of the customer, keeping the steps", async () => {
    const { id: customerId } = await insertCustomer(t.db, { fullName: "Mori Aya", email: "aya.mori@example.jp" });
    const refused = await receive(t, privacy, customerId, "DISCLOSURE", `, note: "called from 090-5555-1234, Mori Aya"`);
    const refusal = await t.gql(
      `mutation F @purpose(name: DATA_SUBJECT_REQUEST) { refuseDataSubjectRequest(id: "${refused}", reason: "could not verify aya.mori@example.jp") { status } }`,
      { key: privacy },
    );
    expect(refusal.body.data.refuseDataSubjectRequest.status).toBe("REFUSED");
    const deletion = await receive(t, privacy, customerId, "DELETION", `, note: "letter signed Mori Aya"`);
    const done = await complete(t, privacy, deletion);
    expect(done.request.status).toBe("COMPLETED");

    const stored = JSON.stringify(
      await t.db.query(
        `SELECT r.refusal_reason, e.status, e.note FROM data_subject_request r JOIN data_subject_request_event e ON e.request_id = r.id
          WHERE r.customer_id = $1 ORDER BY e.id`,
        [customerId],
      ),
    );
    for (const secret of ["Mori", "Aya", "aya.mori", "090-5555"]) expect(stored).not.toContain(secret);
    const steps = await t.db.query(
      `SELECT e.status FROM data_subject_request r JOIN data_subject_request_event e ON e.request_id = r.id WHERE r.customer_id = $1 ORDER BY e.id`,
      [customerId],
    );
    expect(steps.map((s: any) => s.status)).toEqual(["RECEIVED", "REFUSED", "RECEIVED", "COMPLETED"]);
  });
});
