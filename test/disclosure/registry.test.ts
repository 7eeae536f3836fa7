import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClientRegistry } from "../../src/clients/client-registry";
import { RecipientRegistry } from "../../src/features/disclosure/recipient-registry";
import { unknownCoordinates } from "../../src/features/disclosure/schema-coordinates";
import { Purpose } from "../../src/kernel/purposes/purpose";
import { startTestGateway, type TestGateway } from "../support/test-gateway";

let t: TestGateway;
let recipients: RecipientRegistry;
let clients: ClientRegistry;

beforeAll(async () => {
  t = await startTestGateway();
  recipients = new RecipientRegistry(t.db);
  clients = new ClientRegistry(t.db);
});
afterAll(() => t?.stop());

describe("the recipients registry validates what it stores", () => {
  const base = { contractRef: "C-1", fields: ["Customer.email"] };

  it("third parties take grounds, processors take purposes", async () => {
    await expect(recipients.create({ ...base, name: "tp", kind: "THIRD_PARTY", purposes: ["NOTIFICATION"] })).rejects.toThrow(/grounds/);
    await expect(recipients.create({ ...base, name: "pr", kind: "PROCESSOR", grounds: ["CUSTOMER_CONSENT"] })).rejects.toThrow(/purposes/);
  });

  it("rejects unknown grounds, purposes, malformed coordinates and a missing contract", async () => {
    await expect(recipients.create({ ...base, name: "aa", kind: "THIRD_PARTY", grounds: ["BECAUSE"] })).rejects.toThrow(/unknown ground/);
    await expect(recipients.create({ ...base, name: "bb", kind: "PROCESSOR", purposes: ["MARKETING"] })).rejects.toThrow(/unknown purpose/);
    await expect(
      recipients.create({ ...base, name: "cc", kind: "PROCESSOR", purposes: ["NOTIFICATION"], fields: ["email"] }),
    ).rejects.toThrow(/coordinates/);
    await expect(
      recipients.create({ ...base, name: "dd", kind: "PROCESSOR", purposes: ["NOTIFICATION"], contractRef: " " }),
    ).rejects.toThrow(/contract/);
  });

  it("the CLI's schema check names coordinates the schema does not have", () => {
    expect(unknownCoordinates(t.gateway.schema, ["Customer.email", "Customer.emial", "Nope.x"])).toEqual(["Customer.emial", "Nope.x"]);
  });

  it("an authenticated client carries its recipient's grant and its roles", async () => {
    const r = await recipients.create({ ...base, name: "mailer", kind: "PROCESSOR", purposes: ["NOTIFICATION"] });
    const { key } = await clients.create("mailer-client", [Purpose.NOTIFICATION], { roles: [] });
    await recipients.attachClient("mailer-client", "mailer");
    expect(await clients.authenticate(key)).toMatchObject({
      name: "mailer-client",
      roles: [],
      recipient: { id: r.id, kind: "PROCESSOR", purposes: ["NOTIFICATION"], fields: ["Customer.email"], contractRef: "C-1" },
    });
    expect((await recipients.get("mailer"))?.clients).toEqual(["mailer-client"]);
    await recipients.attachClient("mailer-client", null);
    expect((await clients.authenticate(key))?.recipient).toBeNull();
    await expect(recipients.attachClient("no-such-client", "mailer")).rejects.toThrow(/no client/);
  });

  it("roles are validated and replaceable", async () => {
    await expect(clients.create("x-client", [Purpose.DATA_SUBJECT_REQUEST], { roles: ["GOD"] })).rejects.toThrow(/unknown role/);
    const { key } = await clients.create("po-client", [Purpose.DATA_SUBJECT_REQUEST], { roles: ["PRIVACY_OFFICER"] });
    expect((await clients.authenticate(key))?.roles).toEqual(["PRIVACY_OFFICER"]);
    await clients.setRoles("po-client", []);
    expect((await clients.authenticate(key))?.roles).toEqual([]);
  });

  it("an updated contract replaces the fields", async () => {
    const updated = await recipients.update("mailer", { fields: ["Query.customers", "Customer.email"] });
    expect(updated.fields).toEqual(["Customer.email", "Query.customers"]);
  });
});
