import { Length } from "class-validator";
import { Arg, Ctx, Field, ID, InputType, Mutation, Query, Resolver } from "type-graphql";
import { AllowedFor } from "../../kernel/schema/decorators";
import { Purpose } from "../../kernel/purposes/purpose";
import { CorrectableField, DataSubjectRequestKind, DataSubjectRequestStatus } from "./request-enums";
import { REQUESTS } from "./request-store";
import { DataSubjectRequest, DataSubjectRequestCompletion } from "./request-types";
import type { GatewayContext } from "../../kernel/request-context";

const DSR = Purpose.DATA_SUBJECT_REQUEST;

@InputType()
class CorrectionInput {
  @Field(() => CorrectableField)
  field: CorrectableField;

  @Field()
  @Length(1, 254)
  value: string;
}

@InputType()
class DataSubjectRequestFilter {
  @Field(() => DataSubjectRequestStatus, { nullable: true })
  status?: DataSubjectRequestStatus;

  @Field(() => ID, { nullable: true })
  customerId?: string;

  @Field({ nullable: true, description: "Only open requests past their due date." })
  overdue?: boolean;
}

const notFound = (request: DataSubjectRequest | null): DataSubjectRequest => {
  if (!request) throw new Error("request vanished"); // completed requests are never deleted
  return request;
};

/** Customers' requests for disclosure, correction and deletion (agreement 1.5). */
@Resolver()
export class DataSubjectRequestResolver {
  @Query(() => [DataSubjectRequest], { description: "Requests, newest first (500 at most)." })
  @AllowedFor(DSR)
  dataSubjectRequests(
    @Arg("filter", () => DataSubjectRequestFilter, { nullable: true }) filter: DataSubjectRequestFilter | undefined,
    @Ctx() ctx: GatewayContext,
  ): Promise<DataSubjectRequest[]> {
    return ctx.service(REQUESTS).list(filter ?? {});
  }

  @Query(() => DataSubjectRequest, { nullable: true })
  @AllowedFor(DSR)
  dataSubjectRequest(@Arg("id", () => ID) id: string, @Ctx() ctx: GatewayContext): Promise<DataSubjectRequest | null> {
    return ctx.service(REQUESTS).get(id);
  }

  @Mutation(() => DataSubjectRequest, { description: "Records a customer's request; it is due DSR_DEADLINE_DAYS later." })
  @AllowedFor(DSR)
  async receiveDataSubjectRequest(
    @Arg("customerId", () => ID) customerId: string,
    @Arg("kind", () => DataSubjectRequestKind) kind: DataSubjectRequestKind,
    @Arg("corrections", () => [CorrectionInput], { nullable: true }) corrections: CorrectionInput[] | undefined,
    @Arg("note", () => String, { nullable: true }) note: string | undefined,
    @Ctx() ctx: GatewayContext,
  ): Promise<DataSubjectRequest> {
    const store = ctx.service(REQUESTS);
    const id = await store.receive(customerId, kind, corrections ?? [], note ?? null);
    return notFound(await store.get(id));
  }

  @Mutation(() => DataSubjectRequest)
  @AllowedFor(DSR)
  async startDataSubjectRequest(
    @Arg("id", () => ID) id: string,
    @Arg("note", () => String, { nullable: true }) note: string | undefined,
    @Ctx() ctx: GatewayContext,
  ): Promise<DataSubjectRequest> {
    const store = ctx.service(REQUESTS);
    await store.start(id, note ?? null);
    return notFound(await store.get(id));
  }

  @Mutation(() => DataSubjectRequest)
  @AllowedFor(DSR)
  async refuseDataSubjectRequest(
    @Arg("id", () => ID) id: string,
    @Arg("reason") reason: string,
    @Ctx() ctx: GatewayContext,
  ): Promise<DataSubjectRequest> {
    const store = ctx.service(REQUESTS);
    await store.refuse(id, reason);
    return notFound(await store.get(id));
  }

  @Mutation(() => DataSubjectRequestCompletion, {
    description:
      "Does what the request asks — disclosure: returns the export; correction: applies it; deletion: erases and notifies recipients — and completes it.",
  })
  @AllowedFor(DSR)
  async completeDataSubjectRequest(
    @Arg("id", () => ID) id: string,
    @Arg("note", () => String, { nullable: true }) note: string | undefined,
    @Ctx() ctx: GatewayContext,
  ): Promise<DataSubjectRequestCompletion> {
    return ctx.service(REQUESTS).complete(id, note ?? null);
  }
}
