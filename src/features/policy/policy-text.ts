import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { ALL_PURPOSES, PURPOSE_CLAUSES, type Purpose } from "../../kernel/purposes/purpose";

/** A numbered clause of the agreement, e.g. 3.1 "When the Customer Agrees". */
export interface PolicyClause {
  clause: string;
  text: string;
}

/** A Section 1 clause and the purpose of use it is in the code. */
export interface PolicyPurposeClause extends PolicyClause {
  purpose: Purpose;
}

/** What a version of the agreement says: its purposes (Section 1) and disclosure grounds (Section 3). */
export interface AgreementContent {
  purposes: PolicyPurposeClause[];
  grounds: PolicyClause[];
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

const SECTION = /^\s*Section\s+(\d+)\s*:/;
// "  1. 1. In order to …": list number, then the clause number; either may stand alone
const ITEM = /^\s*(?:\d+\.\s+)?(\d+)\.\s+(\S.*?)\s*$/;

/**
 * Reads the purposes and disclosure grounds out of the agreement's text. Every Section 1
 * clause must be a purpose the code knows (by its clause number) and every purpose must
 * have its clause: a text and a code that disagree about the purposes cannot be published.
 */
export function parseAgreement(text: string): AgreementContent {
  const bySection = new Map<number, PolicyClause[]>();
  let section = 0;
  for (const line of text.split(/\r?\n/)) {
    const heading = SECTION.exec(line);
    if (heading) {
      section = Number(heading[1]);
      continue;
    }
    const item = ITEM.exec(line);
    if (item && section > 0) {
      const list = bySection.get(section) ?? [];
      list.push({ clause: `${section}.${item[1]}`, text: item[2] });
      bySection.set(section, list);
    }
  }

  const purposeOf = new Map(ALL_PURPOSES.map((p) => [PURPOSE_CLAUSES[p].clause, p]));
  const purposes: PolicyPurposeClause[] = [];
  const problems: string[] = [];
  for (const { clause, text: clauseText } of bySection.get(1) ?? []) {
    const purpose = purposeOf.get(clause);
    if (purpose) purposes.push({ purpose, clause, text: clauseText });
    else problems.push(`clause ${clause} ("${clauseText}") has no purpose in the code`);
  }
  for (const p of ALL_PURPOSES) {
    if (!purposes.some((c) => c.purpose === p))
      problems.push(`purpose ${p} (clause ${PURPOSE_CLAUSES[p].clause}) is missing from Section 1`);
  }
  if (problems.length) throw new Error(`the agreement text does not match the code's purposes: ${problems.join("; ")}`);
  return { purposes, grounds: bySection.get(3) ?? [] };
}

/**
 * A policy text shipped with the code (src/policy/texts/<name>.txt). Texts are not
 * compiled, so from dist/ they are read from the source tree next to it.
 */
export function bundledText(name: string): string {
  if (!/^[0-9A-Za-z][0-9A-Za-z._-]{0,31}$/.test(name)) throw new Error(`bad text name ${name}`);
  const candidates = [
    path.resolve(__dirname, "texts", `${name}.txt`),
    path.resolve(__dirname, "../../../../src/features/policy/texts", `${name}.txt`),
  ];
  const found = candidates.find((file) => existsSync(file));
  if (!found) throw new Error(`policy text ${name}.txt not found (looked in ${candidates.join(", ")})`);
  return readFileSync(found, "utf8");
}
