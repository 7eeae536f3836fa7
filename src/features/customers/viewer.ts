import { Ctx, Field, ObjectType, Query, Resolver } from "type-graphql";
import { Purpose } from "../../kernel/purposes/purpose";
import type { GatewayContext } from "../../kernel/request-context";
import { Public } from "../../kernel/schema/decorators";

@ObjectType({ description: "The calling API client." })
@Public()
class Viewer {
  @Field()
  name: string;

  @Field(() => [Purpose])
  grantedPurposes: Purpose[];
}

@Resolver()
export class ViewerResolver {
  @Query(() => Viewer, { nullable: true, description: "Who is calling, and which purposes it is granted. Null without a key." })
  @Public()
  viewer(@Ctx() ctx: GatewayContext): Viewer | null {
    return ctx.caller ? { name: ctx.caller.name, grantedPurposes: [...ctx.caller.purposes] } : null;
  }
}
