import { ApolloClient, ApolloError, HttpLink, InMemoryCache, gql } from "@apollo/client/core";
import { Client as UrqlClient, fetchExchange } from "@urql/core";
import { ClientError, GraphQLClient } from "graphql-request";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Purpose } from "../../src/kernel/purposes/purpose";
import { insertCustomer } from "../support/fixtures";
import { startTestGateway, type TestGateway } from "../support/test-gateway";

/**
 * The common frontend clients, with their defaults, against the running gateway: each gets
 * its data, and each surfaces a refusal as a GraphQL error carrying PURPOSE_NOT_PERMITTED
 * (not as a network failure).
 */
let t: TestGateway;
let shop: string;
let customerId: string;

const PERMITTED = `query Shop($id: ID!) @purpose(name: SERVICE_PROVISION) { customer(id: $id) { id fullName } }`;
const REFUSED = `query Birthday($id: ID!) @purpose(name: SERVICE_PROVISION) { customer(id: $id) { id birthDate } }`;

beforeAll(async () => {
  t = await startTestGateway();
  shop = await t.client("frontend", [Purpose.SERVICE_PROVISION]);
  customerId = (await insertCustomer(t.db, { fullName: "Mori Aoi", birthDate: "1999-09-09" })).id;
});
afterAll(() => t?.stop());

describe("Apollo Client 3", () => {
  const client = () =>
    new ApolloClient({
      link: new HttpLink({ uri: t.url, headers: { authorization: `Bearer ${shop}` } }),
      cache: new InMemoryCache(),
      defaultOptions: { query: { fetchPolicy: "no-cache" } },
    });

  it("gets data", async () => {
    const { data } = await client().query({ query: gql(PERMITTED), variables: { id: customerId } });
    expect(data.customer).toEqual({ __typename: "Customer", id: customerId, fullName: "Mori Aoi" });
  });

  it("sees the refusal in graphQLErrors with its code, not as a network error", async () => {
    const error = await client()
      .query({ query: gql(REFUSED), variables: { id: customerId } })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(ApolloError);
    const apolloError = error as ApolloError;
    expect(apolloError.networkError).toBeNull();
    expect(apolloError.graphQLErrors.map((e) => e.extensions?.code)).toEqual(["PURPOSE_NOT_PERMITTED"]);
    expect(apolloError.graphQLErrors[0].extensions).toMatchObject({ coordinate: "Customer.birthDate", purpose: "SERVICE_PROVISION" });
    expect(JSON.stringify(apolloError)).not.toContain("1999-09-09");
  });
});

describe("urql (its defaults: queries as GET, no content type)", () => {
  const sent: Array<{ method: string; contentType: string | null }> = [];
  const recordingFetch: typeof fetch = (input, init) => {
    sent.push({ method: init?.method ?? "GET", contentType: new Headers(init?.headers).get("content-type") });
    return fetch(input, init);
  };
  const client = () =>
    new UrqlClient({
      url: t.url,
      exchanges: [fetchExchange],
      fetch: recordingFetch,
      fetchOptions: { headers: { authorization: `Bearer ${shop}` } },
      requestPolicy: "network-only",
    });

  it("gets data over GET", async () => {
    const result = await client().query(PERMITTED, { id: customerId }).toPromise();
    expect(sent.at(-1)).toEqual({ method: "GET", contentType: null });
    expect(result.error).toBeUndefined();
    expect(result.data.customer.fullName).toBe("Mori Aoi");
  });

  it("sees the refusal in graphQLErrors with its code", async () => {
    const result = await client().query(REFUSED, { id: customerId }).toPromise();
    expect(result.data ?? null).toBeNull();
    expect(result.error?.networkError).toBeUndefined();
    expect(result.error?.graphQLErrors.map((e) => e.extensions?.code)).toEqual(["PURPOSE_NOT_PERMITTED"]);
  });
});

describe.each(["POST", "GET"] as const)("graphql-request (%s)", (method) => {
  const client = () => new GraphQLClient(t.url, { method, headers: { authorization: `Bearer ${shop}` } });

  it("gets data", async () => {
    const data = await client().request<{ customer: { fullName: string } }>(PERMITTED, { id: customerId });
    expect(data.customer.fullName).toBe("Mori Aoi");
  });

  it("throws a ClientError whose response carries the code", async () => {
    const error = await client()
      .request(REFUSED, { id: customerId })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(ClientError);
    expect((error as ClientError).response.errors?.map((e) => e.extensions?.code)).toEqual(["PURPOSE_NOT_PERMITTED"]);
  });
});
