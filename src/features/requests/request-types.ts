import { GraphQLJSONObject } from "graphql-scalars";
import { Field, ID, Int, ObjectType } from "type-graphql";
import { AllowedFor } from "../../kernel/schema/decorators";
import { Purpose } from "../../kernel/purposes/purpose";
import { CorrectableField, DataSubjectRequestKind, DataSubjectRequestStatus, ErasureNotificationStatus } from "./request-enums";

/** A step in a request's history. */
@ObjectType()
@AllowedFor(Purpose.DATA_SUBJECT_REQUEST)
export class DataSubjectRequestEvent {
  @Field(() => DataSubjectRequestStatus)
  status: DataSubjectRequestStatus;

  @Field(() => String, { nullable: true })
  note: string | null;

  @Field()
  at: Date;
}

/** A requested or applied correction, with the values before and after (erased with the customer). */
@ObjectType()
@AllowedFor(Purpose.DATA_SUBJECT_REQUEST)
export class DataSubjectCorrection {
  @Field(() => CorrectableField)
  field: CorrectableField;

  @Field(() => String, { nullable: true })
  requestedValue: string | null;

  @Field(() => String, { nullable: true })
  beforeValue: string | null;

  @Field(() => String, { nullable: true })
  afterValue: string | null;

  @Field(() => Date, { nullable: true })
  appliedAt: Date | null;
}

/** The notice of an erasure to a recipient that had received the customer's data. */
@ObjectType()
@AllowedFor(Purpose.DATA_SUBJECT_REQUEST)
export class ErasureNotification {
  @Field(() => ID)
  recipientId: string;

  @Field()
  recipientName: string;

  @Field(() => ErasureNotificationStatus)
  status: ErasureNotificationStatus;

  @Field(() => Int)
  attempts: number;

  @Field(() => String, { nullable: true })
  lastError: string | null;

  @Field(() => Date, { nullable: true })
  deliveredAt: Date | null;
}

/** A customer's request for disclosure, correction or deletion (agreement 1.5). */
@ObjectType({ description: "A customer's request for disclosure, correction or deletion (agreement 1.5). Personal data." })
@AllowedFor(Purpose.DATA_SUBJECT_REQUEST)
export class DataSubjectRequest {
  @Field(() => ID)
  id: string;

  @Field(() => ID)
  customerId: string;

  @Field(() => DataSubjectRequestKind)
  kind: DataSubjectRequestKind;

  @Field(() => DataSubjectRequestStatus)
  status: DataSubjectRequestStatus;

  @Field(() => String, { nullable: true })
  refusalReason: string | null;

  @Field()
  receivedAt: Date;

  @Field({ description: "When the answer is due (received + DSR_DEADLINE_DAYS)." })
  dueAt: Date;

  @Field(() => Date, { nullable: true })
  completedAt: Date | null;

  @Field(() => [DataSubjectRequestEvent])
  history: DataSubjectRequestEvent[];

  @Field(() => [DataSubjectCorrection])
  corrections: DataSubjectCorrection[];

  @Field(() => [ErasureNotification], { description: "Deletion: the recipients told of the erasure." })
  erasureNotifications: ErasureNotification[];
}

/** The result of completing a request; a disclosure carries the export. */
@ObjectType()
@AllowedFor(Purpose.DATA_SUBJECT_REQUEST)
export class DataSubjectRequestCompletion {
  @Field(() => DataSubjectRequest)
  request: DataSubjectRequest;

  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description:
      "Disclosure: everything stored about the customer, who accessed it and for what, and every third-party disclosure (machine-readable JSON).",
  })
  export: Record<string, unknown> | null;
}
