import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Purpose } from "../../src/kernel/purposes/purpose";
import { insertCustomer } from "../support/fixtures";
import { codes, startTestGateway, type TestGateway } from "../support/test-gateway";
import { complete, receive } from "./requests-support";

/** A request's life: received, in progress, completed or refused, every step recorded. */
let t: TestGateway;
let privacy: string;
let shop: string;
let customerId: string;

beforeAll(async () => {
  t = await startTestGateway();
  privacy = await t.client("privacy", [Purpose.DATA_SUBJECT_REQUEST]);
  shop = await t.client("shop", [Purpose.SERVICE_PROVISION]);
  customerId = (await insertCustomer(t.db, { fullName: "Kato Yumi", email: "yumi@example.jp", birthDate: "1985-06-07" })).id;
});
afterAll(() => t?.stop());

const readCustomer = (id: string) =>
  t.gql(`query D @purpose(name: DATA_SUBJECT_REQUEST) { customer(id: "${id}") { fullName birthDate } }`, { key: privacy });

describe("data subject requests", () => {
  it("are received with a due date, started and completed, with their history", async () => {
    const id = await receive(t, privacy, customerId, "DISCLOSURE", `, note: "by letter"`);
    const res = await t.gql(
      `query Q @purpose(name: DATA_SUBJECT_REQUEST) { dataSubjectRequest(id: "${id}") { kind status receivedAt dueAt history { status note } } }`,
      {
        key: privacy,
      },
    );
    const request = res.body.data.dataSubjectRequest;
    expect(request).toMatchObject({ kind: "DISCLOSURE", status: "RECEIVED", history: [{ status: "RECEIVED", note: "by letter" }] });
    const days = (Date.parse(request.dueAt) - Date.parse(request.receivedAt)) / 86_400_000;
    expect(days).toBeCloseTo(14, 5);
    const started = await t.gql(`mutation S @purpose(name: DATA_SUBJECT_REQUEST) { startDataSubjectRequest(id: "${id}") { status } }`, {
      key: privacy,
    });
    expect(started.body.data.startDataSubjectRequest.status).toBe("IN_PROGRESS");
    const done = await complete(t, privacy, id);
    expect(done.request.status).toBe("COMPLETED");
    expect(done.request.history.map((h: any) => h.status)).toEqual(["RECEIVED", "IN_PROGRESS", "COMPLETED"]);
  });

  it("are refused with a reason, and a closed request cannot change again", async () => {
    const id = await receive(t, privacy, customerId, "DELETION");
    const refused = await t.gql(
      `mutation F @purpose(name: DATA_SUBJECT_REQUEST) { refuseDataSubjectRequest(id: "${id}", reason: "identity not verified") { status refusalReason } }`,
      { key: privacy },
    );
    // closed, the request shows its status; what it says (the reason, free text that may quote
    // the customer) only while one of the customer's requests is open
    expect(refused.body.data.refuseDataSubjectRequest).toEqual({ status: "REFUSED", refusalReason: null });
    const [{ refusal_reason }] = await t.db.query(`SELECT refusal_reason FROM data_subject_request WHERE id = $1`, [id]);
    expect(refusal_reason).toBe("identity not verified");
    const again = await t.gql(
      `mutation C @purpose(name: DATA_SUBJECT_REQUEST) { completeDataSubjectRequest(id: "${id}") { request { status } } }`,
      {
        key: privacy,
      },
    );
    expect(codes(again)).toEqual(["INVALID_REQUEST_STATE"]);
    const [row] = await t.db.query(`SELECT erased_at FROM customer WHERE id = $1`, [customerId]);
    expect(row.erased_at).toBeNull(); // the refused deletion erased nothing
  });

  it("scope DATA_SUBJECT_REQUEST to customers with an open request", async () => {
    const other = (await insertCustomer(t.db, { fullName: "No Request" })).id;
    expect((await readCustomer(other)).body.data.customer).toBeNull();
    const id = await receive(t, privacy, other, "DISCLOSURE");
    expect((await readCustomer(other)).body.data.customer).toEqual({ fullName: "No Request", birthDate: "1990-04-01" });
    await complete(t, privacy, id);
    expect((await readCustomer(other)).body.data.customer).toBeNull();
  });

  it("are handled only under DATA_SUBJECT_REQUEST", async () => {
    const res = await t.gql(
      `mutation R @purpose(name: SERVICE_PROVISION) { receiveDataSubjectRequest(customerId: "${customerId}", kind: DISCLOSURE) { id } }`,
      {
        key: shop,
      },
    );
    expect(res.status).toBe(403);
    expect(new Set(codes(res))).toEqual(new Set(["PURPOSE_NOT_PERMITTED"]));
    expect(res.body.errors!.map((e) => e.extensions?.coordinate)).toContain("Mutation.receiveDataSubjectRequest");
    expect(res.body.data).toBeUndefined();
  });

  it("reject bad input clearly", async () => {
    const unknown = await t.gql(
      `mutation R @purpose(name: DATA_SUBJECT_REQUEST) { receiveDataSubjectRequest(customerId: "00000000-0000-4000-8000-000000000000", kind: DISCLOSURE) { id } }`,
      { key: privacy },
    );
    expect(codes(unknown)).toEqual(["NOT_FOUND"]);
    const noFields = await t.gql(
      `mutation R @purpose(name: DATA_SUBJECT_REQUEST) { receiveDataSubjectRequest(customerId: "${customerId}", kind: CORRECTION) { id } }`,
      {
        key: privacy,
      },
    );
    expect(codes(noFields)).toEqual(["BAD_USER_INPUT"]);
    const badValue = await t.gql(
      `mutation R @purpose(name: DATA_SUBJECT_REQUEST) { receiveDataSubjectRequest(customerId: "${customerId}", kind: CORRECTION, corrections: [{ field: POSTAL_CODE, value: "12" }]) { id } }`,
      { key: privacy },
    );
    expect(codes(badValue)).toEqual(["BAD_USER_INPUT"]);
    expect(badValue.body.errors![0].message).toContain("NNN-NNNN");
  });

  it("list open and overdue requests", async () => {
    const id = await receive(t, privacy, customerId, "DISCLOSURE");
    await t.db.query(`UPDATE data_subject_request SET due_at = now() - interval '1 day' WHERE id = $1`, [id]);
    const res = await t.gql(`query L @purpose(name: DATA_SUBJECT_REQUEST) { dataSubjectRequests(filter: { overdue: true }) { id } }`, {
      key: privacy,
    });
    expect(res.body.data.dataSubjectRequests.map((r: any) => r.id)).toEqual([id]);
  });
});

describe("correction", () => {
  it("changes the named fields and keeps before and after for the privacy officer", async () => {
    const id = await receive(
      t,
      privacy,
      customerId,
      "CORRECTION",
      `, corrections: [{ field: EMAIL, value: "yumi.kato@example.jp" }, { field: BIRTH_DATE, value: "1985-07-06" }]`,
    );
    const done = await complete(t, privacy, id);
    expect(done.request.corrections).toEqual([
      { field: "EMAIL", beforeValue: "yumi@example.jp", afterValue: "yumi.kato@example.jp", appliedAt: expect.any(String) },
      { field: "BIRTH_DATE", beforeValue: "1985-06-07", afterValue: "1985-07-06", appliedAt: expect.any(String) },
    ]);
    const [row] = await t.db.query(`SELECT email, birth_date::text AS birth FROM customer WHERE id = $1`, [customerId]);
    expect(row).toEqual({ email: "yumi.kato@example.jp", birth: "1985-07-06" });
  });
});
