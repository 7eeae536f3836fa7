import { defineCodes } from "../../kernel/errors/catalogue";

/** Codes of customers' requests; they are field errors (HTTP 200), the request itself succeeded. */
export const RequestCodes = defineCodes({
  NOT_FOUND: { status: 200, safe: true, meaning: "an unknown data subject request or customer" },
  INVALID_REQUEST_STATE: { status: 200, safe: true, meaning: "a step the request's status (or its customer's state) does not allow" },
});
export const RequestCode = RequestCodes.codes;
