import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Purpose } from "../../src/kernel/purposes/purpose";
import { insertCustomer } from "../support/fixtures";
import { startTestGateway, type TestGateway } from "../support/test-gateway";
import { auditRows, lastSeq, type AuditRow } from "../disclosure/recipient-fixtures";
import { complete, receive } from "./requests-support";

/**
 * Customers' requests are personal data about their customer (a correction carries the old
 * and the new values): completing one, and reading one, is audited with that customer's id.
 */
let t: TestGateway;
let privacy: string;
let yumi: string;
let ken: string;
let correctionId: string;

/** Sends one operation; returns its response and the one audit event it produced. */
async function audited(query: string): Promise<{ res: Awaited<ReturnType<TestGateway["gql"]>>; event: AuditRow }> {
  const seq = await lastSeq(t);
  const res = await t.gql(query, { key: privacy });
  const events = await auditRows(t, seq);
  expect(events).toHaveLength(1);
  return { res, event: events[0] };
}

beforeAll(async () => {
  t = await startTestGateway();
  privacy = await t.client("privacy", [Purpose.DATA_SUBJECT_REQUEST]);
  yumi = (await insertCustomer(t.db, { fullName: "Kato Yumi", email: "yumi@example.jp", phone: "090-1111-2222" })).id;
  ken = (await insertCustomer(t.db, { fullName: "Mori Ken" })).id;
});
afterAll(() => t?.stop());

describe("a completed correction is audited", () => {
  it("changes the named fields; the event is ACCEPTED with the customer and the released coordinates", async () => {
    correctionId = await receive(t, privacy, yumi, "CORRECTION", `, corrections: [{ field: EMAIL, value: "yumi.kato@example.jp" }]`);
    const { res, event } = await audited(
      `mutation Fix @purpose(name: DATA_SUBJECT_REQUEST) { completeDataSubjectRequest(id: "${correctionId}") {
         request { id status corrections { field beforeValue afterValue } } } }`,
    );
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.completeDataSubjectRequest.request).toEqual({
      id: correctionId,
      status: "COMPLETED",
      corrections: [{ field: "EMAIL", beforeValue: "yumi@example.jp", afterValue: "yumi.kato@example.jp" }],
    });
    const [row] = await t.db.query(`SELECT email, phone FROM customer WHERE id = $1`, [yumi]);
    expect(row).toEqual({ email: "yumi.kato@example.jp", phone: "090-1111-2222" }); // the named field only

    expect(event).toMatchObject({
      client_name: "privacy",
      purpose: "DATA_SUBJECT_REQUEST",
      operation_name: "Fix",
      operation_type: "mutation",
      outcome: "ACCEPTED",
      error_codes: [],
      http_status: 200,
      customer_ids: [yumi],
    });
    expect(event.fields).toEqual(
      [
        "DataSubjectCorrection.afterValue",
        "DataSubjectCorrection.beforeValue",
        "DataSubjectCorrection.field",
        "DataSubjectRequest.corrections",
        "DataSubjectRequest.id",
        "DataSubjectRequest.status",
        "DataSubjectRequestCompletion.request",
        "Mutation.completeDataSubjectRequest",
      ].sort(),
    );
    // and the audit holds no personal value, only coordinates and ids
    expect(JSON.stringify(event)).not.toMatch(/yumi(\.kato)?@example\.jp/);
  });
});

describe("reading requests is audited with their customers", () => {
  // (needs src/requests/request-store.ts to add a read request's customer to the released set)
  const READ = (filter: string) => `query Read @purpose(name: DATA_SUBJECT_REQUEST) { dataSubjectRequests${filter} {
    id customerId kind status corrections { field requestedValue beforeValue afterValue appliedAt } } }`;

  // Before: a closed request kept showing its corrections' values (e.g. the current e-mail or
  // birth date) to DATA_SUBJECT_REQUEST indefinitely, though its customer was unreachable.
  it("a closed request shows its facts, not its values, and still records the customer's id", async () => {
    const { res, event } = await audited(READ(`(filter: { customerId: "${yumi}" })`));
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.dataSubjectRequests).toEqual([
      {
        id: correctionId,
        customerId: yumi,
        kind: "CORRECTION",
        status: "COMPLETED",
        corrections: [{ field: "EMAIL", requestedValue: null, beforeValue: null, afterValue: null, appliedAt: expect.any(String) }],
      },
    ]);
    expect(JSON.stringify(res.body)).not.toContain("yumi");
    const one = await t.gql(
      `query One @purpose(name: DATA_SUBJECT_REQUEST) { dataSubjectRequest(id: "${correctionId}") { status corrections { beforeValue afterValue } } }`,
      {
        key: privacy,
      },
    );
    expect(one.body.data.dataSubjectRequest).toEqual({ status: "COMPLETED", corrections: [{ beforeValue: null, afterValue: null }] });
    expect(event).toMatchObject({ outcome: "ACCEPTED", http_status: 200 });
    expect(event.customer_ids).toEqual([yumi]);
    expect(event.fields).toEqual(
      expect.arrayContaining(["Query.dataSubjectRequests", "DataSubjectRequest.corrections", "DataSubjectCorrection.beforeValue"]),
    );
  });

  it("a list of several customers' requests records each of them, and only them", async () => {
    await receive(t, privacy, ken, "CORRECTION", `, corrections: [{ field: PHONE, value: "080-3333-4444" }]`);
    const { res, event } = await audited(READ(""));
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.dataSubjectRequests.map((r: any) => r.customerId).sort()).toEqual([yumi, ken].sort());
    expect([...event.customer_ids].sort()).toEqual([yumi, ken].sort());
  });

  it("while the customer has an open request again, their earlier requests' values are shown again", async () => {
    const open = await receive(t, privacy, yumi, "DISCLOSURE");
    const res = await t.gql(READ(`(filter: { customerId: "${yumi}", status: COMPLETED })`), { key: privacy });
    expect(res.body.data.dataSubjectRequests[0].corrections[0]).toMatchObject({
      beforeValue: "yumi@example.jp",
      afterValue: "yumi.kato@example.jp",
    });
    await complete(t, privacy, open);
  });

  it("dataSubjectRequest(id:) records its customer", async () => {
    const { res, event } = await audited(
      `query One @purpose(name: DATA_SUBJECT_REQUEST) { dataSubjectRequest(id: "${correctionId}") { id corrections { beforeValue afterValue } } }`,
    );
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.dataSubjectRequest.id).toBe(correctionId);
    expect(event.customer_ids).toEqual([yumi]);
  });

  it("a filter that matches no request records no customer", async () => {
    const { res, event } = await audited(READ(`(filter: { status: REFUSED })`));
    expect(res.body).toEqual({ data: { dataSubjectRequests: [] } });
    expect(event).toMatchObject({ outcome: "ACCEPTED", customer_ids: [] });
  });
});
