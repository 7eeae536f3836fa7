import { PREFECTURE_NAMES } from "../../seed/prefectures";
import { CorrectableField } from "./request-enums";

/** Where each correctable field lives and what a valid value looks like. */
export const CORRECTABLE: Record<CorrectableField, { column: string; valid: (value: string) => boolean; hint: string }> = {
  [CorrectableField.FULL_NAME]: { column: "full_name", valid: (v) => v.trim().length >= 1 && v.length <= 200, hint: "1–200 characters" },
  [CorrectableField.EMAIL]: { column: "email", valid: (v) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v) && v.length <= 254, hint: "an e-mail address" },
  [CorrectableField.PHONE]: { column: "phone", valid: (v) => /^[0-9+][0-9 -]{6,19}$/.test(v), hint: "digits, spaces, dashes" },
  [CorrectableField.POSTAL_CODE]: { column: "postal_code", valid: (v) => /^\d{3}-\d{4}$/.test(v), hint: "NNN-NNNN" },
  [CorrectableField.PREFECTURE]: { column: "prefecture", valid: (v) => PREFECTURE_NAMES.includes(v), hint: "one of the 47 prefectures" },
  [CorrectableField.STREET_ADDRESS]: { column: "street_address", valid: (v) => v.trim().length >= 1 && v.length <= 200, hint: "1–200 characters" },
  [CorrectableField.BIRTH_DATE]: {
    column: "birth_date",
    valid: (v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)) && new Date(v).toISOString().startsWith(v),
    hint: "YYYY-MM-DD",
  },
  [CorrectableField.GENDER]: { column: "gender", valid: (v) => ["FEMALE", "MALE", "OTHER", "UNDISCLOSED"].includes(v), hint: "FEMALE, MALE, OTHER or UNDISCLOSED" },
};
