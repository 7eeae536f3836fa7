import type { TestGateway } from "../support/test-gateway";

/** Receives a request through the API and returns its id. */
export async function receive(t: TestGateway, key: string, customerId: string, kind: string, extra = ""): Promise<string> {
  const res = await t.gql(
    `mutation R @purpose(name: DATA_SUBJECT_REQUEST) { receiveDataSubjectRequest(customerId: "${customerId}", kind: ${kind}${extra}) { id status } }`,
    { key },
  );
  if (!res.body.data?.receiveDataSubjectRequest) throw new Error(JSON.stringify(res.body));
  return res.body.data.receiveDataSubjectRequest.id;
}

/** Completes a request through the API; returns the completion (with the export for a disclosure). */
export async function complete(t: TestGateway, key: string, id: string): Promise<{ request: any; export: any }> {
  const res = await t.gql(
    `mutation C @purpose(name: DATA_SUBJECT_REQUEST) { completeDataSubjectRequest(id: "${id}") {
       request { id status completedAt history { status } corrections { field beforeValue afterValue appliedAt } erasureNotifications { recipientName status attempts } }
       export } }`,
    { key },
  );
  if (!res.body.data?.completeDataSubjectRequest) throw new Error(JSON.stringify(res.body));
  return res.body.data.completeDataSubjectRequest;
}
